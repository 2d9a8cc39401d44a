package billrun

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// BenchmarkPlanAndCompute is a bill run's per-account work for one
// hourly month on TOU-D-PRIME under NEM 2.0 with CARE (CCA): the mapping
// to terms, the usage with its hash, the bill, its inputs and JSON. The
// figures are in docs/performance.md.
func BenchmarkPlanAndCompute(b *testing.B) {
	cat, pol := shippedCatalog(b), policy(b)
	a := home(b, enroll(ProgramNEM, "nem2", "2019-03-10"), enroll("care", "", "2024-01-01"))
	p := july(b)
	series := map[int64]meterdata.Series{11: flat(p, time.Hour, 1000), 12: flat(p, time.Hour, 300)}
	calc := billing.NewCalculator()
	b.ReportAllocs()
	for b.Loop() {
		pl, err := cat.Plan(a, p, pol)
		if err != nil {
			b.Fatal(err)
		}
		if out := Compute(calc, a, pl, Prior{}, series); out.Status != Billed {
			b.Fatal(out.Reason)
		}
	}
}
