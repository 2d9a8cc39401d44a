package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// EstimatePage is the Data of console/estimate and portal/estimate: the
// Energy Team plan for one account and its case.
type EstimatePage struct {
	Account customer.Account
	Plan    *energyteam.Plan
	Case    *energyteam.Case // the account's latest case; nil when none
	GridCO2 string           // the lb/MWh asked for, as typed
	Problem string           // why there is no plan
	Portal  bool
	// Choices are the options to tick for the plan, with Chosen marking
	// the plan's.
	Choices []Option
	Chosen  []string
}

// IsChosen reports whether an option is in the plan.
func (p EstimatePage) IsChosen(code string) bool { return slices.Contains(p.Chosen, code) }

// optionChoices lists the estimator's options as checkbox choices.
func optionChoices() []Option {
	var out []Option
	for _, o := range savings.DefaultOptions() {
		out = append(out, Option{Value: o.Code, Label: o.Name})
	}
	return out
}

// estimateFor makes the plan for account id: grid CO2 from ?grid_co2=,
// the plan's options from ?option= (repeated) when the form was sent
// (?plan=1), else those recommended in the account's case.
func (h *handler) estimateFor(r *http.Request, id int64) (EstimatePage, error) {
	ctx := r.Context()
	page := EstimatePage{Choices: optionChoices()}
	var err error
	if page.Account, err = h.db.Account(ctx, id); err != nil {
		return page, err
	}
	if c, err := h.db.AccountCase(ctx, id); err == nil {
		page.Case = &c
	} else if !apperr.Is(err, apperr.NotFound) {
		return page, err
	}
	q := r.URL.Query()
	page.GridCO2 = q.Get("grid_co2")
	grid := 0.0
	if page.GridCO2 != "" {
		if grid, err = strconv.ParseFloat(page.GridCO2, 64); err != nil || grid < 0 {
			page.Problem = "Enter the supplier's CO2 as pounds per MWh, a number."
			return page, nil
		}
	}
	var chosen []string
	if q.Get("plan") != "" {
		chosen = append([]string{}, q["option"]...)
	}
	page.Plan, err = h.db.EnergyTeamPlan(ctx, id, h.today(), grid, chosen)
	if err != nil {
		if apperr.KindOf(err) == apperr.Internal {
			return page, err
		}
		page.Problem = apperr.MessageOf(err)
		return page, nil
	}
	page.Chosen = page.Plan.Chosen
	return page, nil
}

// accountEstimate shows advisors the plan for an account.
func (h *handler) accountEstimate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.estimateFor(r, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/estimate", &View{Title: "Energy Team plan · " + page.Account.Number, Nav: NavEnergyTeam, Data: page})
}

// portalEstimate shows a customer the plan for one of their accounts and
// their Energy Team case (GET /my/accounts/{id}/plan, also at /estimate).
func (h *handler) portalEstimate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.portalAccountID(w, r)
	if !ok {
		return
	}
	page, err := h.estimateFor(r, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.renderPortalPlan(w, r, http.StatusOK, page, &View{})
}

func (h *handler) renderPortalPlan(w http.ResponseWriter, r *http.Request, status int, page EstimatePage, v *View) {
	page.Portal = true
	if page.Case != nil {
		shared := []energyteam.Note{}
		for _, n := range page.Case.Notes {
			if n.Shared {
				shared = append(shared, n)
			}
		}
		c := *page.Case
		c.Notes = shared
		page.Case = &c
	}
	v.Title, v.Nav, v.Data = "Your plan", NavAccounts, page
	h.rd.Render(w, r, status, "portal/estimate", v)
}

// portalAccountID reads the account of a portal path, answering 404 for
// an account the customer does not hold.
func (h *handler) portalAccountID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	u := UserFromContext(r.Context())
	id, err := pathID(r, "id")
	if err != nil || !u.Sees(id) {
		h.notFound(w, r)
		return 0, false
	}
	return id, true
}

// portalAskAdvisor opens an Energy Team case from the portal (POST
// /my/accounts/{id}/plan/case, subject), or adds the customer's message
// to their open case (shared with the advisors' notes).
func (h *handler) portalAskAdvisor(w http.ResponseWriter, r *http.Request) {
	id, ok := h.portalAccountID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	actor := UserFromContext(ctx).Actor()
	text := strings.TrimSpace(r.PostFormValue("subject"))
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.AccountCase(ctx, id)
		if err == nil && cur.Status != energyteam.Closed {
			_, err = tx.AddCaseNote(ctx, actor, cur.ID, text, true)
			if f := apperr.FieldsOf(err); len(f) > 0 {
				var fe apperr.Fields
				fe.Add("subject", "%s", f[0].Msg)
				return fe.Err("web.portalAskAdvisor")
			}
			return err
		}
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		_, err = tx.OpenCase(ctx, actor, energyteam.NewCase{AccountID: id, Subject: text, Source: energyteam.FromPortal})
		return err
	})
	if err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			h.rd.Error(w, r, err)
			return
		}
		page, perr := h.estimateFor(r, id)
		if perr != nil {
			h.rd.Error(w, r, perr)
			return
		}
		v := &View{}
		v.SetError(err)
		h.renderPortalPlan(w, r, http.StatusBadRequest, page, v)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: "Thank you: an energy advisor will be in touch."})
	Redirect(w, r, fmt.Sprintf("/my/accounts/%d/plan", id))
}
