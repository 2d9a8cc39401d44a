package billing

import (
	"fmt"
	"sync"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// Calculator bills accounts. It caches what every account on a tariff
// version shares — the version's period index per year and interval
// length, and export-price vectors — so it should be created once and
// reused; it is safe for concurrent use. Versions are cached by pointer:
// load each version once and share the pointer across accounts.
type Calculator struct {
	mu       sync.Mutex
	indexes  map[indexKey]*tariff.Index
	compiled map[*tariff.Version]*compiled
	exports  map[exportKey]*exportVector
}

// NewCalculator returns an empty Calculator.
func NewCalculator() *Calculator {
	return &Calculator{
		indexes:  map[indexKey]*tariff.Index{},
		compiled: map[*tariff.Version]*compiled{},
		exports:  map[exportKey]*exportVector{},
	}
}

type indexKey struct {
	v    *tariff.Version
	m    string
	year int
	step time.Duration
}

// index returns v's period index for map m, year and step, compiling it
// the first time.
func (c *Calculator) index(v *tariff.Version, m string, year int, step time.Duration) (*tariff.Index, error) {
	return cached(&c.mu, c.indexes, indexKey{v, m, year, step}, func() (*tariff.Index, error) { return v.Index(m, year, step) })
}

// cached returns m[k], building and storing it the first time. Two
// goroutines may both build a missing value; either result is kept (they
// are equal), and the lock is never held while building.
func cached[K comparable, V any](mu *sync.Mutex, m map[K]V, k K, build func() (V, error)) (V, error) {
	mu.Lock()
	v, ok := m[k]
	mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := build()
	if err != nil {
		return v, err
	}
	mu.Lock()
	m[k] = v
	mu.Unlock()
	return v, nil
}

// compiled is a version's components arranged for billing.
type compiled struct {
	v       *tariff.Version
	periods []string // energy period names ("" when the version has no energy map)
	seasons []string // energy map season names
	energy  []energyComp
	fixed   []tariff.Component // FixedDay and FixedMonth
	minimum []tariff.Component // MinimumDay and MinimumMonth
	// baseline is the baseline credit price (≤ 0), if any.
	baseline  *tariff.Component
	demandTOU []demandComp
	demandFlt []tariff.Component
}

// energyComp is one energy component: its price for every period and
// tier, and its label per period.
type energyComp struct {
	c      tariff.Component
	flat   bool                  // one price in every hour
	prices [][]money.MicroPerKWh // [period][tier]
	bounds [][]tariff.Tier       // [period] tier bounds (nil when one tier)
	labels []string              // [period]
}

// demandComp is a TOU demand component with its map.
type demandComp struct {
	c       tariff.Component
	periods []string
}

// compile returns v's billing layout, building it the first time.
func (c *Calculator) compile(v *tariff.Version) (*compiled, error) {
	return cached(&c.mu, c.compiled, v, func() (*compiled, error) { return compileVersion(v) })
}

func compileVersion(v *tariff.Version) (*compiled, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	cv := &compiled{v: v}
	if m, ok := v.PeriodMap("energy"); ok {
		cv.periods = m.Periods
		for _, s := range m.Seasons {
			cv.seasons = append(cv.seasons, s.Name)
		}
	}
	for _, comp := range v.Components {
		switch comp.Kind {
		case tariff.Energy:
			ec := energyComp{c: comp, flat: comp.Map == ""}
			n := max(1, len(cv.periods))
			if ec.flat {
				n = 1
			}
			for p := range n {
				row := comp.Rates[min(p, len(comp.Rates)-1)]
				prices := make([]money.MicroPerKWh, len(row))
				for t, tier := range row {
					prices[t] = tier.Price.PerKWh()
				}
				ec.prices = append(ec.prices, prices)
				if len(row) > 1 {
					ec.bounds = append(ec.bounds, row)
				} else {
					ec.bounds = append(ec.bounds, nil)
				}
				label := comp.Name
				if !ec.flat && p < len(cv.periods) {
					label = fmt.Sprintf("%s — %s", comp.Name, cv.periods[p])
				}
				ec.labels = append(ec.labels, label)
			}
			cv.energy = append(cv.energy, ec)
		case tariff.FixedDay, tariff.FixedMonth:
			cv.fixed = append(cv.fixed, comp)
		case tariff.MinimumDay, tariff.MinimumMonth:
			cv.minimum = append(cv.minimum, comp)
		case tariff.BaselineCredit:
			b := comp
			cv.baseline = &b
		case tariff.DemandTOU:
			m, _ := v.PeriodMap(comp.Map)
			cv.demandTOU = append(cv.demandTOU, demandComp{c: comp, periods: m.Periods})
		case tariff.DemandFlat:
			cv.demandFlt = append(cv.demandFlt, comp)
		}
	}
	return cv, nil
}

type exportKey struct {
	t    *tariff.ExportTable
	year int
	step time.Duration
}

// exportVector holds the export price of every interval of a Pacific year,
// delivery and generation components apart.
type exportVector struct {
	start      time.Time
	delivery   []money.MicroPerKWh
	generation []money.MicroPerKWh
}

// exportPrices returns t's prices for every interval of year at step. A
// year the table lacks is an error naming it: a bill is never credited
// from a missing price.
func (c *Calculator) exportPrices(t *tariff.ExportTable, year int, step time.Duration) (*exportVector, error) {
	return cached(&c.mu, c.exports, exportKey{t, year, step}, func() (*exportVector, error) { return buildExportVector(t, year, step) })
}

func buildExportVector(t *tariff.ExportTable, year int, step time.Duration) (*exportVector, error) {
	first := calendar.Date{Year: year, Month: time.January, Day: 1}
	next := calendar.Date{Year: year + 1, Month: time.January, Day: 1}
	ev := &exportVector{start: first.Start()}
	n := int(next.Start().Sub(ev.start) / step)
	ev.delivery = make([]money.MicroPerKWh, 0, n)
	ev.generation = make([]money.MicroPerKWh, 0, n)
	hol := calendar.UtilityHolidays()
	useHol := t.Holidays == tariff.HolidaysSCE || t.Holidays == tariff.HolidaysPGE
	for d := first; d.Before(next); d = d.Next() {
		dt := tariff.Weekday
		if _, isHol := hol.Holiday(d); useHol && isHol {
			dt = tariff.Holiday
		} else if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			dt = tariff.Weekend
		}
		for at, end := d.Start(), d.Next().Start(); at.Before(end); at = at.Add(step) {
			p, ok := t.Price(year, d.Month, dt, at.In(calendar.Pacific).Hour())
			if !ok {
				return nil, missingExportYear(t, year)
			}
			ev.delivery = append(ev.delivery, p.Delivery)
			ev.generation = append(ev.generation, p.Generation)
		}
	}
	return ev, nil
}
