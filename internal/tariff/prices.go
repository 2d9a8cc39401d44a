package tariff

import (
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
)

// PriceTable is a version's energy prices flattened for billing kernels:
// for every energy period and tier, the price in each bucket and the total
// over buckets. Flat (map-less) energy components are spread over every
// period; a single-tier component applies in every tier.
type PriceTable struct {
	periods, tiers int
	// Bounds are the shared tier bounds (empty when nothing is tiered);
	// tier t covers usage above Bounds[t-1] up to Bounds[t].
	Bounds []Tier
	total  []money.MicroPerKWh   // [period*tiers+tier]
	bucket [][]money.MicroPerKWh // [bucket index][period*tiers+tier]
}

// EnergyPrices builds v's PriceTable over its "energy" period map.
func (v *Version) EnergyPrices() (*PriceTable, error) {
	const op = "tariff.EnergyPrices"
	if err := v.Validate(); err != nil {
		return nil, err
	}
	periods := 1
	if m, ok := v.PeriodMap("energy"); ok {
		periods = len(m.Periods)
	}
	t := &PriceTable{periods: periods, tiers: 1}
	for _, c := range v.ComponentsOf(Energy) {
		if c.Map != "" && c.Map != "energy" {
			return nil, apperr.Invalidf(op, "energy component %q uses map %q; energy prices are read from the energy map", c.Name, c.Map)
		}
		for _, r := range c.Rates {
			if len(r) > 1 && t.Bounds == nil {
				t.Bounds, t.tiers = r, len(r)
			}
		}
	}
	n := periods * t.tiers
	t.total = make([]money.MicroPerKWh, n)
	t.bucket = make([][]money.MicroPerKWh, len(Buckets))
	for i := range t.bucket {
		t.bucket[i] = make([]money.MicroPerKWh, n)
	}
	for _, c := range v.ComponentsOf(Energy) {
		bi := bucketIndex(c.Bucket)
		for p := range periods {
			row := c.Rates[0]
			if c.Map != "" {
				row = c.Rates[p]
			}
			for tier := range t.tiers {
				price := row[min(tier, len(row)-1)].Price.PerKWh()
				t.bucket[bi][p*t.tiers+tier] += price
				t.total[p*t.tiers+tier] += price
			}
		}
	}
	return t, nil
}

func bucketIndex(b Bucket) int {
	for i, x := range Buckets {
		if x == b {
			return i
		}
	}
	return len(Buckets) - 1
}

// Periods is the number of energy periods.
func (t *PriceTable) Periods() int { return t.periods }

// Tiers is the number of tiers (1 when nothing is tiered).
func (t *PriceTable) Tiers() int { return t.tiers }

// Energy returns the total energy price of a period and tier. A tier past
// the last prices as the last.
func (t *PriceTable) Energy(period uint8, tier int) money.MicroPerKWh {
	return t.total[int(period)*t.tiers+min(tier, t.tiers-1)]
}

// EnergyIn returns the energy price of one bucket for a period and tier.
func (t *PriceTable) EnergyIn(b Bucket, period uint8, tier int) money.MicroPerKWh {
	return t.bucket[bucketIndex(b)][int(period)*t.tiers+min(tier, t.tiers-1)]
}

// ByPeriod returns the total tier-0 price of every period, indexed by
// period number, for kernels that multiply per-period sums.
func (t *PriceTable) ByPeriod() []money.MicroPerKWh {
	out := make([]money.MicroPerKWh, t.periods)
	for p := range out {
		out[p] = t.total[p*t.tiers]
	}
	return out
}
