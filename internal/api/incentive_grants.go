package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// incentiveGrantRoutes registers staged disbursement of grant awards: the
// plan, the evidence of each milestone, approvals and payments. Approving
// and paying move money (Idempotency-Key required).
func (h *handler) incentiveGrantRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /incentive/applications/{id}/disbursement", registryWide, h.getDisbursement)
	h.handle(mux, "POST /incentive/applications/{id}/disbursement", write, h.planDisbursement)
	h.handle(mux, "POST /incentive/applications/{id}/tranches/{seq}/documents", write, h.addTrancheDocument)
	h.handle(mux, "POST /incentive/applications/{id}/tranches/{seq}/approve", write, h.approveTranche)
	h.handle(mux, "POST /incentive/applications/{id}/tranches/{seq}/pay", write, h.payTranche)
}

type trancheJSON struct {
	ID           int64       `json:"id"`
	Seq          int         `json:"seq"`
	Milestone    string      `json:"milestone"`
	PlannedCents money.Cents `json:"planned_cents"`
	AmountCents  money.Cents `json:"amount_cents"`
	Status       string      `json:"status"`
	ApprovedOn   *string     `json:"approved_on"`
	PaidOn       *string     `json:"paid_on"`
	Reference    string      `json:"reference"`
	Note         string      `json:"note"`
	Documents    []int64     `json:"document_ids"`
}

type disbursementJSON struct {
	ApplicationID  int64         `json:"application_id"`
	ProjectID      *int64        `json:"project_id"`
	AwardCents     money.Cents   `json:"award_cents"`
	HeldCents      money.Cents   `json:"held_cents"`
	CommittedCents money.Cents   `json:"committed_cents"`
	RemainingCents money.Cents   `json:"remaining_cents"`
	Tranches       []trancheJSON `json:"tranches"`
	PlannedAt      string        `json:"planned_at"`
	Actor          string        `json:"actor"`
}

func disbursementOut(d store.Disbursement) disbursementJSON {
	e := d.Engine()
	out := disbursementJSON{ApplicationID: d.ApplicationID, ProjectID: incOptID(d.ProjectID), AwardCents: d.AwardCents, HeldCents: d.HeldCents,
		CommittedCents: e.Committed(), RemainingCents: e.Remaining(), Tranches: []trancheJSON{}, PlannedAt: instant(d.Planned), Actor: d.Actor}
	for _, t := range d.Tranches {
		out.Tranches = append(out.Tranches, trancheJSON{ID: t.ID, Seq: t.Seq, Milestone: t.Milestone, PlannedCents: t.PlannedCents,
			AmountCents: t.AmountCents, Status: string(t.Status), ApprovedOn: optDate(t.ApprovedOn), PaidOn: optDate(t.PaidOn),
			Reference: t.Reference, Note: t.Note, Documents: append([]int64{}, d.Documents[t.Seq]...)})
	}
	return out
}

func (h *handler) getDisbursement(w http.ResponseWriter, r *http.Request, p *principal) {
	serveOne(h, w, r, "application", h.db.Disbursement, disbursementOut)
}

type planRequest struct {
	ProjectID int64                   `json:"project_id"`
	Tranches  []incentive.TrancheSpec `json:"tranches"`
}

// planDisbursement plans a reserved grant's tranches (201).
func (h *handler) planDisbursement(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "application")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req planRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		d, err := tx.PlanDisbursement(ctx, p.actor, id, req.ProjectID, req.Tranches)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, disbursementOut(d), nil
	})
}

// trancheTarget reads the application and tranche of the path.
func trancheTarget(r *http.Request) (int64, int, error) {
	id, err := pathID(r, "id", "application")
	if err != nil {
		return 0, 0, err
	}
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil || seq <= 0 {
		return 0, 0, apperr.NotFoundf("api", "tranche %q not found", r.PathValue("seq"))
	}
	return id, seq, nil
}

// addTrancheDocument attaches the evidence of a tranche's milestone
// (base64, checksum checked like any document).
func (h *handler) addTrancheDocument(w http.ResponseWriter, r *http.Request, p *principal) {
	id, seq, err := trancheTarget(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	req, body, content, ok := h.decodeDocument(w, r, "api.addTrancheDocument")
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		d, err := tx.AttachTrancheDocument(ctx, p.actor, id, seq, req.Name, req.ContentType, content, req.SHA256)
		if err != nil {
			return 0, nil, renameFields(err, map[string]string{"file": "content_base64"})
		}
		return http.StatusCreated, documentOut(d), nil
	})
}

type trancheStepRequest struct {
	AmountCents money.Cents `json:"amount_cents"`
	On          string      `json:"on"`
	Reference   string      `json:"reference"`
}

// approveTranche approves a milestone and commits its tranche; payTranche
// records its disbursement. Both answer the plan.
func (h *handler) approveTranche(w http.ResponseWriter, r *http.Request, p *principal) {
	h.trancheStep(w, r, p, func(ctx context.Context, tx *store.Tx, id int64, seq int, req trancheStepRequest, on, today calendar.Date) error {
		_, err := tx.ApproveTranche(ctx, p.actor, id, seq, req.AmountCents, on, today)
		return err
	})
}

func (h *handler) payTranche(w http.ResponseWriter, r *http.Request, p *principal) {
	h.trancheStep(w, r, p, func(ctx context.Context, tx *store.Tx, id int64, seq int, req trancheStepRequest, on, today calendar.Date) error {
		if req.AmountCents != 0 {
			var f apperr.Fields
			f.Add("amount_cents", "a payment pays what was approved; leave it out")
			return f.Err("api.payTranche")
		}
		_, err := tx.PayTranche(ctx, p.actor, id, seq, on, req.Reference, today)
		return err
	})
}

func (h *handler) trancheStep(w http.ResponseWriter, r *http.Request, p *principal,
	step func(ctx context.Context, tx *store.Tx, id int64, seq int, req trancheStepRequest, on, today calendar.Date) error) {
	id, seq, err := trancheTarget(r)
	if err == nil {
		err = requireKey(r)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req trancheStepRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	on := parseDate(&f, "on", req.On)
	if err := f.Err("api.tranche"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := step(ctx, tx, id, seq, req, on, calendar.DateOf(h.db.Now())); err != nil {
			return 0, nil, err
		}
		d, err := tx.Disbursement(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, disbursementOut(d), nil
	})
}
