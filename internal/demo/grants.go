package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// powerReadyAward is one demo Power Ready site grant paid in tranches.
// Seed 000 publishes no funding amount ("each award is the amount of its
// site agreement", programs.json), so the amounts and the budget are demo
// assumptions; the milestones are the seed's.
type powerReadyAward struct {
	project  int // index among the demo's Power Ready projects (tracking)
	tranches []incentive.TrancheSpec
	approved int // how many tranches are approved
	paid     int // how many of those are paid
}

// powerReadyAwards are three awards at different stages: the first
// site's design paid and its permits approved awaiting payment; the
// third's design paid; the second's planned, its design not done yet.
var powerReadyAwards = []powerReadyAward{
	{project: 0, approved: 2, paid: 1, tranches: []incentive.TrancheSpec{{Milestone: "design", AmountCents: money.Dollars(150_000)},
		{Milestone: "permits", AmountCents: money.Dollars(100_000)}, {Milestone: "construction", AmountCents: money.Dollars(250_000)},
		{Milestone: "operation", AmountCents: money.Dollars(100_000)}}},
	{project: 2, approved: 1, paid: 1, tranches: []incentive.TrancheSpec{{Milestone: "design", AmountCents: money.Dollars(100_000)},
		{Milestone: "construction", AmountCents: money.Dollars(250_000)}, {Milestone: "operation", AmountCents: money.Dollars(100_000)}}},
	{project: 1, tranches: []incentive.TrancheSpec{{Milestone: "design", AmountCents: money.Dollars(120_000)},
		{Milestone: "construction", AmountCents: money.Dollars(280_000)}, {Milestone: "operation", AmountCents: money.Dollars(100_000)}}},
}

// powerReadyGrants funds Power Ready for the year ($2,000,000, a demo
// assumption) and awards the sites of powerReadyAwards on March 2: each
// application reserved, its tranches planned to follow its project's
// milestones, and each approved tranche approved a week after its
// milestone was done (on the milestone's evidence) and paid two weeks
// after that, every step through the budget ledger.
func (w *writer) powerReadyGrants(ctx context.Context, opt Options, at func(calendar.Date)) error {
	db, actor, year := w.db, auth.System, opt.Year
	awarded := calendar.Date{Year: year, Month: time.March, Day: 2}
	prog, err := db.IncentiveProgram(ctx, "power-ready")
	if err != nil {
		return err
	}
	if awarded.Before(prog.From) {
		return nil // a demo year before the program began
	}
	ps, err := db.Projects(ctx, incentive.TrackPowerReady)
	if err != nil {
		return err
	}
	slices.SortFunc(ps, func(a, b incentive.Project) int { return int(a.ID - b.ID) })
	at(awarded)
	err = db.InTx(ctx, func(tx *store.Tx) error {
		b := incentive.Budget{Slug: fmt.Sprintf("power-ready-%d", year), ProgramID: "power-ready", Name: fmt.Sprintf("Power Ready site agreements %d", year),
			From: calendar.Date{Year: year, Month: 1, Day: 1}, AllocatedCents: money.Dollars(2_000_000),
			Source: "demo assumption (internal/demo/grants.go); seed 000 publishes no Power Ready funding amount"}
		return tx.CreateBudget(ctx, actor, &b)
	})
	if err != nil {
		return err
	}
	type step struct {
		day       calendar.Date
		app       int64
		seq       int
		milestone string
		pay       bool
	}
	var steps []step
	for _, aw := range powerReadyAwards {
		if aw.project >= len(ps) {
			return fmt.Errorf("demo: power ready award for project %d of %d", aw.project, len(ps))
		}
		p := ps[aw.project]
		var total money.Cents
		for _, t := range aw.tranches {
			total += t.AmountCents
		}
		facts, err := json.Marshal(map[string]any{"date": awarded.String(), "member_agency": p.Agency, "requested_cents": total,
			"measure": map[string]any{"type": "resilience_site"}})
		if err != nil {
			return err
		}
		var f incentive.Facts
		if err := json.Unmarshal(facts, &f); err != nil {
			return err
		}
		var app incentive.Application
		err = db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if app, err = tx.CreateApplication(ctx, actor, store.NewApplication{ProgramID: "power-ready", MemberAgency: p.Agency, Facts: f}); err != nil {
				return err
			}
			if app, err = tx.SubmitApplication(ctx, actor, app.ID); err != nil {
				return err
			}
			_, err = tx.PlanDisbursement(ctx, actor, app.ID, p.ID, aw.tranches)
			return err
		})
		if err != nil {
			return fmt.Errorf("demo: power ready award for %s: %w", p.Name, err)
		}
		for i, t := range aw.tranches[:aw.approved] {
			mi := slices.IndexFunc(p.Milestones, func(m incentive.Milestone) bool { return m.Name == t.Milestone })
			if mi < 0 || p.Milestones[mi].Done.IsZero() {
				return fmt.Errorf("demo: %s's %s is not done", p.Name, t.Milestone)
			}
			on := p.Milestones[mi].Done.AddDays(7)
			steps = append(steps, step{day: on, app: app.ID, seq: i + 1, milestone: t.Milestone})
			if i < aw.paid {
				steps = append(steps, step{day: on.AddDays(14), app: app.ID, seq: i + 1, milestone: t.Milestone, pay: true})
			}
		}
	}
	slices.SortStableFunc(steps, func(a, b step) int { return a.day.Compare(b.day) })
	for _, s := range steps {
		at(s.day)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if s.pay {
				_, err := tx.PayTranche(ctx, actor, s.app, s.seq, s.day, fmt.Sprintf("ACH-PR-%d-%d", s.app, s.seq), s.day)
				return err
			}
			name := fmt.Sprintf("%s-completion.pdf", s.milestone)
			if _, err := tx.AttachTrancheDocument(ctx, actor, s.app, s.seq, name, "application/pdf",
				[]byte(fmt.Sprintf("demo evidence: %s of application %d done", s.milestone, s.app)), ""); err != nil {
				return err
			}
			_, err := tx.ApproveTranche(ctx, actor, s.app, s.seq, 0, s.day, s.day)
			return err
		})
		if err != nil {
			return fmt.Errorf("demo: power ready tranche %d of application %d: %w", s.seq, s.app, err)
		}
	}
	return nil
}
