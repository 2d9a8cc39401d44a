package billing

import (
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// Allocation is one effective-dated set of virtual net metering shares:
// from From (inclusive) until To (exclusive; zero when open), each
// benefiting account receives Shares[account] basis points of the
// generator's output. The shares must sum to exactly 10,000 (100%).
type Allocation struct {
	From   calendar.Date    `json:"from"`
	To     calendar.Date    `json:"to,omitzero"`
	Shares map[string]int64 `json:"shares_bp"`
}

// Validate checks a's shares.
func (a Allocation) Validate() error {
	const op = "billing.Allocation"
	var f apperr.Fields
	if err := (calendar.Span{From: a.From, To: a.To}).Validate(); err != nil {
		f.Add("from", "%s", reason(err))
	}
	var sum int64
	for acct, bp := range a.Shares {
		if bp <= 0 {
			f.Add("shares_bp."+acct, "a share must be positive, not %d basis points", bp)
		}
		sum += bp
	}
	if len(a.Shares) == 0 {
		f.Add("shares_bp", "at least one benefiting account is required")
	} else if sum != 10_000 {
		f.Add("shares_bp", "shares sum to %s, not 100%%", percent(sum))
	}
	return f.Err(op)
}

// AllocateVNM divides a generator's metered output among benefiting
// accounts by the allocations in force each day (virtual net metering:
// fixed percentages elected at interconnection, effective-dated;
// research/billing.md §4.1). Each interval is divided exactly: every
// account gets its share rounded down and the rounding account takes the
// remainder, so the parts always sum to the output. Allocating per
// interval keeps hourly export prices exact for NBT-V. Days without an
// allocation in force are an error.
func AllocateVNM(output *Usage, allocations []Allocation, rounding string) (map[string][]energy.Wh, error) {
	const op = "billing.AllocateVNM"
	for i, a := range allocations {
		if err := a.Validate(); err != nil {
			return nil, apperr.Invalidf(op, "allocation %d (from %s): %s", i, a.From, reason(err))
		}
		if _, ok := a.Shares[rounding]; !ok {
			return nil, apperr.Invalidf(op, "allocation from %s has no share for the rounding account %q", a.From, rounding)
		}
		for j := range i {
			if (calendar.Span{From: a.From, To: a.To}).Overlaps(calendar.Span{From: allocations[j].From, To: allocations[j].To}) {
				return nil, apperr.Invalidf(op, "allocations from %s and %s overlap", allocations[j].From, a.From)
			}
		}
	}
	src := output.Received
	if src == nil {
		src = output.Delivered
	}
	out := map[string][]energy.Wh{}
	for _, a := range allocations {
		for acct := range a.Shares {
			if out[acct] == nil {
				out[acct] = make([]energy.Wh, len(src))
			}
		}
	}
	var cur *Allocation
	var accts []string
	for i, g := range src {
		at := output.Start.Add(time.Duration(i) * output.Step)
		d := calendar.DateOf(at)
		if cur == nil || !(calendar.Span{From: cur.From, To: cur.To}).Contains(d) {
			cur = nil
			for k := range allocations {
				if (calendar.Span{From: allocations[k].From, To: allocations[k].To}).Contains(d) {
					cur = &allocations[k]
				}
			}
			if cur == nil {
				return nil, apperr.Invalidf(op, "no allocation is in force on %s", d)
			}
			accts = sortedKeys(cur.Shares)
		}
		if g == Missing {
			for _, acct := range accts {
				out[acct][i] = Missing
			}
			continue
		}
		divide(out, i, g, accts, func(acct string) int64 { return cur.Shares[acct] }, 10_000, rounding)
	}
	return out, nil
}

// divide splits g Wh of interval i among accts by weight(acct)/total,
// rounding down, the remainder to rounding.
func divide(out map[string][]energy.Wh, i int, g energy.Wh, accts []string, weight func(string) int64, total int64, rounding string) {
	var given energy.Wh
	for _, acct := range accts {
		if acct == rounding {
			continue
		}
		part := energy.Wh(int64(g) * weight(acct) / total)
		out[acct][i] = part
		given += part
	}
	out[rounding][i] = g - given
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// SharePolicy says how aggregation shares are computed each billing
// period.
type SharePolicy string

// Share policies for NEM Aggregation and NBT-A. The rule allocates
// exports "in proportion to cumulative consumption since the start of the
// Relevant Period" (research/billing.md §4.1–4.2); whether each period
// uses that cumulative share or only its own consumption is read
// differently, so both are offered.
const (
	// Cumulative shares each period's exports by each account's
	// consumption from the start of the Relevant Period through the end
	// of the period.
	Cumulative SharePolicy = "cumulative"
	// PeriodOnly shares each period's exports by the period's own
	// consumption.
	PeriodOnly SharePolicy = "period"
)

// Member is an account in an aggregation arrangement: its own delivered
// energy, on the generator's interval grid.
type Member struct {
	Account   string      `json:"account"`
	Delivered []energy.Wh `json:"-"`
}

// PeriodShares records one billing period's aggregation shares.
type PeriodShares struct {
	Period calendar.Period `json:"period"`
	// Consumption is the basis of each account's share (cumulative or the
	// period's own, per policy), and Allocated the export energy it
	// received.
	Consumption map[string]energy.Wh `json:"consumption_wh"`
	Allocated   map[string]energy.Wh `json:"allocated_wh"`
}

// AllocateAggregation divides the generating account's exports among the
// members of a NEM Aggregation or NBT-A arrangement, billing period by
// billing period, in proportion to the members' consumption per policy,
// with the rounding account taking every remainder. periods must be
// consecutive and the first must start the Relevant Period. Exports are
// divided interval by interval with the period's shares, so hourly export
// prices apply exactly.
func AllocateAggregation(gen *Usage, members []Member, periods []calendar.Period, policy SharePolicy, rounding string) (map[string][]energy.Wh, []PeriodShares, error) {
	const op = "billing.AllocateAggregation"
	if gen.Received == nil {
		return nil, nil, apperr.Invalidf(op, "the generating account has no received (export) channel")
	}
	if policy != Cumulative && policy != PeriodOnly {
		return nil, nil, apperr.Invalidf(op, "share policy must be cumulative or period, not %q", policy)
	}
	byAcct := map[string][]energy.Wh{}
	for _, m := range members {
		if len(m.Delivered) != len(gen.Received) {
			return nil, nil, apperr.Invalidf(op, "member %s has %d intervals, the generator %d; align them on one grid", m.Account, len(m.Delivered), len(gen.Received))
		}
		if _, dup := byAcct[m.Account]; dup {
			return nil, nil, apperr.Invalidf(op, "member %s is listed twice", m.Account)
		}
		byAcct[m.Account] = m.Delivered
	}
	if _, ok := byAcct[rounding]; !ok {
		return nil, nil, apperr.Invalidf(op, "the rounding account %q is not a member", rounding)
	}
	accts := sortedKeys(byAcct)
	out := map[string][]energy.Wh{}
	for _, a := range accts {
		out[a] = make([]energy.Wh, len(gen.Received))
	}
	cum := map[string]int64{}
	var records []PeriodShares
	for k, p := range periods {
		if k > 0 && p.Start != periods[k-1].End {
			return nil, nil, apperr.Invalidf(op, "billing periods must be consecutive: %s does not start where %s ends", p, periods[k-1])
		}
		if !gen.covers(p) {
			return nil, nil, apperr.Invalidf(op, "the generator's data do not cover %s", p)
		}
		i0, i1 := gen.index(p.Start.Start()), gen.index(p.End.Start())
		rec := PeriodShares{Period: p, Consumption: map[string]energy.Wh{}, Allocated: map[string]energy.Wh{}}
		var total int64
		basis := map[string]int64{}
		for _, a := range accts {
			own := sumPresent(byAcct[a][i0:i1])
			cum[a] += own
			basis[a] = own
			if policy == Cumulative {
				basis[a] = cum[a]
			}
			total += basis[a]
			rec.Consumption[a] = energy.Wh(basis[a])
		}
		for i := i0; i < i1; i++ {
			g := gen.Received[i]
			if g == Missing {
				return nil, nil, apperr.Invalidf(op, "the generator's export reading at %s is missing", gen.Start.Add(time.Duration(i)*gen.Step).Format(time.RFC3339))
			}
			if total == 0 {
				// No consumption anywhere: everything to the rounding account.
				out[rounding][i] = g
				continue
			}
			divide(out, i, g, accts, func(a string) int64 { return basis[a] }, total, rounding)
		}
		for _, a := range accts {
			rec.Allocated[a] = energy.Wh(sumPresent(out[a][i0:i1]))
		}
		records = append(records, rec)
	}
	return out, records, nil
}

func sumPresent(vs []energy.Wh) int64 {
	var s int64
	for _, v := range vs {
		if v != Missing {
			s += int64(v)
		}
	}
	return s
}

// NetHourly returns u summed to clock hours and netted within each hour —
// what a calculator that takes hourly net load (such as SAM) sees. Under
// the Net Billing Tariff this over-nets: imports and exports within an
// hour cancel instead of being billed and credited separately
// (research/billing.md §4.2). The result is marked net-only.
func NetHourly(u *Usage) (*Usage, error) {
	if u.Step > time.Hour || time.Hour%u.Step != 0 {
		return nil, apperr.Invalidf("billing.NetHourly", "interval %v does not divide an hour", u.Step)
	}
	if u.Start.Unix()%3600 != 0 {
		return nil, apperr.Invalidf("billing.NetHourly", "data start %s is not on a clock hour", u.Start.Format(time.RFC3339))
	}
	per := int(time.Hour / u.Step)
	n := len(u.Delivered) / per
	out := &Usage{Start: u.Start, Step: time.Hour, Delivered: make([]energy.Wh, n), Received: make([]energy.Wh, n), NetOnly: true}
	for h := range n {
		var net int64
		for i := h * per; i < (h+1)*per; i++ {
			d, r := u.Delivered[i], energy.Wh(0)
			if u.Received != nil {
				r = u.Received[i]
			}
			if d == Missing || r == Missing {
				return nil, apperr.Invalidf("billing.NetHourly", "interval %d has no reading", i)
			}
			net += int64(d) - int64(r)
		}
		if net >= 0 {
			out.Delivered[h] = energy.Wh(net)
		} else {
			out.Received[h] = energy.Wh(-net)
		}
	}
	return out, out.Prepare()
}
