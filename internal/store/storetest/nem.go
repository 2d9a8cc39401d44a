package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// nemTables are the tables the customer-generation methods write.
var nemTables = []string{"nem_applications", "nem_events", "nem_decisions", "nem_documents", "nem_estimated_credits",
	"nem_special_rates", "fit_requests", "fit_inspections", "enrollments", "audit_log"}

func rowCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range nemTables {
		out[tb] = countRows(t, db, tb)
	}
	return out
}

func sameCounts(t *testing.T, what string, before, after map[string]int) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %s went from %d to %d rows", what, k, v, after[k])
		}
	}
}

// solarHome is an eligible standard NEM system for the seeded account.
func solarHome() nem.System {
	return nem.System{Variant: nem.Standard, Technology: nem.SolarPV, CapacityW: 7_600, ExpectedAnnualWh: 11_000_000, AnnualUseWh: 12_000_000}
}

// fileNEM creates a submitted application for account a on date on.
func fileNEM(t *testing.T, db *store.DB, a customer.Account, sys nem.System, on calendar.Date) nem.Application {
	t.Helper()
	app := nem.Application{AccountID: a.ID, System: sys}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.CreateNEMApplication(ctx, staff, &app, true, on)
		return err
	})
	return app
}

func advance(t *testing.T, db *store.DB, id int64, today calendar.Date, steps ...nem.Step) nem.Application {
	t.Helper()
	var a nem.Application
	for _, s := range steps {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			a, err = tx.AdvanceNEMApplication(ctx, staff, id, s, today)
			return err
		})
	}
	return a
}

// testNEMLifecycle files an application on 2025-03-03 and walks it to
// PTO: the vintage is NBT (applications from 2023-04-15), the PTO enrolls
// the account in "nem" with track nbt from the PTO date, every step is in
// the history and audited once, and termination ends the enrollment.
func testNEMLifecycle(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	audits := countRows(t, db, "audit_log")
	app := fileNEM(t, db, a, solarHome(), day(2025, 3, 3))
	if app.Number != "NEM-000001" || app.Status != nem.Submitted || app.Vintage.Program != nem.NBT || app.Submitted != day(2025, 3, 3) {
		t.Fatalf("filed %+v", app)
	}
	today := day(2026, 6, 15)
	got := advance(t, db, app.ID, today,
		nem.Step{To: nem.CompletenessReview, On: day(2025, 3, 4)},
		nem.Step{To: nem.TechnicalReview, On: day(2025, 3, 6)},
		nem.Step{To: nem.Approved, On: day(2025, 3, 20)},
		nem.Step{To: nem.AgreementSigned, On: day(2025, 3, 21)},
		nem.Step{To: nem.MeterReady, On: day(2025, 4, 1), MeterMethod: nem.MeterReprogram},
		nem.Step{To: nem.PTOIssued, On: day(2025, 4, 2)},
		nem.Step{To: nem.Active, On: day(2025, 4, 2)},
	)
	if got.EnrollmentID == 0 || got.PTO != day(2025, 4, 2) {
		t.Fatalf("after PTO %+v", got)
	}
	es, err := db.Enrollments(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Program != "nem" || es[0].Track != "nbt" || es[0].From != day(2025, 4, 2) || es[0].ID != got.EnrollmentID {
		t.Fatalf("enrollments %+v, want nem/nbt from the PTO date", es)
	}
	hist, err := db.NEMHistory(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	var tos []nem.Status
	for _, e := range hist {
		tos = append(tos, e.To)
	}
	if want := []nem.Status{nem.Submitted, nem.CompletenessReview, nem.TechnicalReview, nem.Approved, nem.AgreementSigned,
		nem.MeterReady, nem.PTOIssued, nem.Active}; !slices.Equal(tos, want) || hist[6].On != day(2025, 4, 2) {
		t.Errorf("history %v, want %v", tos, want)
	}
	// One audit record for the filing and each step, plus the enrollment.
	if n := countRows(t, db, "audit_log") - audits; n != 1+7+1 {
		t.Errorf("%d audit records, want 9", n)
	}
	decs, err := db.NEMDecisions(ctx, app.ID)
	if err != nil || len(decs) != 2 || !decs[1].Eligible || decs[1].On != day(2025, 3, 20) {
		t.Errorf("decisions %+v %v, want the filing's and the approval's", decs, err)
	}
	advance(t, db, app.ID, today, nem.Step{To: nem.Terminated, On: day(2026, 6, 1), Note: "system removed"})
	es, _ = db.Enrollments(ctx, a.ID)
	if es[0].To != day(2026, 6, 1) {
		t.Errorf("enrollment end %s, want 2026-06-01", es[0].To)
	}
	recs, err := db.NEMCapRecords(ctx)
	if err != nil || len(recs) != 1 || recs[0].PTO != day(2025, 4, 2) || recs[0].Terminated != day(2026, 6, 1) || recs[0].CapacityW != 7_600 {
		t.Errorf("cap records %+v %v", recs, err)
	}
	list, err := db.NEMApplications(ctx, store.NEMFilter{Statuses: []nem.Status{nem.Terminated}})
	if err != nil || len(list) != 1 || list[0].System.CapacityW != 7_600 {
		t.Errorf("list %+v %v", list, err)
	}
}

// testNEMRefusals checks issue 4's bad input against the database: each
// refusal names its rule and leaves every table as it was.
func testNEMRefusals(t *testing.T, db *store.DB) {
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	var other customer.Account
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		c, p := newCustomer("Other Owner", "other@example.org"), newPremise("2 Other St", "90001", "06037", "Unincorporated Los Angeles County")
		if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, staff, &p); err != nil {
			return err
		}
		other = newAccount("7100000002", c, p)
		return tx.CreateAccount(ctx, staff, &other)
	})
	bigger := solarHome()
	bigger.CapacityW, bigger.ExpectedAnnualWh, bigger.AnnualUseWh = 1_001_000, 1_000_000_000, 2_000_000_000
	coal := solarHome()
	coal.Technology = "coal"
	vnm := solarHome()
	vnm.Variant = nem.Virtual
	vnm.Allocations = []billing.Allocation{{From: day(2025, 1, 1), Shares: map[string]int64{a.Number: 6000, other.Number: 3999}}}
	agg := solarHome()
	agg.Variant = nem.Aggregation
	agg.Aggregated = []nem.AggregatedAccount{{Account: other.Number, Parcel: "5555-012-001", Relation: nem.NonContiguous, SoleOwnerOrLessee: true, AnnualUseWh: 5_000_000}}
	for _, c := range []struct {
		name  string
		sys   nem.System
		field string
		rule  nem.Rule
	}{
		{"1,001 kW", bigger, "capacity_w", nem.RuleCapacity},
		{"coal", coal, "technology", nem.RuleTechnology},
		{"VNM 99.99%", vnm, "allocations[0]", nem.RuleVNMShares},
		{"non-contiguous aggregation", agg, "aggregated[0].relation", nem.RuleAggParcel},
	} {
		before := rowCounts(t, db)
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
			app := nem.Application{AccountID: a.ID, System: c.sys}
			_, err := tx.CreateNEMApplication(ctx, staff, &app, true, day(2025, 3, 3))
			return err
		})
		wantRuleErr(t, c.name, err, c.field, c.rule)
		sameCounts(t, c.name, before, rowCounts(t, db))
	}

	app := fileNEM(t, db, a, solarHome(), day(2025, 3, 3))
	advance(t, db, app.ID, day(2026, 6, 15), nem.Step{To: nem.CompletenessReview, On: day(2025, 3, 4)}, nem.Step{To: nem.TechnicalReview, On: day(2025, 3, 5)},
		nem.Step{To: nem.Approved, On: day(2025, 3, 20)}, nem.Step{To: nem.AgreementSigned, On: day(2025, 3, 20)},
		nem.Step{To: nem.MeterReady, On: day(2025, 3, 20), MeterMethod: nem.MeterSwap})
	before := rowCounts(t, db)
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.AdvanceNEMApplication(ctx, staff, app.ID, nem.Step{To: nem.PTOIssued, On: day(2025, 3, 19)}, day(2026, 6, 15))
		return err
	})
	wantRuleErr(t, "PTO before approval", err, "on", "pto_after_approval")
	sameCounts(t, "PTO before approval", before, rowCounts(t, db))
	if got, _ := db.NEMApplication(context.Background(), app.ID); got.Status != nem.MeterReady {
		t.Errorf("status %s after the refused PTO", got.Status)
	}
	// A second application while one is in process is a conflict.
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		x := nem.Application{AccountID: a.ID, System: solarHome()}
		_, err := tx.CreateNEMApplication(ctx, staff, &x, false, day(2025, 3, 3))
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second application: %v, want Conflict", err)
	}
}

func wantRuleErr(t *testing.T, what string, err error, field string, rule nem.Rule) {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("%s: %v, want Invalid", what, err)
		return
	}
	for _, f := range apperr.FieldsOf(err) {
		if f.Field == field && strings.Contains(f.Msg, "rule "+string(rule)) {
			return
		}
	}
	t.Errorf("%s: fields %+v, want %s naming rule %s", what, apperr.FieldsOf(err), field, rule)
}

// testNEMLateMeter: complete Monday 2025-11-03, the 30th business day is
// Wednesday 2025-12-17 (Veterans Day 11-11 and Thanksgiving 11-27 are not
// business days, counted by hand); a meter swapped Friday 2025-12-19 is 2
// days late, credited for 2025-12-18 and 2025-12-19.
func testNEMLateMeter(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	app := fileNEM(t, db, a, solarHome(), day(2025, 10, 30))
	advance(t, db, app.ID, day(2026, 6, 15), nem.Step{To: nem.CompletenessReview, On: day(2025, 10, 31)},
		nem.Step{To: nem.TechnicalReview, On: day(2025, 11, 3)}, nem.Step{To: nem.Approved, On: day(2025, 11, 20)},
		nem.Step{To: nem.AgreementSigned, On: day(2025, 11, 21)}, nem.Step{To: nem.MeterReady, On: day(2025, 12, 19), MeterMethod: nem.MeterSwap})
	cs, err := db.NEMEstimatedCredits(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Days != 2 || cs[0].Period.Start != day(2025, 12, 18) || cs[0].Period.End != day(2025, 12, 20) ||
		!strings.Contains(cs[0].Reason, "2025-12-17") {
		t.Errorf("credits %+v, want 2025-12-18 to 2025-12-19 after the due date 2025-12-17", cs)
	}
}

// testNEMDocuments: a document keeps its SHA-256 (of "hello":
// 2cf24dba…9824, FIPS 180-4 test-vector style known value) and size; the
// audit record holds the checksum, not the content.
func testNEMDocuments(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	app := fileNEM(t, db, a, solarHome(), day(2025, 3, 3))
	doc := store.NEMDocument{ApplicationID: app.ID, Kind: "single_line_diagram", FileName: "sld.pdf", ContentType: "application/pdf"}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.AddNEMDocument(ctx, staff, &doc, []byte("hello"))
	})
	const want = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	got, content, err := db.NEMDocumentContent(ctx, app.ID, doc.ID)
	if err != nil || got.SHA256 != want || got.Size != 5 || string(content) != "hello" || got.Actor != staff.String() {
		t.Errorf("document %+v %q %v", got, content, err)
	}
	rec := lastAudit(t, db)
	if rec.Entity != "nem_document" || jsonField(t, rec.After, "sha256") != want || strings.Contains(string(rec.After), "aGVsbG8") {
		t.Errorf("audit %s %s", rec.Entity, rec.After)
	}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		d := store.NEMDocument{ApplicationID: app.ID, Kind: "selfie", FileName: "x.png"}
		return tx.AddNEMDocument(ctx, staff, &d, []byte("x"))
	})
	wantErr(t, "unknown kind", err, apperr.Invalid, "kind")
	if _, _, err := db.NEMDocumentContent(ctx, app.ID+1, doc.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("document of another application: %v", err)
	}
}

// testNEMInstallers: an installer user and an nem:apply client act for an
// installer; other roles and scopes cannot be linked.
func testNEMInstallers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	hash, err := auth.HashPassword("a long enough password", 4)
	if err != nil {
		t.Fatal(err)
	}
	in := store.Installer{Name: "Sunrise Solar Inc.", License: "C46-1000001", Email: "permits@sunrise.example"}
	u := auth.User{Email: "ines@sunrise.example", Name: "Ines", Role: auth.Installer, PasswordHash: hash}
	pm := auth.User{Email: "pm@cpa.example", Name: "PM", Role: auth.ProgramManager, PasswordHash: hash}
	cl := auth.Client{Name: "sunrise-portal", Scopes: []string{auth.ScopeNEMApply}}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateInstaller(ctx, staff, &in); err != nil {
			return err
		}
		for _, x := range []*auth.User{&u, &pm} {
			if err := tx.CreateUser(ctx, staff, x); err != nil {
				return err
			}
		}
		if _, err := tx.CreateClient(ctx, staff, &cl); err != nil {
			return err
		}
		if err := tx.LinkInstallerUser(ctx, staff, in.ID, u.ID); err != nil {
			return err
		}
		return tx.LinkInstallerClient(ctx, staff, in.ID, cl.ID)
	})
	if got, err := db.InstallerOfUser(ctx, u.ID); err != nil || got.Name != in.Name {
		t.Errorf("installer of user %+v %v", got, err)
	}
	if got, err := db.InstallerOfClient(ctx, cl.ID); err != nil || got.ID != in.ID {
		t.Errorf("installer of client %+v %v", got, err)
	}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.LinkInstallerUser(ctx, staff, in.ID, pm.ID) })
	wantErr(t, "program manager as installer", err, apperr.Invalid, "user")
	if _, err := db.InstallerOfUser(ctx, pm.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unlinked user: %v", err)
	}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		x := store.Installer{Name: "Sunrise Solar Inc.", License: "C46-2"}
		return tx.CreateInstaller(ctx, staff, &x)
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("duplicate installer name: %v", err)
	}
}

// testNEMSpecialRates: the 450 kW Option A request is refused
// naming option_a.demand_500kw_4mw and storing nothing; an eligible one is
// approved, enrolled within 15 days and counted in the report; growth
// within the open cap raises the approved size.
func testNEMSpecialRates(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	req := nem.RateRequest{Rate: nem.OptionA, AccountID: a.ID, On: day(2026, 5, 1), MaxDemandW: 450_000, DemandMonths: 12, TOU8Eligible: true,
		Technology: nem.SolarPV, GeneratorW: 150_000, PTO: day(2026, 4, 1)}
	before := rowCounts(t, db)
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.RequestSpecialRate(ctx, staff, req)
		return err
	})
	wantRuleErr(t, "450 kW", err, "max_demand_w", nem.RuleADemand)
	sameCounts(t, "450 kW", before, rowCounts(t, db))

	req.MaxDemandW = 800_000
	var rec store.SpecialRateRecord
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if rec, err = tx.RequestSpecialRate(ctx, staff, req); err != nil {
			return err
		}
		rec, err = tx.EnrollSpecialRate(ctx, staff, rec.ID, day(2026, 5, 16))
		return err
	})
	es, _ := db.Enrollments(ctx, a.ID)
	if rec.Status != store.RateEnrolled || len(es) != 1 || es[0].Program != "tou8_option_a" || es[0].From != day(2026, 5, 16) {
		t.Errorf("record %+v, enrollments %+v", rec, es)
	}
	r, err := db.SpecialRateReport(ctx, nem.OptionA, day(2026, 6, 1))
	if err != nil || nem.MWDecimals(r.ApprovedW, 2) != "0.15" || nem.MWDecimals(r.AvailableW, 2) != "49.85" {
		t.Errorf("report %+v %v", r, err)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		rec, _, err = tx.ReportSpecialRateGenerator(ctx, staff, rec.ID, 200_000, day(2026, 6, 1))
		return err
	})
	if rec.ApprovedW != 200_000 || rec.Status != store.RateEnrolled {
		t.Errorf("after growth %+v", rec)
	}
}

// testNEMFeedInTariff: a facility whose account takes net metering is
// refused (fit.no_net_metering); a ReMAT request is queued, posted,
// accepted against SCE's share and inspected; an inspection by the owner
// is refused.
func testNEMFeedInTariff(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	fileNEM(t, db, a, solarHome(), day(2025, 3, 3))
	r := nem.FITRequest{Program: nem.ReMAT, Product: nem.ProductPeaking, Utility: "SCE", Facility: "Fillmore Solar Farm LLC",
		Address: "900 Ranch Rd", City: "Fillmore", Technology: "solar_pv", EffectiveW: 3_000_000, NameplateW: 3_000_000, MaxExportW: 3_000_000,
		TermYears: 20, AccountID: a.ID}
	before := rowCounts(t, db)
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		x := r
		_, err := tx.CreateFITRequest(ctx, staff, &x)
		return err
	})
	wantRuleErr(t, "facility on NEM", err, "account_id", nem.RuleFITNoNEM)
	sameCounts(t, "facility on NEM", before, rowCounts(t, db))

	r.AccountID = 0
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.CreateFITRequest(ctx, staff, &r); err != nil {
			return err
		}
		today := day(2026, 6, 15)
		if _, err := tx.AdvanceFITRequest(ctx, staff, r.ID, nem.FITStep{To: nem.FITPosted, On: day(2026, 6, 15)}, today); err != nil {
			return err
		}
		_, err := tx.AdvanceFITRequest(ctx, staff, r.ID, nem.FITStep{To: nem.FITAccepted, On: day(2026, 6, 15)}, today)
		return err
	})
	got, err := db.FITRequest(ctx, r.ID)
	if err != nil || got.Number != "FIT-000001" || got.Status != nem.FITAccepted || !got.Received.Equal(t0) {
		t.Errorf("request %+v %v", got, err)
	}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		in := nem.Inspection{RequestID: r.ID, On: day(2026, 6, 1), Contractor: "Fillmore Solar Farm LLC", License: "C10-1", ContractorIsOwner: true}
		return tx.AddFITInspection(ctx, staff, &in)
	})
	wantRuleErr(t, "owner inspects", err, "contractor_is_owner", nem.RuleFITInspector)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		in := nem.Inspection{RequestID: r.ID, On: day(2026, 6, 1), Contractor: "Valley Electric", License: "C10-123456"}
		return tx.AddFITInspection(ctx, staff, &in)
	})
	ins, err := db.FITInspections(ctx, r.ID)
	if err != nil || len(ins) != 1 || ins[0].License != "C10-123456" {
		t.Errorf("inspections %+v %v", ins, err)
	}
}
