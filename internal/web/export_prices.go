package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// ExportTablesPage is the Data of console/export_prices.
type ExportTablesPage struct {
	Tables []store.ExportTableSummary
}

// ExportPricesPage is the Data of console/export_price: one year of one
// table, for one price component.
type ExportPricesPage struct {
	Record     store.ExportTableRecord
	FirstYear  int
	LastYear   int
	Year       int
	Component  string // total, delivery or generation
	Month      int    // of the chart, 1–12
	Years      []Option
	Components []Option
	Months     []Option
	Grids      []HeatGrid // weekdays, weekends and holidays
	Legend     []HeatKey  // the colour steps and the prices they span
	Chart      Chart      // delivery and generation by hour for Month
}

// exportComponents are the parts of an export price a page can show.
var exportComponents = []Option{{Value: "total", Label: "Total"}, {Value: "delivery", Label: "Delivery"}, {Value: "generation", Label: "Generation"}}

// exportTables lists the stored Net Billing Tariff export-price tables.
func (h *handler) exportTables(w http.ResponseWriter, r *http.Request) {
	list, err := h.db.ExportTableList(r.Context(), store.ExportTableFilter{})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/export_prices",
		&View{Title: "Export prices", Nav: NavTariffs, Data: ExportTablesPage{Tables: list}})
}

// exportPrices shows one year (?year=, default this year or the table's
// nearest) of an export-price table as month × hour grids for weekdays and
// for weekends and holidays, coloured by price, for the total, delivery or
// generation component (?component=), with a chart of delivery against
// generation by hour for one month (?month=).
func (h *handler) exportPrices(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	rec, err := h.db.ExportTableByID(r.Context(), id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	t := &rec.Table
	q := r.URL.Query()
	today := h.today()
	page := ExportPricesPage{Record: rec, FirstYear: t.Years[0].Year, LastYear: t.Years[len(t.Years)-1].Year,
		Year: t.ClosestYear(today.Year), Component: "total", Month: int(today.Month), Components: exportComponents}
	if y, err := strconv.Atoi(q.Get("year")); err == nil {
		page.Year = t.ClosestYear(y)
	}
	for _, c := range exportComponents {
		if q.Get("component") == c.Value {
			page.Component = c.Value
		}
	}
	if m, err := strconv.Atoi(q.Get("month")); err == nil && m >= 1 && m <= 12 {
		page.Month = m
	}
	for _, y := range t.Years {
		page.Years = append(page.Years, Option{Value: strconv.Itoa(y.Year), Label: strconv.Itoa(y.Year)})
	}
	for i, m := range monthAbbr {
		page.Months = append(page.Months, Option{Value: strconv.Itoa(i + 1), Label: m})
	}
	year := &t.Years[page.Year-page.FirstYear] // consecutive years (tariff.ExportTable.Validate)
	pick := func(p tariff.ExportPrice) int64 {
		switch page.Component {
		case "delivery":
			return int64(p.Delivery)
		case "generation":
			return int64(p.Generation)
		}
		return int64(p.Total())
	}
	var all []int64
	for m := range 12 {
		for d := range 2 {
			for hr := range 24 {
				all = append(all, pick(year.Prices[m][d][hr]))
			}
		}
	}
	levels := heatLevels(all)
	page.Legend = exportLegend(all, levels)
	for d, caption := range []string{"Weekdays", "Weekends and holidays"} {
		g := HeatGrid{ID: []string{"weekday", "weekend"}[d], Caption: caption}
		for m := range 12 {
			row := HeatRow{Month: monthAbbr[m]}
			for hr := range 24 {
				v := pick(year.Prices[m][d][hr])
				// Cells show cents to fit 24 hours across; the exact price is read out.
				row.Cells = append(row.Cells, HeatCell{Text: shortCents(v), Label: priceText(tariff.Price(v), 5, " per kWh"), Level: levels[v]})
			}
			g.Rows = append(g.Rows, row)
		}
		page.Grids = append(page.Grids, g)
	}
	page.Chart = exportChart(year, page.Month)
	v := &View{Title: t.Utility + " export prices, vintage " + strconv.Itoa(t.Vintage), Nav: NavTariffs, Data: page}
	h.rd.Render(w, r, http.StatusOK, "console/export_price", v)
}

// shortCents writes micro-dollars per kWh as cents with one decimal,
// rounding half away from zero, to fit a grid cell: 56810 → "5.7".
func shortCents(micro int64) string {
	tenths := (micro + 500) / 1000
	if micro < 0 {
		tenths = (micro - 500) / 1000
	}
	sign := ""
	if tenths < 0 {
		sign, tenths = "-", -tenths
	}
	return fmt.Sprintf("%s%d.%d", sign, tenths/10, tenths%10)
}

// exportLegend describes each colour step used by the range of prices it
// covers.
func exportLegend(values []int64, levels map[int64]int) []HeatKey {
	lo, hi := map[int]int64{}, map[int]int64{}
	for _, v := range values {
		l := levels[v]
		if old, ok := lo[l]; !ok || v < old {
			lo[l] = v
		}
		if old, ok := hi[l]; !ok || v > old {
			hi[l] = v
		}
	}
	var out []HeatKey
	for l := range HeatLevels {
		if _, ok := lo[l]; !ok {
			continue
		}
		name := priceText(tariff.Price(lo[l]), 5, "")
		if hi[l] != lo[l] {
			name += " – " + priceText(tariff.Price(hi[l]), 5, "")
		}
		out = append(out, HeatKey{Text: "", Name: name + " per kWh", Level: l})
	}
	return out
}

// exportChart draws delivery and generation by hour for one month, for
// weekdays and for weekends and holidays ($/kWh, display only).
func exportChart(y *tariff.ExportYear, month int) Chart {
	c := Chart{Title: "Export price by hour, " + time.Month(month).String() + " " + strconv.Itoa(y.Year) + ": delivery and generation ($/kWh)",
		Kind: ChartLine, Unit: "$/kWh", XLabel: "Hour beginning"}
	for h := range 24 {
		c.Labels = append(c.Labels, strconv.Itoa(h)+":00")
	}
	for d, day := range []string{"weekday", "weekend/holiday"} {
		del, gen := Series{Label: "Delivery, " + day}, Series{Label: "Generation, " + day}
		for h := range 24 {
			p := y.Prices[month-1][d][h]
			del.Values = append(del.Values, float64(p.Delivery)/1e6)
			gen.Values = append(gen.Values, float64(p.Generation)/1e6)
		}
		c.Series = append(c.Series, del, gen)
	}
	return c
}
