package rps

import (
	"fmt"
	"slices"
)

// PeriodPosition is the position of one compliance period in a seller's
// history. A period whose later years have no retail sales yet is shown
// to date (Through is its last year with sales) and is Partial.
type PeriodPosition struct {
	Rules   RuleSet `json:"-"`
	Period  string  `json:"period"`
	Through int     `json:"through_year"`
	Partial bool    `json:"partial"`
	BankIn  int64   `json:"bank_in_mwh"`
	Result  *Result `json:"result"`
	// Problem says why a period could not be computed (a year of retail
	// sales missing in the middle, an invalid claim); Result is nil then.
	Problem string `json:"problem,omitempty"`
}

// History computes every period of a jurisdiction from the first with
// retail sales or claims to the last, carrying banked excess from each
// complete period to the next. claims maps a period ("CP4") to its
// claims; openingBank is excess carried in from before the first period
// computed.
func History(rules *Rules, j Jurisdiction, s Settings, sales map[int]int64, claims map[string][]Claim, openingBank int64) []PeriodPosition {
	var out []PeriodPosition
	bank := openingBank
	periods := rules.Periods(j)
	first, last := -1, -1
	for i, p := range periods {
		has := len(claims[p.Period]) > 0
		for _, y := range p.Years() {
			_, ok := sales[y]
			has = has || ok
		}
		if has {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	for _, p := range periods[first : last+1] {
		pos := PeriodPosition{Rules: p, Period: p.Period, Through: p.LastYear, BankIn: bank}
		rs := p
		// The years with sales must be a leading run of the period.
		through := p.FirstYear - 1
		for _, y := range p.Years() {
			if _, ok := sales[y]; !ok {
				break
			}
			through = y
		}
		for _, y := range p.Years() {
			if _, ok := sales[y]; ok && y > through {
				pos.Problem = fmt.Sprintf("retail sales of %d are missing", through+1)
			}
		}
		if through < p.FirstYear && pos.Problem == "" {
			pos.Problem = fmt.Sprintf("no retail sales for %d yet", p.FirstYear)
		}
		if pos.Problem != "" {
			out = append(out, pos)
			continue
		}
		if through < p.LastYear {
			pos.Partial, pos.Through = true, through
			rs.LastYear = through
			rs.Targets = map[int]Percent{}
			for y, pct := range p.Targets {
				if y <= through {
					rs.Targets[y] = pct
				}
			}
		}
		ys := map[int]int64{}
		for _, y := range rs.Years() {
			ys[y] = sales[y]
		}
		var cs []Claim
		for _, c := range claims[p.Period] {
			if c.Vintage.IsZero() || c.Vintage.Year <= through {
				cs = append(cs, c)
			}
		}
		res, err := Compute(Input{Rules: rs, Settings: s, RetailSales: ys, Claims: cs, Bank: bank})
		if err != nil {
			pos.Problem = err.Error()
			out = append(out, pos)
			continue
		}
		pos.Result = res
		if !pos.Partial {
			bank = res.BankOut
		}
		out = append(out, pos)
	}
	return slices.Clip(out)
}
