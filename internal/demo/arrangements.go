package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// arrangement is a demo Virtual NEM property or NEM Aggregation
// arrangement: the system its generator's NEM application records in
// place of a standard one, and the facts of the other accounts it names
// for the eligibility decision.
type arrangement struct {
	variant     nem.Variant
	allocations []billing.Allocation
	aggregated  []nem.AggregatedAccount
	rounding    string
	others      map[string]nem.AccountFacts
	summary     string
}

// system is drawn turned into the arrangement's system: the drawn
// capacity and production, the arrangement's accounts (no paired
// storage).
func (ar *arrangement) system(drawn nem.System) nem.System {
	s := drawn
	s.Variant, s.Storage, s.Allocations, s.Aggregated, s.Rounding = ar.variant, nil, ar.allocations, ar.aggregated, ar.rounding
	for _, m := range ar.aggregated {
		s.AnnualUseWh += m.AnnualUseWh
	}
	return s
}

// billableHome reports whether a is a CCA home on a residential schedule
// gridbook ships a tariff for, in service before the demo year.
func billableHome(a customer.Account, yearStart calendar.Date) bool {
	return a.Class == customer.Residential && a.LSE == customer.CCA && a.ServiceStart.Before(yearStart) && a.ServiceEnd.IsZero() &&
		(a.RateSchedule == "TOU-D-4-9PM" || a.RateSchedule == "TOU-D-PRIME")
}

// pickArrangements chooses, deterministically, the demo's Virtual NEM
// property and NEM Aggregation arrangement among the accounts written,
// before their NEM applications are imported: the first two NEM 2.0
// solar homes (not the showcase accounts) are the generators — the
// property's common-area meter, which keeps 10% of its output and gives
// 30% to each of three tenant homes (the first tenant takes rounding
// remainders), and a home whose household also has the next plain home's
// meter on the adjacent parcel (that account moves to the generator's
// customer, audited). Demo assumptions: a real VNM generator meters a
// multifamily building's common solar, and an aggregation's accounts are
// one customer's from the start. A demo too small to hold them has none.
// The result maps generator account ids to their arrangement.
func (w *writer) pickArrangements(ctx context.Context, opt Options) (map[int64]*arrangement, error) {
	yearStart := calendar.Date{Year: opt.Year, Month: 1, Day: 1}
	skip := func(a customer.Account) bool {
		for _, s := range w.showcase {
			if s != nil && s.ID == a.ID {
				return true
			}
		}
		return !billableHome(a, yearStart)
	}
	type gen struct {
		a   customer.Account
		pto calendar.Date
	}
	var gens []gen
	var plain []customer.Account
	var after int64
	for len(gens) < 2 || len(plain) < 4 {
		page, err := w.db.Accounts(ctx, store.AccountFilter{Class: customer.Residential, LSE: customer.CCA, After: after, Limit: 500})
		if err != nil || len(page) == 0 {
			if err != nil {
				return nil, err
			}
			return nil, nil // too few accounts
		}
		after = page[len(page)-1].ID
		for _, a := range page {
			if skip(a) || len(gens) == 2 && len(plain) == 4 {
				continue
			}
			es, err := w.db.Enrollments(ctx, a.ID)
			if err != nil {
				return nil, err
			}
			i := slices.IndexFunc(es, func(e customer.Enrollment) bool { return e.Program == ProgramNEM })
			switch {
			case i < 0 && len(plain) < 4:
				plain = append(plain, a)
			case i >= 0 && es[i].Track == nem.NEM2 && es[i].To.IsZero() && len(gens) < 2:
				gens = append(gens, gen{a, es[i].From})
			}
		}
	}
	factsOf := func(a customer.Account) nem.AccountFacts {
		return nem.AccountFacts{Number: a.Number, CustomerID: a.CustomerID, RateSchedule: a.RateSchedule, Active: true}
	}
	v, g := gens[0], gens[1]
	tenants, h := plain[:3], plain[3]
	vnm := &arrangement{variant: nem.Virtual, rounding: tenants[0].Number, others: map[string]nem.AccountFacts{},
		allocations: []billing.Allocation{{From: v.pto, Shares: map[string]int64{v.a.Number: 1000}}}}
	for _, t := range tenants {
		vnm.allocations[0].Shares[t.Number] = 3000
		vnm.others[t.Number] = factsOf(t)
	}
	vnm.summary = fmt.Sprintf("Virtual NEM: common-area meter %s keeps 10%%, tenants %s, %s and %s 30%% each", v.a.Number,
		tenants[0].Number, tenants[1].Number, tenants[2].Number)
	h.CustomerID = g.a.CustomerID
	err := w.db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateAccount(ctx, auth.System, &h) })
	if err != nil {
		return nil, fmt.Errorf("demo: aggregation account %s: %w", h.Number, err)
	}
	agg := &arrangement{variant: nem.Aggregation, rounding: g.a.Number, others: map[string]nem.AccountFacts{h.Number: factsOf(h)},
		aggregated: []nem.AggregatedAccount{{Account: h.Number, Parcel: "demo adjacent parcel", Relation: nem.Adjacent,
			SoleOwnerOrLessee: true, AnnualUseWh: 6_000_000}},
		summary: fmt.Sprintf("NEM Aggregation: %s with the household's second meter %s", g.a.Number, h.Number)}
	return map[int64]*arrangement{v.a.ID: vnm, g.a.ID: agg}, nil
}
