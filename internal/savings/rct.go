package savings

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Randomized evaluation of a home energy report program (UMP Chapter 17,
// Residential Behavior Protocol, NREL/SR-7A40-77435; SEE Action DOE/EE-0734;
// research/programs.md §3.2): accounts are randomized into treatment and
// control, balance is checked on pre-period use, savings are estimated by
// difference in differences and by a lagged-dependent-variable regression
// with household-clustered errors, and the uplift in rebate programs is
// subtracted so no kWh is claimed twice.

// SampleSize returns the homes needed per arm to detect a relative change
// mde of a mean use with standard deviation sigma, two-sided at alpha with
// the given power: n = ⌈2 (z₁₋α/₂ + z_power)² σ² / δ²⌉, δ = mde·mean
// (research/programs.md scenario 40: 30 kWh/day, σ 10, 2% → 4,361).
func SampleSize(mean, sigma, mde, alpha, power float64) (int, error) {
	var f apperr.Fields
	if mean <= 0 || sigma <= 0 {
		f.Add("mean", "mean and sigma must be positive")
	}
	if mde <= 0 || mde >= 1 {
		f.Add("mde", "want a relative effect in (0, 1), not %g", mde)
	}
	if alpha <= 0 || alpha >= 1 || power <= 0 || power >= 1 {
		f.Add("alpha", "alpha and power must lie in (0, 1)")
	}
	if err := f.Err("savings.SampleSize"); err != nil {
		return 0, err
	}
	z := distuv.UnitNormal
	k := z.Quantile(1-alpha/2) + z.Quantile(power)
	d := mde * mean
	return int(math.Ceil(2 * k * k * sigma * sigma / (d * d))), nil
}

// Participant is one account in an evaluation: its arm, and its use per
// day before and after reports began (NaN when unknown), and whether it
// was still active (movers leave both arms at their move-out).
type Participant struct {
	ID      int64   `json:"id"`
	Treated bool    `json:"treated"`
	Pre     float64 `json:"pre_kwh_per_day"`
	Post    float64 `json:"post_kwh_per_day"`
	Active  bool    `json:"active"`
}

// Assign randomizes accounts into treatment and control, stratified by
// pre-period use deciles: within each decile (ranked by use, then id) the
// order is shuffled with seed and accounts alternate between the arms,
// so the arms are balanced decile by decile and the draw is reproducible.
func Assign(ps []Participant, seed uint64) []Participant {
	out := append([]Participant(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Pre != out[j].Pre {
			return out[i].Pre < out[j].Pre
		}
		return out[i].ID < out[j].ID
	})
	r := rand.New(rand.NewPCG(seed, 0x68657273))
	n := len(out)
	for d := 0; d < 10; d++ {
		lo, hi := d*n/10, (d+1)*n/10
		stratum := out[lo:hi]
		r.Shuffle(len(stratum), func(i, j int) { stratum[i], stratum[j] = stratum[j], stratum[i] })
		for i := range stratum {
			stratum[i].Treated = i%2 == 0
		}
	}
	return out
}

// Balance compares the arms' pre-period means: the difference and Welch's
// t test. Balanced when p > 0.05.
type Balance struct {
	TreatedMean float64 `json:"treated_mean"`
	ControlMean float64 `json:"control_mean"`
	Difference  float64 `json:"difference"`
	T           float64 `json:"t"`
	P           float64 `json:"p"`
	Balanced    bool    `json:"balanced"`
}

// CheckBalance tests the arms' pre-period use.
func CheckBalance(ps []Participant) Balance {
	var t, c []float64
	for _, p := range ps {
		if math.IsNaN(p.Pre) {
			continue
		}
		if p.Treated {
			t = append(t, p.Pre)
		} else {
			c = append(c, p.Pre)
		}
	}
	mt, vt := meanVar(t)
	mc, vc := meanVar(c)
	b := Balance{TreatedMean: mt, ControlMean: mc, Difference: mt - mc, P: math.NaN(), T: math.NaN()}
	se2t, se2c := vt/float64(len(t)), vc/float64(len(c))
	if se := math.Sqrt(se2t + se2c); se > 0 && len(t) > 1 && len(c) > 1 {
		b.T = b.Difference / se
		df := (se2t + se2c) * (se2t + se2c) / (se2t*se2t/float64(len(t)-1) + se2c*se2c/float64(len(c)-1))
		b.P = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(b.T))
	}
	b.Balanced = !(b.P <= 0.05)
	return b
}

func meanVar(x []float64) (mean, variance float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	if len(x) > 1 {
		variance /= float64(len(x) - 1)
	}
	return mean, variance
}

// Effect is an estimated treatment effect in kWh per day per home
// (negative: reports reduced use) with its household-clustered standard
// error.
type Effect struct {
	Method string  `json:"method"`
	PerDay float64 `json:"kwh_per_day"`
	SE     float64 `json:"standard_error"`
	Homes  int     `json:"homes"`
}

// DiD is the difference in differences of the arms' mean use per day:
// (T_post − T_pre) − (C_post − C_pre) (scenario 41: 30.1 → 29.5 against
// 30.0 → 30.2 is −0.8). On a balanced two-period panel this equals the
// household and period fixed-effects regression's coefficient; its
// household-clustered error is that of the difference of the arms' mean
// changes.
func DiD(ps []Participant) Effect {
	var t, c []float64
	for _, p := range ps {
		if !p.Active || math.IsNaN(p.Pre) || math.IsNaN(p.Post) {
			continue
		}
		if p.Treated {
			t = append(t, p.Post-p.Pre)
		} else {
			c = append(c, p.Post-p.Pre)
		}
	}
	mt, vt := meanVar(t)
	mc, vc := meanVar(c)
	return Effect{Method: "difference_in_differences", PerDay: mt - mc, SE: math.Sqrt(vt/float64(len(t)) + vc/float64(len(c))), Homes: len(t) + len(c)}
}

// DiDFromMeans is DiD given only the four means.
func DiDFromMeans(treatedPre, treatedPost, controlPre, controlPost float64) float64 {
	return (treatedPost - treatedPre) - (controlPost - controlPre)
}

// LaggedDependent regresses post-period use on treatment and pre-period
// use — post_i = a + β·T_i + γ·pre_i — and returns β with its
// heteroskedasticity-robust (HC1) error, which is the household-clustered
// error when each household contributes one post-period mean.
func LaggedDependent(ps []Participant) Effect {
	var y, tr, pre []float64
	for _, p := range ps {
		if !p.Active || math.IsNaN(p.Pre) || math.IsNaN(p.Post) {
			continue
		}
		y, pre = append(y, p.Post), append(pre, p.Pre)
		if p.Treated {
			tr = append(tr, 1)
		} else {
			tr = append(tr, 0)
		}
	}
	e := Effect{Method: "lagged_dependent_variable", Homes: len(y), PerDay: math.NaN(), SE: math.NaN()}
	n := len(y)
	if n < 4 {
		return e
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	d := newWLSData(y, w)
	tc, tm := d.centred(tr)
	pc, pm := d.centred(pre)
	f := d.fit([]moments{d.moments(tc), d.moments(pc)}, d.dot(tc, pc), []float64{tm, pm}, false)
	if !f.ok {
		return e
	}
	e.PerDay = f.beta[0]
	// HC1 sandwich for the centred design: (X'X)⁻¹ X' diag(u²) X (X'X)⁻¹ · n/(n−k)
	a, b, c := d.dot(tc, tc), d.dot(tc, pc), d.dot(pc, pc)
	det := a*c - b*b
	inv := [2][2]float64{{c / det, -b / det}, {-b / det, a / det}}
	var m [2][2]float64
	for i := range y {
		u := y[i] - f.intercept - f.beta[0]*tr[i] - f.beta[1]*pre[i]
		x := [2]float64{tc[i], pc[i]}
		for r := 0; r < 2; r++ {
			for s := 0; s < 2; s++ {
				m[r][s] += x[r] * x[s] * u * u
			}
		}
	}
	v := 0.0
	for r := 0; r < 2; r++ {
		for s := 0; s < 2; s++ {
			v += inv[0][r] * m[r][s] * inv[s][0]
		}
	}
	e.SE = math.Sqrt(v * float64(n) / float64(n-3))
	return e
}

// ProgramSavings turns a per-home daily effect into the program's
// claimable savings: −effect × active treated homes × days, less the
// uplift — the extra savings treated homes claimed through other tracked
// programs (uplift share × homes × kWh per participation) — so those kWh
// are not counted twice (scenario 41: −0.8 × 50,000 × 365 = 14.6 GWh;
// 0.5 points × 50,000 × 300 kWh = 75,000 kWh; 14.525 GWh claimable).
type ProgramSavings struct {
	GrossKWh     float64 `json:"gross_kwh"`
	UpliftKWh    float64 `json:"uplift_kwh"`
	ClaimableKWh float64 `json:"claimable_kwh"`
}

// Claimable computes program savings from the effect per home per day.
func Claimable(effectPerDay float64, activeTreated int, days int, upliftShare, upliftKWhPerHome float64) ProgramSavings {
	s := ProgramSavings{GrossKWh: -effectPerDay * float64(activeTreated) * float64(days)}
	s.UpliftKWh = upliftShare * float64(activeTreated) * upliftKWhPerHome
	s.ClaimableKWh = s.GrossKWh - s.UpliftKWh
	return s
}
