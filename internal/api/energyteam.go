package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/store"
)

// Energy Team cases: the advisors' queue, a case with its notes and
// referrals, and the changes they make. Customers open a case for their
// own account, read it (shared notes only) and add notes to it, which are
// shared; staff with a writing role (or API clients with registry:write)
// do the rest.

func (h *handler) energyTeamRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /energy-team/cases", registryWide, h.listCases)
	h.handle(mux, "POST /energy-team/cases", read, h.openCase)
	h.handle(mux, "GET /energy-team/cases/{id}", read, h.getCase)
	h.handle(mux, "PUT /energy-team/cases/{id}", write, h.updateCase)
	h.handle(mux, "POST /energy-team/cases/{id}/notes", read, h.addCaseNote)
	h.handle(mux, "POST /energy-team/cases/{id}/referrals", write, h.referCase)
}

// caseRow is a case in the queue.
type caseRow struct {
	energyteam.Case
	AccountNumber string `json:"account_number"`
	CustomerName  string `json:"customer_name"`
}

func (h *handler) listCases(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "status", "advisor", "after", "limit")
	f := store.CaseFilter{Status: energyteam.Status(ps.str("status")), Advisor: ps.str("advisor")}
	f.After, f.Limit = ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit := f.Limit
	f.Limit++
	rows, err := h.db.Cases(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, func(c store.CaseRow) int64 { return c.ID },
		func(c store.CaseRow) caseRow {
			return caseRow{Case: c.Case, AccountNumber: c.AccountNumber, CustomerName: c.CustomerName}
		}))
}

// visibleCase returns case {id} if the caller may see it; customers see
// only their accounts' cases, and only the notes shared with them.
func (h *handler) visibleCase(ctx context.Context, r *http.Request, p *principal) (energyteam.Case, error) {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return energyteam.Case{}, err
	}
	c, err := h.db.Case(ctx, id)
	if err != nil {
		return c, err
	}
	if !p.seesAccount(c.AccountID) {
		return energyteam.Case{}, apperr.NotFoundf("api", "Energy Team case %d not found", id)
	}
	if p.portal() {
		shared := []energyteam.Note{}
		for _, n := range c.Notes {
			if n.Shared {
				shared = append(shared, n)
			}
		}
		c.Notes = shared
	}
	return c, nil
}

func (h *handler) getCase(w http.ResponseWriter, r *http.Request, p *principal) {
	c, err := h.visibleCase(r.Context(), r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// openCaseRequest is the body of POST /energy-team/cases.
type openCaseRequest struct {
	AccountID int64  `json:"account_id"`
	Subject   string `json:"subject"`
	Advisor   string `json:"advisor"`
}

// openCase opens a case (201): from the portal for the customer's own
// account, otherwise by an advisor.
func (h *handler) openCase(w http.ResponseWriter, r *http.Request, p *principal) {
	var req openCaseRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	if err := mayApply(p, req.AccountID); err != nil {
		h.writeError(w, r, err)
		return
	}
	n := energyteam.NewCase{AccountID: req.AccountID, Subject: req.Subject, Source: energyteam.FromAdvisor, Advisor: req.Advisor}
	if p.portal() {
		n.Source, n.Advisor = energyteam.FromPortal, ""
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		c, err := tx.OpenCase(ctx, p.actor, n)
		return http.StatusCreated, c, err
	})
}

// updateCase changes a case's status, advisor, follow-up date or
// recommended options (omitted fields stay; "follow_up": "" clears it).
func (h *handler) updateCase(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "case")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req struct {
		Status      *energyteam.Status `json:"status"`
		Advisor     *string            `json:"advisor"`
		FollowUp    *string            `json:"follow_up"`
		Recommended *[]string          `json:"recommended"`
	}
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	u := energyteam.Update{Status: req.Status, Advisor: req.Advisor, Recommended: req.Recommended}
	if req.FollowUp != nil {
		var f apperr.Fields
		d := parseDate(&f, "follow_up", *req.FollowUp)
		if err := f.Err("api.updateCase"); err != nil {
			h.writeError(w, r, err)
			return
		}
		u.FollowUp = &d
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if _, err := tx.UpdateCase(ctx, p.actor, id, u, calendar.DateOf(h.db.Now())); err != nil {
			return 0, nil, err
		}
		c, err := tx.Case(ctx, id)
		return http.StatusOK, c, err
	})
}

// addCaseNote adds a note (201). A customer's note on their own case is
// shared; staff choose.
func (h *handler) addCaseNote(w http.ResponseWriter, r *http.Request, p *principal) {
	c, err := h.visibleCase(r.Context(), r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req struct {
		Text   string `json:"text"`
		Shared bool   `json:"shared"`
	}
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	if err := mayApply(p, c.AccountID); err != nil {
		h.writeError(w, r, err)
		return
	}
	if p.portal() {
		req.Shared = true
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		n, err := tx.AddCaseNote(ctx, p.actor, c.ID, req.Text, req.Shared)
		return http.StatusCreated, n, err
	})
}

// referCase refers an option to a program (201); a program of the
// incentive catalog gets a pre-filled draft application.
func (h *handler) referCase(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "case")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req energyteam.ReferralRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		ref, err := tx.ReferCase(ctx, p.actor, id, req)
		if err != nil {
			return 0, nil, referralFactErr(err)
		}
		return http.StatusCreated, ref, nil
	})
}

// referralFactErr names a quote's missing measure facts as the request's
// facts.* fields (measure.calculated_incentive_usd →
// facts.calculated_incentive_usd).
func referralFactErr(err error) error {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return err
	}
	var out apperr.Fields
	for _, fe := range fs {
		if rest, ok := strings.CutPrefix(fe.Field, "measure."); ok {
			fe.Field = "facts." + rest
		}
		out = append(out, fe)
	}
	return out.Err("api.referCase")
}
