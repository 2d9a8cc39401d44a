package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// NavEvents is the portal nav key of "My events".
const NavEvents = "events"

// PortalEventsPage is the Data of portal/events: the signed-in
// customer's demand-response events, upcoming and past.
type PortalEventsPage struct {
	Upcoming []PortalEvent
	Past     []PortalEvent
	Earned   money.Cents // settled over the past events
	Reduced  energy.Wh   // reduced over the past events
	Chart    *Chart
	Pacific  *time.Location
}

// PortalEvent is one event of one of the customer's accounts.
type PortalEvent struct {
	store.AccountEvent
	AccountID   int64
	Masked      string
	ProgramName string
	// CanOverride: the event has not ended and the account has not
	// overridden it yet.
	CanOverride bool
}

// portalEvents lists the customer's events (/my/events) with their
// performance and earnings, and the override button for upcoming ones.
func (h *handler) portalEvents(w http.ResponseWriter, r *http.Request) {
	u := UserFromContext(r.Context())
	cat, err := h.drCatalog()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := &PortalEventsPage{Pacific: calendar.Pacific}
	for _, id := range u.AccountIDs {
		a, err := h.db.Account(r.Context(), id)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		evs, err := h.db.AccountDREvents(r.Context(), id, 0)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		for _, ae := range evs {
			pe := PortalEvent{AccountEvent: ae, AccountID: id, Masked: maskNumber(a.Number)}
			if p, err := cat.Program(ae.Event.Program); err == nil {
				pe.ProgramName = p.Name
			}
			st := ae.Event.Status
			if st == dr.Scheduled || st == dr.Notified || st == dr.Active {
				pe.CanOverride = !ae.Overridden
				page.Upcoming = append(page.Upcoming, pe)
				continue
			}
			page.Past = append(page.Past, pe)
			if s := ae.Settlement; s != nil && s.Status == dr.Settled {
				page.Earned += s.Amount
				page.Reduced += s.ReductionWh
				if page.Chart == nil && len(s.Intervals) > 0 {
					page.Chart = portalEventChart(ae.Event, *s)
				}
			}
		}
	}
	h.rd.Render(w, r, http.StatusOK, "portal/events", &View{Title: "My events", Nav: NavEvents, Data: page})
}

// portalEventChart is the customer's own baseline and actual load over
// their latest settled event, in kWh.
func portalEventChart(e dr.Event, s store.SettlementRecord) *Chart {
	c := &Chart{Title: fmt.Sprintf("Your usage during the %s event", e.Start.In(calendar.Pacific).Format("Jan 2")), Unit: "kWh",
		Series: []Series{{Label: "Expected (baseline)"}, {Label: "Actual"}}}
	for _, iv := range s.Intervals {
		c.Times = append(c.Times, iv.Start)
		c.Series[0].Values = append(c.Series[0].Values, float64(iv.BaselineWh)/1000)
		act := math.NaN()
		if iv.ActualWh >= 0 {
			act = float64(iv.ActualWh) / 1000
		}
		c.Series[1].Values = append(c.Series[1].Values, act)
	}
	return c
}

// portalOverride records that the customer overrides an upcoming event
// for one of their accounts (POST /my/events/{id}/override). Smart Home
// participants may always override without penalty.
func (h *handler) portalOverride(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := UserFromContext(ctx)
	id, err := pathID(r, "id")
	account, aerr := strconv.ParseInt(r.PostFormValue("account_id"), 10, 64)
	if err != nil || aerr != nil || !u.Sees(account) {
		h.notFound(w, r)
		return
	}
	err = h.db.InTx(ctx, func(tx *store.Tx) error {
		e, err := tx.DREvent(ctx, id)
		if err != nil {
			return err
		}
		if e.Status == dr.Completed || e.Status == dr.Cancelled {
			return apperr.Conflictf("web", "This event is %s; it can no longer be overridden.", e.Status)
		}
		return tx.RecordOverride(ctx, u.Actor(), id, account, "portal", strings.TrimSpace(r.PostFormValue("note")))
	})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: "Override recorded. Your devices will not be adjusted for this event, and there is no penalty."})
	Redirect(w, r, "/my/events")
}
