package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// NavIncentives is the nav key of the incentive-program console pages.
const NavIncentives = "incentives"

// statusLabel writes a workflow status as people read it: "on_hold" →
// "on hold".
func statusLabel(s incentive.Status) string { return strings.ReplaceAll(string(s), "_", " ") }

// ProgramRow is one program of the console catalog.
type ProgramRow struct {
	incentive.Program
	Allocated, Available money.Cents
	HasBudget            bool
	Open                 bool
	Queue                int // applications waiting for staff
}

// IncentivesPage is the Data of console/incentives.
type IncentivesPage struct {
	Programs []ProgramRow
	Cards    []Card
}

// needsStaff are the statuses a person must act on.
var needsStaff = []incentive.Status{incentive.OnHold, incentive.PendingDocuments, incentive.UnderReview, incentive.PreInspection,
	incentive.ClaimSubmitted, incentive.QAInspection}

// incentives lists the program catalog with budget and queue figures.
func (h *handler) incentives(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ps, err := h.db.IncentivePrograms(ctx)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	bs, err := h.db.Budgets(ctx, "")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	queue, flagged, err := h.queueCounts(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := IncentivesPage{}
	var allocated, paid, reserved money.Cents
	for _, p := range ps {
		row := ProgramRow{Program: p, Queue: queue[p.ID]}
		for _, b := range bs {
			if b.ProgramID != p.ID || !b.Covers(h.today()) {
				continue
			}
			row.HasBudget = true
			row.Allocated += b.AllocatedCents
			row.Available += b.Available()
			row.Open = row.Open || b.Open()
		}
		page.Programs = append(page.Programs, row)
	}
	total := 0
	for _, b := range bs {
		allocated += b.AllocatedCents
		paid += b.PaidCents
		reserved += b.ReservedCents
	}
	for _, n := range queue {
		total += n
	}
	page.Cards = []Card{
		{Label: "Programs", Value: count(len(ps))},
		{Label: "Allocated", Value: allocated.String(), Note: "all budgets"},
		{Label: "Paid", Value: paid.String()},
		{Label: "Reserved", Value: reserved.String()},
		{Label: "Waiting for staff", Value: count(total), Href: "/incentives/applications"},
		{Label: "Fraud flags", Value: count(flagged), Href: "/incentives/applications?status=on_hold"},
	}
	h.rd.Render(w, r, http.StatusOK, "console/incentives", &View{Title: "Incentive programs", Nav: NavIncentives, Data: page})
}

// queueCounts counts applications needing staff by program, and those on
// hold for fraud review.
func (h *handler) queueCounts(r *http.Request) (map[string]int, int, error) {
	out := map[string]int{}
	held := 0
	for _, s := range needsStaff {
		after := int64(0)
		for {
			apps, err := h.db.Applications(r.Context(), store.ApplicationFilter{Status: s, After: after, Limit: 200})
			if err != nil {
				return nil, 0, err
			}
			for _, a := range apps {
				out[a.ProgramID]++
				if s == incentive.OnHold {
					held++
				}
			}
			if len(apps) < 200 {
				break
			}
			after = apps[len(apps)-1].ID
		}
	}
	return out, held, nil
}

// ProgramPage is the Data of console/incentive_program.
type ProgramPage struct {
	Program  incentive.Program
	Report   store.ProgramReport
	Cards    []Card
	BurnDown *Chart
	Statuses []StatusCount
	// CanSetPolicy lets an administrator choose the readings of the
	// program's policies.
	CanSetPolicy bool
}

// StatusCount is how many applications are in a status.
type StatusCount struct {
	Status, Label string
	N             int
}

// incentiveProgram shows a program's rules, budgets, burn-down and
// figures (GET /incentives/programs/{pid}).
func (h *handler) incentiveProgram(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := h.db.IncentiveProgram(ctx, r.PathValue("pid"))
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	rep, err := h.db.IncentiveReport(ctx, p.ID)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := ProgramPage{Program: p, Report: rep, CanSetPolicy: UserFromContext(ctx).Access == auth.Admin}
	page.Cards = []Card{
		{Label: "Paid", Value: rep.PaidCents.String(), Note: fmt.Sprintf("to %s participants", count(rep.Participants))},
		{Label: "Reserved", Value: rep.ReservedCents.String(), Note: fmt.Sprintf("%s applications and coupons", count(rep.ReservedFor+rep.CouponsOpen))},
		{Label: "Approved, unpaid", Value: rep.CommittedCents.String()},
		{Label: "Waitlisted", Value: count(rep.Waitlisted)},
		{Label: "CARE/FERA participants", Value: count(rep.IncomeQualifiedPaid)},
		{Label: "DAC participants", Value: count(rep.DACPaid)},
	}
	if rep.CouponsIssued > 0 {
		page.Cards = append(page.Cards, Card{Label: "Coupons redeemed", Value: count(rep.CouponsRedeemed),
			Note: fmt.Sprintf("of %s issued; %s reserved", count(rep.CouponsIssued), count(rep.CouponsOpen))})
	}
	for _, s := range incentive.Statuses {
		if n := rep.ByStatus[s]; n > 0 {
			page.Statuses = append(page.Statuses, StatusCount{string(s), statusLabel(s), n})
		}
	}
	if len(rep.BurnDown) > 0 {
		c := &Chart{Title: "Budget burn-down: " + p.Name, Kind: ChartLine, Unit: "$", XLabel: "Month"}
		series := []Series{{Label: "Available"}, {Label: "Reserved"}, {Label: "Approved"}, {Label: "Paid"}}
		for _, b := range rep.BurnDown {
			c.Labels = append(c.Labels, b.Month)
			for i, v := range []money.Cents{b.AvailableCents, b.ReservedCents, b.CommittedCents, b.PaidCents} {
				series[i].Values = append(series[i].Values, float64(v)/100)
			}
		}
		c.Series = series
		page.BurnDown = c
	}
	h.rd.Render(w, r, http.StatusOK, "console/incentive_program", &View{Title: p.Name, Nav: NavIncentives, Data: page})
}

// ApplicationRow is an application as queues list it.
type ApplicationRow struct {
	incentive.Application
	StatusLabel string
	Flagged     bool
}

// ApplicationsPage is the Data of console/incentive_applications.
type ApplicationsPage struct {
	Status, Program string
	Statuses        []Option
	Programs        []Option
	Rows            []ApplicationRow
	NextURL         string
	First           bool
	Expiry          TaskRunView // the daily expiry of lapsed reservations and coupons
}

const applicationsPageSize = 50

// incentiveApplications is the application queue: by default what staff
// must act on, filtered by ?status= and ?program=.
func (h *handler) incentiveApplications(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	page := ApplicationsPage{Status: q.Get("status"), Program: q.Get("program")}
	if page.Status != "" && page.Status != "queue" && !incentive.Status(page.Status).Valid() {
		h.rd.Error(w, r, apperr.Invalidf("web", "Unknown status %q.", page.Status))
		return
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	page.First = after <= 0
	page.Statuses = []Option{{Value: "", Label: "Waiting for staff"}, {Value: "queue", Label: "Every status"}}
	for _, s := range incentive.Statuses {
		page.Statuses = append(page.Statuses, Option{Value: string(s), Label: statusLabel(s)})
	}
	ps, err := h.db.IncentivePrograms(ctx)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Programs = []Option{{Value: "", Label: "All programs"}}
	for _, p := range ps {
		page.Programs = append(page.Programs, Option{Value: p.ID, Label: p.Name})
	}
	if page.Expiry, err = h.taskRun(ctx, store.TaskIncentiveExpire, "Expiry of lapsed reservations and coupons", "gridbook incentive expire"); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	status := incentive.Status(page.Status)
	if page.Status == "queue" {
		status = ""
	}
	for len(page.Rows) < applicationsPageSize {
		apps, err := h.db.Applications(ctx, store.ApplicationFilter{ProgramID: page.Program, Status: status, After: max(after, 0), Limit: 200})
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		for _, a := range apps {
			if page.Status == "" && !slices.Contains(needsStaff, a.Status) {
				continue
			}
			page.Rows = append(page.Rows, ApplicationRow{Application: a, StatusLabel: statusLabel(a.Status), Flagged: len(a.Flags) > 0})
			if len(page.Rows) == applicationsPageSize {
				break
			}
		}
		if len(apps) < 200 || len(page.Rows) == applicationsPageSize {
			if len(page.Rows) == applicationsPageSize {
				v := url.Values{}
				v.Set("status", page.Status)
				v.Set("program", page.Program)
				v.Set("after", strconv.FormatInt(page.Rows[len(page.Rows)-1].ID, 10))
				page.NextURL = "/incentives/applications?" + v.Encode()
			}
			break
		}
		after = apps[len(apps)-1].ID
	}
	h.rd.Render(w, r, http.StatusOK, "console/incentive_applications", &View{Title: "Applications", Nav: NavIncentives, Data: page})
}

// ApplicationPage is the Data of console/incentive_application and
// portal/application.
type ApplicationPage struct {
	App         incentive.Application
	StatusLabel string
	Program     incentive.Program
	Events      []store.Event
	Documents   []store.DocumentInfo
	Actions     []Action
	Account     string     // the service account number
	Grant       *GrantPlan // a grant's staged disbursement (console only)
}

// Action is a workflow step offered as a button.
type Action struct {
	Status, Label string
	Amount        bool // asks for an amount (approve, clawback)
	Danger        bool
}

// actionLabels names the staff actions by target status.
var actionLabels = map[incentive.Status]string{
	incentive.PendingDocuments: "Ask for documents", incentive.UnderReview: "Back to review", incentive.PreInspection: "Send to pre-inspection",
	incentive.Reserved: "Reserve funds", incentive.ClaimSubmitted: "Claim received", incentive.QAInspection: "Send to QA inspection",
	incentive.Approved: "Approve", incentive.PaymentPending: "Mark payment pending", incentive.Paid: "Mark paid",
	incentive.Rejected: "Reject", incentive.Withdrawn: "Withdraw", incentive.Expired: "Expire", incentive.OnHold: "Hold for review",
	incentive.ClawbackOpen: "Open clawback", incentive.ClawbackClosed: "Close clawback",
}

func (h *handler) applicationPage(r *http.Request, id int64, staff bool) (ApplicationPage, error) {
	ctx := r.Context()
	a, err := h.db.Application(ctx, id)
	if err != nil {
		return ApplicationPage{}, err
	}
	page := ApplicationPage{App: a, StatusLabel: statusLabel(a.Status)}
	if page.Program, err = h.db.IncentiveProgram(ctx, a.ProgramID); err != nil {
		return page, err
	}
	if page.Events, err = h.db.ApplicationEvents(ctx, id); err != nil {
		return page, err
	}
	if page.Documents, err = h.db.Documents(ctx, id); err != nil {
		return page, err
	}
	if a.AccountID > 0 {
		acct, err := h.db.Account(ctx, a.AccountID)
		if err != nil {
			return page, err
		}
		page.Account = acct.Number
	}
	if staff {
		for _, s := range incentive.Next(a.Status) {
			if s == incentive.Submitted || s == incentive.PaymentPending || s == incentive.Paid {
				continue // submission is the applicant's; payment goes through batches
			}
			page.Actions = append(page.Actions, Action{Status: string(s), Label: actionLabels[s],
				Amount: s == incentive.Approved || s == incentive.ClawbackClosed, Danger: s == incentive.Rejected || s == incentive.OnHold})
		}
	}
	return page, nil
}

// incentiveApplication shows an application with its rule trace, flags,
// history, documents and (for writers) the workflow actions.
func (h *handler) incentiveApplication(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	writer := UserFromContext(r.Context()).CanWrite()
	page, err := h.applicationPage(r, id, writer)
	if err == nil {
		page.Grant, err = h.grantPlan(r.Context(), page.App, page.Documents, writer, nil)
		planActions(&page)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/incentive_application", &View{Title: fmt.Sprintf("Application %d", id), Nav: NavIncentives, Data: page})
}

// incentiveTransition applies a staff action (POST
// /incentives/applications/{id}/transition: status, optional amount in
// dollars, note); refusals come back on the page, nothing stored.
func (h *handler) incentiveTransition(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	to := incentive.Status(strings.TrimSpace(r.PostFormValue("status")))
	var amount money.Cents
	if s := strings.TrimSpace(r.PostFormValue("amount")); s != "" {
		if amount, err = money.ParseDollars(s); err != nil {
			var f apperr.Fields
			f.Add("amount", "must be a dollar amount such as 750.00")
			err = f.Err("web")
		}
	}
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.TransitionApplication(ctx, UserFromContext(ctx).Actor(), id, store.Transition{To: to, AmountCents: amount,
				Note: strings.TrimSpace(r.PostFormValue("note"))})
			return err
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		page, perr := h.applicationPage(r, id, true)
		if perr == nil {
			page.Grant, perr = h.grantPlan(ctx, page.App, page.Documents, true, nil)
		}
		if perr != nil {
			h.rd.Error(w, r, perr)
			return
		}
		h.rd.Render(w, r, StatusOf(err), "console/incentive_application", &View{Title: fmt.Sprintf("Application %d", id), Nav: NavIncentives,
			Data: page, Message: "Could not " + strings.ToLower(actionLabels[to]) + ": " + problemText(err)})
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Application %d is now %s.", id, statusLabel(to))})
	Redirect(w, r, fmt.Sprintf("/incentives/applications/%d", id))
}

// PaymentsPage is the Data of console/incentive_payments.
type PaymentsPage struct {
	Batches []store.PaymentBatch
	Methods []Option
}

// incentivePayments lists payment batches with the form that creates one.
func (h *handler) incentivePayments(w http.ResponseWriter, r *http.Request) {
	bs, err := h.db.PaymentBatches(r.Context())
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/incentive_payments", &View{Title: "Payments", Nav: NavIncentives,
		Data: PaymentsPage{Batches: bs, Methods: batchMethodOptions()}})
}

func batchMethodOptions() []Option {
	return []Option{{Value: incentive.BatchACH, Label: "Checks and ACH (customers, agencies)"},
		{Value: incentive.BatchBillCredit, Label: "Bill credits (file for billing)"}, {Value: incentive.BatchRetailer, Label: "Retailer coupon reimbursements"}}
}

// incentiveBatchCreate gathers approved, unpaid items into a batch.
func (h *handler) incentiveBatchCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var b store.PaymentBatch
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		b, _, err = tx.CreatePaymentBatch(ctx, UserFromContext(ctx).Actor(), r.PostFormValue("method"))
		return err
	})
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		SetFlash(w, r, Flash{Kind: FlashError, Msg: "No batch: " + problemText(err)})
		Redirect(w, r, "/incentives/payments")
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Batch %d: %d payments, %s.", b.ID, b.Count, b.TotalCents)})
	Redirect(w, r, fmt.Sprintf("/incentives/payments/%d", b.ID))
}

// BatchPage is the Data of console/incentive_batch.
type BatchPage struct {
	Batch    store.PaymentBatch
	Payments []incentive.Payment
}

// incentiveBatch shows a batch with its payments.
func (h *handler) incentiveBatch(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	b, ps, err := h.db.PaymentBatch(r.Context(), id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/incentive_batch", &View{Title: fmt.Sprintf("Payment batch %d", id), Nav: NavIncentives,
		Data: BatchPage{Batch: b, Payments: ps}})
}

// incentiveBatchFile downloads a batch's file: ACH-style CSV or the
// bill-credit CSV for billing.
func (h *handler) incentiveBatchFile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	b, ps, err := h.db.PaymentBatch(r.Context(), id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := incentive.WritePaymentFile(&buf, b.Method, ps); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="payment-batch-%d-%s.csv"`, b.ID, b.Method))
	_, _ = w.Write(buf.Bytes())
}

// incentiveBatchResults applies an uploaded results file (multipart field
// "file": payment_id,status,reference,note).
func (h *handler) incentiveBatchResults(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	f, _, err := r.FormFile("file")
	var results []incentive.PaymentResult
	if err == nil {
		defer f.Close()
		results, err = incentive.ParseResults(f)
	} else {
		err = apperr.Invalidf("web", "Choose the results file to upload.")
	}
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ReconcileBatch(ctx, UserFromContext(ctx).Actor(), id, results)
			return err
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		SetFlash(w, r, Flash{Kind: FlashError, Msg: "Results not applied: " + problemText(err)})
	} else {
		SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("%d results applied.", len(results))})
	}
	Redirect(w, r, fmt.Sprintf("/incentives/payments/%d", id))
}

// count formats a count with thousands separators.
func count(n int) string { return groupDigits(strconv.Itoa(n)) }
