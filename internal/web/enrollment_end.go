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

// enrollmentEnd ends one of the account's enrollments (POST
// /accounts/{id}/enrollments/{eid}/end) on end_date, the first day it no
// longer applies.
func (h *handler) enrollmentEnd(w http.ResponseWriter, r *http.Request) {
	a, ok := h.accountFromPath(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	eid, err := pathID(r, "eid")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	es, err := h.db.Enrollments(ctx, a.ID)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	label := ""
	for _, e := range es {
		if e.ID == eid {
			label = customer.ProgramLabel(e.Program)
		}
	}
	if label == "" { // not this account's enrollment
		h.rd.Error(w, r, apperr.NotFoundf("web", "There is no page at this address."))
		return
	}
	end, err := calendar.ParseDate(strings.TrimSpace(r.PostFormValue("end_date")))
	if err != nil {
		err = apperr.Invalidf("web.enrollmentEnd", "Could not end the %s enrollment: the end date must be a date such as 2026-03-08.", label)
	} else {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			return tx.EndEnrollment(ctx, UserFromContext(ctx).Actor(), eid, end)
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		// The end forms share one field name, so the problem is shown
		// above the page rather than next to one of them.
		v := &View{Message: "Could not end the " + label + " enrollment: " + problemText(err)}
		h.renderAccountForm(w, r, StatusOf(err), a, v, EnrollForm{}, ZoneForm{})
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("%s enrollment ends %s.", label, longDate(end))})
	Redirect(w, r, fmt.Sprintf("/accounts/%d", a.ID))
}

// problemText is an error's user-safe message with its field problems
// spelled out, for a message shown away from the inputs.
func problemText(err error) string {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return apperr.MessageOf(err)
	}
	var parts []string
	for _, f := range fs {
		parts = append(parts, strings.ReplaceAll(f.Field, "_", " ")+" "+f.Msg)
	}
	return strings.Join(parts, "; ")
}
