package energyteam

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/savings"
)

// Product is one of the CCA's generation rate products: its renewable
// share and its generation rates relative to the utility's generation
// rates for the same schedule, as a range in basis points (negative:
// below the utility's).
type Product struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	RenewablePct int    `json:"renewable_pct"`
	LowBP        int64  `json:"low_bp"`
	HighBP       int64  `json:"high_bp"`
	Source       string `json:"source"`
}

// productSource is where the relative prices come from. CPA's own rate
// sheets are not among the sources, so the products are priced from the
// published comparisons with SCE's generation rates.
const productSource = "research/programs.md §5 (CPA's published comparisons with SCE generation, 2020–2022); an assumption until CPA's rate sheets are loaded"

// Products are Clean Power Alliance's three rate products (research/
// programs.md §5): Lean Power (40% renewable by 2022; 1–2% below SCE),
// Clean Power (50%; parity to 1% below) and 100% Green Power (100%,
// Green-e; about 3% above SCE by 2022).
func Products() []Product {
	return []Product{
		{Code: "lean", Name: "Lean Power", RenewablePct: 40, LowBP: -200, HighBP: -100, Source: productSource},
		{Code: "clean", Name: "Clean Power", RenewablePct: 50, LowBP: -100, HighBP: 0, Source: productSource},
		{Code: "green100", Name: "100% Green Power", RenewablePct: 100, LowBP: 300, HighBP: 300, Source: productSource},
	}
}

// ProductEstimate is the account's current schedule billed with the
// CCA's generation on one product: the utility's ledger as it is, the
// generation ledger at the product's low and high relative price.
type ProductEstimate struct {
	Product
	GenerationLow  money.Cents `json:"generation_low_cents"`
	GenerationHigh money.Cents `json:"generation_high_cents"`
	TotalLow       money.Cents `json:"total_low_cents"`
	TotalHigh      money.Cents `json:"total_high_cents"`
}

// productEstimates prices the CCA's products on the account's current
// schedule (cur): each product's generation is the schedule's generation
// ledger moved by its relative price, rounded to the cent. It returns
// nil, with the reason, when the products do not apply: a bundled
// account, a schedule that could not be billed, or a Power Share account
// (its generation is already 100% renewable at its own discount).
func productEstimates(a *billrun.Account, cur savings.TariffEstimate, day calendar.Date) ([]ProductEstimate, string) {
	switch {
	case cur.LSE != "cca":
		return nil, "the account takes the utility's generation (bundled service); the CCA's products do not apply"
	case cur.Error != "":
		return nil, "the current schedule could not be billed"
	}
	for _, e := range a.Enrollments {
		if e.Program == billrun.ProgramPowerShare && !e.From.After(day) && (e.To.IsZero() || e.To.After(day)) {
			return nil, "Power Share already supplies 100% renewable power at its own discount; the products do not apply"
		}
	}
	var out []ProductEstimate
	for _, p := range Products() {
		lo, hi := cur.GenerationTotal+cur.GenerationTotal.PercentBP(p.LowBP), cur.GenerationTotal+cur.GenerationTotal.PercentBP(p.HighBP)
		out = append(out, ProductEstimate{Product: p, GenerationLow: lo, GenerationHigh: hi,
			TotalLow: cur.UtilityTotal + lo, TotalHigh: cur.UtilityTotal + hi})
	}
	return out, ""
}

// Relative describes the product's price against the utility's
// generation rates: "2% to 1% below", "at parity to 1% below", "3% above".
func (p Product) Relative() string {
	side := func(bp int64) string {
		switch {
		case bp < 0:
			return pct(-bp) + " below"
		case bp > 0:
			return pct(bp) + " above"
		}
		return "at parity"
	}
	if p.LowBP == p.HighBP {
		return side(p.LowBP)
	}
	if p.LowBP < 0 && p.HighBP < 0 {
		return pct(-p.LowBP) + " to " + side(p.HighBP)
	}
	return side(p.LowBP) + " to " + side(p.HighBP)
}

// pct writes basis points as a percentage with at most two decimals.
func pct(bp int64) string {
	s := strconv.FormatInt(bp/100, 10)
	if r := bp % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", r), "0")
	}
	return s + "%"
}
