package emissions

import (
	"math"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

// Load is a regular series of energy: Wh[i] over [Start+i·Step,
// Start+(i+1)·Step).
type Load struct {
	Start time.Time
	Step  time.Duration
	Wh    []energy.Wh
}

// Emitted returns the grams of CO2 of l at the signal's rates: Σ kWh ×
// g/kWh. An interval longer than the signal's step takes the mean of the
// signal points it covers (its step must be a multiple of the signal's);
// a shorter one takes the point it starts in. An interval the signal does
// not cover is refused, naming its start.
func Emitted(l Load, s Signal) (float64, error) {
	const op = "emissions.Emitted"
	if l.Step <= 0 || s.Step <= 0 {
		return 0, apperr.Invalidf(op, "load and signal need a positive step")
	}
	if l.Step > s.Step && l.Step%s.Step != 0 {
		return 0, apperr.Invalidf(op, "load step %v is not a multiple of the signal step %v", l.Step, s.Step)
	}
	sub := max(1, int(l.Step/s.Step))
	var total float64
	for i, wh := range l.Wh {
		if wh == 0 {
			continue
		}
		t := l.Start.Add(time.Duration(i) * l.Step)
		var sum float64
		for k := range sub {
			g, ok := s.At(t.Add(time.Duration(k) * s.Step))
			if !ok {
				return 0, apperr.Invalidf(op, "the signal has no rate for %s", t.Add(time.Duration(k)*s.Step).Format(time.RFC3339))
			}
			sum += g
		}
		total += float64(wh) / 1000 * sum / float64(sub)
	}
	return total, nil
}

// Avoided returns the grams of CO2 avoided by using actual instead of
// reference: Emitted(reference) − Emitted(actual). A negative result means
// the shift added emissions.
func Avoided(reference, actual Load, s Signal) (float64, error) {
	r, err := Emitted(reference, s)
	if err != nil {
		return 0, err
	}
	a, err := Emitted(actual, s)
	if err != nil {
		return 0, err
	}
	return r - a, nil
}

// GramsToLbs converts grams to pounds.
func GramsToLbs(g float64) float64 { return g / 1000 / KgPerLb }

// LbsToMetricTons converts pounds to metric tons (1,000 kg).
func LbsToMetricTons(lbs float64) float64 { return lbs * KgPerLb / 1000 }

// Round rounds v half away from zero to d decimals.
func Round(v float64, d int) float64 {
	p := math.Pow10(d)
	return math.Round(v*p) / p
}
