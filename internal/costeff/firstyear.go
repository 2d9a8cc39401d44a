package costeff

import (
	"bytes"
	_ "embed"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
)

// ProgramRecord is what a portfolio report needs of one program: its
// budget and the first-year energy savings it claimed. A nil field is
// missing data (the report shows N/A, never 0).
type ProgramRecord struct {
	Name         string       `json:"name"`
	Budget       *money.Cents `json:"budget_cents"`
	FirstYearKWh *int64       `json:"first_year_kwh"`
	Source       string       `json:"source,omitempty"`
}

// FirstYearCost is one program's budget ÷ first-year kWh: a first-year
// metric, not a levelized cost (research/programs.md §1.6).
type FirstYearCost struct {
	ProgramRecord
	// Available is false when the budget or the savings are missing or
	// the savings are not positive: the cost is then "N/A".
	Available bool `json:"available"`
	// Exact is the cost per first-year kWh in dollars as an exact decimal
	// (12 places), Display the report's rounding (see DisplayCost).
	Exact   string `json:"exact_usd_per_kwh,omitempty"`
	Display string `json:"usd_per_first_year_kwh"`
	// AboveRetail compares the exact cost with the retail price.
	AboveRetail bool `json:"above_retail"`
	cost        *big.Rat
}

// Cost returns the exact cost per first-year kWh in dollars (nil for N/A).
func (c FirstYearCost) Cost() *big.Rat { return c.cost }

// Format writes the exact cost with the given decimals, half away from
// zero, or "N/A".
func (c FirstYearCost) Format(decimals int) string {
	if c.cost == nil {
		return "N/A"
	}
	return roundRat(c.cost, decimals)
}

// FirstYearTable is the portfolio's cost per first-year kWh by program,
// against the retail price.
type FirstYearTable struct {
	Title    string          `json:"title"`
	Metric   string          `json:"metric"` // always "$ per first-year kWh"
	Retail   string          `json:"retail_usd_per_kwh"`
	Programs []FirstYearCost `json:"programs"`
}

// NA is what the report shows for a program without the data.
const NA = "N/A"

// Metric labels the first-year cost column: it is never a levelized cost.
const Metric = "$ per first-year kWh"

// CostPerFirstYearKWh computes budget ÷ first-year kWh exactly for each
// program and compares it with retail (dollars per kWh, e.g. "0.17").
func CostPerFirstYearKWh(title string, records []ProgramRecord, retail string) (FirstYearTable, error) {
	r, ok := new(big.Rat).SetString(retail)
	if !ok || r.Sign() <= 0 {
		var f apperr.Fields
		f.Add("retail", "want a positive price in $/kWh, not %q", retail)
		return FirstYearTable{}, f.Err("costeff.CostPerFirstYearKWh")
	}
	t := FirstYearTable{Title: title, Metric: Metric, Retail: retail}
	for _, rec := range records {
		c := FirstYearCost{ProgramRecord: rec, Display: NA}
		if rec.Budget != nil && rec.FirstYearKWh != nil && *rec.FirstYearKWh > 0 && *rec.Budget >= 0 {
			c.cost = new(big.Rat).SetFrac(big.NewInt(int64(*rec.Budget)), big.NewInt(100**rec.FirstYearKWh))
			c.Available = true
			c.Exact = c.cost.FloatString(12)
			c.Display = DisplayCost(c.cost)
			c.AboveRetail = c.cost.Cmp(r) > 0
		}
		t.Programs = append(t.Programs, c)
	}
	return t, nil
}

// DisplayCost rounds a cost per kWh as the seed's PG&E 2015 table prints
// it: below $1 to the cent ($0.19, $0.52), from $1 to the dime ($1.5,
// $2.7, $5.2, $15.1) — half away from zero, trailing zeros kept.
func DisplayCost(c *big.Rat) string {
	if c.Cmp(big.NewRat(1, 1)) < 0 {
		return roundRat(c, 2)
	}
	return roundRat(c, 1)
}

// roundRat writes r with the given decimals, rounding half away from zero.
func roundRat(r *big.Rat, decimals int) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
	num := new(big.Int).Mul(r.Num(), scale)
	den := r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	s := q.String()
	if decimals > 0 {
		for len(s) <= decimals {
			s = "0" + s
		}
		s = s[:len(s)-decimals] + "." + s[len(s)-decimals:]
	}
	if neg && q.Sign() != 0 {
		s = "-" + s
	}
	return s
}

// The seed's table (seed 003, PG&E 2015 residential programs; research
// sources: PG&E's 2017 EE annual budget advice letter), shipped as data.
//
//go:embed data/pge_2015_residential.csv
var pge2015 []byte

// PGE2015 returns the seed's PG&E 2015 residential portfolio records and
// the retail price of that year ($0.17/kWh).
func PGE2015() ([]ProgramRecord, string, error) {
	recs, err := ReadProgramRecords(bytes.NewReader(pge2015))
	return recs, "0.17", err
}

// ReadProgramRecords reads a CSV with columns program, budget_usd,
// first_year_kwh and optionally source; an empty cell or "N/A" is missing.
// Budgets are whole dollars or dollars and cents.
func ReadProgramRecords(r io.Reader) ([]ProgramRecord, error) {
	const op, field = "costeff.ReadProgramRecords", "programs"
	in, err := openCSV(op, field, r, "program", "budget_usd", "first_year_kwh")
	if err != nil {
		return nil, err
	}
	var out []ProgramRecord
	err = in.each(100_000, func(line int, get func(string) string) error {
		p := ProgramRecord{Name: get("program"), Source: get("source")}
		if p.Name == "" {
			return fieldErr(op, field, "line %d: the program has no name", line)
		}
		if s := get("budget_usd"); !missing(s) {
			c, err := money.ParseDollars(strings.ReplaceAll(s, ",", ""))
			if err != nil || c < 0 {
				return fieldErr(op, field, "line %d: budget_usd %q is not an amount of dollars", line, s)
			}
			p.Budget = &c
		}
		if s := get("first_year_kwh"); !missing(s) {
			n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
			if err != nil || n < 0 {
				return fieldErr(op, field, "line %d: first_year_kwh %q is not a whole number of kWh", line, s)
			}
			p.FirstYearKWh = &n
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

func missing(s string) bool {
	return s == "" || strings.EqualFold(s, "n/a") || strings.EqualFold(s, "na")
}

func fieldErr(op, field, format string, args ...any) error {
	var f apperr.Fields
	f.Add(field, format, args...)
	return f.Err(op)
}
