package dr

import (
	"testing"

	"github.com/gridbook/gridbook/internal/tariff"
)

func shippedTariff(t *testing.T, code string) *tariff.Version {
	t.Helper()
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for i := range vs {
		if vs[i].Code == code {
			return &vs[i]
		}
	}
	t.Fatalf("%s is not shipped", code)
	return nil
}

// SCE TOU-D-PRIME on a summer weekday (sheets effective 2025-06-01,
// research/billing.md §1.6): off-peak until 4 pm at $0.26322, on-peak 4–9
// pm at $0.56368, off-peak after. At 3 pm a light switch shows level 0 and
// learns the peak starts at 4 pm.
func TestTOUSignalShowsThePeakAndWhenItStarts(t *testing.T) {
	v := shippedTariff(t, "TOU-D-PRIME")
	d := day(2026, 7, 15)
	sig, err := SignalAt(v, at(d, 15))
	if err != nil {
		t.Fatal(err)
	}
	if len(sig.Day) != 3 {
		t.Fatalf("schedule %+v, want three segments", sig.Day)
	}
	want := []struct {
		from, to, level int
		price           int64
	}{{0, 16, 0, 263220}, {16, 21, 2, 563680}, {21, 24, 0, 263220}}
	for i, w := range want {
		s := sig.Day[i]
		if !s.Start.Equal(at(d, w.from)) || !s.End.Equal(at(d, w.to)) || s.Level != w.level || int64(s.Price) != w.price {
			t.Errorf("segment %d = %+v, want %d–%d h level %d price %d", i, s, w.from, w.to, w.level, w.price)
		}
	}
	if sig.Current.Level != 0 || !sig.NextChange.Equal(at(d, 16)) || sig.Next == nil || sig.Next.Level != 2 || !sig.NextPeak.Equal(at(d, 16)) {
		t.Errorf("signal at 3 pm: %+v", sig)
	}
	// At 10 pm the next change is tomorrow's 4 pm peak.
	sig, _ = SignalAt(v, at(d, 22))
	if !sig.NextChange.Equal(at(d.Next(), 16)) || !sig.NextPeak.Equal(at(d.Next(), 16)) {
		t.Errorf("signal at 10 pm: next change %s, next peak %s", sig.NextChange, sig.NextPeak)
	}
}

// On the 25-hour fall-back day (winter, Sunday) the schedule still covers
// the whole local day.
func TestTOUScheduleCoversTheFallBackDay(t *testing.T) {
	v := shippedTariff(t, "TOU-D-PRIME")
	d := day(2026, 11, 1)
	s, err := DaySchedule(v, d)
	if err != nil {
		t.Fatal(err)
	}
	if !s[0].Start.Equal(d.Start()) || !s[len(s)-1].End.Equal(d.Next().Start()) || s[len(s)-1].End.Sub(s[0].Start).Hours() != 25 {
		t.Errorf("schedule %+v does not span the 25-hour day", s)
	}
}
