package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/openadr"
	"github.com/gridbook/gridbook/internal/store"
)

// DRFleetPage is the Data of console/dr_fleet: a storage event's battery
// fleet plan — each battery's kW share and the reserve it keeps — and,
// once the VENs report, delivered against planned energy with the fleet
// summary; or, before a dispatch, the form that dispatches it.
type DRFleetPage struct {
	Event      dr.Event
	Program    dr.Program
	Dispatched bool
	Delivery   openadr.FleetDelivery
	Rows       []DRFleetRow
	CanWrite   bool
	CanSend    bool // the event is still to come or under way
	TargetKW   string
	SOCPct     string
	Pacific    *time.Location // where hours are shown
}

// DRFleetRow is one battery of the plan with the device facts behind its
// share.
type DRFleetRow struct {
	openadr.DeliveryRow
	CapacityWh energy.Wh
	MaxW       energy.W
	ReservePct int  // the site's, or the program's default
	Default    bool // the reserve is the program's default
}

// ChargePct formats the state of charge the battery's share was planned
// with (thousandths of full) as a percentage with one decimal; "" for a
// plan stored before it was kept.
func (r DRFleetRow) ChargePct() string {
	if r.Charge == nil {
		return ""
	}
	return fmt.Sprintf("%d.%d%%", r.Charge.Permille/10, r.Charge.Permille%10)
}

// SharePct formats the fleet's delivered share (thousandths) as a
// percentage with one decimal.
func (p *DRFleetPage) SharePct() string {
	s := p.Delivery.Summary.SharePermille
	return fmt.Sprintf("%d.%d%%", s/10, s%10)
}

// drFleet shows a storage event's fleet plan (GET /dr/events/{id}/fleet).
func (h *handler) drFleet(w http.ResponseWriter, r *http.Request) {
	page, err := h.drFleetPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/dr_fleet", &View{Title: fmt.Sprintf("Fleet dispatch, event %d", page.Event.ID), Nav: NavDR, Data: page})
}

func (h *handler) drFleetPage(r *http.Request) (*DRFleetPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, apperr.NotFoundf("web", "event not found")
	}
	ctx := r.Context()
	e, err := h.db.DREvent(ctx, id)
	if err != nil {
		return nil, err
	}
	cat, err := h.drCatalog()
	if err != nil {
		return nil, err
	}
	p, err := cat.Program(e.Program)
	if err != nil {
		return nil, err
	}
	if p.Kind != dr.Storage {
		return nil, apperr.NotFoundf("web", "%s is not a storage program: event %d has no battery fleet", p.Name, id)
	}
	page := &DRFleetPage{Event: e, Program: p, CanWrite: UserFromContext(ctx).CanWrite(), CanSend: e.Status != dr.Completed && e.Status != dr.Cancelled,
		SOCPct: strconv.Itoa(dr.DefaultSOCPct), Pacific: calendar.Pacific}
	page.Delivery, err = openadr.Delivered(ctx, h.db, id)
	if apperr.Is(err, apperr.NotFound) {
		return page, nil
	} else if err != nil {
		return nil, err
	}
	page.Dispatched = true
	devs, err := h.db.Devices(ctx, store.DeviceFilter{Program: p.Code, Type: "battery", Limit: 100000})
	if err != nil {
		return nil, err
	}
	byID := map[int64]store.DeviceRecord{}
	for _, d := range devs {
		byID[d.ID] = d
	}
	for _, row := range page.Delivery.Rows {
		d := byID[row.DispatchRecord.DeviceID]
		fr := DRFleetRow{DeliveryRow: row, CapacityWh: energy.Wh(d.CapacityWh), MaxW: energy.W(d.MaxW), ReservePct: d.ReservePct}
		if fr.ReservePct == 0 {
			fr.ReservePct, fr.Default = p.ReservePctDefault, true
		}
		page.Rows = append(page.Rows, fr)
	}
	return page, nil
}

// drFleetDispatch dispatches a storage event from the form (POST
// /dr/events/{id}/fleet); a refusal shows the page again with the fields
// named.
func (h *handler) drFleetDispatch(w http.ResponseWriter, r *http.Request) {
	page, err := h.drFleetPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	ctx := r.Context()
	page.TargetKW, page.SOCPct = strings.TrimSpace(r.PostFormValue("target_kw")), strings.TrimSpace(r.PostFormValue("soc_pct"))
	var f apperr.Fields
	kw, perr := energy.ParseKWh(page.TargetKW)
	if perr != nil || kw <= 0 {
		f.Add("target_kw", "must be a positive number of kW, such as 250")
	}
	soc, serr := strconv.Atoi(page.SOCPct)
	if serr != nil || soc < 0 || soc > 100 {
		f.Add("soc_pct", "must be a whole percentage from 0 to 100")
	}
	err = f.Err("web.drFleetDispatch")
	var saved bool
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			_, saved, err = tx.DispatchFleet(ctx, UserFromContext(ctx).Actor(), page.Program, page.Event.ID, energy.W(kw), soc)
			return err
		})
	}
	if err == nil {
		msg := fmt.Sprintf("Event %d dispatched to its batteries.", page.Event.ID)
		if !saved {
			msg = fmt.Sprintf("Event %d was dispatched already with that target.", page.Event.ID)
		}
		SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: msg})
		Redirect(w, r, fmt.Sprintf("/dr/events/%d/fleet", page.Event.ID))
		return
	}
	if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
		h.rd.Error(w, r, err)
		return
	}
	v := &View{Title: fmt.Sprintf("Fleet dispatch, event %d", page.Event.ID), Nav: NavDR, Data: page}
	v.SetError(err)
	h.rd.Render(w, r, StatusOf(err), "console/dr_fleet", v)
}
