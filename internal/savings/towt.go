package savings

import (
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/mat"
)

// CalTRACK hourly: the time-of-week and temperature model (TOWT) of
// CalTRACK 3 as eemeter 3.2.0 implements it (eemeter/caltrack/hourly.py,
// features.py, segmentation.py; research/caltrack.md §8.1):
//
//  1. hourly usage with the hour's temperature, cdd_65 and hdd_50, and the
//     hour of the week (Monday 00:00 = 0); a row missing either value, and
//     the end marker, is dropped;
//  2. twelve three-month segments, one per month m, weighting m 1, its
//     neighbours ½ and the rest 0;
//  3. occupancy per segment: a weighted fit usage ~ cdd_65 + hdd_50, an
//     hour of the week occupied when more than 65% of its residuals are
//     positive (an hour with no data counts as occupied);
//  4. temperature bins per segment, separately for occupied and
//     unoccupied hours, from the endpoints 30, 45, 55, 65, 75, 90 °F,
//     merging outer bins with fewer than 20 readings first, then inner ones;
//  5. per segment a weighted least-squares fit of usage on one indicator
//     per hour of the week and the occupied and unoccupied bin features;
//  6. an hour is predicted by its calendar month's segment.
const (
	towtCDDBalance   = 65.0 // cdd_65 of the occupancy model (eemeter region_info "USA")
	towtHDDBalance   = 50.0 // hdd_50
	towtOccupancy    = 0.65 // share of positive residuals above which an hour is occupied
	towtMinBinCount  = 20   // readings a temperature bin needs
	hoursPerWeek     = 168
	towtSegmentCount = 12
)

// towtDefaultBins are CalTRACK hourly's candidate bin endpoints, °F.
var towtDefaultBins = [...]float64{30, 45, 55, 65, 75, 90}

// towtSegmentNames are eemeter's segment names, by centre month January … December.
var towtSegmentNames = [towtSegmentCount]string{
	"dec-jan-feb-weighted", "jan-feb-mar-weighted", "feb-mar-apr-weighted", "mar-apr-may-weighted",
	"apr-may-jun-weighted", "may-jun-jul-weighted", "jun-jul-aug-weighted", "jul-aug-sep-weighted",
	"aug-sep-oct-weighted", "sep-oct-nov-weighted", "oct-nov-dec-weighted", "nov-dec-jan-weighted",
}

// TOWTSegment is one three-month segment's fitted model.
type TOWTSegment struct {
	Name string `json:"name"`
	// Occupied is the occupancy of each hour of the week.
	Occupied [hoursPerWeek]bool `json:"-"`
	// OccupiedBins and UnoccupiedBins are the kept bin endpoints, °F.
	OccupiedBins   []float64 `json:"occupied_bins"`
	UnoccupiedBins []float64 `json:"unoccupied_bins"`
	// HourOfWeek are the hour-of-week coefficients (NaN for hours without
	// data: they are not predicted); the bin slopes follow eemeter's names
	// bin_<i>_occupied and bin_<i>_unoccupied.
	HourOfWeek      [hoursPerWeek]float64 `json:"-"`
	OccupiedSlope   []float64             `json:"occupied_slopes"`
	UnoccupiedSlope []float64             `json:"unoccupied_slopes"`
	Rows            int                   `json:"rows"` // rows with a positive weight
	ok              bool
}

// Params returns the segment's coefficients named as eemeter's formula
// names them: C(hour_of_week)[h], bin_<i>_occupied, bin_<i>_unoccupied.
func (s *TOWTSegment) Params() map[string]float64 {
	out := map[string]float64{}
	for h, v := range s.HourOfWeek {
		if !math.IsNaN(v) {
			out["C(hour_of_week)["+itoa(h)+"]"] = v
		}
	}
	for i, v := range s.OccupiedSlope {
		out["bin_"+itoa(i)+"_occupied"] = v
	}
	for i, v := range s.UnoccupiedSlope {
		out["bin_"+itoa(i)+"_unoccupied"] = v
	}
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for ; i > 0; i /= 10 {
		n--
		b[n] = byte('0' + i%10)
	}
	return string(b[n:])
}

// TOWTModel is a fitted CalTRACK hourly model.
type TOWTModel struct {
	Segments [towtSegmentCount]TOWTSegment
	loc      *time.Location // where hours of the week and months are read
}

// towtRow is one usable baseline hour.
type towtRow struct {
	month int // 1–12
	how   int // hour of week
	y, t  float64
}

// hourOfWeek returns eemeter's hour of the week (Monday 00:00 = 0) and the
// month of instant at in loc.
func hourOfWeek(at time.Time, loc *time.Location) (how, month int) {
	l := at.In(loc)
	return ((int(l.Weekday())+6)%7)*24 + l.Hour(), int(l.Month())
}

// segmentWeight is the weight of month (1–12) in the segment centred on
// month c.
func segmentWeight(c, month int) float64 {
	switch {
	case month == c:
		return 1
	case month == c%12+1 || c == month%12+1:
		return 0.5
	}
	return 0
}

// FitTOWT fits CalTRACK hourly to hourly baseline usage u (with its end
// marker) and temperature t; hours of the week and months are read in loc
// (UTC for eemeter parity, Pacific for premises).
func FitTOWT(u Usage, t Temperature, loc *time.Location) *TOWTModel {
	m := &TOWTModel{loc: loc}
	var rows []towtRow
	for i := 0; i+1 < len(u); i++ {
		y := u[i].Value
		k := t.index(u[i].Start)
		if math.IsNaN(y) || k < 0 || k >= len(t.DegF) || !t.Start.Add(time.Duration(k)*time.Hour).Equal(u[i].Start) {
			continue
		}
		temp := t.DegF[k]
		if math.IsNaN(temp) {
			continue
		}
		how, month := hourOfWeek(u[i].Start, loc)
		rows = append(rows, towtRow{month: month, how: how, y: y, t: temp})
	}
	for s := range towtSegmentCount {
		m.Segments[s] = fitSegment(towtSegmentNames[s], s+1, rows)
	}
	return m
}

func fitSegment(name string, centre int, all []towtRow) TOWTSegment {
	seg := TOWTSegment{Name: name}
	for h := range seg.HourOfWeek {
		seg.HourOfWeek[h] = math.NaN()
	}
	var rows []towtRow
	var w []float64
	for _, r := range all {
		if wt := segmentWeight(centre, r.month); wt > 0 {
			rows = append(rows, r)
			w = append(w, wt)
		}
	}
	seg.Rows = len(rows)
	if len(rows) == 0 {
		return seg
	}
	seg.Occupied = occupancy(rows, w)
	var occT, unoccT []float64
	for _, r := range rows {
		if seg.Occupied[r.how] {
			occT = append(occT, r.t)
		} else {
			unoccT = append(unoccT, r.t)
		}
	}
	seg.OccupiedBins, seg.UnoccupiedBins = fitBins(occT), fitBins(unoccT)
	seg.solve(rows, w)
	return seg
}

// occupancy estimates which hours of the week are occupied: the weighted
// fit usage ~ cdd_65 + hdd_50, and an hour occupied when more than 65% of
// its residuals are positive; hours without rows are occupied (eemeter
// casts their NaN to true).
func occupancy(rows []towtRow, w []float64) [hoursPerWeek]bool {
	var occ [hoursPerWeek]bool
	y := make([]float64, len(rows))
	cdd := make([]float64, len(rows))
	hdd := make([]float64, len(rows))
	for i, r := range rows {
		y[i], cdd[i], hdd[i] = r.y, math.Max(r.t-towtCDDBalance, 0), math.Max(towtHDDBalance-r.t, 0)
	}
	d := newWLSData(y, w)
	cc, cm := d.centred(cdd)
	hc, hm := d.centred(hdd)
	var f wlsFit
	switch {
	case d.dot(cc, cc) > 0 && d.dot(hc, hc) > 0:
		f = d.fit([]moments{d.moments(cc), d.moments(hc)}, d.dot(cc, hc), []float64{cm, hm}, false)
	case d.dot(cc, cc) > 0:
		f = d.fit([]moments{d.moments(cc)}, 0, []float64{cm}, false)
		f.beta[1] = 0
	case d.dot(hc, hc) > 0:
		f = d.fit([]moments{d.moments(hc)}, 0, []float64{hm}, false)
		f.beta[1], f.beta[0] = f.beta[0], 0
	default:
		f = d.fit(nil, 0, nil, false)
	}
	var pos, n [hoursPerWeek]int
	for i, r := range rows {
		res := r.y - (f.intercept + f.beta[0]*cdd[i] + f.beta[1]*hdd[i])
		n[r.how]++
		if res > 0 {
			pos[r.how]++
		}
	}
	for h := range occ {
		occ[h] = n[h] == 0 || float64(pos[h])/float64(n[h]) > towtOccupancy
	}
	return occ
}

// fitBins drops candidate endpoints until every bin holds at least 20
// readings: an undersized first bin loses its right endpoint and an
// undersized last bin its left one; only when both ends are fine are the
// undersized inner bins' right endpoints dropped (CalTRACK 3.3.2).
func fitBins(temps []float64) []float64 {
	bins := append([]float64(nil), towtDefaultBins[:]...)
	for {
		counts := make([]int, len(bins)+1)
		for _, t := range temps {
			counts[sort.SearchFloat64s(bins, t)]++ // bin i is (bins[i-1], bins[i]]
		}
		if len(counts) == 1 {
			return bins
		}
		drop := map[float64]bool{}
		if counts[0] < towtMinBinCount {
			drop[bins[0]] = true
		}
		if counts[len(counts)-1] < towtMinBinCount {
			drop[bins[len(bins)-1]] = true
		}
		if len(drop) == 0 {
			for i := 1; i < len(counts)-1; i++ {
				if counts[i] < towtMinBinCount {
					drop[bins[i]] = true
				}
			}
		}
		if len(drop) == 0 {
			return bins
		}
		kept := bins[:0]
		for _, b := range bins {
			if !drop[b] {
				kept = append(kept, b)
			}
		}
		bins = kept
	}
}

// binFeatures writes the bin features of temperature t for endpoints into
// out (len(endpoints)+1 values): the first bin min(t, b1), the inner ones
// the part of t within them, the last max(t − bk, 0); they add up to t.
func binFeatures(t float64, endpoints []float64, out []float64) {
	k := len(endpoints)
	if k == 0 {
		out[0] = t
		return
	}
	out[0] = math.Min(t, endpoints[0])
	for i := 1; i < k; i++ {
		out[i] = math.Min(math.Max(t-endpoints[i-1], 0), endpoints[i]-endpoints[i-1])
	}
	out[k] = math.Max(t-endpoints[k-1], 0)
}

// features returns the segment's bin features for one hour: the occupied
// bins then the unoccupied ones, zero on the side the hour is not on.
func (s *TOWTSegment) features(how int, t float64, out []float64) []float64 {
	no, nu := len(s.OccupiedBins)+1, len(s.UnoccupiedBins)+1
	if cap(out) < no+nu {
		out = make([]float64, no+nu)
	}
	out = out[:no+nu]
	clear(out)
	if s.Occupied[how] {
		binFeatures(t, s.OccupiedBins, out[:no])
	} else {
		binFeatures(t, s.UnoccupiedBins, out[no:])
	}
	return out
}

// solve fits usage on the hour-of-week indicators and the bin features by
// weighted least squares. The indicators are orthogonal, so the normal
// equations reduce to the bins' Schur complement (a few columns), solved by
// pseudo-inverse as statsmodels does, then each hour's intercept.
func (s *TOWTSegment) solve(rows []towtRow, w []float64) {
	p := len(s.OccupiedBins) + len(s.UnoccupiedBins) + 2
	var dw, dy [hoursPerWeek]float64 // Σw and Σw·y per hour
	db := make([][]float64, hoursPerWeek)
	for h := range db {
		db[h] = make([]float64, p) // Σw·x per hour
	}
	bb := mat.NewSymDense(p, nil)
	by := make([]float64, p)
	x := make([]float64, p)
	for i, r := range rows {
		x = s.features(r.how, r.t, x)
		wi := w[i]
		dw[r.how] += wi
		dy[r.how] += wi * r.y
		for a := 0; a < p; a++ {
			if x[a] == 0 {
				continue
			}
			db[r.how][a] += wi * x[a]
			by[a] += wi * x[a] * r.y
			for b := a; b < p; b++ {
				bb.SetSym(a, b, bb.At(a, b)+wi*x[a]*x[b])
			}
		}
	}
	// Schur complement: S = BᵀWB − Σ_h (DᵀWB)_h (DᵀWB)_hᵀ / (DᵀWD)_hh
	rhs := make([]float64, p)
	copy(rhs, by)
	for h := range hoursPerWeek {
		if dw[h] == 0 {
			continue
		}
		for a := 0; a < p; a++ {
			rhs[a] -= db[h][a] * dy[h] / dw[h]
			for b := a; b < p; b++ {
				bb.SetSym(a, b, bb.At(a, b)-db[h][a]*db[h][b]/dw[h])
			}
		}
	}
	beta := pinvSolve(bb, rhs)
	no := len(s.OccupiedBins) + 1
	s.OccupiedSlope, s.UnoccupiedSlope = beta[:no], beta[no:]
	for h := range hoursPerWeek {
		if dw[h] == 0 {
			continue
		}
		v := dy[h]
		for a := 0; a < p; a++ {
			v -= db[h][a] * beta[a]
		}
		s.HourOfWeek[h] = v / dw[h]
	}
	s.ok = true
}

// pinvSolve solves the symmetric system S·β = r with the Moore–Penrose
// pseudo-inverse (eigenvalues below a relative 1e-15 cut off, as numpy's
// pinv rcond), so a bin column that is all zero gets a zero slope.
func pinvSolve(S *mat.SymDense, r []float64) []float64 {
	n := len(r)
	var eig mat.EigenSym
	if !eig.Factorize(S, true) {
		return make([]float64, n)
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	maxv := 0.0
	for _, v := range vals {
		maxv = math.Max(maxv, math.Abs(v))
	}
	out := make([]float64, n)
	for k, v := range vals {
		if math.Abs(v) <= 1e-15*maxv*float64(n) || v == 0 {
			continue
		}
		c := 0.0
		for i := range n {
			c += vecs.At(i, k) * r[i]
		}
		c /= v
		for i := range n {
			out[i] += vecs.At(i, k) * c
		}
	}
	return out
}

// Predict returns the model's usage for every period of hourly usage u
// (NaN where the hour has no temperature, its hour of the week no
// coefficient, or it is the end marker).
func (m *TOWTModel) Predict(u Usage, t Temperature) []Prediction {
	out := make([]Prediction, len(u))
	var x []float64
	for i := range u {
		p := Prediction{Start: u[i].Start, Observed: u[i].Value, Predicted: math.NaN(), Base: math.NaN(), Heating: math.NaN(), Cooling: math.NaN()}
		k := t.index(u[i].Start)
		if i+1 < len(u) && k >= 0 && k < len(t.DegF) && !math.IsNaN(t.DegF[k]) {
			how, month := hourOfWeek(u[i].Start, m.loc)
			seg := &m.Segments[month-1]
			if seg.ok && !math.IsNaN(seg.HourOfWeek[how]) {
				x = seg.features(how, t.DegF[k], x)
				v := seg.HourOfWeek[how]
				betas := append(append([]float64(nil), seg.OccupiedSlope...), seg.UnoccupiedSlope...)
				for a, b := range betas {
					v += b * x[a]
				}
				p.Predicted = v
			}
		}
		out[i] = p
	}
	return out
}
