package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// NavSavings is the nav key of the savings pages.
const NavSavings = "savings"

// SavingsRunsPage is the Data of console/savings_runs.
type SavingsRunsPage struct {
	Runs []store.SavingsRun
	// CanStart reports whether the server takes work (the "Run savings"
	// form is shown to writers only then); Form holds its values.
	CanStart bool
	Form     SavingsRunForm
}

// SavingsRunForm is the "Run savings" form: the enrollment program whose
// meters are evaluated, the model, the fuel and the blackout days.
type SavingsRunForm struct {
	Program      string
	Method       string
	Fuel         string
	BlackoutDays string
}

// SavingsRunPage is the Data of console/savings_run.
type SavingsRunPage struct {
	Run     store.SavingsRun
	Results []store.SavingsResult
	// Percent is the sufficient results' savings as a share of their
	// counterfactual, e.g. "8.4%"; empty when nothing was modelled.
	Percent string
}

// savingsRuns lists the portfolio savings runs, newest first.
func (h *handler) savingsRuns(w http.ResponseWriter, r *http.Request) {
	h.renderSavingsRuns(w, r, http.StatusOK, &View{}, SavingsRunForm{Method: string(savings.MethodCalTRACKDaily), Fuel: string(savings.Electricity), BlackoutDays: "0"})
}

// renderSavingsRuns renders the runs with the form's values and v's errors.
func (h *handler) renderSavingsRuns(w http.ResponseWriter, r *http.Request, status int, v *View, form SavingsRunForm) {
	runs, err := h.db.SavingsRuns(r.Context(), 100)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	_, can := h.enqueuer()
	v.Title, v.Nav, v.Data = "Savings runs", NavSavings, SavingsRunsPage{Runs: runs, CanStart: can, Form: form}
	h.rd.Render(w, r, status, "console/savings_runs", v)
}

// savingsRunStart starts a portfolio savings run from the console (POST
// /savings, admins and program managers): the run is recorded — a missing
// program, an unknown model or fuel or blackout days outside 0–366 are
// named next to their fields — and its durable job enqueued for the
// server's workers, then the run's page is shown.
func (h *handler) savingsRunStart(w http.ResponseWriter, r *http.Request) {
	const op = "web.savingsRunStart"
	ctx := r.Context()
	q, ok := h.enqueuer()
	if !ok {
		h.rd.Error(w, r, apperr.Conflictf(op, "this server has no job queue: start the run with gridbook savings portfolio --program CODE"))
		return
	}
	form := SavingsRunForm{Program: strings.TrimSpace(r.PostFormValue("program")), Method: strings.TrimSpace(r.PostFormValue("method")),
		Fuel: strings.TrimSpace(r.PostFormValue("fuel")), BlackoutDays: strings.TrimSpace(r.PostFormValue("blackout_days"))}
	days, err := 0, error(nil)
	if form.BlackoutDays != "" {
		if days, err = strconv.Atoi(form.BlackoutDays); err != nil {
			var f apperr.Fields
			f.Add("blackout_days", "must be a whole number of days, 0–366")
			err = f.Err(op)
		}
	}
	var run store.SavingsRun
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			run, err = tx.CreateSavingsRun(ctx, UserFromContext(ctx).Actor(), form.Program, savings.Method(form.Method), days, savings.Fuel(form.Fuel))
			return err
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		v := &View{}
		v.SetError(err)
		h.renderSavingsRuns(w, r, StatusOf(err), v, form)
		return
	}
	jobID, err := q.Enqueue(ctx, savings.RunJobKind, savings.RunJobArgs{RunID: run.ID}, job.MaxAttempts(savings.RunJobAttempts))
	if err != nil {
		// Without its job the run would stay "running" for ever: end it.
		actor := UserFromContext(ctx).Actor()
		if ferr := h.db.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			_, err := tx.FailSavingsRun(context.WithoutCancel(ctx), actor, run.ID, "could not enqueue its job: "+err.Error())
			return err
		}); ferr != nil {
			h.log.Error("savings run left running without a job", "run", run.ID, "err", ferr)
		}
		h.rd.Error(w, r, err)
		return
	}
	if err := h.db.InTx(ctx, func(tx *store.Tx) error { return tx.SetSavingsRunJob(ctx, run.ID, jobID) }); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Savings run %d of %s is queued as job %d.", run.ID, run.Program, jobID)})
	http.Redirect(w, r, "/savings/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
}

// savingsRun shows one run: its totals and every meter's result.
func (h *handler) savingsRun(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var page SavingsRunPage
	if page.Run, err = h.db.SavingsRun(r.Context(), id); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if page.Results, err = h.db.SavingsResults(r.Context(), id); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if page.Run.PredictedWh != 0 {
		page.Percent = percent(float64(page.Run.SavingsWh) / float64(page.Run.PredictedWh))
	}
	h.rd.Render(w, r, http.StatusOK, "console/savings_run", &View{Title: "Savings run " + strconv.FormatInt(id, 10), Nav: NavSavings, Data: page})
}
