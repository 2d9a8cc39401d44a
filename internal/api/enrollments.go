package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// enrollmentJSON is an account's participation in a program over
// [start_date, end_date); end_date is null while it continues.
type enrollmentJSON struct {
	ID        int64   `json:"id"`
	AccountID int64   `json:"account_id"`
	Program   string  `json:"program"`
	Track     string  `json:"track"`
	StartDate string  `json:"start_date"`
	EndDate   *string `json:"end_date"`
	Source    string  `json:"source"`
	Note      string  `json:"note"`
	CreatedAt string  `json:"created_at"`
}

func enrollmentOut(e customer.Enrollment) enrollmentJSON {
	return enrollmentJSON{ID: e.ID, AccountID: e.AccountID, Program: e.Program, Track: e.Track, StartDate: e.From.String(),
		EndDate: optDate(e.To), Source: e.Source, Note: e.Note, CreatedAt: instant(e.Created)}
}

// enrollmentRequest is the body of POST /accounts/{id}/enrollments.
type enrollmentRequest struct {
	Program   string `json:"program"`
	Track     string `json:"track"`
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
	Source    string `json:"source"`
	Note      string `json:"note"`
}

// endRequest is the body of POST /accounts/{id}/enrollments/{eid}/end.
type endRequest struct {
	EndDate string `json:"end_date"`
}

func (h *handler) listEnrollments(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.visibleAccount(r, p, "id")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	es, err := h.db.Enrollments(r.Context(), a.ID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[enrollmentJSON]{Data: make([]enrollmentJSON, 0, len(es))}
	for _, e := range es {
		out.Data = append(out.Data, enrollmentOut(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) createEnrollment(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "account")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req enrollmentRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	e := customer.Enrollment{AccountID: id, Program: req.Program, Track: req.Track, Source: req.Source, Note: req.Note,
		From: parseDate(&f, "start_date", req.StartDate), To: parseDate(&f, "end_date", req.EndDate)}
	if req.StartDate == "" {
		f.Add("start_date", "is required")
	}
	if err := f.Err("api.createEnrollment"); err != nil {
		h.writeError(w, r, err)
		return
	}
	if e.Source == "" {
		e.Source = "staff"
		if p.client != nil {
			e.Source = "api"
		}
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if _, err := tx.Account(ctx, id); err != nil {
			return 0, nil, err
		}
		if err := tx.Enroll(ctx, p.actor, &e); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, enrollmentOut(e), nil
	})
}

func (h *handler) endEnrollment(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "account")
	var eid int64
	if err == nil {
		eid, err = pathID(r, "eid", "enrollment")
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req endRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	end := parseDate(&f, "end_date", req.EndDate)
	if req.EndDate == "" {
		f.Add("end_date", "is required")
	}
	if err := f.Err("api.endEnrollment"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		e, err := findEnrollment(ctx, tx, id, eid)
		if err != nil {
			return 0, nil, err
		}
		if !e.To.IsZero() {
			return 0, nil, apperr.Conflictf("api.endEnrollment", "enrollment %d already ended on %s", eid, e.To)
		}
		if err := tx.EndEnrollment(ctx, p.actor, eid, end); err != nil {
			return 0, nil, err
		}
		e.To = end
		return http.StatusOK, enrollmentOut(e), nil
	})
}

// findEnrollment returns enrollment eid of account id, or NotFound.
func findEnrollment(ctx context.Context, tx *store.Tx, id, eid int64) (customer.Enrollment, error) {
	if _, err := tx.Account(ctx, id); err != nil {
		return customer.Enrollment{}, err
	}
	es, err := tx.Enrollments(ctx, id)
	if err != nil {
		return customer.Enrollment{}, err
	}
	i := slices.IndexFunc(es, func(e customer.Enrollment) bool { return e.ID == eid })
	if i < 0 {
		return customer.Enrollment{}, apperr.NotFoundf("api", "enrollment %d of account %d not found", eid, id)
	}
	return es[i], nil
}
