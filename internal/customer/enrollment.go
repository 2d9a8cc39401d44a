package customer

import (
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/reference"
)

// Program codes of the rate-assistance programs the registry itself tracks.
// Other capabilities add their own program codes (e.g. "power_response").
const (
	ProgramCARE            = "care"             // California Alternate Rates for Energy
	ProgramFERA            = "fera"             // Family Electric Rate Assistance
	ProgramMedicalBaseline = "medical_baseline" // Medical Baseline Allowance
)

// SourceLegacyTransition is the Source of a net-metering enrollment that
// a NEM 1.0 or 2.0 interconnection moved to when its 20-year legacy period
// ended (nem.TransitionSource); the billing engine credits such an
// account's exports without the Net Billing lock-in or ACC Plus.
const SourceLegacyTransition = "legacy_transition"

// Enrollment is an account's participation in a program over a span of days
// [From, To); a zero To means the enrollment continues.
type Enrollment struct {
	ID        int64         `json:"id"`
	AccountID int64         `json:"account_id"`
	Program   string        `json:"program"` // lower-case code, e.g. "care", "fera", "power_response"
	Track     string        `json:"track"`   // optional program track, e.g. "smart_home"
	From      calendar.Date `json:"start_date"`
	To        calendar.Date `json:"end_date"`
	Source    string        `json:"source"` // who or what enrolled the account: "utility", "staff", "auto", "portal", "legacy_transition"
	Note      string        `json:"note"`
	Created   time.Time     `json:"created_at"`
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

// IncomeTest decides a household's income test for a program on a date.
// *reference.Tables satisfies it.
type IncomeTest interface {
	Eligible(p reference.Program, h reference.Household, on calendar.Date) (reference.Decision, error)
}

// IsAssistanceProgram reports whether program is one of the residential
// rate-assistance programs the registry tracks itself: CARE, FERA and
// medical baseline.
func IsAssistanceProgram(program string) bool {
	return program == ProgramCARE || program == ProgramFERA || program == ProgramMedicalBaseline
}

// CheckEnrollment applies the rules that tie an enrollment to its account,
// for every way in (console, API, imports):
//
//   - it starts within the account's service: on or after service start
//     and, for an account whose service ended, before service end
//     (start_date);
//   - CARE, FERA and medical baseline are residential rate programs (CPUC:
//     they discount residential tariffs), so other classes are refused
//     (program);
//   - a CARE or FERA enrollment whose household does not pass the income
//     test on the start date (or has no household on file) needs a note
//     saying why the account is enrolled anyway (note).
//
// The premise supplies the county for the income test. All problems are
// reported together as one Invalid error naming the fields.
func CheckEnrollment(e Enrollment, a Account, p Premise, test IncomeTest) error {
	var f apperr.Fields
	if e.From.Before(a.ServiceStart) {
		f.Add("start_date", "must be on or after the account's service start, %s", a.ServiceStart)
	} else if !a.ServiceEnd.IsZero() && !e.From.Before(a.ServiceEnd) {
		f.Add("start_date", "must be before the account's service end, %s", a.ServiceEnd)
	}
	if IsAssistanceProgram(e.Program) && a.Class != Residential {
		f.Add("program", "%s is only for residential accounts; account %s is %s", ProgramLabel(e.Program), a.Number, a.Class)
	}
	if (e.Program == ProgramCARE || e.Program == ProgramFERA) && strings.TrimSpace(e.Note) == "" && a.Class == Residential {
		if why := incomeTestProblem(e, a, p, test); why != "" {
			f.Add("note", "%s Add a note saying why the account is enrolled anyway.", why)
		}
	}
	return f.Err("customer.CheckEnrollment")
}

// incomeTestProblem says why the account's household does not pass the
// program's income test on the enrollment's start date, or "" when it does.
func incomeTestProblem(e Enrollment, a Account, p Premise, test IncomeTest) string {
	if a.Household == nil {
		return "No household size and income are on file for this account, so CARE and FERA eligibility cannot be checked."
	}
	hh := reference.Household{Size: a.Household.Size, AnnualIncome: a.Household.AnnualIncome, CountyFIPS: p.CountyFIPS}
	d, err := test.Eligible(reference.Program(e.Program), hh, e.From)
	switch {
	case err != nil:
		return "The income test could not be run: " + apperr.Detail(err) + "."
	case !d.Eligible:
		return "Not eligible: " + d.Reason + "."
	}
	return ""
}

// ProgramLabel is a program code as people write it: "CARE", "FERA",
// "Medical baseline", or the code itself for other programs.
func ProgramLabel(code string) string {
	switch code {
	case ProgramCARE, ProgramFERA:
		return strings.ToUpper(code)
	case ProgramMedicalBaseline:
		return "Medical baseline"
	}
	return code
}
