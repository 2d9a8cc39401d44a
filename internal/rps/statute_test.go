package rps

import (
	"strings"
	"testing"
)

// The values docs/rps.md listed as needing confirmation, checked against
// Pub. Util. Code §399.11–399.33 as given in seed 004 (which wins over
// every other source). Each test quotes the text it checks.

// TestRetirementWindowCountsFromInitialDateOfGeneration checks
// §399.21(a)(7): "A renewable energy credit shall not be eligible for
// compliance with a renewables portfolio standard procurement requirement
// unless it is retired … within 36 months from the initial date of
// generation of the associated electricity" (seed 004, line 427). A
// monthly certificate's electricity can have been generated from the first
// day of its vintage month, so the default window runs 36 months from that
// day: vintage 2021-03 counts when retired on 2024-03-01 and not on
// 2024-03-02. The month-end reading (research/rps.md [R]) would count
// electricity of 2021-03-01 retired on 2024-03-31, 36 months and 30 days
// later, so it is a setting a seller must choose.
func TestRetirementWindowCountsFromInitialDateOfGeneration(t *testing.T) {
	s := DefaultSettings()
	if s.WindowAnchor != AnchorMonthStart {
		t.Fatalf("default anchor %s, want %s", s.WindowAnchor, AnchorMonthStart)
	}
	var empty Settings
	if err := empty.Validate(); err != nil || empty.WindowAnchor != AnchorMonthStart {
		t.Fatalf("an empty anchor fills as %q (%v), want %s", empty.WindowAnchor, err, AnchorMonthStart)
	}
	v := month(t, "2021-03")
	if d := RetirementDeadline(v, ""); d.String() != "2024-03-01" {
		t.Errorf("default deadline of vintage 2021-03 is %v, want 2024-03-01", d)
	}
	if !CountableRetirement(v, date(t, "2024-03-01"), s.WindowAnchor) || CountableRetirement(v, date(t, "2024-03-02"), s.WindowAnchor) {
		t.Error("vintage 2021-03 must count retired on 2024-03-01 and not on 2024-03-02")
	}
	// 36 months from the vintage's first day is 2024-03-01; the month-end
	// deadline lies 30 days beyond it.
	if end := RetirementDeadline(v, AnchorMonthEnd); end.String() != "2024-03-31" || date(t, "2024-03-01").DaysUntil(end) != 30 {
		t.Errorf("the month-end deadline %v, want 2024-03-31, 30 days past 36 months of the vintage's first day", end)
	}
	// A leap-year vintage: February 2024's window ends on 2027-02-01.
	if d := RetirementDeadline(month(t, "2024-02"), s.WindowAnchor); d.String() != "2027-02-01" {
		t.Errorf("vintage 2024-02 deadline %v, want 2027-02-01", d)
	}
}

// TestPercentagesMeetTheStatutoryAnchors checks the anchors the statute
// publishes, for every jurisdiction: §399.15(b)(2)(B) (retail sellers)
// and §399.30(c)(1)-(2) (POUs) — "an average of 20 percent of retail
// sales" for 2011–2013, then "reasonable progress in each of the
// intervening years sufficient to ensure that the procurement … is
// equal to 25 percent of retail sales by December 31, 2016, 33 percent by
// December 31, 2020, 44 percent by December 31, 2024, 52 percent by
// December 31, 2027, and 60 percent by December 31, 2030", and no less
// than 60 percent in every later period. The statute publishes no
// intervening-year decimal, so 46.67/49.33 and 54.67/57.33 stay derived
// [D]; what the text does require is checked: each anchor year equals
// the statute's number and each intervening year lies strictly between
// the anchors around it, never falling (reasonable progress).
func TestPercentagesMeetTheStatutoryAnchors(t *testing.T) {
	anchors := map[int]string{2016: "25", 2020: "33", 2024: "44", 2027: "52", 2030: "60"}
	for _, j := range []Jurisdiction{CPUCRetailSeller, CPUCESP, CPUCSMJU, CECPOU} {
		rules := defaultRules(t)
		prev, _ := Percent("0").Fraction()
		lastAnchor := 2013
		for y := 2011; y <= 2036; y++ {
			rs, err := rules.ForYear(j, y)
			if err != nil {
				t.Fatalf("%s %d: %v", j, y, err)
			}
			p := rs.Targets[y]
			f, err := p.Fraction()
			if err != nil {
				t.Fatalf("%s %d: %v", j, y, err)
			}
			switch want, isAnchor := anchors[y]; {
			case y <= 2013:
				if p != "20" {
					t.Errorf("%s %d is %s%%; §399.15(b)(2)(B)/§399.30(c)(1): an average of 20%% for 2011–2013", j, y, p)
				}
			case isAnchor:
				if p != Percent(want) {
					t.Errorf("%s %d is %s%%; the statute says %s%% by December 31, %d", j, y, p, want, y)
				}
				lastAnchor = y
			case y > 2030:
				if p != "60" {
					t.Errorf("%s %d is %s%%; not less than 60%% after 2030", j, y, p)
				}
			default:
				next := 0
				for a := range anchors {
					if a > y && (next == 0 || a < next) {
						next = a
					}
				}
				lo, _ := Percent(anchors[lastAnchor]).Fraction()
				if lastAnchor == 2013 {
					lo, _ = Percent("20").Fraction()
				}
				hi, _ := Percent(anchors[next]).Fraction()
				// POUs' CP2 keeps 20% in 2014 and 2015 (20 CCR §3204(a)(2)):
				// not below the 2011–13 average, which the statute allows.
				if f.Cmp(lo) < 0 || f.Cmp(hi) >= 0 {
					t.Errorf("%s %d is %s%%, outside the anchors %s%%–%s%% around it", j, y, p, anchors[lastAnchor], anchors[next])
				}
			}
			if f.Cmp(prev) < 0 {
				t.Errorf("%s %d: %s%% falls below the year before", j, y, p)
			}
			prev = f
		}
	}
}

// TestPOUsFollowTheLongTermAndExcessRules checks §399.30(d)(1): "The
// governing board of a local publicly owned electric utility shall adopt
// procurement requirements consistent with subparagraph (B) of paragraph
// (5) of subdivision (a) of, and subdivision (b) of, Section 399.13"
// (seed 004, line 497). So POUs carry the 65% long-term requirement from
// 2021 and the post-2020 excess rules, as statute [S], not as a recalled
// rule [R].
func TestPOUsFollowTheLongTermAndExcessRules(t *testing.T) {
	for _, rs := range defaultRules(t).Periods(CECPOU) {
		if rs.FirstYear < 2021 {
			continue
		}
		if rs.LongTermMin != "65" || rs.ExcessEra != EraSB350 {
			t.Errorf("POU %s: long-term %s%%, excess era %s; want 65%% and %s (§399.30(d)(1))", rs.Period, rs.LongTermMin, rs.ExcessEra, EraSB350)
		}
		found := false
		for _, s := range rs.Sources {
			if s.Rule == "long-term" {
				found = true
				if s.Confidence != "S" || !strings.Contains(s.Citation, "§399.30(d)(1)") {
					t.Errorf("POU %s long-term source %+v: want confidence S citing §399.30(d)(1)", rs.Period, s)
				}
			}
		}
		if !found {
			t.Errorf("POU %s has no long-term source", rs.Period)
		}
	}
}

// TestExcessRulesFrozenThroughTheThirdPeriod checks §399.13(a)(5)(B): "the
// commission shall retain the rules it adopted and in effect as of January
// 1, 2015, for the compliance periods specified in subparagraphs (A) to
// (C), inclusive, of paragraph (1) of subdivision (b) of Section 399.15"
// (2011–2013, 2014–2016, 2017–2020), and for any later period "(i) …
// contracts of any duration may count as excess procurement" for PCC1 and
// "(ii) … [PCC2 and PCC3] shall not be counted as excess procurement" (seed
// 004, lines 165–167). The pre-2021 formula itself is the CPUC's frozen
// rule, not statute: it stays the recalled reading (deduct short-term
// PCC1/PCC2 and PCC3, research/rps.md T8), which nothing in the seed
// contradicts.
func TestExcessRulesFrozenThroughTheThirdPeriod(t *testing.T) {
	for _, j := range []Jurisdiction{CPUCRetailSeller, CPUCESP, CPUCSMJU, CECPOU} {
		for _, rs := range defaultRules(t).Periods(j) {
			want := EraSB350
			if rs.LastYear <= 2020 {
				want = EraSB2
			}
			if rs.ExcessEra != want {
				t.Errorf("%s %s (%d–%d) uses %s, want %s", j, rs.Period, rs.FirstYear, rs.LastYear, rs.ExcessEra, want)
			}
		}
	}
	// (ii): PCC2 never becomes excess after 2020. A §399.17 utility (no
	// balance limits) meets its 1,595,000 MWh CP4 requirement with 50,000
	// PCC1 and 1,645,000 PCC2: the 100,000 above the requirement stays in
	// the procurement (not deducted), but only the 50,000 PCC1 can be
	// banked (research/rps.md T9b).
	cp4 := ruleSet(t, CPUCRetailSeller, "CP4")
	sales := flatSales(cp4, 1_000_000) // PQR 1,595,000
	smju := ruleSet(t, CPUCSMJU, "CP4")
	r := compute(t, Input{Rules: smju, RetailSales: sales, Claims: []Claim{claim(PCC1, 50_000, true), claim(PCC2, 1_645_000, true)}})
	if r.Shortfall != 0 || r.Excess != 50_000 {
		t.Errorf("CP4 shortfall %d excess %d, want 0 and 50,000: PCC2 is not counted as excess (§399.13(a)(5)(B)(ii))", r.Shortfall, r.Excess)
	}
	// (i): PCC1 of any duration counts as excess after 2020 — short-term
	// PCC1 above the requirement banks in full.
	r = compute(t, Input{Rules: cp4, RetailSales: sales, Claims: []Claim{claim(PCC1, 1_595_000, true), claim(PCC1, 50_000, false)}})
	if r.Excess != 50_000 {
		t.Errorf("CP4 excess %d from short-term PCC1, want 50,000 (§399.13(a)(5)(B)(i))", r.Excess)
	}
}
