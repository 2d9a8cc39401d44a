package customer

import (
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Program codes of the rate-assistance programs the registry itself tracks.
// Other capabilities add their own program codes (e.g. "power_response").
const (
	ProgramCARE            = "care"             // California Alternate Rates for Energy
	ProgramFERA            = "fera"             // Family Electric Rate Assistance
	ProgramMedicalBaseline = "medical_baseline" // Medical Baseline Allowance
)

// Enrollment is an account's participation in a program over a span of days
// [From, To); a zero To means the enrollment continues.
type Enrollment struct {
	ID        int64
	AccountID int64
	Program   string // lower-case code, e.g. "care", "fera", "power_response"
	Track     string // optional program track, e.g. "smart_home"
	From      calendar.Date
	To        calendar.Date
	Source    string // who or what enrolled the account: "utility", "staff", "auto", "portal"
	Note      string
	Created   time.Time
}

// Validate checks the enrollment's own fields.
func (e *Enrollment) Validate() error {
	var f apperr.Fields
	e.Program = strings.ToLower(strings.TrimSpace(e.Program))
	e.Track = strings.ToLower(strings.TrimSpace(e.Track))
	if e.AccountID <= 0 {
		f.Add("account_id", "is required")
	}
	if !codeRE.MatchString(e.Program) {
		f.Add("program", "must be a lower-case program code such as care")
	}
	if e.Track != "" && !codeRE.MatchString(e.Track) {
		f.Add("track", "must be a lower-case code")
	}
	if e.From.IsZero() {
		f.Add("start_date", "is required")
	}
	if !e.To.IsZero() && !e.To.After(e.From) {
		f.Add("end_date", "must be after start_date")
	}
	return f.Err("customer.Enrollment")
}

// ActiveOn reports whether the enrollment covers d.
func (e *Enrollment) ActiveOn(d calendar.Date) bool {
	return !d.Before(e.From) && (e.To.IsZero() || d.Before(e.To))
}

func (e *Enrollment) overlaps(o *Enrollment) bool {
	// [a, b) and [c, d) overlap when a < d and c < b, with zero ends open.
	aBeforeD := o.To.IsZero() || e.From.Before(o.To)
	cBeforeB := e.To.IsZero() || o.From.Before(e.To)
	return aBeforeD && cBeforeB
}

// CheckOverlap reports whether adding e to an account's existing enrollments
// breaks a rule: an account is never enrolled twice in the same program over
// the same days (Conflict), and CARE and FERA are mutually exclusive — a
// household receives one or the other (CPUC, FERA is for households just
// above the CARE limit) (Invalid, naming start_date). Existing enrollments
// with the same ID as e are ignored so an update can be checked too.
func CheckOverlap(existing []Enrollment, e Enrollment) error {
	for i := range existing {
		o := &existing[i]
		if o.ID == e.ID && e.ID != 0 || o.AccountID != e.AccountID || !e.overlaps(o) {
			continue
		}
		if o.Program == e.Program { // a second track of the same program is still a double enrollment
			return apperr.Conflictf("customer.CheckOverlap",
				"account is already enrolled in %s from %s", e.Program, o.From)
		}
		if isCAREFERA(o.Program) && isCAREFERA(e.Program) && o.Program != e.Program {
			var f apperr.Fields
			f.Add("start_date", "%s period overlaps the %s period that starts %s; CARE and FERA cannot overlap",
				strings.ToUpper(e.Program), strings.ToUpper(o.Program), o.From)
			return f.Err("customer.CheckOverlap")
		}
	}
	return nil
}

func isCAREFERA(p string) bool { return p == ProgramCARE || p == ProgramFERA }
