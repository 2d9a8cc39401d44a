package billrun

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/solar"
	"github.com/gridbook/gridbook/internal/tariff"
)

// pmpCatalog is the shipped catalog with a PMP calendar of three event
// days and CPA's 4–9 pm event hours.
func pmpCatalog(t *testing.T) *Catalog {
	cat := shippedCatalog(t)
	cat.PMP = &PMPCalendar{Days: []calendar.Date{day(t, "2025-07-10"), day(t, "2025-07-22"), day(t, "2025-08-05")}, StartHour: 16, EndHour: 21}
	return cat
}

// TestPMPEnrollmentBillsEventDaysAtPolicyPrices: a CCA home enrolled in
// Peak Management Pricing from 2025-07-15 is billed for July with the
// calendar's event days inside the enrollment (07-22, not 07-10), the
// program's 4–9 pm hours, the policy's surcharge ($0.60/kWh) and summer
// credit ($0.11/kWh, June–September) — both labelled assumptions in
// policy.json — and bill protection until 2026-07-15. At 1 kWh every
// hour: the event day's 5 kWh × $0.60 = $3.00; the credit covers the
// non-event, non-holiday weekdays of July 2025 (23 weekdays less 4 July
// and 22 July = 21) × 5 kWh × $0.11 = $11.55. Both lines go on the CCA's
// ledger.
func TestPMPEnrollmentBillsEventDaysAtPolicyPrices(t *testing.T) {
	a := home(t, enroll(ProgramPMP, "residential", "2025-07-15"))
	pl, err := pmpCatalog(t).Plan(a, july(t), policy(t))
	if err != nil {
		t.Fatal(err)
	}
	c := pl.Terms.CPP
	if c == nil {
		t.Fatal("no CPP rider")
	}
	if !slices.Equal(c.EventDays, []calendar.Date{day(t, "2025-07-22")}) || c.EventStart != 16 || c.EventEnd != 21 ||
		c.EventPrice != 600_000 || c.CreditPrice != 110_000 || !slices.Equal(c.CreditMonths, []time.Month{6, 7, 8, 9}) ||
		c.ProtectionUntil != day(t, "2026-07-15") {
		t.Errorf("rider %+v", c)
	}
	out := Compute(billing.NewCalculator(), a, pl, Prior{}, map[int64]meterdata.Series{11: flat(july(t), time.Hour, 1000), 12: flat(july(t), time.Hour, 0)})
	if out.Status != Billed {
		t.Fatalf("%s: %s", out.Status, out.Reason)
	}
	b, err := out.Bill.Decode()
	if err != nil {
		t.Fatal(err)
	}
	sum := func(k billing.LineKind) money.Cents {
		return b.Sum(func(l billing.Line) bool { return l.Kind == k && l.Side == billing.Generation })
	}
	if ev, cr := sum(billing.CPPEventLine), sum(billing.CPPCreditLine); ev != 300 || cr != -1155 {
		t.Errorf("event surcharge %s, credit %s; want $3.00 and −$11.55 on the CCA ledger", ev, cr)
	}
	if !strings.Contains(string(out.Bill.Inputs.Terms), `"event_days":["2025-07-22"]`) {
		t.Errorf("the stored terms lack the event day: %s", out.Bill.Inputs.Terms)
	}
}

// TestPMPIsACCAProgramAndNeedsTheCalendar: a bundled account's PMP
// enrollment is noted, not applied; without the DR calendar a PMP
// account is not billable.
func TestPMPIsACCAProgramAndNeedsTheCalendar(t *testing.T) {
	bundled := home(t, enroll(ProgramPMP, "residential", "2025-01-01"), func(a *Account) { a.LSE = "bundled" })
	pl, err := pmpCatalog(t).Plan(bundled, july(t), policy(t))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Terms.CPP != nil || !slices.ContainsFunc(pl.Notes, func(n string) bool { return strings.Contains(n, "Peak Management Pricing is a CCA program") }) {
		t.Errorf("bundled: rider %+v, notes %q", pl.Terms.CPP, pl.Notes)
	}
	_, err = shippedCatalog(t).Plan(home(t, enroll(ProgramPMP, "residential", "2025-01-01")), july(t), policy(t))
	var nb *NotBillable
	if !errors.As(err, &nb) || !strings.Contains(nb.Reason, "no PMP event calendar") {
		t.Errorf("without a calendar: %v", err)
	}
}

// heerCredit is a pending $75 HEER thermostat credit (an SCE program: the
// utility's ledger).
func heerCredit() BillCredit {
	return BillCredit{PaymentID: 41, Exported: time.Date(2025, 7, 10, 18, 0, 0, 0, time.UTC), Credit: billing.Credit{Ref: "incentive_payment:41",
		Label: "heer-smart-thermostat, application 7", Cents: 7500, Side: billing.Utility}}
}

// TestIncentiveCreditGoesOnTheLatestBillOnce: a pending credit goes on
// the account's latest bill whose period ends after the bill-credit file
// was exported (2025-07-10), and is recorded for the store; a bill
// already carrying it keeps it in a new version; a re-bill of an older
// period, or of another period than the one carrying it, does not take
// it; a CCA program's credit on a bundled account moves to the utility's
// ledger.
func TestIncentiveCreditGoesOnTheLatestBillOnce(t *testing.T) {
	cat, pol := shippedCatalog(t), policy(t)
	tests := []struct {
		name  string
		mod   func(*Account)
		cents money.Cents
		side  billing.Side
	}{
		{"pending, first bill", func(a *Account) { a.Credits = []BillCredit{heerCredit()} }, 7500, billing.Utility},
		{"pending, latest bill", func(a *Account) { a.Credits, a.LastBill = []BillCredit{heerCredit()}, day(t, "2025-06-01") }, 7500, billing.Utility},
		{"pending, older period re-billed", func(a *Account) { a.Credits, a.LastBill = []BillCredit{heerCredit()}, day(t, "2025-08-01") }, 0, ""},
		{"pending, exported after the period", func(a *Account) {
			c := heerCredit()
			c.Exported = time.Date(2025, 8, 1, 7, 0, 0, 0, time.UTC) // 2025-08-01 00:00 PDT
			a.Credits = []BillCredit{c}
		}, 0, ""},
		{"on this period's bill", func(a *Account) {
			c := heerCredit()
			c.AppliedTo = day(t, "2025-07-01")
			a.Credits, a.LastBill = []BillCredit{c}, day(t, "2025-08-01")
		}, 7500, billing.Utility},
		{"on another period's bill", func(a *Account) {
			c := heerCredit()
			c.AppliedTo = day(t, "2025-06-01")
			a.Credits = []BillCredit{c}
		}, 0, ""},
		{"CCA program, bundled account", func(a *Account) {
			c := heerCredit()
			c.Credit.Side = billing.Generation
			a.Credits, a.LSE = []BillCredit{c}, "bundled"
		}, 7500, billing.Utility},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := cat.Plan(home(t, tt.mod), july(t), pol)
			if err != nil {
				t.Fatal(err)
			}
			cs := pl.Terms.Credits
			if tt.cents == 0 {
				if len(cs) != 0 || len(pl.Uses) != 0 {
					t.Errorf("credits %+v uses %+v, want none", cs, pl.Uses)
				}
				return
			}
			if len(cs) != 1 || cs[0].Cents != tt.cents || cs[0].Side != tt.side || len(pl.Uses) != 1 ||
				pl.Uses[0].Kind != CreditIncentive || pl.Uses[0].Ref != "41" {
				t.Errorf("credits %+v uses %+v, want one of %s on %s recorded as payment 41", cs, pl.Uses, tt.cents, tt.side)
			}
		})
	}
}

// TestEstimateGenerationSpreadsExpectedProductionBySun: the estimate of
// a whole year's days adds up to the application's expected production
// (within half a Wh an hour of rounding); night hours get nothing; a June
// noon gets more than a December noon; the DST days have 23 and 25
// hours.
func TestEstimateGenerationSpreadsExpectedProductionBySun(t *testing.T) {
	site := policy(t).EstimateSite.Value
	year := EstimateGeneration(LateMeterCredit{Application: "N-1", Days: period(t, "2026-01-01", "2027-01-01"), ExpectedAnnualWh: 11_000_000}, site)
	var sum energy.Wh
	for _, v := range year.Wh {
		sum += v
	}
	if len(year.Wh) != 8760 || math.Abs(float64(sum-11_000_000)) > 8760/2 {
		t.Errorf("%d hours summing to %d Wh, want 8760 hours and 11,000,000 ± 4,380", len(year.Wh), sum)
	}
	at := func(d string, h int) energy.Wh {
		i := int(time.Date(day(t, d).Year, day(t, d).Month, day(t, d).Day, h, 0, 0, 0, calendar.Pacific).Sub(year.Start) / time.Hour)
		return year.Wh[i]
	}
	if at("2026-06-21", 2) != 0 || at("2026-12-21", 22) != 0 {
		t.Error("night hours are estimated to generate")
	}
	if at("2026-06-21", 12) <= at("2026-12-21", 12) {
		t.Errorf("June noon %d Wh ≤ December noon %d Wh", at("2026-06-21", 12), at("2026-12-21", 12))
	}
	for _, c := range []struct {
		d     string
		hours int
	}{{"2026-03-08", 23}, {"2026-11-01", 25}} {
		e := EstimateGeneration(LateMeterCredit{Days: calendar.Period{Start: day(t, c.d), End: day(t, c.d).Next()}, ExpectedAnnualWh: 11_000_000}, site)
		if len(e.Wh) != c.hours {
			t.Errorf("%s has %d hours, want %d", c.d, len(e.Wh), c.hours)
		}
	}
	if sh := solar.HourlyShare(year.Start, year.Start.Add(time.Hour), 2026, calendar.Pacific, site); len(sh) != 1 || sh[0] != 0 {
		t.Errorf("midnight share %v", sh)
	}
}

// lateMeter is a late meter's credit days 2024-06-02 to 2024-06-19 for
// a system expected to produce 11,000 kWh a year.
func lateMeter(t *testing.T) LateMeterCredit {
	return LateMeterCredit{ID: 9, Application: "NEM-000009", Days: period(t, "2024-06-02", "2024-06-20"), ExpectedAnnualWh: 11_000_000}
}

// catalog2024 is the shipped catalog with SCE TOU-D-PRIME's 2025 sheet in
// force from 2024-01-01, so that 2024 (the vintage of the shipped export
// prices) can be billed.
func catalog2024(t *testing.T) *Catalog {
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	tabs, err := tariff.ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	var sv []StoredVersion
	for i := range vs {
		if vs[i].Code == "TOU-D-PRIME" {
			vs[i].From = day(t, "2024-01-01")
			sv = append(sv, StoredVersion{Version: &vs[i], Ref: VersionRef{ID: 1, Utility: "SCE", Code: "TOU-D-PRIME", From: vs[i].From, SHA256: "v"}})
		}
	}
	return NewCatalog(sv, []StoredTable{{Table: &tabs[0], Ref: TableRef{ID: 1, Utility: tabs[0].Utility, Vintage: tabs[0].Vintage, SHA256: "t"}}})
}

// TestLateMeterCreditGoesOnTheNextNetMeteringBill: the credit days
// (before PTO on 2024-06-20) are credited on the July bill, the first
// under the Net Billing Tariff after the account's June bill, as
// estimated exports; the June bill (no program yet) does not take them; days that ended before the account's
// first bill in gridbook, or an application without an expected
// production, are noted and not credited.
func TestLateMeterCreditGoesOnTheNextNetMeteringBill(t *testing.T) {
	cat, pol := catalog2024(t), policy(t)
	jul := period(t, "2024-07-01", "2024-08-01")
	solarHome := func(mods ...func(*Account)) *Account {
		return home(t, append([]func(*Account){enroll(ProgramNEM, "nbt", "2024-06-20"), func(a *Account) { a.LateMeter = []LateMeterCredit{lateMeter(t)} }}, mods...)...)
	}
	billedInJune := func(a *Account) { a.FirstBill, a.LastBill = day(t, "2024-06-01"), day(t, "2024-06-01") }
	pl, err := cat.Plan(solarHome(billedInJune), jul, pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Terms.EstimatedExports) != 1 || len(pl.Uses) != 1 || pl.Uses[0].Kind != CreditLateMeter || pl.Uses[0].Ref != "9" {
		t.Fatalf("estimated %d, uses %+v; want the credit once", len(pl.Terms.EstimatedExports), pl.Uses)
	}
	if e := pl.Terms.EstimatedExports[0]; len(e.Wh) != 18*24 || e.Start != day(t, "2024-06-02").Start() {
		t.Errorf("estimate of %d hours from %s, want 432 from 2024-06-02", len(e.Wh), e.Start)
	}
	out := Compute(billing.NewCalculator(), solarHome(billedInJune), pl, Prior{}, map[int64]meterdata.Series{11: flat(jul, time.Hour, 1000), 12: flat(jul, time.Hour, 0)})
	if out.Status != Billed {
		t.Fatalf("%s: %s", out.Status, out.Reason)
	}
	if b, _ := out.Bill.Decode(); b.EstimatedExport <= 0 || b.ExportCreditEarned <= 0 || len(out.Credits) != 1 {
		t.Errorf("bill: estimated %d Wh earning %s, credits %+v", b.EstimatedExport, b.ExportCreditEarned, out.Credits)
	}
	june, err := cat.Plan(solarHome(), period(t, "2024-06-01", "2024-07-01"), pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(june.Terms.EstimatedExports) != 0 {
		t.Error("the June bill, before net metering, credits estimated generation")
	}
	aug := period(t, "2024-08-01", "2024-09-01")
	later, err := cat.Plan(solarHome(func(a *Account) { a.FirstBill, a.LastBill = day(t, "2024-06-01"), day(t, "2024-07-01") }), aug, pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(later.Terms.EstimatedExports) != 1 {
		t.Error("a pending credit due since the account's first bill in gridbook is not credited on the next")
	}
	pre, err := cat.Plan(solarHome(), aug, pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(pre.Terms.EstimatedExports) != 0 || !slices.ContainsFunc(pre.Notes, func(n string) bool { return strings.Contains(n, "opening balance") }) {
		t.Errorf("days before the first bill in gridbook: estimated %d, notes %q", len(pre.Terms.EstimatedExports), pre.Notes)
	}
	none, err := cat.Plan(solarHome(billedInJune, func(a *Account) { a.LateMeter[0].ExpectedAnnualWh = 0 }), jul, pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Terms.EstimatedExports) != 0 || !slices.ContainsFunc(none.Notes, func(n string) bool { return strings.Contains(n, "no expected annual production") }) {
		t.Errorf("no expected production: estimated %d, notes %q", len(none.Terms.EstimatedExports), none.Notes)
	}
}
