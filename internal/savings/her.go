package savings

import (
	"math"
	"sort"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Home energy reports (Opower style; research/programs.md §3.1): each home
// is compared with about 100 similar homes nearby — same fuel, dwelling
// type and heating fuel, a similar size — by usage per day.

// Home is what a neighbor comparison knows of a home.
type Home struct {
	ID          int64   `json:"id"`
	Fuel        string  `json:"fuel"`         // the fuel compared: electric, gas or dual
	Dwelling    string  `json:"dwelling"`     // single_family, multifamily, mobile_home (customer.DwellingTypes)
	HeatingFuel string  `json:"heating_fuel"` // gas, electric, heat_pump, … (customer.HeatingFuels)
	SqFt        float64 `json:"sqft"`         // conditioned floor area; 0 unknown
	Lat, Lon    float64 `json:"-"`
	Occupied    bool    `json:"occupied"` // usage above the vacancy floor in the period
	UsagePerDay float64 `json:"usage_per_day"`
}

// NeighborRules are the comparison's settings. DefaultNeighborRules gives
// the research note's: 100 neighbors within a ±25% size band (widened
// stepwise to ±50% when too few), within 10 km, never fewer than 20.
type NeighborRules struct {
	K           int       // neighbors kept, nearest first
	MinGroup    int       // fewer eligible neighbors than this: no comparison
	SizeBands   []float64 // relative size bands tried in turn
	MaxRadiusKm float64
}

// DefaultNeighborRules returns the default comparison settings.
func DefaultNeighborRules() NeighborRules {
	return NeighborRules{K: 100, MinGroup: 20, SizeBands: []float64{0.25, 0.5}, MaxRadiusKm: 10}
}

// Standings of a home against its neighbors.
const (
	StandingGreat        = "great"         // at or below the efficient neighbors
	StandingGood         = "good"          // at or below the average neighbor
	StandingAboveAverage = "above_average" // "using more than average"
	StandingNone         = "no_comparison" // too few neighbors
)

// Comparison is a home against its neighbors, usage per day.
type Comparison struct {
	Standing  string  `json:"standing"`
	Usage     float64 `json:"usage_per_day"`
	Average   float64 `json:"average_per_day"`
	Efficient float64 `json:"efficient_per_day"` // 20th percentile, nearest rank
	Group     int     `json:"neighbors"`
	// SizeBand is the relative size band the neighbors were found in
	// (0.25: ±25%); 0 when size was not compared.
	SizeBand float64 `json:"size_band"`
	// NeighborIDs are the homes compared with, frozen with the report so
	// that a re-render shows the same comparison.
	NeighborIDs []int64 `json:"neighbor_ids"`
}

// Compare classifies usage against neighbor usages (per day): the average
// is the mean, the efficient neighbor the 20th percentile by the nearest-
// rank method (the value at rank ⌈0.2·n⌉ of the sorted usages, 1-based);
// at or below it is great, at or below the average good, above it "using
// more than average". Fewer than minGroup neighbors: no comparison.
func Compare(usage float64, neighbors []float64, minGroup int) Comparison {
	c := Comparison{Usage: usage, Group: len(neighbors), Standing: StandingNone}
	if len(neighbors) == 0 || len(neighbors) < minGroup {
		return c
	}
	s := append([]float64(nil), neighbors...)
	sort.Float64s(s)
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	c.Average = sum / float64(len(s))
	c.Efficient = s[int(math.Ceil(0.2*float64(len(s))))-1]
	switch {
	case usage <= c.Efficient:
		c.Standing = StandingGreat
	case usage <= c.Average:
		c.Standing = StandingGood
	default:
		c.Standing = StandingAboveAverage
	}
	return c
}

// SelectNeighbors picks the homes self is compared with: occupied, the
// same fuel, dwelling and heating fuel, within the first size band that
// yields at least rules.MinGroup homes (any size when self's is unknown),
// within rules.MaxRadiusKm, the nearest rules.K by distance (ties by id).
func SelectNeighbors(self Home, candidates []Home, rules NeighborRules) []Home {
	ns, _ := selectNeighbors(self, candidates, rules)
	return ns
}

// selectNeighbors is SelectNeighbors, also returning the size band used
// (0 when sizes were not compared).
func selectNeighbors(self Home, candidates []Home, rules NeighborRules) ([]Home, float64) {
	type cand struct {
		h    Home
		dist float64
	}
	bands := rules.SizeBands
	if len(bands) == 0 || self.SqFt <= 0 {
		bands = []float64{math.Inf(1)}
	}
	var pool []cand
	used := 0.0
	for _, band := range bands {
		used = band
		pool = pool[:0]
		for _, h := range candidates {
			if h.ID == self.ID || !h.Occupied || h.Fuel != self.Fuel || h.Dwelling != self.Dwelling || h.HeatingFuel != self.HeatingFuel {
				continue
			}
			if !math.IsInf(band, 1) && (h.SqFt <= 0 || math.Abs(h.SqFt-self.SqFt) > band*self.SqFt) {
				continue
			}
			d := haversineKm(self.Lat, self.Lon, h.Lat, h.Lon)
			if rules.MaxRadiusKm > 0 && d > rules.MaxRadiusKm {
				continue
			}
			pool = append(pool, cand{h, d})
		}
		if len(pool) >= rules.MinGroup {
			break
		}
	}
	sort.Slice(pool, func(i, j int) bool {
		if pool[i].dist != pool[j].dist {
			return pool[i].dist < pool[j].dist
		}
		return pool[i].h.ID < pool[j].h.ID
	})
	if rules.K > 0 && len(pool) > rules.K {
		pool = pool[:rules.K]
	}
	out := make([]Home, len(pool))
	for i, c := range pool {
		out[i] = c.h
	}
	if math.IsInf(used, 1) {
		used = 0
	}
	return out, used
}

// NeighborReport compares self with the neighbors SelectNeighbors picks.
func NeighborReport(self Home, candidates []Home, rules NeighborRules) Comparison {
	ns, band := selectNeighbors(self, candidates, rules)
	usage := make([]float64, len(ns))
	ids := make([]int64, len(ns))
	for i, n := range ns {
		usage[i], ids[i] = n.UsagePerDay, n.ID
	}
	c := Compare(self.UsagePerDay, usage, rules.MinGroup)
	c.NeighborIDs, c.SizeBand = ids, band
	return c
}

// haversineKm is the great-circle distance in km.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088 // mean Earth radius, km
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// LoadShape is what a report's recommendations read from a home's own
// interval data: shares of its average day.
type LoadShape struct {
	EveningShare float64 `json:"evening_share"`   // 4–9 pm share of daily use
	BaseShare    float64 `json:"base_load_share"` // lowest-hour use × 24 ÷ daily use
	CoolingShare float64 `json:"cooling_share"`   // weather-driven share (model cooling load ÷ total), if known
}

// Recommendation is one tip with the program it points to.
type Recommendation struct {
	Code    string `json:"code"`
	Text    string `json:"text"`
	Program string `json:"program"` // seed 003 residential program, "" for none
}

// Thresholds of the load-shape tips: an evening share above 35% (the
// 4–9 pm window is 5 of 24 hours, 21% when flat), a base load above 40% of
// daily use, a cooling share above 30%. Gridbook's defaults, documented
// in docs; programs from seed 003.
const (
	eveningShareTip = 0.35
	baseShareTip    = 0.40
	coolingShareTip = 0.30
)

// Recommend draws tips from a home's load shape and standing.
func Recommend(shape LoadShape, standing string) []Recommendation {
	var out []Recommendation
	if shape.EveningShare > eveningShareTip {
		out = append(out, Recommendation{"evening_peak", "Much of your use falls between 4 and 9 pm, when power costs most: run dishwashers, laundry and pool pumps earlier or later, and pre-cool before 4 pm.", "Plug Load and Appliances"})
	}
	if shape.BaseShare > baseShareTip {
		out = append(out, Recommendation{"base_load", "Your home uses a lot even at its quietest hour: an old second refrigerator, a pool pump or devices on standby may run around the clock — appliance recycling pays $50.", "Plug Load and Appliances"})
	}
	if shape.CoolingShare > coolingShareTip {
		out = append(out, Recommendation{"cooling", "Cooling drives much of your use: a quality-installed, right-sized air conditioner with sealed ducts can cut it (rebate up to $750).", "Residential HVAC"})
	}
	if standing == StandingAboveAverage {
		out = append(out, Recommendation{"whole_home", "You use more than similar homes nearby: a home energy survey finds where, and whole-house upgrades earn up to $2,500 (basic) or $6,500 (advanced).", "Energy Upgrade California"})
	}
	return out
}

// ShapeOf returns a load shape from an average day's 24 hourly values (kWh,
// local clock hours 0–23).
func ShapeOf(hours [24]float64) (LoadShape, error) {
	total, low := 0.0, math.Inf(1)
	for _, v := range hours {
		if math.IsNaN(v) || v < 0 {
			return LoadShape{}, apperr.Invalidf("savings.ShapeOf", "hourly values must be known and not negative")
		}
		total += v
		low = math.Min(low, v)
	}
	if total == 0 {
		return LoadShape{}, nil
	}
	ev := 0.0
	for h := 16; h < 21; h++ {
		ev += hours[h]
	}
	return LoadShape{EveningShare: ev / total, BaseShare: low * 24 / total}, nil
}
