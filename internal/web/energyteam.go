package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/store"
)

// NavEnergyTeam marks the Energy Team pages in the console's navigation.
const NavEnergyTeam = "energy-team"

// CasesPage is the Data of console/energy_team: the advisors' queue.
type CasesPage struct {
	Status   string // the filter as chosen; "" every case not closed
	Statuses []Option
	Cases    []store.CaseRow // follow-ups due first, then by when opened
	Today    calendar.Date
}

// Overdue reports whether a case's follow-up date has passed.
func (p CasesPage) Overdue(c store.CaseRow) bool {
	return !c.FollowUp.IsZero() && c.FollowUp.Before(p.Today) && c.Status != energyteam.Closed
}

// caseQueueLimit bounds the queue page.
const caseQueueLimit = 500

// energyTeamQueue lists Energy Team cases (GET /energy-team?status=):
// those with a follow-up date first, soonest first, then the rest by when
// they were opened.
func (h *handler) energyTeamQueue(w http.ResponseWriter, r *http.Request) {
	page := CasesPage{Status: r.URL.Query().Get("status"), Today: h.today(), Statuses: []Option{{"", "Not closed"}}}
	for _, s := range energyteam.Statuses {
		page.Statuses = append(page.Statuses, Option{string(s), s.Label()})
	}
	rows, err := h.db.Cases(r.Context(), store.CaseFilter{Status: energyteam.Status(page.Status), Limit: caseQueueLimit})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	slices.SortStableFunc(rows, func(a, b store.CaseRow) int {
		switch {
		case a.FollowUp.IsZero() != b.FollowUp.IsZero():
			if a.FollowUp.IsZero() {
				return 1
			}
			return -1
		case !a.FollowUp.IsZero():
			if c := a.FollowUp.Compare(b.FollowUp); c != 0 {
				return c
			}
		}
		return a.Opened.Compare(b.Opened)
	})
	page.Cases = rows
	h.rd.Render(w, r, http.StatusOK, "console/energy_team", &View{Title: "Energy Team", Nav: NavEnergyTeam, Data: page})
}

// CasePage is the Data of console/energy_team_case.
type CasePage struct {
	Case     energyteam.Case
	Account  customer.Account
	Customer customer.Customer
	Premise  customer.Premise
	Next     []Option // statuses the case may move to (the current first)
	Estimate EstimatePage
	// Form holds the update form as typed (FollowUp, Advisor,
	// Recommended) after a refusal, else the case's values.
	FollowUp, Advisor string
	Recommended       []string
	Referrals         []ReferralChoice
	Applications      map[int64]string // draft application id → its status
}

// ReferralChoice is one program an option of the plan can be referred to.
type ReferralChoice struct {
	Option, OptionName, Program, Label string
}

// IsRecommended reports whether the form recommends an option.
func (p CasePage) IsRecommended(code string) bool { return slices.Contains(p.Recommended, code) }

// energyTeamCase shows one case: the customer and account, the status
// form, the plan of the recommended options, notes and referrals.
func (h *handler) energyTeamCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.casePage(r, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.renderCase(w, r, http.StatusOK, page, &View{})
}

func (h *handler) renderCase(w http.ResponseWriter, r *http.Request, status int, page CasePage, v *View) {
	v.Title, v.Nav, v.Data = fmt.Sprintf("Energy Team case %d", page.Case.ID), NavEnergyTeam, page
	h.rd.Render(w, r, status, "console/energy_team_case", v)
}

// casePage gathers a case page's data.
func (h *handler) casePage(r *http.Request, id int64) (CasePage, error) {
	ctx := r.Context()
	c, err := h.db.Case(ctx, id)
	if err != nil {
		return CasePage{}, err
	}
	page := CasePage{Case: c, Advisor: c.Advisor, Recommended: c.Recommended, Applications: map[int64]string{}}
	if !c.FollowUp.IsZero() {
		page.FollowUp = c.FollowUp.String()
	}
	if page.Account, err = h.db.Account(ctx, c.AccountID); err != nil {
		return page, err
	}
	if page.Customer, err = h.db.Customer(ctx, page.Account.CustomerID); err != nil {
		return page, err
	}
	if page.Premise, err = h.db.Premise(ctx, page.Account.PremiseID); err != nil {
		return page, err
	}
	page.Next = []Option{{string(c.Status), c.Status.Label() + " (now)"}}
	for _, s := range energyteam.Next(c.Status) {
		page.Next = append(page.Next, Option{string(s), s.Label()})
	}
	if page.Estimate, err = h.estimateFor(r, c.AccountID); err != nil {
		return page, err
	}
	for _, o := range optionChoices() {
		for _, p := range energyteam.ReferablePrograms(o.Value) {
			label := p
			if prog, err := h.db.IncentiveProgram(ctx, p); err == nil {
				label = prog.Name
			} else if p == energyteam.EVSmartCharge {
				label = "EV SmartCharge (enrollment)"
			}
			page.Referrals = append(page.Referrals, ReferralChoice{Option: o.Value, OptionName: o.Label, Program: p, Label: label})
		}
	}
	for _, ref := range c.Referrals {
		if ref.ApplicationID != 0 {
			if a, err := h.db.Application(ctx, ref.ApplicationID); err == nil {
				page.Applications[ref.ApplicationID] = string(a.Status)
			}
		}
	}
	return page, nil
}

// caseAction runs a case change and redirects to the case, or renders
// the case page with the problems next to their inputs.
func (h *handler) caseAction(w http.ResponseWriter, r *http.Request, msg string, fn func(tx *store.Tx, id int64) error, form func(*CasePage)) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	err = h.db.InTx(ctx, func(tx *store.Tx) error { return fn(tx, id) })
	if err != nil {
		kind := apperr.KindOf(err)
		if kind != apperr.Invalid && kind != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		page, perr := h.casePage(r, id)
		if perr != nil {
			h.rd.Error(w, r, perr)
			return
		}
		if form != nil {
			form(&page)
		}
		v := &View{}
		v.SetError(err)
		if kind == apperr.Conflict {
			v.Message = apperr.MessageOf(err)
		}
		h.renderCase(w, r, StatusOf(err), page, v)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: msg})
	Redirect(w, r, fmt.Sprintf("/energy-team/cases/%d", id))
}

// energyTeamOpen opens a case for an account (POST /energy-team/cases:
// account_id, subject) and shows it.
func (h *handler) energyTeamOpen(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acct, _ := strconv.ParseInt(r.PostFormValue("account_id"), 10, 64)
	subject := strings.TrimSpace(r.PostFormValue("subject"))
	if subject == "" {
		subject = "Electrification plan"
	}
	var c energyteam.Case
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		u := UserFromContext(ctx)
		var err error
		c, err = tx.OpenCase(ctx, u.Actor(), energyteam.NewCase{AccountID: acct, Subject: subject, Source: energyteam.FromAdvisor, Advisor: u.Name})
		return err
	})
	if apperr.KindOf(err) == apperr.Conflict {
		if cur, cerr := h.db.AccountCase(ctx, acct); cerr == nil {
			SetFlash(w, r, Flash{Kind: FlashInfo, Msg: "The account already has an Energy Team case."})
			Redirect(w, r, fmt.Sprintf("/energy-team/cases/%d", cur.ID))
			return
		}
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Opened Energy Team case %d.", c.ID)})
	Redirect(w, r, fmt.Sprintf("/energy-team/cases/%d", c.ID))
}

// energyTeamUpdate changes a case's status, advisor, follow-up date and
// recommended options (POST /energy-team/cases/{id}).
func (h *handler) energyTeamUpdate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.rd.Error(w, r, apperr.Invalidf("web", "the form could not be read"))
		return
	}
	status := energyteam.Status(r.PostFormValue("status"))
	advisor := r.PostFormValue("advisor")
	follow := strings.TrimSpace(r.PostFormValue("follow_up"))
	rec := append([]string{}, r.PostForm["recommended"]...)
	u := energyteam.Update{Status: &status, Advisor: &advisor, Recommended: &rec}
	var fe apperr.Fields
	var d calendar.Date
	if follow != "" {
		var err error
		if d, err = calendar.ParseDate(follow); err != nil {
			fe.Add("follow_up", "must be a date such as 2026-03-08")
		}
	}
	u.FollowUp = &d
	h.caseAction(w, r, "Case updated.", func(tx *store.Tx, id int64) error {
		if err := fe.Err("web.energyTeamUpdate"); err != nil {
			return err
		}
		_, err := tx.UpdateCase(r.Context(), UserFromContext(r.Context()).Actor(), id, u, h.today())
		return err
	}, func(p *CasePage) { p.FollowUp, p.Advisor, p.Recommended = follow, advisor, rec })
}

// energyTeamNote adds a note (POST /energy-team/cases/{id}/notes: text,
// shared).
func (h *handler) energyTeamNote(w http.ResponseWriter, r *http.Request) {
	text, shared := r.PostFormValue("text"), r.PostFormValue("shared") == "on"
	h.caseAction(w, r, "Note added.", func(tx *store.Tx, id int64) error {
		_, err := tx.AddCaseNote(r.Context(), UserFromContext(r.Context()).Actor(), id, text, shared)
		return err
	}, nil)
}

// energyTeamRefer refers an option to a program (POST
// /energy-team/cases/{id}/referrals: choice "option|program", facts as
// KEY=VALUE lines); an incentive program gets a pre-filled draft.
func (h *handler) energyTeamRefer(w http.ResponseWriter, r *http.Request) {
	option, program, _ := strings.Cut(r.PostFormValue("choice"), "|")
	req := energyteam.ReferralRequest{Option: option, Program: program, Facts: map[string]json.RawMessage{}}
	var fe apperr.Fields
	for _, line := range strings.Split(r.PostFormValue("facts"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			fe.Add("facts", "write one fact a line as KEY=VALUE, not %q", line)
			continue
		}
		if json.Valid([]byte(v)) && !strings.HasPrefix(v, "{") && !strings.HasPrefix(v, "[") {
			req.Facts[k] = json.RawMessage(v)
		} else {
			b, _ := json.Marshal(v)
			req.Facts[k] = b
		}
	}
	h.caseAction(w, r, "Referral recorded.", func(tx *store.Tx, id int64) error {
		if err := fe.Err("web.energyTeamRefer"); err != nil {
			return err
		}
		_, err := tx.ReferCase(r.Context(), UserFromContext(r.Context()).Actor(), id, req)
		if fs := apperr.FieldsOf(err); len(fs) > 0 {
			// The quote's missing measure facts belong to the facts box.
			var out apperr.Fields
			for _, f := range fs {
				switch {
				case strings.HasPrefix(f.Field, "measure."):
					f.Field, f.Msg = "facts", strings.TrimPrefix(f.Field, "measure.")+" "+f.Msg
				case f.Field == "option" || f.Field == "program":
					f.Field = "choice"
				}
				out = append(out, f)
			}
			return out.Err("web.energyTeamRefer")
		}
		return err
	}, nil)
}
