package savings

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNeighborComparisonBoundaries: research/programs.md scenario 38 —
// neighbors 200 … 650 kWh: average 425, efficient (nearest-rank P20,
// x[⌈0.2·10⌉] = x[2]) 250; 240 great, 280 good, 425 good (at the
// average), 426 using more than average.
func TestNeighborComparisonBoundaries(t *testing.T) {
	ns := []float64{650, 200, 250, 300, 350, 400, 450, 500, 550, 600}
	for _, c := range []struct {
		usage float64
		want  string
	}{{240, StandingGreat}, {250, StandingGreat}, {280, StandingGood}, {425, StandingGood}, {426, StandingAboveAverage}} {
		got := Compare(c.usage, ns, 5)
		if got.Average != 425 || got.Efficient != 250 || got.Standing != c.want {
			t.Errorf("%v: %+v, want %s", c.usage, got, c.want)
		}
	}
}

// TestTooFewNeighborsGiveNoComparison: scenario 39 — fewer than N_min = 20
// eligible neighbors: no comparison; the neighbor list is kept and the
// same on re-render.
func TestTooFewNeighborsGiveNoComparison(t *testing.T) {
	self := Home{ID: 1, Fuel: "electric", Dwelling: "single_family", HeatingFuel: "gas", SqFt: 1500, Lat: 34.05, Lon: -118.25, UsagePerDay: 20}
	var cands []Home
	for i := range 30 {
		h := self
		h.ID, h.Occupied, h.UsagePerDay = int64(i+2), true, 10+float64(i)
		h.Lat += float64(i) * 0.001
		if i >= 19 {
			h.HeatingFuel = "electric" // not similar
		}
		cands = append(cands, h)
	}
	rules := DefaultNeighborRules()
	a := NeighborReport(self, cands, rules)
	if a.Standing != StandingNone || a.Group != 19 {
		t.Fatalf("19 similar homes: %+v", a)
	}
	cands[19].HeatingFuel = "gas"
	b := NeighborReport(self, cands, rules)
	if b.Standing == StandingNone || b.Group != 20 || len(b.NeighborIDs) != 20 {
		t.Fatalf("20 similar homes: %+v", b)
	}
	again := NeighborReport(self, cands, rules)
	for i := range b.NeighborIDs {
		if again.NeighborIDs[i] != b.NeighborIDs[i] {
			t.Fatalf("neighbor list changed on re-render")
		}
	}
}

// TestNeighborsAreNearestSimilarHomes: size band ±25% first, the nearest
// K kept, vacant and dissimilar homes never.
func TestNeighborsAreNearestSimilarHomes(t *testing.T) {
	self := Home{ID: 1, Fuel: "electric", Dwelling: "single_family", HeatingFuel: "gas", SqFt: 2000, Lat: 34, Lon: -118}
	var cands []Home
	for i := range 200 {
		h := self
		h.ID, h.Occupied = int64(i+2), i%10 != 0
		h.SqFt = 1400 + float64(i%13)*100 // 1,400–2,600
		h.Lat += float64(i) * 0.0005
		cands = append(cands, h)
	}
	rules := DefaultNeighborRules()
	rules.K = 50
	ns := SelectNeighbors(self, cands, rules)
	if len(ns) != 50 {
		t.Fatalf("%d neighbors", len(ns))
	}
	last := -1.0
	for _, n := range ns {
		if !n.Occupied || n.SqFt < 1500 || n.SqFt > 2500 {
			t.Errorf("neighbor %+v outside the rules", n)
		}
		d := haversineKm(self.Lat, self.Lon, n.Lat, n.Lon)
		if d < last {
			t.Errorf("not nearest first")
		}
		last = d
	}
}

// TestSampleSizePerArm: scenario 40 — mean 30 kWh/day, σ 10, α 0.05
// two-sided, power 0.8: MDE 2% → 4,361 per arm; 1% → 17,442.
func TestSampleSizePerArm(t *testing.T) {
	for _, c := range []struct {
		mde  float64
		want int
	}{{0.02, 4361}, {0.01, 17442}} {
		n, err := SampleSize(30, 10, c.mde, 0.05, 0.8)
		if err != nil || n != c.want {
			t.Errorf("MDE %v: %d (%v), want %d", c.mde, n, err, c.want)
		}
	}
	if _, err := SampleSize(30, 10, 2, 0.05, 0.8); err == nil {
		t.Error("an MDE of 200% should be refused")
	}
}

// TestDiDAndClaimableSavings: scenario 41 — pre means T 30.1, C 30.0; post
// T 29.5, C 30.2: −0.8 kWh/day; 50,000 active treated homes × 365 days →
// 14.6 GWh; less 0.5 points × 50,000 × 300 kWh = 75,000 kWh → 14.525 GWh.
func TestDiDAndClaimableSavings(t *testing.T) {
	eff := DiDFromMeans(30.1, 29.5, 30.0, 30.2)
	if math.Abs(eff-(-0.8)) > 1e-12 {
		t.Fatalf("DiD %v", eff)
	}
	s := Claimable(eff, 50_000, 365, 0.005, 300)
	if math.Abs(s.GrossKWh-14_600_000) > 1e-6 || math.Abs(s.UpliftKWh-75_000) > 1e-9 || math.Abs(s.ClaimableKWh-14_525_000) > 1e-6 {
		t.Errorf("savings %+v", s)
	}
}

// TestRandomizedEvaluationRecoversAKnownEffect: 8,000 synthetic homes
// (pre use 30 ± 10 kWh/day), stratified assignment, a true effect of −0.6
// kWh/day: the arms balance, and both estimators find the effect within
// three standard errors, the lagged-dependent one more precisely.
func TestRandomizedEvaluationRecoversAKnownEffect(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	ps := make([]Participant, 8000)
	for i := range ps {
		pre := math.Max(5, 30+10*r.NormFloat64())
		ps[i] = Participant{ID: int64(i + 1), Pre: pre, Active: true}
	}
	ps = Assign(ps, 42)
	treated := 0
	for i := range ps {
		p := &ps[i]
		p.Post = 0.98*p.Pre + 0.6 + 2*r.NormFloat64()
		if p.Treated {
			p.Post -= 0.6
			treated++
		}
	}
	if treated != 4000 {
		t.Fatalf("%d treated of 8,000", treated)
	}
	if b := CheckBalance(ps); !b.Balanced || math.Abs(b.Difference) > 0.5 {
		t.Errorf("balance %+v", b)
	}
	did, ldv := DiD(ps), LaggedDependent(ps)
	for _, e := range []Effect{did, ldv} {
		if math.Abs(e.PerDay-(-0.6)) > 3*e.SE || e.Homes != 8000 {
			t.Errorf("%s: %+v", e.Method, e)
		}
	}
	if ldv.SE >= did.SE*1.01 {
		t.Errorf("LDV SE %v not below DiD's %v", ldv.SE, did.SE)
	}
}

// TestRecommendationsFromTheLoadShape: an evening-heavy, high-base-load
// day above average gets the evening, base-load and whole-home tips.
func TestRecommendationsFromTheLoadShape(t *testing.T) {
	var day [24]float64
	for h := range day {
		day[h] = 1
		if h >= 16 && h < 21 {
			day[h] = 3
		}
	}
	shape, err := ShapeOf(day)
	if err != nil {
		t.Fatal(err)
	}
	recs := Recommend(shape, StandingAboveAverage)
	var codes []string
	for _, r := range recs {
		codes = append(codes, r.Code)
	}
	if len(codes) != 3 || codes[0] != "evening_peak" || codes[1] != "base_load" || codes[2] != "whole_home" {
		t.Errorf("tips %v for shape %+v", codes, shape)
	}
}
