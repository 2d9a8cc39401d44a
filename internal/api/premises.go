package api

import (
	"context"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// premiseJSON is a premise as the API shows it, with the attributes
// derived from the reference tables and the table versions that decided
// them.
type premiseJSON struct {
	ID                  int64  `json:"id"`
	Address             string `json:"address"`
	City                string `json:"city"`
	ZIP                 string `json:"zip"`
	CountyFIPS          string `json:"county_fips"`
	MemberAgency        string `json:"member_agency"`
	TractGEOID          string `json:"tract_geoid"`
	ClimateZone         int    `json:"climate_zone"`
	ClimateZoneOverride bool   `json:"climate_zone_override"`
	ClimateZoneReason   string `json:"climate_zone_reason"`
	ClimateZoneTable    string `json:"climate_zone_table"`
	DAC                 bool   `json:"dac"`
	DACCategory         string `json:"dac_category"`
	DACTable            string `json:"dac_table"`
	HFTDTier            int    `json:"hftd_tier"`
	// Home holds the building's attributes (customer.Home): dwelling
	// type, heating fuel, floor area, year built and location.
	Home      customer.Home `json:"home"`
	CreatedAt string        `json:"created_at"`
	UpdatedAt string        `json:"updated_at"`
}

func premiseOut(p customer.Premise) premiseJSON {
	return premiseJSON{ID: p.ID, Address: p.Address, City: p.City, ZIP: p.ZIP, CountyFIPS: p.CountyFIPS,
		MemberAgency: p.MemberAgency, TractGEOID: p.TractGEOID, ClimateZone: p.ClimateZone,
		ClimateZoneOverride: p.ClimateZoneOverride, ClimateZoneReason: p.ClimateZoneReason,
		ClimateZoneTable: p.ClimateZoneTable, DAC: p.DAC, DACCategory: p.DACCategory, DACTable: p.DACTable,
		HFTDTier: p.HFTDTier, Home: p.Home, CreatedAt: instant(p.Created), UpdatedAt: instant(p.Updated)}
}

// premiseRequest is the body of POST /premises and PUT /premises/{id}.
// The climate zone follows from the ZIP code unless climate_zone is given,
// which overrides it and needs a reason; DAC status follows from the
// tract. Home is optional: the building's attributes, each optional.
type premiseRequest struct {
	Address           string         `json:"address"`
	City              string         `json:"city"`
	ZIP               string         `json:"zip"`
	CountyFIPS        string         `json:"county_fips"`
	MemberAgency      string         `json:"member_agency"`
	TractGEOID        string         `json:"tract_geoid"`
	ClimateZone       *int           `json:"climate_zone"`
	ClimateZoneReason string         `json:"climate_zone_reason"`
	HFTDTier          int            `json:"hftd_tier"`
	Home              *customer.Home `json:"home"`
}

func (q premiseRequest) premise(id int64) customer.Premise {
	p := customer.Premise{ID: id, Address: q.Address, City: q.City, ZIP: q.ZIP, CountyFIPS: q.CountyFIPS,
		MemberAgency: q.MemberAgency, TractGEOID: q.TractGEOID, ClimateZoneReason: q.ClimateZoneReason, HFTDTier: q.HFTDTier}
	if q.Home != nil {
		p.Home = *q.Home
	}
	if q.ClimateZone != nil {
		p.ClimateZone, p.ClimateZoneOverride = *q.ClimateZone, true
	}
	return p
}

func (h *handler) listPremises(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "zip", "member_agency", "dac", "hftd_tier", "after", "limit")
	f := store.PremiseFilter{ZIP: ps.str("zip"), MemberAgency: ps.str("member_agency"), DAC: ps.optBool("dac"), HFTDTier: ps.optInt("hftd_tier")}
	f.After, f.Limit = ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit := f.Limit
	f.Limit++
	var rows []customer.Premise
	var err error
	if p.portal() {
		rows, err = h.portalPremises(r.Context(), p, f)
	} else {
		rows, err = h.db.Premises(r.Context(), f)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, func(p customer.Premise) int64 { return p.ID }, premiseOut))
}

// portalPremises lists the premises of a portal user's accounts that
// match f.
func (h *handler) portalPremises(ctx context.Context, p *principal, f store.PremiseFilter) ([]customer.Premise, error) {
	accts, err := h.portalAccounts(ctx, p)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(accts))
	for _, a := range accts {
		ids = append(ids, a.PremiseID)
	}
	return portalRows(ids, f.After, f.Limit, func(id int64) (customer.Premise, error) { return h.db.Premise(ctx, id) },
		func(p customer.Premise) bool {
			return (f.ZIP == "" || p.ZIP == f.ZIP) && (f.MemberAgency == "" || p.MemberAgency == f.MemberAgency) &&
				(f.DAC == nil || p.DAC == *f.DAC) && (f.HFTDTier == nil || p.HFTDTier == *f.HFTDTier)
		})
}

func (h *handler) getPremise(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "premise")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if p.portal() {
		ok, err := h.portalSees(r.Context(), p, id, func(a customer.Account) int64 { return a.PremiseID })
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if !ok {
			h.writeError(w, r, apperr.NotFoundf("api", "premise %d not found", id))
			return
		}
	}
	pr, err := h.db.Premise(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, premiseOut(pr))
}

func (h *handler) createPremise(w http.ResponseWriter, r *http.Request, p *principal) {
	var req premiseRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		pr := req.premise(0)
		if err := tx.CreatePremise(ctx, p.actor, &pr); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, premiseOut(pr), nil
	})
}

func (h *handler) putPremise(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "premise")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req premiseRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		pr := req.premise(id)
		if err := tx.UpdatePremise(ctx, p.actor, &pr); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, premiseOut(pr), nil
	})
}
