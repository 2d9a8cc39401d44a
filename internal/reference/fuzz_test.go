package reference

import (
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Lookups take user input (forms, CSV imports); any input must give a value
// or an Invalid error, never a panic or another kind.
func FuzzLookups(f *testing.F) {
	tabs := mustLoad(f)
	for _, s := range []string{"90012", "06111002300", "06037262601", "", "0", "06\x00", "9001२"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := tabs.ClimateZone(s); err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("ClimateZone(%q): %v", s, err)
		}
		if _, err := tabs.DAC(s); err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("DAC(%q): %v", s, err)
		}
		tabs.KnownZIP(s)
		tabs.County(s)
	})
}
