package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// staff is the actor of the suite's mutations; its audit string is
// "user:1 test@gridbook.example".
var staff = auth.Actor{Kind: "user", ID: 1, Name: "test@gridbook.example"}

// Run runs every conformance check against databases from open. Each check
// gets a fresh database.
func Run(t *testing.T, open Opener) {
	checks := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		// migrations.go
		{"MigrationVersionsMatchAcrossDialects", testMigrationVersionsMatch},
		{"SchemaVersionIsHighestMigration", testSchemaVersion},
		{"ReopenAppliesNothing", testReopenAppliesNothing},
		{"ConcurrentOpensBothSucceed", testConcurrentOpens},
		// registry.go
		{"RegistryRoundTrip", testRegistryRoundTrip},
		{"Customers", testCustomers},
		{"CustomerPagination", testCustomerPagination},
		{"CustomerSearch", testCustomerSearch},
		{"Premises", testPremises},
		{"PremiseHomeAttributes", testPremiseHomeAttributes},
		{"Accounts", testAccounts},
		{"AccountFilters", testAccountFilters},
		{"Meters", testMeters},
		// resolve.go
		{"PremiseClimateZoneFromZIP", testPremiseClimateZone},
		{"PremiseClimateZoneOverride", testPremiseOverride},
		{"PremiseRejectsBadZIPAndTract", testPremiseRejects},
		{"PremiseDACFromTract", testPremiseDAC},
		// enrollments.go
		{"Enrollments", testEnrollments},
		// tx.go
		{"ErrorInTxLeavesNothing", testTxErrorRollsBack},
		{"PanicInTxLeavesNothing", testTxPanicRollsBack},
		// audit.go
		{"EveryMutationIsAuditedOnce", testAuditEveryMutation},
		{"AuditLogFilters", testAuditLogFilters},
		// auth.go
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"APIClients", testClients},
		{"LoginRateLimit", testLoginRateLimit},
		// idempotency.go
		{"Idempotency", testIdempotency},
		// intervals.go
		{"IntervalsAcrossDST", testIntervalsAcrossDST},
		{"IntervalsAcrossMonthBoundary", testIntervalsMonthBoundary},
		{"IntervalsPartialOverwrite", testIntervalsPartialOverwrite},
		{"IntervalsMissingGaps", testIntervalsMissing},
		{"IntervalsRejectBadInput", testIntervalsReject},
		// interval_import.go
		{"IntervalQualityRoundTrip", testIntervalQualityRoundTrip},
		{"IntervalBlocksBeforeQualityReadAsActual", testIntervalBlocksBeforeQualityReadAsActual},
		{"IntervalImportIdempotent", testIntervalImportIdempotent},
		{"IntervalImportCorrectionReplacesOnlyChangedAndAudits", testIntervalImportCorrection},
		{"IntervalImportRejectedStoresNothing", testIntervalImportRejectsStoreNothing},
		{"IntervalImportNetOnlyMarked", testIntervalImportNetOnly},
		// portfolio.go
		{"Portfolio", testPortfolio},
		// weather.go
		{"WeatherRoundTripAcrossMonths", testWeatherRoundTripAcrossMonths},
		{"WeatherMergeKeepsWhatAFileLacks", testWeatherMergeKeepsWhatAFileLacks},
		{"WeatherRejectsBadInput", testWeatherRejectsBadInput},
		{"SavingsInputsNetDaysAndPremiseStation", testSavingsInputsNetDaysAndPremiseStation},
		{"SavingsRunEvaluatesEnrolledMeters", testSavingsRunEvaluatesEnrolledMeters},
		{"HERReportComparesAndFreezes", testHERReportComparesAndFreezes},
		{"HERReportComparesByHomeAttributes", testHERReportComparesByHomeAttributes},
		// incentives.go
		{"IncentiveProgramsImportIdempotent", testIncentiveProgramsImportIdempotent},
		{"IncentiveFirstComeFirstServedWaitlist", testIncentiveFirstComeFirstServed},
		{"IncentiveConcurrentReservationsNeverOverspend", testIncentiveConcurrentReservations},
		{"IncentiveMoneyBadInputStoresNothing", testIncentiveMoneyBadInput},
		{"IncentiveScreenHoldsAndRejects", testIncentiveScreen},
		{"IncentiveCouponsLifecycle", testIncentiveCoupons},
		{"IncentiveReportSunStorageFigures", testIncentiveReportSunStorage},
		{"IncentivePowerShareAutoEnrollByRisk", testIncentivePowerShareAutoEnroll},
		{"IncentiveTrackingProjectsAndEngagements", testIncentiveTracking},
		{"IncentivePowerShareIncomeBasisPolicy", testIncentivePowerShareIncomeBasis},
		{"IncentiveGrantTranchesThroughTheLedger", testIncentiveGrantTranches},
		{"IncentivePowerReadyTranchesFollowTheProject", testIncentivePowerReadyTranchesFollowTheProject},
		{"IncentiveTranchesConcurrently", testIncentiveTranchesConcurrently},
		// energyteam.go
		{"EnergyTeamCaseLifecycle", testEnergyTeamCaseLifecycle},
		{"EnergyTeamPlanFromStoredData", testEnergyTeamPlanFromStoredData},
		// rec_scope.go
		{"RecOrgScope", testRecOrgScope},
		// tariffs.go
		{"TariffsShippedLoadIdempotent", testTariffsShippedLoadIdempotent},
		{"TariffsLookup", testTariffsLookup},
		{"TariffsRejectedImportStoresNothing", testTariffsRejectedImportStoresNothing},
		// nem.go
		{"NEMApplicationLifecycleEnrollsAtPTO", testNEMLifecycle},
		{"NEMRefusalsStoreNothing", testNEMRefusals},
		{"NEMLateMeterRecordsEstimatedCredit", testNEMLateMeter},
		{"NEMDocumentsKeepSHA256", testNEMDocuments},
		{"NEMInstallersAndMembers", testNEMInstallers},
		{"NEMSpecialRates", testNEMSpecialRates},
		{"NEMFeedInTariffQueue", testNEMFeedInTariff},
		// nem_transitions.go
		{"NEMLegacyTransitionMovesToSuccessor", testNEMLegacyTransition},
		{"TaskRunsIncentiveExpiry", testTaskRunsIncentiveExpiry},
		// bills.go
		{"BillRunBillsEveryAccountInService", testBillRunBillsEveryAccountInService},
		{"BillRunRerunIsIdempotent", testBillRunRerunIsIdempotent},
		{"BillRunResumesAfterInterruption", testBillRunResumesAfterInterruption},
		{"RebillAfterCorrectionKeepsOldVersion", testRebillAfterCorrectionKeepsOldVersion},
		{"BillRunCarriesStateAndRefusesGaps", testBillRunCarriesStateAndRefusesGaps},
		{"SeededStateOpensFirstBill", testSeededStateOpensFirstBill},
		{"BillRunRefusesConcurrentRunOfCycle", testBillRunRefusesConcurrentRunOfCycle},
		// billlinks.go
		{"BillRunAppliesPMPEventDays", testBillRunAppliesPMPEventDays},
		{"BillRunAppliesIncentiveCreditOnce", testBillRunAppliesIncentiveCreditOnce},
		{"BillRunBillsVNMAndAggregationTogether", testBillRunBillsVNMAndAggregationTogether},
		{"BillRunCreditsLateMeterEstimate", testBillRunCreditsLateMeterEstimate},
		// rec.go
		{"RecLifecycle", testRecLifecycle},
		{"RecRefusedCommandStoresNothing", testRecRefusedCommandStoresNothing},
		{"RecConcurrentClients", testRecConcurrentClients},
		{"RecTamperingDetected", testRecTamperingDetected},
		{"RecImportCertificates", testRecImportCertificates},
		{"RPSClaims", testRPSClaims},
		{"RPSProfileAnchor", testRPSProfileAnchor},
		{"GreenProductHourly", testGreenProductHourly},
		// dr.go
		{"DRSchedulingEnforcesPMPRules", testDRSchedulingEnforcesPMPRules},
		{"DREventLifecycle", testDREventLifecycle},
		{"DRSettlementIsIdempotent", testDRSettlementIsIdempotent},
		{"DRDevicesPayablesAndOutbox", testDRDevicesPayablesAndOutbox},
		{"DRBudgetRunsOutMidSettlement", testDRBudgetRunsOutMidSettlement},
		{"DRPayablesRefusedWithTheRule", testDRPayablesRefusedWithTheRule},
		{"DRBatchLoadsMatchParticipantLoad", testDRBatchLoadsMatchParticipantLoad},           // dr_batch.go
		{"DREnrollmentsListsProgramsWithDevices", testDREnrollmentsListsProgramsWithDevices}, // dr_enrollments.go
		{"DRDevicesPagedAndCounted", testDRDevicesPagedAndCounted},                           // dr_devices_page.go
		{"DRBatteryChargeLatest", testDRBatteryChargeLatest},                                 // dr_charge.go
		// dr_fleet.go
		{"DRFleetDispatchOnce", testDRFleetDispatchOnce},
		{"OADRWatchClaimsOnceAcrossHandles", testOADRWatchClaimsOnce}, // openadr_watch.go
		{"OADRRevokeAndDisable", testOADRRevokeAndDisable},            // openadr_revoke.go
		{"EVPlanSendsClaimedOnce", testEVPlanSendsClaimedOnce},        // ev_ocpp.go
		{"OCPPTransactionsDurable", testOCPPTransactionsDurable},
		{"EVSessionsAndSignals", testEVSessionsAndSignals},
		{"EVPlansAndChargers", testEVPlansAndChargers}, // ev_plans.go
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

// t0 is the suite's fixed clock reading: 2026-06-15 09:00 PDT.
var t0 = time.Date(2026, 6, 15, 16, 0, 0, 0, time.UTC)

// setClock fixes db's clock at at.
func setClock(db *store.DB, at time.Time) { db.Now = func() time.Time { return at } }

// day builds a civil date.
func day(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

// inTx runs fn in a transaction and fails the test on error.
func inTx(t *testing.T, db *store.DB, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := db.InTx(ctx, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("transaction: %v", err)
	}
}

// txErr runs fn in a transaction and returns its error.
func txErr(db *store.DB, fn func(ctx context.Context, tx *store.Tx) error) error {
	ctx := context.Background()
	return db.InTx(ctx, func(tx *store.Tx) error { return fn(ctx, tx) })
}

// wantErr fails unless err has the given kind and, for Invalid with fields
// given, names exactly those fields (comma-separated, in order).
func wantErr(t *testing.T, what string, err error, kind apperr.Kind, fields string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %v", what, kind)
	}
	if got := apperr.KindOf(err); got != kind {
		t.Fatalf("%s: kind %v (%v), want %v", what, got, err, kind)
	}
	if fields == "" {
		return
	}
	var names []string
	for _, f := range apperr.FieldsOf(err) {
		names = append(names, f.Field)
	}
	if got := strings.Join(names, ","); got != fields {
		t.Fatalf("%s: fields %q (%v), want %q", what, got, err, fields)
	}
}

// countRows returns the number of rows in table.
func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// registryTables are the tables the registry and auth methods write.
var registryTables = []string{"customers", "premises", "accounts", "meters", "channels", "enrollments", "interval_blocks", "interval_imports",
	"users", "user_accounts", "sessions", "api_clients", "idempotency_keys", "audit_log"}

// counts returns the row count of every registry table.
func counts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range registryTables {
		out[tb] = countRows(t, db, tb)
	}
	return out
}

// newCustomer, newPremise and newAccount build minimal valid records for
// checks that need several of them.
func newCustomer(name, email string) customer.Customer {
	return customer.Customer{Kind: customer.Person, Name: name, Email: email}
}

func newPremise(address, zip, county, agency string) customer.Premise {
	return customer.Premise{Address: address, City: "Los Angeles", ZIP: zip, CountyFIPS: county, MemberAgency: agency}
}

func newAccount(number string, c customer.Customer, p customer.Premise) customer.Account {
	return customer.Account{Number: number, CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
		RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: day(2024, 1, 1)}
}

// seed creates one customer, premise, account and hourly meter (delivered
// and received channels) and returns them.
func seed(t *testing.T, db *store.DB) (customer.Customer, customer.Premise, customer.Account, customer.Meter) {
	t.Helper()
	c := customer.Customer{Kind: customer.Person, Name: "Ana Reyes", Email: "ana@example.org"}
	p := customer.Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
	a := customer.Account{Number: "7000000001", Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA,
		ServiceStart: day(2024, 1, 1), Household: &customer.Household{Size: 4, AnnualIncome: 6430000, Verification: customer.VerifyDocuments}}
	m := customer.Meter{Serial: "M-0001", IntervalSeconds: 3600, Installed: day(2024, 1, 1),
		Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return createMetered(ctx, tx, &c, &p, &a, &m) })
	return c, p, a, m
}
