package billrun

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

func day(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func period(t testing.TB, from, to string) calendar.Period {
	t.Helper()
	return calendar.Period{Start: day(t, from), End: day(t, to)}
}

// shippedCatalog is a catalog of the shipped tariffs (ids 1… in file
// order) and export tables.
func shippedCatalog(t testing.TB) *Catalog {
	t.Helper()
	tabs, err := tariff.ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	var st []StoredTable
	for i := range tabs {
		tb := &tabs[i]
		st = append(st, StoredTable{Table: tb, Ref: TableRef{ID: int64(i + 1), Utility: tb.Utility, Vintage: tb.Vintage, SHA256: "t"}})
	}
	return NewCatalog(shippedVersions(t), st)
}

// shippedVersions are the shipped tariff versions as stored.
func shippedVersions(t testing.TB) []StoredVersion {
	t.Helper()
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var sv []StoredVersion
	for i := range vs {
		v := &vs[i]
		sv = append(sv, StoredVersion{Version: v, Ref: VersionRef{ID: int64(i + 1), Utility: v.Utility, Code: v.Code, From: v.From, SHA256: "v"}})
	}
	return sv
}

func policy(t testing.TB) *Policy {
	t.Helper()
	ps, err := LoadPolicies()
	if err != nil {
		t.Fatal(err)
	}
	p, err := ps.On(day(t, "2025-07-01"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// home is a residential CCA account in climate zone 9 on TOU-D-PRIME with
// an hourly meter (delivered channel 11, received 12) since 2020.
func home(t testing.TB, mods ...func(*Account)) *Account {
	a := &Account{Account: customer.Account{ID: 1, Number: "8000000001", Class: customer.Residential, RateSchedule: "TOU-D-PRIME",
		LSE: customer.CCA, ServiceStart: day(t, "2020-01-01")}, ClimateZone: 9,
		Meters: []customer.Meter{{ID: 5, AccountID: 1, IntervalSeconds: 3600, Installed: day(t, "2020-01-01"), Channels: []customer.Channel{
			{ID: 11, Direction: customer.Delivered, IntervalSeconds: 3600}, {ID: 12, Direction: customer.Received, IntervalSeconds: 3600}}}}}
	for _, m := range mods {
		m(a)
	}
	return a
}

func enroll(program, track, from string) func(*Account) {
	return func(a *Account) {
		d, _ := calendar.ParseDate(from)
		a.Enrollments = append(a.Enrollments, customer.Enrollment{AccountID: a.ID, Program: program, Track: track, From: d})
	}
}

func july(t testing.TB) calendar.Period { return period(t, "2025-07-01", "2025-08-01") }

// TestPlanRefusesAccountsWithoutATariff: an account whose rate schedule
// has no loaded tariff, or none in force on some day, or whose CCA
// generation cannot be split from a bundled URDB rate, or without a
// meter, is not billable, with the reason — never billed on a guess.
func TestPlanRefusesAccountsWithoutATariff(t *testing.T) {
	cat, pol := shippedCatalog(t), policy(t)
	tests := []struct {
		name   string
		a      *Account
		p      calendar.Period
		reason string
	}{
		{"schedule without a loaded tariff", home(t, func(a *Account) { a.Class, a.RateSchedule = customer.Commercial, "TOU-GS-1-D" }),
			july(t), "no SCE tariff TOU-GS-1-D is loaded"},
		// The shipped TOU-D-PRIME version starts 2025-06-01.
		{"period before the first version", home(t), period(t, "2025-05-15", "2025-06-15"), "has no version in force on 2025-05-15"},
		{"CCA account on a bundled URDB rate", home(t, func(a *Account) { a.Class, a.RateSchedule = customer.Commercial, "TOU-8-D" }),
			july(t), "without a generation component"},
		{"no meter in service", home(t, func(a *Account) { a.Meters[0].Removed = day(t, "2025-06-01") }), july(t), "no meter with a delivered channel"},
		{"unknown net-metering track", home(t, enroll(ProgramNEM, "nem3", "2020-05-01")), july(t), `track "nem3"`},
		// SCE's shipped export prices are the 2024 vintage only; a PTO in
		// 2023 needs the 2023 vintage (9-year lock-in).
		{"Net Billing vintage not loaded", home(t, enroll(ProgramNEM, "nbt", "2023-06-02")), july(t), "no SCE export-price table of vintage 2023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cat.Plan(tt.a, tt.p, pol)
			var nb *NotBillable
			if !errors.As(err, &nb) {
				t.Fatalf("err = %v, want not billable", err)
			}
			if !strings.Contains(nb.Reason, tt.reason) {
				t.Errorf("reason %q, want it to say %q", nb.Reason, tt.reason)
			}
		})
	}
}

// TestPlanBundledAccountOnURDBRateIsBillable: a bundled account needs no
// generation split, so SCE TOU-8 Option D (URDB, bundled prices) bills.
func TestPlanBundledAccountOnURDBRateIsBillable(t *testing.T) {
	a := home(t, func(a *Account) { a.Class, a.RateSchedule, a.LSE = customer.Commercial, "TOU-8-D", customer.Bundled })
	pl, err := shippedCatalog(t).Plan(a, july(t), policy(t))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Terms.LSE != billing.Bundled || len(pl.Versions) != 1 || pl.Versions[0].Code != "TOU-8-D" {
		t.Errorf("terms %+v versions %+v", pl.Terms.LSE, pl.Versions)
	}
}

// TestPlanLedgersFollowPolicy: SCE's ledger settles annually, forfeits
// unused export credits and pays NSC at $0.01786/kWh to bundled accounts
// only; CPA's generation ledger settles monthly, trues up in April and
// pays NSC + 10% (policy.json, research/billing.md §4.1–4.2).
func TestPlanLedgersFollowPolicy(t *testing.T) {
	cat, pol := shippedCatalog(t), policy(t)
	cca, err := cat.Plan(home(t, enroll(ProgramNEM, "nem2", "2019-03-10")), july(t), pol)
	if err != nil {
		t.Fatal(err)
	}
	wantUtil := billing.Ledger{Settlement: billing.Annual, UnusedCredits: billing.Forfeit}
	wantGen := billing.Ledger{Settlement: billing.Monthly, TrueUpMonth: time.April, NSCRate: 17_860, NSCMarkupBP: 1000, UnusedCredits: billing.Forfeit}
	if cca.Terms.UtilityLedger != wantUtil || cca.Terms.GenerationLedger != wantGen {
		t.Errorf("CCA ledgers %+v / %+v, want %+v / %+v", cca.Terms.UtilityLedger, cca.Terms.GenerationLedger, wantUtil, wantGen)
	}
	if cca.Terms.Program != billing.NEM2 || cca.PTO != day(t, "2019-03-10") || cca.Terms.RelevantStart != cca.PTO {
		t.Errorf("program %s PTO %s relevant start %s", cca.Terms.Program, cca.PTO, cca.Terms.RelevantStart)
	}
	bundled, err := cat.Plan(home(t, enroll(ProgramNEM, "nem2", "2019-03-10"), func(a *Account) { a.LSE = customer.Bundled }), july(t), pol)
	if err != nil {
		t.Fatal(err)
	}
	if bundled.Terms.UtilityLedger.NSCRate != 17_860 || bundled.Terms.GenerationLedger != (billing.Ledger{}) {
		t.Errorf("bundled ledgers %+v / %+v, want SCE's NSC on the utility side and no CCA side", bundled.Terms.UtilityLedger, bundled.Terms.GenerationLedger)
	}
}

// TestPlanDiscountsFromEnrollments: CARE 30%, FERA 18%, Power Share 20%
// on top of either for CCA accounts, medical baseline 16.5 kWh/day
// (policy.json); CARE and medical accounts are exempt from the Wildfire
// Fund charge; Power Share without CARE/FERA or on bundled service is
// noted, not applied.
func TestPlanDiscountsFromEnrollments(t *testing.T) {
	cat, pol := shippedCatalog(t), policy(t)
	wfc := []string{"Wildfire Fund Non-Bypassable Charge (WFC)"}
	tests := []struct {
		name   string
		a      *Account
		want   billing.Discounts
		exempt []string
		note   string
	}{
		{"CARE", home(t, enroll("care", "", "2024-01-01")), billing.Discounts{CAREBP: 3000}, wfc, ""},
		{"FERA", home(t, enroll("fera", "", "2024-01-01")), billing.Discounts{FERABP: 1800}, nil, ""},
		{"CARE with Power Share", home(t, enroll("care", "", "2024-01-01"), enroll(ProgramPowerShare, "", "2024-01-01")),
			billing.Discounts{CAREBP: 3000, PowerShareBP: 2000}, wfc, ""},
		{"FERA with Power Share", home(t, enroll("fera", "", "2024-01-01"), enroll(ProgramPowerShare, "", "2024-01-01")),
			billing.Discounts{FERABP: 1800, PowerShareBP: 2000}, nil, ""},
		{"Power Share alone", home(t, enroll(ProgramPowerShare, "", "2024-01-01")), billing.Discounts{}, nil, "on neither"},
		{"Power Share on bundled service", home(t, enroll("care", "", "2024-01-01"), enroll(ProgramPowerShare, "", "2024-01-01"),
			func(a *Account) { a.LSE = customer.Bundled }), billing.Discounts{CAREBP: 3000}, wfc, "takes bundled service"},
		{"medical baseline", home(t, enroll("medical_baseline", "", "2024-01-01")), billing.Discounts{MedicalBaselinePerDay: 16_500}, wfc, ""},
		// Enrollments in force on the last day count for the whole bill.
		{"CARE from mid-period", home(t, enroll("care", "", "2025-07-15")), billing.Discounts{CAREBP: 3000}, wfc, "began on 2025-07-15"},
		{"CARE from after the period", home(t, enroll("care", "", "2025-08-01")), billing.Discounts{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := cat.Plan(tt.a, july(t), pol)
			if err != nil {
				t.Fatal(err)
			}
			if pl.Terms.Discounts != tt.want || !slices.Equal(pl.Terms.Exempt, tt.exempt) {
				t.Errorf("discounts %+v exempt %v, want %+v %v", pl.Terms.Discounts, pl.Terms.Exempt, tt.want, tt.exempt)
			}
			if tt.note != "" && !slices.ContainsFunc(pl.Notes, func(n string) bool { return strings.Contains(n, tt.note) }) {
				t.Errorf("notes %q, want one saying %q", pl.Notes, tt.note)
			}
		})
	}
}

// TestPlanNetBillingVintageAndACCPlus: a PTO in 2024 locks the 2024
// export prices; a residential account earns SCE's 2024 ACC Plus of
// $0.032/kWh, $0.074 as an equity (CARE) customer; a business none
// (research/billing.md §4.2).
func TestPlanNetBillingVintageAndACCPlus(t *testing.T) {
	cat, pol := shippedCatalog(t), policy(t)
	tests := []struct {
		name string
		a    *Account
		want money.MicroPerKWh
	}{
		{"residential", home(t, enroll(ProgramNEM, "nbt", "2024-05-20")), 32_000},
		{"residential on CARE", home(t, enroll(ProgramNEM, "nbt", "2024-05-20"), enroll("care", "", "2024-01-01")), 74_000},
		{"business", home(t, enroll(ProgramNEM, "nbt", "2024-05-20"), func(a *Account) {
			a.Class, a.RateSchedule, a.LSE = customer.Commercial, "TOU-8-D", customer.Bundled
		}), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := cat.Plan(tt.a, july(t), pol)
			if err != nil {
				t.Fatal(err)
			}
			if pl.Terms.Program != billing.NBT || pl.Table == nil || pl.Table.Vintage != 2024 || pl.Terms.ExportPrices == nil {
				t.Fatalf("program %s table %+v", pl.Terms.Program, pl.Table)
			}
			if pl.Terms.ACCPlus != tt.want {
				t.Errorf("ACC Plus %s, want %s", pl.Terms.ACCPlus, tt.want)
			}
		})
	}
}

// TestPlanNetMeteringStartsWithTheBillAfterPTO: a PTO inside the period
// bills the period without net metering and says so.
func TestPlanNetMeteringStartsWithTheBillAfterPTO(t *testing.T) {
	pl, err := shippedCatalog(t).Plan(home(t, enroll(ProgramNEM, "nbt", "2025-07-10")), july(t), policy(t))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Terms.Program != billing.NoProgram || len(pl.Notes) != 1 || !strings.Contains(pl.Notes[0], "2025-07-10") {
		t.Errorf("program %s notes %q", pl.Terms.Program, pl.Notes)
	}
}

// TestPlanBaselineCreditWithoutAllowanceIsNoted: TOU-D-4-9PM has a
// baseline credit, and the policy has no allowance table yet, so the
// bill says the credit covers only a medical allowance.
func TestPlanBaselineCreditWithoutAllowanceIsNoted(t *testing.T) {
	pl, err := shippedCatalog(t).Plan(home(t, func(a *Account) { a.RateSchedule = "TOU-D-4-9PM" }), july(t), policy(t))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Terms.Baseline != nil || len(pl.Notes) != 1 || !strings.Contains(pl.Notes[0], "climate zone 9") {
		t.Errorf("baseline %v notes %q", pl.Terms.Baseline, pl.Notes)
	}
}

// TestAccountPeriodClipsToService: a cycle is cut to the account's
// service dates.
func TestAccountPeriodClipsToService(t *testing.T) {
	a := customer.Account{ServiceStart: day(t, "2025-07-10"), ServiceEnd: day(t, "2025-07-20")}
	p, ok := AccountPeriod(&a, july(t))
	if !ok || p != period(t, "2025-07-10", "2025-07-20") {
		t.Errorf("period %s %v", p, ok)
	}
	a.ServiceEnd = day(t, "2025-07-01")
	if _, ok := AccountPeriod(&a, july(t)); ok {
		t.Error("an account out of service before the cycle is in it")
	}
}

// TestOpeningRelevantPeriodFromPTOAnniversary: an account on NEM since
// 2019-03-10 first billed for July 2025 starts its Relevant Period on
// 2025-03-10 with 3 bills counted (10 Mar–10 Apr, –10 May, –10 Jun are
// whole months; 10 Jun–1 Jul is not), so its 12th bill — the true-up —
// is the one ending in March 2026. A 29 February PTO falls on 28 February
// in a common year.
func TestOpeningRelevantPeriodFromPTOAnniversary(t *testing.T) {
	tests := []struct {
		pto, from, to string
		start         string
		bills         int
	}{
		{"2019-03-10", "2025-07-01", "2025-08-01", "2025-03-10", 3},
		{"2019-08-15", "2025-07-01", "2025-08-01", "2024-08-15", 10},
		{"2024-02-29", "2025-03-01", "2025-04-01", "2025-02-28", 0},
		{"2025-06-20", "2025-07-01", "2025-08-01", "2025-06-20", 0},
	}
	for _, tt := range tests {
		t.Run(tt.pto, func(t *testing.T) {
			pl := &Plan{Period: period(t, tt.from, tt.to), PTO: day(t, tt.pto), Terms: billing.Terms{Program: billing.NEM2, LSE: billing.CCA}}
			st, notes := Opening(pl)
			if st.Utility.Start != day(t, tt.start) || st.Utility.Bills != tt.bills || len(notes) != 1 {
				t.Errorf("utility ledger %+v notes %q, want start %s with %d bills", st.Utility, notes, tt.start, tt.bills)
			}
			if st.Generation.Start != pl.Period.Start {
				t.Errorf("generation ledger starts %s, want the period start", st.Generation.Start)
			}
		})
	}
	pl := &Plan{Period: july(t), Terms: billing.Terms{Program: billing.NoProgram}}
	if st, notes := Opening(pl); st != (billing.State{}) || notes != nil {
		t.Errorf("without net metering: %+v %q, want the zero state", st, notes)
	}
}

// TestCyclePeriodFromReadDay: cycle 2025-07 read on the 1st is July; read
// on the 15th it runs to 15 August; December's runs into January.
func TestCyclePeriodFromReadDay(t *testing.T) {
	tests := []struct {
		cycle    string
		read     int
		from, to string
		field    string
	}{
		{"2025-07", 1, "2025-07-01", "2025-08-01", ""},
		{"2025-07", 15, "2025-07-15", "2025-08-15", ""},
		{"2025-12", 28, "2025-12-28", "2026-01-28", ""},
		{"2025-13", 1, "", "", "cycle"},
		{"2025-7", 1, "", "", "cycle"},
		{"2025-07", 29, "", "", "read_day"},
		{"2025-07", 0, "", "", "read_day"},
	}
	for _, tt := range tests {
		p, err := CyclePeriod(tt.cycle, tt.read)
		if tt.field != "" {
			if fs := fieldsOf(err); !slices.Contains(fs, tt.field) {
				t.Errorf("%s/%d: err %v, want field %s", tt.cycle, tt.read, err, tt.field)
			}
			continue
		}
		if err != nil || p != period(t, tt.from, tt.to) {
			t.Errorf("%s/%d = %s, %v; want %s–%s", tt.cycle, tt.read, p, err, tt.from, tt.to)
		}
	}
}

// TestPlanLegacyTransitionIsNeitherLockedNorACCPlus: a NEM 2.0 home whose
// legacy period ended on 2024-05-20 is on the Net Billing Tariff from
// then, credited at the ACC of the year billed and without ACC Plus
// ("not for NEM-transition customers", research/billing.md §4.2), where a
// new PTO on the same day locks the 2024 vintage and earns $0.032/kWh.
func TestPlanLegacyTransitionIsNeitherLockedNorACCPlus(t *testing.T) {
	cat, pol := shippedCatalog(t), policy(t)
	// The shipped export prices are the 2024 vintage only: the billed
	// year's (2025) table is missing, which is what a transition needs.
	transition := func(a *Account) {
		enroll(ProgramNEM, "nem2", "2004-05-20")(a)
		a.Enrollments[len(a.Enrollments)-1].To = day(t, "2024-05-20")
		enroll(ProgramNEM, "nbt", "2024-05-20")(a)
		a.Enrollments[len(a.Enrollments)-1].Source = customer.SourceLegacyTransition
	}
	_, err := cat.Plan(home(t, transition), july(t), pol)
	var nb *NotBillable
	if !errors.As(err, &nb) || !strings.Contains(nb.Reason, "vintage 2025") {
		t.Fatalf("transition billed July 2025: %v, want the 2025 export prices", err)
	}
	// With a 2025 table loaded (the 2024 one standing in for it), the
	// plan bills NBT at the 2025 vintage and no adder.
	tabs, err := tariff.ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	stand := tabs[0]
	stand.Vintage = 2025
	cat2 := NewCatalog(shippedVersions(t), []StoredTable{{Table: &tabs[0], Ref: TableRef{ID: 1, Utility: tabs[0].Utility, Vintage: 2024}},
		{Table: &stand, Ref: TableRef{ID: 2, Utility: stand.Utility, Vintage: 2025}}})
	pl, err := cat2.Plan(home(t, transition), july(t), pol)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Terms.Program != billing.NBT || pl.Table.Vintage != 2025 || pl.Terms.ACCPlus != 0 {
		t.Errorf("transition: program %s vintage %d ACC Plus %s, want nbt 2025 0", pl.Terms.Program, pl.Table.Vintage, pl.Terms.ACCPlus)
	}
	pl, err = cat2.Plan(home(t, enroll(ProgramNEM, "nbt", "2024-05-20")), july(t), pol)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Table.Vintage != 2024 || pl.Terms.ACCPlus != 32_000 {
		t.Errorf("new PTO: vintage %d ACC Plus %s, want 2024 32000", pl.Table.Vintage, pl.Terms.ACCPlus)
	}
}
