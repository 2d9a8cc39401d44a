package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// enrollmentAdd enrolls an account in a program (POST
// /accounts/{id}/enrollments). The store applies the registry's rules
// (customer.CheckEnrollment and CheckOverlap): the start date within the
// account's service, CARE/FERA/medical baseline for residential accounts
// only, a note when the household does not pass the CARE or FERA income
// test on the start date, no overlapping CARE and FERA periods and no
// double enrollment; the form comes back with the problem next to its
// field.
func (h *handler) enrollmentAdd(w http.ResponseWriter, r *http.Request) {
	a, ok := h.accountFromPath(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	form := EnrollForm{
		Program: strings.TrimSpace(r.PostFormValue("program")),
		Other:   strings.TrimSpace(r.PostFormValue("program_other")),
		Track:   strings.TrimSpace(r.PostFormValue("track")),
		Start:   strings.TrimSpace(r.PostFormValue("start_date")),
		End:     strings.TrimSpace(r.PostFormValue("end_date")),
		Source:  strings.TrimSpace(r.PostFormValue("source")),
		Note:    strings.TrimSpace(r.PostFormValue("note")),
	}
	e := customer.Enrollment{AccountID: a.ID, Program: form.Program, Track: form.Track, Source: form.Source, Note: form.Note}
	var f apperr.Fields
	if form.Program == "other" {
		e.Program = form.Other
		if form.Other == "" {
			f.Add("program_other", "name the program, such as power_response")
		}
	}
	if form.Start == "" {
		f.Add("start_date", "is required")
	} else if d, err := calendar.ParseDate(form.Start); err != nil {
		f.Add("start_date", "must be a date such as 2026-03-08")
	} else {
		e.From = d
	}
	if form.End != "" {
		if d, err := calendar.ParseDate(form.End); err != nil {
			f.Add("end_date", "must be a date such as 2026-03-08")
		} else {
			e.To = d
		}
	}
	if form.Source == "" {
		f.Add("source", "is required")
	}
	if err := e.Validate(); err != nil {
		f = append(f, apperr.FieldsOf(err)...)
	}
	err := f.Err("web.enrollmentAdd")
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			return tx.Enroll(ctx, UserFromContext(ctx).Actor(), &e)
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		v := &View{}
		v.SetError(err)
		h.renderAccountForm(w, r, StatusOf(err), a, v, form, ZoneForm{})
		return
	}
	msg := fmt.Sprintf("Enrolled in %s from %s.", customer.ProgramLabel(e.Program), longDate(e.From))
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: msg})
	Redirect(w, r, fmt.Sprintf("/accounts/%d", a.ID))
}
