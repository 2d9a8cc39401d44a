package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/reference"
)

// AccountFacts is what the console shows about one service account and its
// premise; the "account_facts" partial lays it out on the customer and the
// account pages.
type AccountFacts struct {
	Account     customer.Account
	Premise     customer.Premise
	County      string                 // county name of the premise
	ZIPZone     *reference.ClimateZone // the ZIP table's zone, nil if the ZIP is no longer in it
	Enrollments []EnrollmentRow        // oldest first
	Meters      []customer.Meter
	Programs    []string // badge labels of CARE, FERA and medical baseline active today
}

// EnrollmentRow is an enrollment as listed, with whether it is in force.
type EnrollmentRow struct {
	customer.Enrollment
	Label  string // program as shown ("CARE", "Medical baseline", or the code)
	Active bool   // in force today
}

// LSELabel says who buys the account's power: "CCA" or "Bundled".
func (f AccountFacts) LSELabel() string { return lseLabel(f.Account.LSE) }

// ClassLabel is the customer class, capitalized: "Residential".
func (f AccountFacts) ClassLabel() string { return classLabel(string(f.Account.Class)) }

// Solar reports whether any meter of the account has a received channel.
func (f AccountFacts) Solar() bool {
	for _, m := range f.Meters {
		for _, c := range m.Channels {
			if c.Direction == customer.Received {
				return true
			}
		}
	}
	return false
}

// accountFacts loads the premise, enrollments and meters of a and marks
// the enrollments in force on today.
func (h *handler) accountFacts(ctx context.Context, a customer.Account, today calendar.Date) (AccountFacts, error) {
	f := AccountFacts{Account: a}
	var err error
	if f.Premise, err = h.db.Premise(ctx, a.PremiseID); err != nil {
		return f, err
	}
	ref := h.db.Reference()
	f.County, _ = ref.County(f.Premise.CountyFIPS)
	if z, err := ref.ClimateZone(f.Premise.ZIP); err == nil {
		f.ZIPZone = &z
	}
	es, err := h.db.Enrollments(ctx, a.ID)
	if err != nil {
		return f, err
	}
	for _, e := range es {
		row := EnrollmentRow{Enrollment: e, Label: customer.ProgramLabel(e.Program), Active: e.ActiveOn(today)}
		f.Enrollments = append(f.Enrollments, row)
		if row.Active && customer.IsAssistanceProgram(e.Program) {
			f.Programs = append(f.Programs, row.Label)
		}
	}
	if f.Meters, err = h.db.Meters(ctx, a.ID); err != nil {
		return f, err
	}
	return f, nil
}

// lseLabel names the load-serving side of an account.
func lseLabel(l customer.LSE) string {
	switch l {
	case customer.CCA:
		return "CCA"
	case customer.Bundled:
		return "Bundled"
	}
	return string(l)
}

// pathID reads a positive integer path value such as {id}. Anything else
// is NotFound, like an id that does not exist.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("web", "There is no page at this address.")
	}
	return id, nil
}
