package web

import (
	"math"
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/costeff"
)

// NavCosteff is the nav key of the cost-effectiveness page.
const NavCosteff = "costeff"

// CosteffPage is the Data of console/costeff.
type CosteffPage struct {
	Table costeff.FirstYearTable
	Rows  []CosteffRow
	Chart Chart
}

// CosteffRow is one program as the table shows it.
type CosteffRow struct {
	costeff.FirstYearCost
	Budget string // "$23,635,570.00" or N/A
	KWh    string // "124,188,519" or N/A
}

// costeffPage shows the portfolio's cost per first-year kWh against the
// retail price (the seed's PG&E 2015 table), with a bar chart.
func (h *handler) costeffPage(w http.ResponseWriter, r *http.Request) {
	recs, retail, err := costeff.PGE2015()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	tab, err := costeff.CostPerFirstYearKWh("PG&E 2015 residential energy-efficiency programs (seed 003)", recs, retail)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := CosteffPage{Table: tab, Chart: Chart{Title: "$ per first-year kWh saved, by program, against the retail price", Kind: ChartBars, Unit: "$/kWh"}}
	var cost, price []float64
	for _, p := range tab.Programs {
		row := CosteffRow{FirstYearCost: p, Budget: costeff.NA, KWh: costeff.NA}
		if p.Budget != nil {
			row.Budget = p.Budget.String()
		}
		if p.FirstYearKWh != nil {
			row.KWh, _ = formatInt(*p.FirstYearKWh)
		}
		page.Rows = append(page.Rows, row)
		page.Chart.Labels = append(page.Chart.Labels, p.Name)
		v := math.NaN()
		if c := p.Cost(); c != nil {
			v, _ = c.Float64()
		}
		cost = append(cost, v)
	}
	rp, _ := strconv.ParseFloat(retail, 64) // a shipped constant: display only
	for range tab.Programs {
		price = append(price, rp)
	}
	page.Chart.Series = []Series{{Label: "$ per first-year kWh", Values: cost}, {Label: "Retail price", Values: price}}
	h.rd.Render(w, r, http.StatusOK, "console/costeff", &View{Title: "Cost-effectiveness", Nav: NavCosteff, Data: page})
}
