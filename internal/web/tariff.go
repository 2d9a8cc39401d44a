package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// TariffPage is the Data of console/tariff: one stored version.
type TariffPage struct {
	Record store.TariffRecord
	Energy *PeriodTable // energy components by period ($/kWh); nil without an energy map
	Demand *PeriodTable // TOU demand components by period ($/kW); nil without any
	Other  []ChargeRow  // every other component, by bucket
	Maps   []MapView

	// The holiday calendar the version bills by, for HolidayYear.
	HolidayCalendar    string
	HolidayYear        int
	PrevYear, NextYear int
	Holidays           []calendar.Observance

	Hourly HourlyPrices
}

// PeriodTable is components priced per TOU period: one column per period,
// rows grouped by bucket, and the total of the first tier per period.
type PeriodTable struct {
	Unit    string
	Periods []string
	Groups  []PeriodGroup
	Total   []string // nil when only one row
}

// Span is the number of columns of the table: the component column and
// one per period.
func (t *PeriodTable) Span() int { return len(t.Periods) + 1 }

// PeriodGroup is the rows of one bucket.
type PeriodGroup struct {
	Bucket string
	Rows   []PeriodRow
}

// PeriodRow is one component's prices by period.
type PeriodRow struct {
	Name, Note string
	Cells      []string
}

// ChargeRow is a component with one price (fixed, minimum, baseline) or a
// flat demand charge by month.
type ChargeRow struct {
	Bucket, Name, Kind, Price, Note string
}

// MapView is one period map: its seasons, a legend and its grids.
type MapView struct {
	Name    string
	Seasons []SeasonView
	Legend  []HeatKey
	Grids   []HeatGrid // weekdays and weekends/holidays, or one when they agree
}

// SeasonView is one season and when it applies.
type SeasonView struct{ Name, Dates string }

// HourlyPrices is the price-by-hour chart for a month and day type.
type HourlyPrices struct {
	Month    int // 1–12
	DayType  string
	Months   []Option
	DayTypes []Option
	Chart    Chart
	Rows     []HourlyRow
}

// HourlyRow is one hour of the chart, for the table beside it.
type HourlyRow struct {
	Hour   int
	Period string
	Total  string
}

// bucketLabels names buckets for people.
var bucketLabels = map[tariff.Bucket]string{
	tariff.Delivery:   "Delivery",
	tariff.Generation: "Generation",
	tariff.NBC:        "Non-bypassable charges",
	tariff.PCIA:       "PCIA and cost responsibility surcharges",
	tariff.Tax:        "Taxes",
	tariff.Bundled:    "Bundled (the source does not split it)",
}

// kindLabels names component kinds for people.
var kindLabels = map[tariff.Kind]string{
	tariff.Energy:         "Energy",
	tariff.FixedDay:       "Fixed, per day",
	tariff.FixedMonth:     "Fixed, per month",
	tariff.MinimumDay:     "Minimum, per day",
	tariff.MinimumMonth:   "Minimum, per month",
	tariff.DemandTOU:      "Demand by period",
	tariff.DemandFlat:     "Demand, highest of the month",
	tariff.BaselineCredit: "Baseline credit",
	tariff.ExportCredit:   "Export credit",
}

// tariffDetail shows one tariff version: identity and source, its charges
// by bucket, each period map as heat grids, its holidays (?year=) and the
// price by hour for a month and day type (?month=, ?day=; htmx swaps the
// "hourly" block alone).
func (h *handler) tariffDetail(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	rec, err := h.db.TariffVersion(r.Context(), id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	today := h.today()
	month := int(today.Month)
	if m, err := strconv.Atoi(q.Get("month")); err == nil && m >= 1 && m <= 12 {
		month = m
	}
	day := "weekday"
	if q.Get("day") == "weekend" {
		day = "weekend"
	}
	year := today.Year
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y >= 1900 && y <= 9998 {
		year = y
	}
	page, err := newTariffPage(rec, month, day, year)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	v := &View{Title: rec.Version.Utility + " " + rec.Version.Code, Nav: NavTariffs, Data: page}
	if isPartial(r) && r.Header.Get("HX-Target") == "price-by-hour" {
		h.rd.RenderBlock(w, r, http.StatusOK, "console/tariff", "hourly", v)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/tariff", v)
}

func newTariffPage(rec store.TariffRecord, month int, day string, year int) (TariffPage, error) {
	v := &rec.Version
	page := TariffPage{Record: rec, HolidayYear: year, PrevYear: year - 1, NextYear: year + 1, HolidayCalendar: v.Holidays}
	prices, err := v.EnergyPrices()
	if err != nil {
		return page, err
	}
	if m, ok := v.PeriodMap("energy"); ok {
		page.Energy = periodTable(v, m, "$/kWh", 5, func(c tariff.Component) bool {
			return c.Kind == tariff.Energy || c.Kind == tariff.ExportCredit && (c.Map == "energy" || c.Map == "")
		})
		page.Energy.Total = nil
		if len(v.ComponentsOf(tariff.Energy)) > 1 {
			for p := range m.Periods {
				page.Energy.Total = append(page.Energy.Total, tariff.Price(prices.Energy(uint8(p), 0)).Decimals(5))
			}
		}
	}
	if d := v.ComponentsOf(tariff.DemandTOU); len(d) > 0 {
		if m, ok := v.PeriodMap(d[0].Map); ok {
			page.Demand = periodTable(v, m, "$/kW", 2, func(c tariff.Component) bool { return c.Kind == tariff.DemandTOU && c.Map == m.Name })
		}
	}
	for _, b := range tariff.Buckets {
		for _, c := range v.Components {
			if c.Bucket != b || len(c.Rates) > 0 && c.Kind != tariff.DemandFlat {
				continue
			}
			row := ChargeRow{Bucket: bucketLabels[b], Name: c.Name, Kind: kindLabels[c.Kind], Note: c.Note,
				Price: priceText(c.Price, 2, strings.TrimPrefix(c.Kind.Unit(), "$"))}
			if c.Kind == tariff.DemandFlat {
				row.Price = flatDemandText(c)
			}
			page.Other = append(page.Other, row)
		}
	}
	for i := range v.Maps {
		mv, err := mapView(v, &v.Maps[i], prices)
		if err != nil {
			return page, err
		}
		page.Maps = append(page.Maps, mv)
	}
	if cal, ok := v.HolidayCalendar(); ok {
		page.Holidays = cal.InYear(year)
	}
	page.Hourly, err = hourlyPrices(v, prices, month, day)
	return page, err
}

// periodTable lays out the components chosen by keep over the periods of
// m, grouped by bucket; prices show at least decimals decimals.
func periodTable(v *tariff.Version, m *tariff.PeriodMap, unit string, decimals int, keep func(tariff.Component) bool) *PeriodTable {
	t := &PeriodTable{Unit: unit, Periods: m.Periods}
	for _, b := range tariff.Buckets {
		var g PeriodGroup
		for _, c := range v.Components {
			if c.Bucket != b || !keep(c) {
				continue
			}
			row := PeriodRow{Name: c.Name, Note: c.Note}
			for p := range m.Periods {
				tiers := c.Rates[0] // a flat component applies in every period
				if c.Map != "" {
					tiers = c.Rates[p]
				}
				row.Cells = append(row.Cells, tierText(tiers, decimals))
			}
			g.Rows = append(g.Rows, row)
		}
		if len(g.Rows) > 0 {
			g.Bucket = bucketLabels[b]
			t.Groups = append(t.Groups, g)
		}
	}
	return t
}

// priceText writes a price in dollars with its unit: "$0.031/day",
// "-$0.0925/kWh".
func priceText(p tariff.Price, decimals int, unit string) string {
	if p < 0 {
		return "-$" + (-p).Decimals(decimals) + unit
	}
	return "$" + p.Decimals(decimals) + unit
}

// tierText writes a rate's tiers: "0.10000 to 300 kWh, then 0.20000".
func tierText(tiers []tariff.Tier, decimals int) string {
	var parts []string
	for _, t := range tiers {
		s := t.Price.Decimals(decimals)
		if t.Max != 0 {
			s += " to " + t.Max.String() + " " + string(t.Unit)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", then ")
}

// flatDemandText writes a flat demand charge with the months each price
// applies in: "$25.36/kW (Jan–Dec)".
func flatDemandText(c tariff.Component) string {
	var parts []string
	for i, tiers := range c.Rates {
		var months []string
		for m, g := range c.Months {
			if g == i {
				months = append(months, monthAbbr[m])
			}
		}
		label := strings.Join(months, ", ")
		if len(months) == 12 {
			label = "all months"
		}
		parts = append(parts, "$"+tierText(tiers, 2)+" per kW ("+label+")")
	}
	return strings.Join(parts, "; ")
}

// mapView builds the legend and grids of one map. Cells show the period
// number and are read as the period's name; the colour steps follow the
// period's price (the energy total, or the sum of TOU demand charges on
// the map), darker for dearer.
func mapView(v *tariff.Version, m *tariff.PeriodMap, prices *tariff.PriceTable) (MapView, error) {
	mv := MapView{Name: m.Name}
	dates := m.SeasonDates()
	for i, s := range m.Seasons {
		mv.Seasons = append(mv.Seasons, SeasonView{Name: s.Name, Dates: dates[i]})
	}
	price := make([]int64, len(m.Periods))
	unit := ""
	switch {
	case m.Name == "energy":
		unit = "/kWh"
		for p := range price {
			price[p] = int64(prices.Energy(uint8(p), 0))
		}
	default:
		for _, c := range v.ComponentsOf(tariff.DemandTOU) {
			if c.Map == m.Name {
				unit = "/kW"
				for p := range price {
					price[p] += int64(c.Rates[p][0].Price)
				}
			}
		}
		if unit == "" { // a map nothing is priced on: colour by period number
			for p := range price {
				price[p] = int64(p)
			}
		}
	}
	levels := heatLevels(price)
	for p, name := range m.Periods {
		k := HeatKey{Text: strconv.Itoa(p), Name: name, Level: levels[price[p]]}
		if unit != "" {
			decimals := 5
			if unit == "/kW" {
				decimals = 2
			}
			k.Detail = priceText(tariff.Price(price[p]), decimals, unit)
		}
		mv.Legend = append(mv.Legend, k)
	}
	wd, we, err := m.Grid()
	if err != nil {
		return mv, err
	}
	grid := func(id, caption string, g [12][24]uint8) HeatGrid {
		hg := HeatGrid{ID: id, Caption: caption}
		for mo := range 12 {
			row := HeatRow{Month: monthAbbr[mo]}
			for _, p := range g[mo] {
				row.Cells = append(row.Cells, HeatCell{Text: strconv.Itoa(int(p)), Label: m.Periods[p], Level: levels[price[p]]})
			}
			hg.Rows = append(hg.Rows, row)
		}
		return hg
	}
	if wd == we {
		mv.Grids = []HeatGrid{grid(m.Name+"-everyday", "Every day (weekdays, weekends and holidays alike)", wd)}
	} else {
		mv.Grids = []HeatGrid{grid(m.Name+"-weekday", "Weekdays", wd), grid(m.Name+"-weekend", "Weekends and holidays", we)}
	}
	return mv, nil
}

// hourlyPrices builds the price-by-hour chart of a month and day type
// from the energy map's grid: one line per bucket that has a price, and
// the total when there are several.
func hourlyPrices(v *tariff.Version, prices *tariff.PriceTable, month int, day string) (HourlyPrices, error) {
	hp := HourlyPrices{Month: month, DayType: day,
		DayTypes: []Option{{Value: "weekday", Label: "Weekday"}, {Value: "weekend", Label: "Weekend or holiday"}}}
	for i, m := range monthAbbr {
		hp.Months = append(hp.Months, Option{Value: strconv.Itoa(i + 1), Label: m})
	}
	m, ok := v.PeriodMap("energy")
	if !ok {
		return hp, nil
	}
	wd, we, err := m.Grid()
	if err != nil {
		return hp, err
	}
	row := wd[month-1]
	dayLabel := "weekdays"
	if day == "weekend" {
		row, dayLabel = we[month-1], "weekends and holidays"
	}
	hp.Chart = Chart{Title: "Energy price by hour, " + time.Month(month).String() + " " + dayLabel + " ($/kWh, first tier)",
		Kind: ChartLine, Unit: "$/kWh", XLabel: "Hour beginning"}
	for h := range 24 {
		hp.Chart.Labels = append(hp.Chart.Labels, strconv.Itoa(h)+":00")
		hp.Rows = append(hp.Rows, HourlyRow{Hour: h, Period: m.Periods[row[h]], Total: tariff.Price(prices.Energy(row[h], 0)).Decimals(5)})
	}
	dollars := func(p int64) float64 { return float64(p) / 1e6 } // display only
	var series []Series
	for _, b := range tariff.Buckets {
		s := Series{Label: bucketLabels[b]}
		nonzero := false
		for h := range 24 {
			p := int64(prices.EnergyIn(b, row[h], 0))
			nonzero = nonzero || p != 0
			s.Values = append(s.Values, dollars(p))
		}
		if nonzero {
			series = append(series, s)
		}
	}
	if len(series) > 1 {
		total := Series{Label: "Total"}
		for h := range 24 {
			total.Values = append(total.Values, dollars(int64(prices.Energy(row[h], 0))))
		}
		series = append([]Series{total}, series...)
	}
	hp.Chart.Series = series
	return hp, nil
}
