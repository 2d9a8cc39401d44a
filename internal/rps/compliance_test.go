package rps

import (
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// TestCountInFullOutsideBalance is T7c: 300,000 MWh of count-in-full
// procurement stays outside the balance denominator, so the T7 split is
// unchanged and 1,233,333 MWh is applied.
func TestCountInFullOutsideBalance(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP3")
	r := compute(t, Input{Rules: rs, RetailSales: flatSales(rs, 1_000_000), Claims: []Claim{
		claim(PCC1, 700_000, true), claim(PCC2, 200_000, true), claim(PCC3, 150_000, true),
		{PCC: PCC0, MWh: 300_000, ContractExecuted: date(t, "2008-04-01"), LongTerm: true},
	}})
	if r.Applied != [4]int64{300_000, 700_000, 140_000, 93_333} || r.AppliedTotal != 1_233_333 {
		t.Errorf("applied %v total %d, want [300000 700000 140000 93333] 1,233,333", r.Applied, r.AppliedTotal)
	}
	if r.PCC1Share.FloatString(7) != "0.7500003" {
		t.Errorf("PCC1 share %s", r.PCC1Share.FloatString(7))
	}
	if len(r.Excluded) != 2 || r.Excluded[0].PCC != PCC2 || r.Excluded[0].MWh != 60_000 || r.Excluded[1].MWh != 56_667 {
		t.Errorf("excluded %+v, want 60,000 PCC2 and 56,667 PCC3", r.Excluded)
	}
}

// TestCountInFullBoundary is T13: a contract executed 2010-05-31 may count
// in full; one executed 2010-06-01 may not (§399.16(d): "prior to June 1,
// 2010").
func TestCountInFullBoundary(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP3")
	in := Input{Rules: rs, Settings: DefaultSettings(), RetailSales: flatSales(rs, 1_000)}
	in.Claims = []Claim{{PCC: PCC0, MWh: 10, ContractExecuted: date(t, "2010-05-31")}}
	if _, err := Compute(in); err != nil {
		t.Errorf("2010-05-31: %v", err)
	}
	in.Claims = []Claim{{PCC: PCC0, MWh: 10, ContractExecuted: date(t, "2010-06-01")}}
	_, err := Compute(in)
	if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "claims[0].pcc" || !strings.Contains(fs[0].Msg, "§399.16(d)") {
		t.Errorf("2010-06-01: %v, want claims[0].pcc refused citing §399.16(d)", err)
	}
	// An electric service provider's limits start after 2011-01-13.
	in.Rules = ruleSet(t, CPUCESP, "CP3")
	in.Claims = []Claim{{PCC: PCC0, MWh: 10, ContractExecuted: date(t, "2011-01-13")}}
	if _, err := Compute(in); err != nil {
		t.Errorf("ESP 2011-01-13: %v", err)
	}
}

// t8Claims are research/rps.md T8's applied claims: PCC1 long-term
// 1,200,000, PCC1 short-term 50,000, PCC2 long-term 80,000, PCC3 70,000.
func t8Claims() []Claim {
	return []Claim{claim(PCC1, 1_200_000, true), claim(PCC1, 50_000, false), claim(PCC2, 80_000, true), claim(PCC3, 70_000, false)}
}

// TestExcessBefore2021DeductsShortTermAndPCC3 is T8: before 2021 excess
// is applied − short-term − PCC3 − PQR = 1,400,000 − 50,000 − 70,000 −
// 1,200,000 = 80,000 (SB 2 (1X) rules frozen by §399.13(a)(5)(B)).
func TestExcessBefore2021DeductsShortTermAndPCC3(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP3")
	r := compute(t, Input{Rules: rs, RetailSales: flatSales(rs, 1_000_000), Claims: t8Claims()})
	if r.PQRMWh != 1_200_000 || r.AppliedTotal != 1_400_000 || r.Excess != 80_000 || r.Era != EraSB2 || r.BankOut != 80_000 {
		t.Errorf("PQR %d applied %d excess %d era %s bank %d; want 1,200,000 1,400,000 80,000 SB2_1X 80,000",
			r.PQRMWh, r.AppliedTotal, r.Excess, r.Era, r.BankOut)
	}
}

// TestExcessAfter2020OnlyPCC1 is T9 (via the §399.13(a)(5)(B)(iii) opt-in,
// which applies the post-2020 rules to 2017–2020): surplus 200,000, all of
// it bankable since 1,250,000 PCC1 was applied; PCC2/PCC3 not deducted.
func TestExcessAfter2020OnlyPCC1(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP3")
	s := DefaultSettings()
	s.EarlyOptIn = true
	r := compute(t, Input{Rules: rs, Settings: s, RetailSales: flatSales(rs, 1_000_000), Claims: t8Claims()})
	if r.Excess != 200_000 || r.Era != EraSB350 {
		t.Errorf("excess %d era %s, want 200,000 SB350", r.Excess, r.Era)
	}
}

// TestExcessAfter2020CappedByPCC1 is T9b: surplus 200,000 but only 150,000
// PCC1 applied, so excess is 150,000. (The balance is off: this tests the
// excess rule alone, for a §399.17 utility.)
func TestExcessAfter2020CappedByPCC1(t *testing.T) {
	rs := ruleSet(t, CPUCSMJU, "CP3")
	s := DefaultSettings()
	s.EarlyOptIn = true
	r := compute(t, Input{Rules: rs, Settings: s, RetailSales: flatSales(rs, 1_000_000),
		Claims: []Claim{claim(PCC1, 150_000, true), claim(PCC2, 1_250_000, true)}})
	if r.Excess != 150_000 {
		t.Errorf("excess %d, want 150,000", r.Excess)
	}
}

// TestExcessPCC3OnlySurplusBothEras is T9c: PQR 1,000,000, applied PCC1
// 1,000,000 and PCC3 100,000. After 2020 the PCC3 counts toward the
// requirement and 100,000 PCC1 is banked; before 2021 the PCC3 is deducted
// and nothing is banked.
func TestExcessPCC3OnlySurplusBothEras(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP3")
	sales := map[int]int64{2017: 0, 2018: 0, 2019: 0, 2020: 3_030_303} // 33% → 999,999.99
	in := Input{Rules: rs, Settings: DefaultSettings(), RetailSales: sales, Claims: []Claim{claim(PCC1, 1_000_000, true), claim(PCC3, 100_000, true)}}
	if r := compute(t, in); r.PQRMWh != 1_000_000 || r.Excess != 0 {
		t.Errorf("before 2021: PQR %d excess %d, want 1,000,000 and 0", r.PQRMWh, r.Excess)
	}
	in.Settings.EarlyOptIn = true
	if r := compute(t, in); r.Excess != 100_000 {
		t.Errorf("after 2020: excess %d, want 100,000", r.Excess)
	}
}

// TestExcessCP4 checks the post-2020 rule on a CP4 requirement of
// 1,595,000 (T5) with 1,700,000 PCC1 applied: excess 105,000.
func TestExcessCP4(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP4")
	r := compute(t, Input{Rules: rs, RetailSales: flatSales(rs, 1_000_000), Claims: []Claim{claim(PCC1, 1_700_000, true)}})
	if r.Excess != 105_000 || !r.Complies() {
		t.Errorf("excess %d violations %v, want 105,000 and none", r.Excess, r.Violations)
	}
}

// TestNoExcessWhenRequirementMissed is T10: 1,150,000 applied against
// 1,200,000 is 50,000 short and banks nothing.
func TestNoExcessWhenRequirementMissed(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP3")
	r := compute(t, Input{Rules: rs, RetailSales: flatSales(rs, 1_000_000), Claims: []Claim{claim(PCC1, 1_150_000, true)}})
	if r.Excess != 0 || r.Shortfall != 50_000 || len(r.Violations) != 1 || r.Violations[0].Rule != "procurement quantity requirement" {
		t.Errorf("excess %d shortfall %d violations %+v", r.Excess, r.Shortfall, r.Violations)
	}
}

// TestWholeCertificatesMeetTheRequirement: a requirement of 999,999.99
// MWh needs 1,000,000 certificates.
func TestWholeCertificatesMeetTheRequirement(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP3")
	sales := map[int]int64{2017: 0, 2018: 0, 2019: 0, 2020: 3_030_303}
	r := compute(t, Input{Rules: rs, RetailSales: sales, Claims: []Claim{claim(PCC1, 999_999, true)}})
	if r.Shortfall != 1 {
		t.Errorf("shortfall %d, want 1", r.Shortfall)
	}
}

// TestLongTermShortfall is T11: CP4 PQR 1,595,000, long-term applied
// 1,000,000; 65% of the PQR is 1,036,750, so 36,750 short. With the
// APPLIED denominator and 1,700,000 applied the requirement is 1,105,000.
func TestLongTermShortfall(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP4")
	in := Input{Rules: rs, Settings: DefaultSettings(), RetailSales: flatSales(rs, 1_000_000),
		Claims: []Claim{claim(PCC1, 1_000_000, true), claim(PCC1, 700_000, false)}}
	r := compute(t, in)
	if r.LongTermRequired.RatString() != "1036750" || r.LongTermApplied != 1_000_000 || r.LongTermShortfall != 36_750 {
		t.Errorf("LT required %s applied %d short %d", r.LongTermRequired.RatString(), r.LongTermApplied, r.LongTermShortfall)
	}
	if len(r.Violations) != 1 || r.Violations[0].Citation != citeLongTerm || r.Violations[0].MWh != 36_750 {
		t.Errorf("violations %+v", r.Violations)
	}
	in.Settings.LongTermDenominator = LTOfApplied
	if r := compute(t, in); r.LongTermRequired.RatString() != "1105000" || r.LongTermShortfall != 105_000 {
		t.Errorf("APPLIED: required %s short %d, want 1,105,000 and 105,000", r.LongTermRequired.RatString(), r.LongTermShortfall)
	}
}

// TestBankedExcessAppliedLater is T24: CP3's 80,000 of excess (T8) is
// applied in CP4 toward the requirement, as PCC1 and long-term by default,
// and the bank falls by 80,000.
func TestBankedExcessAppliedLater(t *testing.T) {
	cp3 := ruleSet(t, CPUCRetailSeller, "CP3")
	r3 := compute(t, Input{Rules: cp3, RetailSales: flatSales(cp3, 1_000_000), Claims: t8Claims()})
	cp4 := ruleSet(t, CPUCRetailSeller, "CP4")
	r4 := compute(t, Input{Rules: cp4, RetailSales: flatSales(cp4, 1_000_000), Bank: r3.BankOut,
		Claims: []Claim{claim(PCC1, 1_515_000, true)}})
	if r4.BankApplied != 80_000 || r4.BankOut != 0 || r4.AppliedTotal != 1_595_000 || r4.Shortfall != 0 {
		t.Errorf("bank applied %d out %d total %d shortfall %d", r4.BankApplied, r4.BankOut, r4.AppliedTotal, r4.Shortfall)
	}
	if r4.LongTermApplied != 1_595_000 || r4.PCC1Share.Cmp(ratio(1, 1)) != 0 {
		t.Errorf("LT %d PCC1 share %s: banked excess should count as PCC1 and long-term", r4.LongTermApplied, r4.PCC1Share)
	}
	s := DefaultSettings()
	s.BankedWithoutCategory = true
	r := compute(t, Input{Rules: cp4, Settings: s, RetailSales: flatSales(cp4, 1_000_000), Bank: 80_000, Claims: []Claim{claim(PCC1, 1_515_000, true)}})
	if r.LongTermApplied != 1_515_000 {
		t.Errorf("without category: LT %d, want 1,515,000", r.LongTermApplied)
	}
}

// TestBankAppliedOnlyAsNeeded keeps unused bank for later periods.
func TestBankAppliedOnlyAsNeeded(t *testing.T) {
	cp4 := ruleSet(t, CPUCRetailSeller, "CP4")
	r := compute(t, Input{Rules: cp4, RetailSales: flatSales(cp4, 1_000_000), Bank: 500_000, Claims: []Claim{claim(PCC1, 1_500_000, true)}})
	if r.BankApplied != 95_000 || r.BankOut != 405_000 {
		t.Errorf("bank applied %d out %d, want 95,000 and 405,000", r.BankApplied, r.BankOut)
	}
}

// TestRetirementWindow is T14 and T26: vintage 2021-03 retired 2024-03-31
// counts and 2024-04-01 does not with the month-end anchor; with the
// month-start anchor the last day is 2024-03-01; and a 2021-01 REC retired
// 2024-02-15 is outside its window although 2021 is in CP4.
func TestRetirementWindow(t *testing.T) {
	v := month(t, "2021-03")
	if d := RetirementDeadline(v, AnchorMonthEnd); d.String() != "2024-03-31" {
		t.Errorf("end anchor deadline %v", d)
	}
	if d := RetirementDeadline(v, AnchorMonthStart); d.String() != "2024-03-01" {
		t.Errorf("start anchor deadline %v", d)
	}
	if !CountableRetirement(v, date(t, "2024-03-31"), AnchorMonthEnd) || CountableRetirement(v, date(t, "2024-04-01"), AnchorMonthEnd) {
		t.Errorf("month-end anchor: 2024-03-31 must count and 2024-04-01 must not")
	}
	if !CountableRetirement(v, date(t, "2024-03-01"), AnchorMonthStart) || CountableRetirement(v, date(t, "2024-03-02"), AnchorMonthStart) {
		t.Errorf("month-start anchor: 2024-03-01 must count and 2024-03-02 must not")
	}
	// Leap day: vintage 2021-02 ends 2024-02-29 with the month-end anchor.
	if d := RetirementDeadline(month(t, "2021-02"), AnchorMonthEnd); d.String() != "2024-02-29" {
		t.Errorf("vintage 2021-02 deadline %v, want 2024-02-29", d)
	}
	cp4 := ruleSet(t, CPUCRetailSeller, "CP4")
	c := claim(PCC1, 100, true)
	c.ID, c.Vintage, c.Retired = "late", month(t, "2021-01"), date(t, "2024-02-15")
	r := compute(t, Input{Rules: cp4, RetailSales: flatSales(cp4, 100), Claims: []Claim{c}})
	if r.Available[PCC1] != 0 || len(r.Excluded) != 1 || r.Excluded[0].Citation != citeWindow || !strings.Contains(r.Excluded[0].Rule, "2024-01-01") {
		t.Errorf("late claim: available %v excluded %+v", r.Available, r.Excluded)
	}
}

// TestClaimOutsidePeriodExcluded: a REC counts for the period of its
// generation; a 2020 vintage does not count in CP4.
func TestClaimOutsidePeriodExcluded(t *testing.T) {
	cp4 := ruleSet(t, CPUCRetailSeller, "CP4")
	c := claim(PCC1, 100, true)
	c.Vintage = month(t, "2020-12")
	r := compute(t, Input{Rules: cp4, RetailSales: flatSales(cp4, 100), Claims: []Claim{c}})
	if r.Available[PCC1] != 0 || len(r.Excluded) != 1 {
		t.Errorf("available %v excluded %+v", r.Available, r.Excluded)
	}
}

// TestReducedPCC1MinimumFloor: the CPUC may lower a seller's PCC1 minimum
// but not below 65%.
func TestReducedPCC1MinimumFloor(t *testing.T) {
	s := DefaultSettings()
	s.PCC1Min = "64.99"
	if err := s.Validate(); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("64.99%% accepted: %v", err)
	}
	s.PCC1Min = "65"
	if err := s.Validate(); err != nil {
		t.Errorf("65%%: %v", err)
	}
	cp4 := ruleSet(t, CPUCRetailSeller, "CP4")
	r := compute(t, Input{Rules: cp4, Settings: s, RetailSales: flatSales(cp4, 100), Claims: []Claim{claim(PCC1, 650, true), claim(PCC2, 350, true)}})
	if r.Applied[PCC2] != 350 {
		t.Errorf("at 65%%, PCC2 applied %d, want 350", r.Applied[PCC2])
	}
}

// TestBadClaimsNameTheField refuses bad claims naming each.
func TestBadClaimsNameTheField(t *testing.T) {
	cp4 := ruleSet(t, CPUCRetailSeller, "CP4")
	_, err := Compute(Input{Rules: cp4, Settings: DefaultSettings(), RetailSales: flatSales(cp4, 100), Claims: []Claim{
		{PCC: 4, MWh: 1, ContractExecuted: executed2015}, {PCC: PCC1, MWh: 0, ContractExecuted: executed2015}, {PCC: PCC1, MWh: 5},
	}})
	var names []string
	for _, f := range apperr.FieldsOf(err) {
		names = append(names, f.Field)
	}
	if strings.Join(names, ",") != "claims[0].pcc,claims[1].mwh,claims[2].contract_executed" {
		t.Errorf("fields %v", names)
	}
}

// TestHistoryCarriesBank chains CP3 (T8: 80,000 excess) into CP4 (T24)
// and shows CP5 to date when only 2025 has sales.
func TestHistoryCarriesBank(t *testing.T) {
	sales := map[int]int64{}
	for y := 2017; y <= 2024; y++ {
		sales[y] = 1_000_000
	}
	sales[2025] = 1_000_000
	claims := map[string][]Claim{"CP3": t8Claims(), "CP4": {claim(PCC1, 1_515_000, true)}, "CP5": {claim(PCC1, 500_000, true)}}
	h := History(defaultRules(t), CPUCRetailSeller, DefaultSettings(), sales, claims, 0)
	if len(h) != 3 || h[0].Period != "CP3" || h[1].BankIn != 80_000 || h[1].Result.BankApplied != 80_000 || h[1].Result.Shortfall != 0 {
		t.Fatalf("history %+v", h)
	}
	if cp5 := h[2]; !cp5.Partial || cp5.Through != 2025 || cp5.Result.PQRMWh != 466_700 || cp5.Result.Excess != 33_300 {
		t.Errorf("CP5 to date: partial %v through %d PQR %d excess %d", cp5.Partial, cp5.Through, cp5.Result.PQRMWh, cp5.Result.Excess)
	}
	delete(sales, 2018)
	if h := History(defaultRules(t), CPUCRetailSeller, DefaultSettings(), sales, claims, 0); h[0].Problem != "retail sales of 2018 are missing" {
		t.Errorf("gap: %+v", h[0])
	}
}
