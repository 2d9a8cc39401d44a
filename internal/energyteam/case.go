package energyteam

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/savings"
)

// Status is where a case is.
type Status string

// Case statuses.
const (
	Open            Status = "open"             // asked for, no advisor on it yet
	Advising        Status = "advising"         // an advisor is working with the customer
	WaitingCustomer Status = "waiting_customer" // the next step is the customer's
	Referred        Status = "referred"         // handed to one or more programs
	Closed          Status = "closed"
)

// Statuses lists every status in the order of a conversation.
var Statuses = []Status{Open, Advising, WaitingCustomer, Referred, Closed}

// transitions lists where each status may go. A closed case may be
// reopened (to advising).
var transitions = map[Status][]Status{
	Open:            {Advising, Closed},
	Advising:        {WaitingCustomer, Referred, Closed},
	WaitingCustomer: {Advising, Referred, Closed},
	Referred:        {Advising, WaitingCustomer, Closed},
	Closed:          {Advising},
}

// Next returns the statuses a case may move to from s.
func Next(s Status) []Status { return slices.Clone(transitions[s]) }

// Label is the status in words.
func (s Status) Label() string {
	return map[Status]string{Open: "Open", Advising: "Advising", WaitingCustomer: "Waiting on the customer", Referred: "Referred",
		Closed: "Closed"}[s]
}

// Sources of a case: who opened it.
const (
	FromAdvisor = "advisor"
	FromPortal  = "portal"
)

// Case is one account's Energy Team conversation.
type Case struct {
	ID          int64         `json:"id"`
	AccountID   int64         `json:"account_id"`
	Status      Status        `json:"status"`
	Source      string        `json:"source"`  // advisor or portal
	Subject     string        `json:"subject"` // what the customer asked about
	Advisor     string        `json:"advisor"` // who works on it; "" unassigned
	Recommended []string      `json:"recommended"`
	FollowUp    calendar.Date `json:"follow_up,omitzero"`
	OpenedBy    string        `json:"opened_by"`
	Opened      time.Time     `json:"opened_at"`
	Updated     time.Time     `json:"updated_at"`
	Closed      time.Time     `json:"closed_at,omitzero"`
	Notes       []Note        `json:"notes"`
	Referrals   []Referral    `json:"referrals"`
}

// Note is one entry of a case's conversation. Shared notes are shown to
// the customer in the portal; others are the advisors' own.
type Note struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
	Shared bool      `json:"shared"`
}

// Referral hands a case's option to a program. ApplicationID is the draft
// incentive application the referral created (0 when the program takes
// an enrollment or is not in the catalog); Outcome says what happened.
type Referral struct {
	ID            int64     `json:"id"`
	At            time.Time `json:"at"`
	By            string    `json:"by"`
	Option        string    `json:"option"`
	Program       string    `json:"program"`
	Measure       string    `json:"measure"`
	ApplicationID int64     `json:"application_id,omitempty"`
	Outcome       string    `json:"outcome"`
}

// NewCase is a case to open.
type NewCase struct {
	AccountID int64  `json:"account_id"`
	Subject   string `json:"subject"`
	Source    string `json:"source"`
	Advisor   string `json:"advisor"`
}

// Limits on text, in characters.
const (
	maxSubject = 200
	maxAdvisor = 200
	maxNote    = 4000
)

// Validate checks a new case and normalizes its text.
func (n *NewCase) Validate() error {
	var f apperr.Fields
	n.Subject, n.Advisor = strings.TrimSpace(n.Subject), strings.TrimSpace(n.Advisor)
	if n.AccountID <= 0 {
		f.Add("account_id", "is required")
	}
	switch l := utf8.RuneCountInString(n.Subject); {
	case l == 0:
		f.Add("subject", "is required: what the customer would like help with")
	case l > maxSubject:
		f.Add("subject", "must be at most %d characters", maxSubject)
	}
	if n.Source != FromAdvisor && n.Source != FromPortal {
		f.Add("source", "must be advisor or portal")
	}
	if utf8.RuneCountInString(n.Advisor) > maxAdvisor {
		f.Add("advisor", "must be at most %d characters", maxAdvisor)
	}
	return f.Err("energyteam.NewCase")
}

// Update changes a case's status, advisor, follow-up date or recommended
// options; nil fields stay as they are.
type Update struct {
	Status      *Status        `json:"status"`
	Advisor     *string        `json:"advisor"`
	FollowUp    *calendar.Date `json:"follow_up"` // the zero date clears it
	Recommended *[]string      `json:"recommended"`
}

// Apply checks u against the case on today and applies it: the status
// must be one the case may move to, a follow-up date must not be in the
// past, recommended options must be the estimator's. Problems name the
// field; a status change that is not allowed is a Conflict. It reports
// whether anything changed.
func (c *Case) Apply(u Update, today calendar.Date) (bool, error) {
	const op = "energyteam.Update"
	var f apperr.Fields
	next := *c
	if u.Status != nil && *u.Status != c.Status {
		if !slices.Contains(Statuses, *u.Status) {
			f.Add("status", "must be one of open, advising, waiting_customer, referred, closed")
		} else if !slices.Contains(transitions[c.Status], *u.Status) {
			return false, apperr.E(apperr.Conflict, op, "a case that is "+string(c.Status)+" cannot become "+string(*u.Status), nil)
		}
		next.Status = *u.Status
	}
	if u.Advisor != nil {
		next.Advisor = strings.TrimSpace(*u.Advisor)
		if utf8.RuneCountInString(next.Advisor) > maxAdvisor {
			f.Add("advisor", "must be at most %d characters", maxAdvisor)
		}
	}
	if u.FollowUp != nil {
		if !u.FollowUp.IsZero() && u.FollowUp.Before(today) {
			f.Add("follow_up", "must be today (%s) or later, not %s", today, *u.FollowUp)
		}
		next.FollowUp = *u.FollowUp
	}
	if u.Recommended != nil {
		codes := savings.OptionCodes()
		var rec []string
		for _, r := range *u.Recommended {
			r = strings.TrimSpace(r)
			switch {
			case !slices.Contains(codes, r):
				f.Add("recommended", "%q is not an option (%s)", r, strings.Join(codes, ", "))
			case !slices.Contains(rec, r):
				rec = append(rec, r)
			}
		}
		next.Recommended = rec
		if next.Recommended == nil {
			next.Recommended = []string{}
		}
	}
	if err := f.Err(op); err != nil {
		return false, err
	}
	changed := next.Status != c.Status || next.Advisor != c.Advisor || next.FollowUp != c.FollowUp ||
		!slices.Equal(next.Recommended, c.Recommended)
	*c = next
	return changed, nil
}

// CheckNote checks a note's text.
func CheckNote(text string) (string, error) {
	var f apperr.Fields
	text = strings.TrimSpace(text)
	switch l := utf8.RuneCountInString(text); {
	case l == 0:
		f.Add("text", "is required")
	case l > maxNote:
		f.Add("text", "must be at most %d characters", maxNote)
	}
	return text, f.Err("energyteam.Note")
}

// ReferralRequest asks to refer a case's option to one of its offers'
// programs, with facts about the planned equipment that the quote needs
// (measure attributes, e.g. calculated_incentive_usd).
type ReferralRequest struct {
	Option  string                     `json:"option"`
	Program string                     `json:"program"`
	Facts   map[string]json.RawMessage `json:"facts"`
}

// OfferFor returns the option's offer for a program (an incentive
// program or an enrollment), or an Invalid error naming the field.
func (r ReferralRequest) OfferFor() (Offer, error) {
	const op = "energyteam.Referral"
	var f apperr.Fields
	os, ok := offers[r.Option]
	if !ok {
		f.Add("option", "%q is not an option (%s)", r.Option, strings.Join(savings.OptionCodes(), ", "))
		return Offer{}, f.Err(op)
	}
	var names []string
	for _, o := range os {
		if o.Program != "" && o.Program == r.Program || o.Enrollment != "" && o.Enrollment == r.Program {
			return o, nil
		}
		if o.Program != "" {
			names = append(names, o.Program)
		} else if o.Enrollment != "" {
			names = append(names, o.Enrollment)
		}
	}
	if len(names) == 0 {
		f.Add("program", "no program takes referrals for %s: %s", r.Option, os[0].Why)
	} else {
		f.Add("program", "%q is not a program for %s (%s)", r.Program, r.Option, strings.Join(names, ", "))
	}
	return Offer{}, f.Err(op)
}

// ReferablePrograms lists the programs an option can be referred to.
func ReferablePrograms(option string) []string {
	var out []string
	for _, o := range offers[option] {
		switch {
		case o.Program != "":
			out = append(out, o.Program)
		case o.Enrollment != "":
			out = append(out, o.Enrollment)
		}
	}
	return out
}
