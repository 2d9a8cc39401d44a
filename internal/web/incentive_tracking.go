package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/store"
)

// TrackingPage is the Data of console/incentive_tracking: Power Ready
// projects through their milestones, CALeVIP equity by county, Building
// Electrification projects, and Reach Code / Energy Team engagements.
type TrackingPage struct {
	PowerReady   []incentive.Project
	Milestones   []string
	ExpectedKWh  int64
	Equity       []CountyEquityRow
	BuildingElec []incentive.Project
	Engagements  []EngagementCount
	RecentCases  []incentive.Engagement
	CanWrite     bool
	Today        string
}

// CountyEquityRow is a county's CALeVIP figures as shown.
type CountyEquityRow struct {
	incentive.CountyEquity
	Name string
}

// EngagementCount counts engagements by program and status.
type EngagementCount struct {
	Program, Status string
	N               int
}

// incentiveTracking shows the tracked programs.
func (h *handler) incentiveTracking(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ps, err := h.db.Projects(ctx, "")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := TrackingPage{Milestones: incentive.PowerReadyMilestones, CanWrite: UserFromContext(ctx).CanWrite(), Today: h.today().String()}
	var inv []incentive.Investment
	for _, p := range ps {
		switch p.Program {
		case incentive.TrackPowerReady:
			page.PowerReady = append(page.PowerReady, p)
			page.ExpectedKWh += p.ExpectedKWh
		case incentive.TrackCALeVIP:
			inv = append(inv, p.Investment())
		case incentive.TrackBuildingElec:
			page.BuildingElec = append(page.BuildingElec, p)
		}
	}
	for _, e := range incentive.Equity(inv) {
		name, _ := h.db.Reference().County(e.County)
		page.Equity = append(page.Equity, CountyEquityRow{CountyEquity: e, Name: name})
	}
	es, err := h.db.Engagements(ctx, "")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	counts := map[[2]string]int{}
	for _, e := range es {
		counts[[2]string{e.Program, e.Status}]++
	}
	for k, n := range counts {
		page.Engagements = append(page.Engagements, EngagementCount{k[0], k[1], n})
	}
	slices.SortFunc(page.Engagements, func(a, b EngagementCount) int {
		return strings.Compare(a.Program+" "+a.Status, b.Program+" "+b.Status)
	})
	page.RecentCases = es[:min(len(es), 25)]
	h.rd.Render(w, r, http.StatusOK, "console/incentive_tracking", &View{Title: "Tracked programs", Nav: NavIncentives, Data: page})
}

// incentiveMilestone marks a project's milestone done (POST
// /incentives/tracking/projects/{id}/milestone: milestone, date).
func (h *handler) incentiveMilestone(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("milestone"))
	d, err := calendar.ParseDate(strings.TrimSpace(r.PostFormValue("date")))
	if err != nil {
		var f apperr.Fields
		f.Add("date", "must be a date such as 2026-03-08")
		err = f.Err("web")
	} else {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.CompleteMilestone(ctx, UserFromContext(ctx).Actor(), id, name, d)
			return err
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		SetFlash(w, r, Flash{Kind: FlashError, Msg: "Milestone not recorded: " + problemText(err)})
	} else {
		SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("%s done on %s.", strings.ReplaceAll(name, "_", " "), d)})
	}
	Redirect(w, r, "/incentives/tracking")
}
