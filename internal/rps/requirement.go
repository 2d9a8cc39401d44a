package rps

import (
	"fmt"
	"math/big"

	"github.com/gridbook/gridbook/internal/apperr"
)

// YearRequirement is one year's part of a period's procurement quantity
// requirement: the published percentage of that year's retail sales.
type YearRequirement struct {
	Year        int      `json:"year"`
	RetailSales int64    `json:"retail_sales_mwh"`
	Percent     Percent  `json:"percent"`
	MWh         *big.Rat `json:"-"`
}

// PQR returns the procurement quantity requirement of the period, exactly:
// Σ over its years of (the year's percentage × the year's retail sales in
// MWh). It is one cumulative quantity for the period; no single year need
// be met (§399.15(b)(2)(C); D.11-12-020 findings 6–7). Every year of the
// period needs its retail sales.
func PQR(r *RuleSet, retailSales map[int]int64) (*big.Rat, []YearRequirement, error) {
	var f apperr.Fields
	total := new(big.Rat)
	var years []YearRequirement
	for _, y := range r.Years() {
		rs, ok := retailSales[y]
		switch {
		case !ok:
			f.Add(fmt.Sprintf("retail_sales_mwh.%d", y), "the period %s needs the retail sales of %d", r.Period, y)
			continue
		case rs < 0:
			f.Add(fmt.Sprintf("retail_sales_mwh.%d", y), "must not be negative")
			continue
		}
		q := mulInt(r.Targets[y].mustFraction(), rs)
		total.Add(total, q)
		years = append(years, YearRequirement{Year: y, RetailSales: rs, Percent: r.Targets[y], MWh: q})
	}
	for y := range retailSales {
		if !r.Contains(y) {
			f.Add(fmt.Sprintf("retail_sales_mwh.%d", y), "is outside the period %s (%d–%d)", r.Period, r.FirstYear, r.LastYear)
		}
	}
	if err := f.Err("rps.PQR"); err != nil {
		return nil, nil, err
	}
	return total, years, nil
}
