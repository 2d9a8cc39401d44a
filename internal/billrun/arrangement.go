package billrun

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// Arrangement variants, as internal/nem names them.
const (
	// VirtualNEM shares a generator's output among benefiting accounts by
	// fixed, effective-dated percentages (NEM-V / NBT-V).
	VirtualNEM = "virtual"
	// Aggregation shares a generator's exports among the accounts of one
	// customer on the same or adjacent parcels in proportion to their
	// consumption (NEM Aggregation / NBT-A).
	Aggregation = "aggregation"
)

// Arrangement is a Virtual NEM or NEM Aggregation arrangement in force
// during a run's period, as its NEM application records it
// (nem.System): the generating account and its NEM enrollment, the
// accounts that share its output, and the account that takes rounding
// remainders.
type Arrangement struct {
	Application string // the NEM application number
	Variant     string // VirtualNEM or Aggregation
	Generator   *Account
	// Track and PTO are the generator's NEM enrollment (nem1, nem2 or
	// nbt) and its start; members without a NEM enrollment of their own
	// are billed under them.
	Track string
	PTO   calendar.Date
	// Allocations are the VNM shares by account number.
	Allocations []billing.Allocation
	// Members are the benefiting accounts (VNM) or the aggregated
	// accounts besides the generator (aggregation).
	Members []*Account
	// Rounding is the number of the account designated to take rounding
	// remainders; when empty, the generator for an aggregation and the
	// account with the largest first share (lowest number on a tie) for
	// VNM.
	Rounding string
}

// Benefits reports whether the account numbered n receives a share of
// the generator's output: every member of an aggregation (the generator
// included), a VNM account named in an allocation.
func (ar *Arrangement) Benefits(n string) bool {
	if ar.Variant == Aggregation {
		return true
	}
	for _, al := range ar.Allocations {
		if _, ok := al.Shares[n]; ok {
			return true
		}
	}
	return false
}

// RoundingAccount is the number of the account that takes remainders.
func (ar *Arrangement) RoundingAccount() string {
	if ar.Rounding != "" {
		return ar.Rounding
	}
	if ar.Variant == Aggregation || len(ar.Allocations) == 0 {
		return ar.Generator.Number
	}
	shares := ar.Allocations[0].Shares
	best := ""
	for _, n := range slices.Sorted(maps.Keys(shares)) {
		if best == "" || shares[n] > shares[best] {
			best = n
		}
	}
	return best
}

// Allocated is the energy an account receives from an arrangement in a
// billing period, stored with the bill's inputs: it is added to the
// account's received energy interval by interval, so the bill credits it
// under the account's program like its own exports.
type Allocated struct {
	Arrangement string `json:"arrangement"` // the NEM application number
	Variant     string `json:"variant"`
	Generator   string `json:"generator_account"`
	Rounding    string `json:"rounding_account"`
	// ShareBP is a VNM account's share in force on the period's first day.
	ShareBP int64 `json:"share_bp,omitempty"`
	// SharePolicy, BasisWh and TotalBasisWh are an aggregation's: the
	// reading of the share rule, this account's consumption basis and all
	// members' (billing.PeriodShares).
	SharePolicy  billing.SharePolicy `json:"share_policy,omitempty"`
	BasisWh      energy.Wh           `json:"basis_wh,omitempty"`
	TotalBasisWh energy.Wh           `json:"total_basis_wh,omitempty"`
	// GeneratorSHA256 is HashUsage of the generator's exports divided.
	GeneratorSHA256 string `json:"generator_sha256"`
	// Wh is the energy allocated in each interval of the period.
	Wh []energy.Wh `json:"wh"`
}

// total is the energy allocated.
func (a *Allocated) total() energy.Wh {
	var s energy.Wh
	for _, v := range a.Wh {
		if v != billing.Missing {
			s += v
		}
	}
	return s
}

// Reader reads the stored readings of channels over [from, to).
type Reader func(channels []int64, from, to time.Time) (map[int64]meterdata.Series, error)

// Allocate divides the generator's exports of period p among the
// accounts the arrangement benefits and returns each one's Allocated by
// account number. Virtual NEM divides each interval by the shares in
// force that day (billing.AllocateVNM). An aggregation divides the
// period's exports in proportion to consumption per the policy's reading
// (billing.AllocateAggregation): for the cumulative reading, the
// members' consumption from the start of the generator's Relevant Period
// (its last PTO anniversary on or before p, as Opening takes it) in
// cycles of readDay. In both, the rounding account takes every
// remainder, so the parts sum to the generator's exports.
func (ar *Arrangement) Allocate(p calendar.Period, readDay int, pol *Policy, read Reader) (map[string]*Allocated, error) {
	const op = "billrun.Allocate"
	gen, err := channelUsage(ar.Generator, p, read, func(pl *Plan) []int64 { return pl.Received })
	if err != nil {
		return nil, err
	}
	if gen == nil {
		return nil, apperr.Invalidf(op, "the generating account %s of %s has no received channel to allocate", ar.Generator.Number, ar.Application)
	}
	base := Allocated{Arrangement: ar.Application, Variant: ar.Variant, Generator: ar.Generator.Number,
		Rounding: ar.RoundingAccount(), GeneratorSHA256: HashUsage(gen)}
	out := map[string]*Allocated{}
	if ar.Variant == VirtualNEM {
		parts, err := billing.AllocateVNM(gen, ar.Allocations, base.Rounding)
		if err != nil {
			return nil, err
		}
		for n, wh := range parts {
			a := base
			a.Wh = wh
			for _, al := range ar.Allocations {
				if (calendar.Span{From: al.From, To: al.To}).Contains(p.Start) {
					a.ShareBP = al.Shares[n]
				}
			}
			out[n] = &a
		}
		return out, nil
	}
	policy := pol.AggregationShares.Value
	span := p
	if policy == billing.Cumulative && !ar.PTO.IsZero() {
		span.Start = relevantStart(ar.PTO, p.Start)
	}
	periods, err := billing.Cycles(span.Start, span.End, readDay)
	if err != nil {
		return nil, err
	}
	accts := append([]*Account{ar.Generator}, ar.Members...)
	members := make([]billing.Member, 0, len(accts))
	for _, a := range accts {
		u, err := channelUsage(a, span, read, func(pl *Plan) []int64 { return pl.Delivered })
		if err != nil {
			return nil, err
		}
		if u == nil || u.Step != gen.Step {
			return nil, apperr.Invalidf(op, "member %s of %s has no delivered channel on the generator's %s intervals", a.Number, ar.Application, gen.Step)
		}
		members = append(members, billing.Member{Account: a.Number, Delivered: u.Delivered})
	}
	// Earlier periods contribute only their consumption: their exports
	// were allocated on their own bills, so the generator's usage over the
	// span carries this period's exports alone.
	whole := &billing.Usage{Start: span.Start.Start(), Step: gen.Step, Delivered: make([]energy.Wh, len(members[0].Delivered))}
	whole.Received = make([]energy.Wh, len(whole.Delivered))
	copy(whole.Received[int(p.Start.Start().Sub(whole.Start)/gen.Step):], gen.Received)
	parts, recs, err := billing.AllocateAggregation(whole, members, periods, policy, base.Rounding)
	if err != nil {
		return nil, err
	}
	last := recs[len(recs)-1]
	var total energy.Wh
	for _, wh := range last.Consumption {
		total += wh
	}
	i0 := int(p.Start.Start().Sub(whole.Start) / gen.Step)
	for n, wh := range parts {
		a := base
		a.SharePolicy, a.BasisWh, a.TotalBasisWh = policy, last.Consumption[n], total
		a.Wh = slices.Clone(wh[i0:])
		out[n] = &a
	}
	return out, nil
}

// channelUsage reads the account's channels that pick chooses over p,
// merged across its meters, as the Delivered of a Usage (Received holds
// the same values, for AllocateVNM's and AllocateAggregation's reading
// of a generator); nil when the account has no such channel.
func channelUsage(a *Account, p calendar.Period, read Reader, pick func(*Plan) []int64) (*billing.Usage, error) {
	pl := &Plan{Period: p}
	if err := pl.channels(a); err != nil {
		return nil, err
	}
	ids := pick(pl)
	if len(ids) == 0 {
		return nil, nil
	}
	series, err := read(ids, p.Start.Start(), p.End.Start())
	if err != nil {
		return nil, err
	}
	u, _, err := Usage(&Plan{Period: p, Delivered: ids}, series)
	if err != nil {
		return nil, fmt.Errorf("billrun: account %s: %w", a.Number, err)
	}
	u.Received = u.Delivered
	return u, nil
}

// relevantStart is the last anniversary of PTO on or before start (PTO
// itself in the first year).
func relevantStart(pto, start calendar.Date) calendar.Date {
	anniv := anniversary(pto, start.Year)
	if anniv.After(start) {
		anniv = anniversary(pto, start.Year-1)
	}
	if anniv.Before(pto) {
		anniv = pto
	}
	return anniv
}

// planArrangement maps the account's part in an arrangement. A member
// without a NEM enrollment of its own is billed under the generator's
// program from its PTO. The generating account's own received channels
// are not credited to it when its exports are shared (a VNM generator
// that is not a benefiting account, or any aggregation): the run divides
// them. An account that benefits takes its share as received energy
// (Plan.Allocation, which the run fills before billing).
func (pl *Plan) planArrangement(a *Account) error {
	ar := a.Arrangement
	if ar == nil {
		return nil
	}
	t := &pl.Terms
	name := "Virtual NEM"
	if ar.Variant == Aggregation {
		name = "NEM Aggregation"
	}
	if t.Program == billing.NoProgram && !ar.PTO.IsZero() && !ar.PTO.After(pl.Period.Start) {
		prog, ok := nemTracks[ar.Track]
		if !ok {
			return notBillable("%s %s has track %q; want nem1, nem2 or nbt", name, ar.Application, ar.Track)
		}
		t.Program, pl.PTO, t.RelevantStart = prog, ar.PTO, ar.PTO
		pl.note("Billed under %s %s of account %s (%s from %s).", name, ar.Application, ar.Generator.Number, strings.ToUpper(ar.Track), ar.PTO)
	}
	if t.Program == billing.NoProgram {
		return nil
	}
	if a.ID == ar.Generator.ID {
		pl.Received = nil
		if ar.Benefits(a.Number) {
			pl.note("This account's exports are shared under %s %s; it is credited its own share.", name, ar.Application)
		} else {
			pl.note("This account's exports are shared among the benefiting accounts of %s %s.", name, ar.Application)
		}
	}
	if ar.Benefits(a.Number) {
		pl.Arrangement = ar
	}
	return nil
}

// arrangements reads the arrangements in force during the run's period
// and indexes them by the ids of their accounts.
func (r *Runner) arrangements(ctx context.Context, p calendar.Period) (*arrangementSet, error) {
	list, err := r.Store.BillRunArrangements(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &arrangementSet{byAccount: map[int64]*Arrangement{}, allocated: map[string]map[string]*Allocated{}, failed: map[string]error{}}
	for i := range list {
		ar := &list[i]
		for _, a := range append([]*Account{ar.Generator}, ar.Members...) {
			if other, dup := out.byAccount[a.ID]; dup {
				return nil, apperr.Conflictf("billrun.Run", "account %s is in two arrangements in force during %s (%s and %s)", a.Number, p, other.Application, ar.Application)
			}
			out.byAccount[a.ID] = ar
		}
	}
	return out, nil
}

// allocation returns an account's share of its arrangement's generator
// output for the account's period, computing the arrangement's division
// the first time one of its accounts is billed in the run.
func (r *Runner) allocation(ctx context.Context, run Run, pol *Policy, arrs *arrangementSet, a *Account, pl *Plan) (*Allocated, error) {
	ar := pl.Arrangement
	if err := arrs.failed[ar.Application]; err != nil {
		return nil, err
	}
	parts, ok := arrs.allocated[ar.Application]
	if !ok {
		read := func(channels []int64, from, to time.Time) (map[int64]meterdata.Series, error) {
			out := map[int64]meterdata.Series{}
			for _, id := range channels { // one at a time: members' channel ids lie far apart
				s, err := r.Store.BillRunIntervals(ctx, []int64{id}, from, to)
				if err != nil {
					return nil, err
				}
				out[id] = s[id]
			}
			return out, nil
		}
		var err error
		if parts, err = ar.Allocate(run.Period, run.ReadDay, pol, read); err != nil {
			err = fmt.Errorf("billrun: the arrangement %s could not be allocated: %w", ar.Application, err)
			arrs.failed[ar.Application] = err
			return nil, err
		}
		arrs.allocated[ar.Application] = parts
	}
	share, ok := parts[a.Number]
	if !ok {
		return nil, apperr.Invalidf("billrun.Run", "the arrangement %s allocates nothing to account %s", ar.Application, a.Number)
	}
	if pl.Period == run.Period {
		return share, nil
	}
	// A member in service for part of the cycle takes the part of its
	// share that falls in its own period.
	cut := *share
	d := run.Period.End.Start().Sub(run.Period.Start.Start()) / time.Duration(len(share.Wh))
	i0 := int(pl.Period.Start.Start().Sub(run.Period.Start.Start()) / d)
	i1 := int(pl.Period.End.Start().Sub(run.Period.Start.Start()) / d)
	cut.Wh = slices.Clone(share.Wh[i0:i1])
	return &cut, nil
}
