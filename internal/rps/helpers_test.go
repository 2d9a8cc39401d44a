package rps

import (
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
)

func date(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func month(t testing.TB, s string) Month {
	t.Helper()
	m, err := ParseMonth(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func defaultRules(t testing.TB) *Rules {
	t.Helper()
	r, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ruleSet(t testing.TB, j Jurisdiction, period string) RuleSet {
	t.Helper()
	rs, err := defaultRules(t).Lookup(j, period)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// flatSales gives every year of the period the same retail sales.
func flatSales(rs RuleSet, mwh int64) map[int]int64 {
	out := map[int]int64{}
	for _, y := range rs.Years() {
		out[y] = mwh
	}
	return out
}

// executed2015 is a contract execution date after 2010-06-01, so the
// balance limits apply.
var executed2015 = calendar.Date{Year: 2015, Month: 3, Day: 1}

func claim(pcc PCC, mwh int64, lt bool) Claim {
	return Claim{PCC: pcc, MWh: mwh, ContractExecuted: executed2015, LongTerm: lt}
}

func compute(t testing.TB, in Input) *Result {
	t.Helper()
	if in.Settings == (Settings{}) {
		in.Settings = DefaultSettings()
	}
	r, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
