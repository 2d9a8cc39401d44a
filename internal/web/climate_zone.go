package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// climateZoneOverride sets the building climate zone of the account's
// premise by hand (POST /accounts/{id}/climate-zone), with a required
// reason; the premise keeps it until the override is cleared.
func (h *handler) climateZoneOverride(w http.ResponseWriter, r *http.Request) {
	a, ok := h.accountFromPath(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	zone := ZoneForm{Zone: strings.TrimSpace(r.PostFormValue("climate_zone")), Reason: strings.TrimSpace(r.PostFormValue("climate_zone_reason"))}
	p, err := h.db.Premise(ctx, a.PremiseID)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	n, convErr := strconv.Atoi(zone.Zone)
	if convErr != nil {
		var f apperr.Fields
		f.Add("climate_zone", "must be a number between 1 and 16")
		if zone.Reason == "" {
			f.Add("climate_zone_reason", "is required when the climate zone is overridden")
		}
		err = f.Err("web.climateZoneOverride")
	} else {
		p.ClimateZoneOverride, p.ClimateZone, p.ClimateZoneReason = true, n, zone.Reason
		err = h.db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdatePremise(ctx, UserFromContext(ctx).Actor(), &p) })
	}
	if err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			h.rd.Error(w, r, err)
			return
		}
		v := &View{}
		v.SetError(err)
		h.renderAccountForm(w, r, http.StatusBadRequest, a, v, EnrollForm{}, zone)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Climate zone set to %d for %s.", n, p.Address)})
	Redirect(w, r, fmt.Sprintf("/accounts/%d", a.ID))
}

// climateZoneClear removes a climate zone override (POST
// /accounts/{id}/climate-zone/clear): the zone follows the ZIP table again.
func (h *handler) climateZoneClear(w http.ResponseWriter, r *http.Request) {
	a, ok := h.accountFromPath(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p, err := h.db.Premise(ctx, a.PremiseID)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if !p.ClimateZoneOverride {
		SetFlash(w, r, Flash{Kind: FlashInfo, Msg: "The climate zone was not overridden."})
		Redirect(w, r, fmt.Sprintf("/accounts/%d", a.ID))
		return
	}
	p.ClimateZoneOverride, p.ClimateZoneReason = false, ""
	if err := h.db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdatePremise(ctx, UserFromContext(ctx).Actor(), &p) }); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Override cleared: climate zone %d from the ZIP table.", p.ClimateZone)})
	Redirect(w, r, fmt.Sprintf("/accounts/%d", a.ID))
}
