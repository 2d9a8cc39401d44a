package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/store"
)

// Enqueuer is a job queue the console can add work to (*job.Queue). The
// "Run bills" action needs it; without one the form is not shown.
type Enqueuer interface {
	Enqueue(ctx context.Context, kind string, args any, opts ...job.EnqueueOption) (int64, error)
}

// BillRunForm is the "Run bills" form: the billing cycle and the meter
// read day.
type BillRunForm struct {
	Cycle   string
	ReadDay string
}

// enqueuer returns the console's queue when it accepts work.
func (h *handler) enqueuer() (Enqueuer, bool) {
	q, ok := h.jobs.(Enqueuer)
	return q, ok && h.jobs != nil
}

// billRunStart starts a bill run from the console (POST /bill-runs, admins
// and program managers): it records the run of the cycle for meter reads
// on the read day — refused with the problem next to its field for a bad
// cycle or read day, or when a run of the cycle is still queued or running
// — and enqueues its durable job for the server's workers, then shows the
// run's page, which follows its progress.
func (h *handler) billRunStart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, ok := h.enqueuer()
	if !ok {
		h.rd.Error(w, r, apperr.Conflictf("web.billRunStart", "this server has no job queue: start the run with gridbook bill run --cycle YYYY-MM"))
		return
	}
	form := BillRunForm{Cycle: strings.TrimSpace(r.PostFormValue("cycle")), ReadDay: strings.TrimSpace(r.PostFormValue("read_day"))}
	readDay, err := strconv.Atoi(form.ReadDay)
	if err != nil {
		var f apperr.Fields
		f.Add("read_day", "must be a day of the month, 1–28")
		err = f.Err("web.billRunStart")
	}
	var run billrun.Run
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			run, err = tx.CreateBillRun(ctx, UserFromContext(ctx).Actor(), form.Cycle, readDay)
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
		h.renderBillRuns(w, r, StatusOf(err), v, form)
		return
	}
	jobID, err := q.Enqueue(ctx, billrun.JobKind, billrun.JobArgs{RunID: run.ID}, job.MaxAttempts(billrun.JobAttempts))
	if err != nil {
		// Without its job the run would block its cycle: end it, so the
		// cycle can be run again.
		if _, ferr := h.db.FinishBillRun(context.WithoutCancel(ctx), run.ID, billrun.RunFailed, "could not enqueue its job: "+err.Error()); ferr != nil {
			h.log.Error("bill run left queued without a job", "run", run.ID, "err", ferr)
		}
		h.rd.Error(w, r, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Bill run %d of cycle %s (%s) is queued as job %d; this page follows its progress.",
		run.ID, run.Cycle, run.Period, jobID)})
	http.Redirect(w, r, "/bill-runs/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
}
