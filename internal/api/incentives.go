package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// incentiveRoutes registers the incentive-program endpoints: the catalog
// and quotes, budgets with their ledger, applications and their workflow,
// documents, coupons, payment batches and program reports. Every POST
// that moves money (submitting, staff transitions, coupons, redemptions,
// budget adjustments, payment batches and their results) requires an
// Idempotency-Key.
func (h *handler) incentiveRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /incentive/programs", read, h.listPrograms)
	h.handle(mux, "POST /incentive/programs", tariffAdmin, h.importPrograms)
	h.handle(mux, "GET /incentive/programs/{pid}", read, h.getProgram)
	h.handle(mux, "GET /incentive/programs/{pid}/report", registryWide, h.programReport)
	h.handle(mux, "POST /incentive/quote", read, h.quote)
	h.handle(mux, "GET /incentive/budgets", registryWide, h.listBudgets)
	h.handle(mux, "GET /incentive/budgets/{id}", registryWide, h.getBudget)
	h.handle(mux, "POST /incentive/budgets/{id}/adjust", write, h.adjustBudget)
	h.handle(mux, "GET /incentive/applications", read, h.listApplications)
	h.handle(mux, "POST /incentive/applications", read, h.createApplication)
	h.handle(mux, "GET /incentive/applications/{id}", read, h.getApplication)
	h.handle(mux, "POST /incentive/applications/{id}/submit", read, h.submitApplication)
	h.handle(mux, "POST /incentive/applications/{id}/transition", write, h.transitionApplication)
	h.handle(mux, "POST /incentive/applications/{id}/documents", read, h.addDocument)
	h.handle(mux, "GET /incentive/coupons", read, h.listCoupons)
	h.handle(mux, "POST /incentive/coupons", read, h.issueCoupon)
	h.handle(mux, "POST /incentive/coupons/{code}/redeem", write, h.redeemCoupon)
	h.handle(mux, "GET /incentive/payment-batches", registryWide, h.listBatches)
	h.handle(mux, "POST /incentive/payment-batches", write, h.createBatch)
	h.handle(mux, "GET /incentive/payment-batches/{id}", registryWide, h.getBatch)
	h.handle(mux, "POST /incentive/payment-batches/{id}/results", write, h.reconcileBatch)
	h.incentiveTrackingRoutes(mux)
}

// requireKey refuses a money-moving POST without an Idempotency-Key: a
// retried request must never pay or reserve twice.
func requireKey(r *http.Request) error {
	if r.Header.Get("Idempotency-Key") != "" {
		return nil
	}
	var f apperr.Fields
	f.Add("Idempotency-Key", "is required on requests that move money: send a unique key per intended change")
	return f.Err("api.incentive")
}

// mayApply checks that the caller may act for an account as an
// applicant: the customer linked to it, a writing staff role, or an API
// client with registry:write.
func mayApply(p *principal, accountID int64) error {
	const op = "api.incentive"
	switch {
	case p.client != nil:
		if !p.client.Has(auth.ScopeRegistryWrite) {
			return apperr.Forbiddenf(op, "this API client lacks the %s scope", auth.ScopeRegistryWrite)
		}
	case p.portal():
		if accountID == 0 || !p.seesAccount(accountID) {
			return apperr.NotFoundf(op, "account %d not found", accountID)
		}
	case !p.user.Role.CanWrite():
		return apperr.Forbiddenf(op, "the %s role may not change data", p.user.Role)
	}
	return nil
}

// --- programs and quotes ---

type measureJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type programJSON struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Administrator string            `json:"administrator"`
	Kind          string            `json:"kind"`
	Summary       string            `json:"summary"`
	Source        string            `json:"source"`
	EffectiveFrom string            `json:"effective_from"`
	EffectiveTo   *string           `json:"effective_to"`
	PaymentMethod string            `json:"payment_method"`
	Measures      []measureJSON     `json:"measures"`
	Document      incentive.Program `json:"document"`
}

func programOut(p incentive.Program) programJSON {
	out := programJSON{ID: p.ID, Name: p.Name, Administrator: p.Administrator, Kind: p.Kind, Summary: p.Summary, Source: p.Source,
		EffectiveFrom: p.From.String(), EffectiveTo: optDate(p.To), PaymentMethod: p.PaymentMethod, Measures: []measureJSON{}, Document: p}
	for _, m := range p.Measures {
		out.Measures = append(out.Measures, measureJSON{m.ID, m.Name})
	}
	return out
}

func (h *handler) listPrograms(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	ps, err := h.db.IncentivePrograms(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[programJSON]{Data: []programJSON{}}
	for _, pr := range ps {
		out.Data = append(out.Data, programOut(pr))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) getProgram(w http.ResponseWriter, r *http.Request, p *principal) {
	pr, err := h.db.IncentiveProgram(r.Context(), r.PathValue("pid"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, programOut(pr))
}

type programImportJSON struct {
	Added        int `json:"added"`
	Changed      int `json:"changed"`
	Unchanged    int `json:"unchanged"`
	BudgetsAdded int `json:"budgets_added"`
}

// importPrograms stores a programs document (admins and tariffs:write
// clients, who maintain the published rules): 201 when anything was
// added or changed, 200 when everything was already stored.
func (h *handler) importPrograms(w http.ResponseWriter, r *http.Request, p *principal) {
	body, err := readBody(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cat, err := incentive.ParsePrograms(body)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		res, err := tx.ImportPrograms(ctx, p.actor, cat)
		if err != nil {
			return 0, nil, err
		}
		status := http.StatusOK
		if res.Added+res.Changed+res.BudgetsAdded > 0 {
			status = http.StatusCreated
		}
		return status, programImportJSON{res.Added, res.Changed, res.Unchanged, res.BudgetsAdded}, nil
	})
}

type quoteRequest struct {
	Program   string          `json:"program"`
	AccountID int64           `json:"account_id"`
	Facts     incentive.Facts `json:"facts"`
}

// quote decides a program for posted facts (stateless, nothing stored).
// With account_id, the registry's facts for the account on the facts'
// date (default today) replace the applicant's, as an application would.
func (h *handler) quote(w http.ResponseWriter, r *http.Request, p *principal) {
	var req quoteRequest
	if _, ok := h.decodeBody(w, r, &req); !ok {
		return
	}
	ctx := r.Context()
	if err := req.Facts.Validate(); err != nil {
		h.writeError(w, r, incPrefixFields(err, "facts."))
		return
	}
	pr, err := h.db.IncentiveProgram(ctx, req.Program)
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("program", "unknown program %q", req.Program)
		err = f.Err("api.quote")
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	facts := req.Facts
	if req.AccountID != 0 {
		if !p.seesAccount(req.AccountID) {
			h.writeError(w, r, apperr.NotFoundf("api.quote", "account %d not found", req.AccountID))
			return
		}
		if facts, err = h.registryFacts(ctx, req.AccountID, facts); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	d, err := pr.Quote(facts, h.db.Reference())
	if err != nil {
		h.writeError(w, r, incPrefixFields(err, "facts."))
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// registryFacts merges the registry's facts for an account into facts.
func (h *handler) registryFacts(ctx context.Context, accountID int64, facts incentive.Facts) (incentive.Facts, error) {
	a, err := h.db.Account(ctx, accountID)
	if err != nil {
		return facts, err
	}
	prem, err := h.db.Premise(ctx, a.PremiseID)
	if err != nil {
		return facts, err
	}
	es, err := h.db.Enrollments(ctx, a.ID)
	if err != nil {
		return facts, err
	}
	on := facts.Date
	if on.IsZero() {
		on = calendar.DateOf(h.db.Now())
	}
	return incentive.Merge(facts, incentive.RegistryFacts(a, prem, es, on)), nil
}

// prefixFields renames the fields of an Invalid error (facts.measure.type).
func incPrefixFields(err error, prefix string) error {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return err
	}
	var f apperr.Fields
	for _, fe := range fs {
		f.Add(prefix+fe.Field, "%s", fe.Msg)
	}
	return f.Err("api.incentive")
}

// --- budgets ---

type budgetJSON struct {
	ID                 int64       `json:"id"`
	Slug               string      `json:"slug"`
	Program            string      `json:"program"`
	Measure            string      `json:"measure"`
	Name               string      `json:"name"`
	PeriodFrom         string      `json:"period_from"`
	PeriodTo           *string     `json:"period_to"`
	AllocatedCents     money.Cents `json:"allocated_cents"`
	ReservedCents      money.Cents `json:"reserved_cents"`
	CommittedCents     money.Cents `json:"committed_cents"`
	PaidCents          money.Cents `json:"paid_cents"`
	AvailableCents     money.Cents `json:"available_cents"`
	MinReservableCents money.Cents `json:"min_reservable_cents"`
	SetAside           string      `json:"set_aside"`
	Closed             bool        `json:"closed"`
	Open               bool        `json:"open"`
	Source             string      `json:"source"`
}

func budgetOut(b incentive.Budget) budgetJSON {
	return budgetJSON{ID: b.ID, Slug: b.Slug, Program: b.ProgramID, Measure: b.Measure, Name: b.Name, PeriodFrom: b.From.String(), PeriodTo: optDate(b.To),
		AllocatedCents: b.AllocatedCents, ReservedCents: b.ReservedCents, CommittedCents: b.CommittedCents, PaidCents: b.PaidCents,
		AvailableCents: b.Available(), MinReservableCents: b.MinReservableCents, SetAside: b.SetAside, Closed: b.Closed, Open: b.Open(), Source: b.Source}
}

type ledgerJSON struct {
	ID            int64       `json:"id"`
	Kind          string      `json:"kind"`
	AmountCents   money.Cents `json:"amount_cents"`
	ApplicationID *int64      `json:"application_id"`
	CouponID      *int64      `json:"coupon_id"`
	At            string      `json:"at"`
	Actor         string      `json:"actor"`
	Note          string      `json:"note"`
}

func incOptID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

type budgetDetailJSON struct {
	budgetJSON
	Ledger []ledgerJSON `json:"ledger"`
}

func (h *handler) listBudgets(w http.ResponseWriter, r *http.Request, p *principal) {
	q := newParams(r, "program")
	program := q.str("program")
	if err := q.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	bs, err := h.db.Budgets(r.Context(), program)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[budgetJSON]{Data: []budgetJSON{}}
	for _, b := range bs {
		out.Data = append(out.Data, budgetOut(b))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) budgetDetail(ctx context.Context, q interface {
	Budget(context.Context, int64) (incentive.Budget, error)
	Ledger(context.Context, int64) ([]store.LedgerRow, error)
}, id int64) (budgetDetailJSON, error) {
	b, err := q.Budget(ctx, id)
	if err != nil {
		return budgetDetailJSON{}, err
	}
	l, err := q.Ledger(ctx, id)
	if err != nil {
		return budgetDetailJSON{}, err
	}
	out := budgetDetailJSON{budgetJSON: budgetOut(b), Ledger: []ledgerJSON{}}
	for _, e := range l {
		out.Ledger = append(out.Ledger, ledgerJSON{ID: e.ID, Kind: string(e.Kind), AmountCents: e.AmountCents, ApplicationID: incOptID(e.ApplicationID),
			CouponID: incOptID(e.CouponID), At: instant(e.At), Actor: e.Actor, Note: e.Note})
	}
	return out, nil
}

func (h *handler) getBudget(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "budget")
	if err == nil {
		var out budgetDetailJSON
		if out, err = h.budgetDetail(r.Context(), h.db, id); err == nil {
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	h.writeError(w, r, err)
}

type adjustRequest struct {
	AmountCents money.Cents `json:"amount_cents"`
	Note        string      `json:"note"`
	Closed      *bool       `json:"closed"`
}

// adjustBudget changes a budget's allocation (signed amount with a note)
// and/or closes or reopens it.
func (h *handler) adjustBudget(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "budget")
	if err == nil {
		err = requireKey(r)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req adjustRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if req.AmountCents != 0 || req.Closed == nil {
			if _, err := tx.AdjustBudget(ctx, p.actor, id, req.AmountCents, req.Note); err != nil {
				return 0, nil, err
			}
		}
		if req.Closed != nil {
			if _, err := tx.SetBudgetClosed(ctx, p.actor, id, *req.Closed); err != nil {
				return 0, nil, err
			}
		}
		out, err := h.budgetDetail(ctx, tx, id)
		return http.StatusOK, out, err
	})
}

// --- applications ---

type flagJSON struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

type applicationJSON struct {
	ID                 int64              `json:"id"`
	Program            string             `json:"program"`
	Measure            string             `json:"measure"`
	AccountID          *int64             `json:"account_id"`
	MemberAgency       string             `json:"member_agency"`
	HouseholdKey       string             `json:"household_key"`
	Status             string             `json:"status"`
	NextStatuses       []string           `json:"next_statuses"`
	AmountCents        money.Cents        `json:"amount_cents"`
	ReservedCents      money.Cents        `json:"reserved_cents"`
	ApprovedCents      money.Cents        `json:"approved_cents"`
	PaidCents          money.Cents        `json:"paid_cents"`
	BudgetID           *int64             `json:"budget_id"`
	SubmittedAt        *string            `json:"submitted_at"`
	ReservationExpires *string            `json:"reservation_expires"`
	PurchaseDate       *string            `json:"purchase_date"`
	Serials            []string           `json:"serials"`
	InvoiceNumber      string             `json:"invoice_number"`
	Contractor         string             `json:"contractor"`
	Payee              string             `json:"payee"`
	PaymentMethod      string             `json:"payment_method"`
	Flags              []flagJSON         `json:"flags"`
	Facts              incentive.Facts    `json:"facts"`
	Decision           incentive.Decision `json:"decision"`
	CreatedAt          string             `json:"created_at"`
	UpdatedAt          string             `json:"updated_at"`
}

func applicationOut(a incentive.Application) applicationJSON {
	out := applicationJSON{ID: a.ID, Program: a.ProgramID, Measure: a.Measure, AccountID: incOptID(a.AccountID), MemberAgency: a.MemberAgency,
		HouseholdKey: a.HouseholdKey, Status: string(a.Status), NextStatuses: []string{}, AmountCents: a.AmountCents, ReservedCents: a.ReservedCents,
		ApprovedCents: a.ApprovedCents, PaidCents: a.PaidCents, BudgetID: incOptID(a.BudgetID), ReservationExpires: optDate(a.Expires),
		PurchaseDate: optDate(a.PurchaseDate), Serials: append([]string{}, a.Serials...), InvoiceNumber: a.InvoiceNumber, Contractor: a.Contractor,
		Payee: a.Payee, PaymentMethod: a.PaymentMethod, Flags: []flagJSON{}, Facts: a.Facts, Decision: a.Decision,
		CreatedAt: instant(a.Created), UpdatedAt: instant(a.Updated)}
	if !a.Submitted.IsZero() {
		s := instant(a.Submitted)
		out.SubmittedAt = &s
	}
	for _, s := range incentive.Next(a.Status) {
		out.NextStatuses = append(out.NextStatuses, string(s))
	}
	for _, f := range a.Flags {
		out.Flags = append(out.Flags, flagJSON{f.Code, f.Detail})
	}
	return out
}

type eventJSON struct {
	From  string `json:"from"`
	To    string `json:"to"`
	At    string `json:"at"`
	Actor string `json:"actor"`
	Note  string `json:"note"`
}

type documentJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size_bytes"`
	UploadedAt  string `json:"uploaded_at"`
	Actor       string `json:"actor"`
}

func documentOut(d store.DocumentInfo) documentJSON {
	return documentJSON{d.ID, d.Name, d.ContentType, d.SHA256, d.Size, instant(d.Uploaded), d.Actor}
}

type applicationDetailJSON struct {
	applicationJSON
	Events    []eventJSON    `json:"events"`
	Documents []documentJSON `json:"documents"`
}

type appReader interface {
	Application(context.Context, int64) (incentive.Application, error)
	ApplicationEvents(context.Context, int64) ([]store.Event, error)
	Documents(context.Context, int64) ([]store.DocumentInfo, error)
}

func applicationDetail(ctx context.Context, q appReader, id int64) (applicationDetailJSON, error) {
	a, err := q.Application(ctx, id)
	if err != nil {
		return applicationDetailJSON{}, err
	}
	out := applicationDetailJSON{applicationJSON: applicationOut(a), Events: []eventJSON{}, Documents: []documentJSON{}}
	evs, err := q.ApplicationEvents(ctx, id)
	if err != nil {
		return out, err
	}
	for _, e := range evs {
		out.Events = append(out.Events, eventJSON{string(e.From), string(e.To), instant(e.At), e.Actor, e.Note})
	}
	docs, err := q.Documents(ctx, id)
	for _, d := range docs {
		out.Documents = append(out.Documents, documentOut(d))
	}
	return out, err
}

// visibleApplication loads an application the caller may see: portal
// users see only their own accounts' applications.
func (h *handler) visibleApplication(r *http.Request, p *principal) (incentive.Application, error) {
	id, err := pathID(r, "id", "application")
	if err != nil {
		return incentive.Application{}, err
	}
	a, err := h.db.Application(r.Context(), id)
	if err == nil && p.portal() && !p.seesAccount(a.AccountID) {
		err = apperr.NotFoundf("api", "application %d not found", id)
	}
	return a, err
}

func (h *handler) listApplications(w http.ResponseWriter, r *http.Request, p *principal) {
	q := newParams(r, "program", "status", "after", "limit")
	program, status := q.str("program"), incentive.Status(q.str("status"))
	after, limit := q.page()
	if status != "" && !status.Valid() {
		q.f.Add("status", "unknown status %q", status)
	}
	if err := q.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	apps, err := h.db.Applications(r.Context(), store.ApplicationFilter{ProgramID: program, Status: status, AccountIDs: p.accountIDs(), After: after, Limit: limit + 1})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(apps, limit, func(a incentive.Application) int64 { return a.ID }, applicationOut))
}

func (h *handler) getApplication(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := h.visibleApplication(r, p)
	if err == nil {
		var out applicationDetailJSON
		if out, err = applicationDetail(r.Context(), h.db, a.ID); err == nil {
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	h.writeError(w, r, err)
}

type applicationRequest struct {
	Program       string          `json:"program"`
	AccountID     int64           `json:"account_id"`
	MemberAgency  string          `json:"member_agency"`
	Facts         incentive.Facts `json:"facts"`
	PurchaseDate  string          `json:"purchase_date"`
	Serials       []string        `json:"serials"`
	InvoiceNumber string          `json:"invoice_number"`
	Contractor    string          `json:"contractor"`
	Payee         string          `json:"payee"`
}

// createApplication stores a draft decided on the registry's facts for
// the account and the applicant's equipment facts (201). Customers apply
// for their own accounts; grants name a member agency instead.
func (h *handler) createApplication(w http.ResponseWriter, r *http.Request, p *principal) {
	var req applicationRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	purchase := parseDate(&f, "purchase_date", req.PurchaseDate)
	if err := f.Err("api.createApplication"); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := req.Facts.Validate(); err != nil {
		h.writeError(w, r, incPrefixFields(err, "facts."))
		return
	}
	if err := mayApply(p, req.AccountID); err != nil || (p.portal() && req.MemberAgency != "") {
		if err == nil {
			err = apperr.Forbiddenf("api.createApplication", "customers apply for their own accounts")
		}
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		a, err := tx.CreateApplication(ctx, p.actor, store.NewApplication{ProgramID: req.Program, AccountID: req.AccountID,
			MemberAgency: req.MemberAgency, Facts: req.Facts, PurchaseDate: purchase, Serials: req.Serials,
			InvoiceNumber: req.InvoiceNumber, Contractor: req.Contractor, Payee: req.Payee})
		if err != nil {
			return 0, nil, prefixFactErr(err)
		}
		out, err := applicationDetail(ctx, tx, a.ID)
		return http.StatusCreated, out, err
	})
}

// prefixFactErr names the facts of a quote's missing-fact error as the
// request's facts.* fields.
func prefixFactErr(err error) error {
	for _, fe := range apperr.FieldsOf(err) {
		if fe.Field == "program" || fe.Field == "account_id" || fe.Field == "member_agency" || fe.Field == "serials" ||
			fe.Field == "invoice_number" {
			return err
		}
	}
	return incPrefixFields(err, "facts.")
}

// submitApplication submits a draft: automatic checks, then a reservation
// first come first served or the waitlist (money-moving: Idempotency-Key).
func (h *handler) submitApplication(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := h.visibleApplication(r, p)
	if err == nil {
		err = mayApply(p, a.AccountID)
	}
	if err == nil {
		err = requireKey(r)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if _, err := tx.SubmitApplication(ctx, p.actor, a.ID); err != nil {
			return 0, nil, err
		}
		out, err := applicationDetail(ctx, tx, a.ID)
		return http.StatusOK, out, err
	})
}

type transitionRequest struct {
	Status      string      `json:"status"`
	AmountCents money.Cents `json:"amount_cents"`
	Note        string      `json:"note"`
}

// transitionApplication is a staff action: review, reserve, approve (for
// at most the reservation), reject, hold, pay, claw back.
func (h *handler) transitionApplication(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "application")
	if err == nil {
		err = requireKey(r)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req transitionRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	if s := incentive.Status(req.Status); !s.Valid() {
		var f apperr.Fields
		f.Add("status", "unknown status %q", req.Status)
		h.writeError(w, r, f.Err("api.transition"))
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if _, err := tx.TransitionApplication(ctx, p.actor, id, store.Transition{To: incentive.Status(req.Status), AmountCents: req.AmountCents, Note: req.Note}); err != nil {
			return 0, nil, err
		}
		out, err := applicationDetail(ctx, tx, id)
		return http.StatusOK, out, err
	})
}

type documentRequest struct {
	Name          string `json:"name"`
	ContentType   string `json:"content_type"`
	ContentBase64 string `json:"content_base64"`
	SHA256        string `json:"sha256"`
}

// decodeDocument reads a documentRequest body and its base64 content; on
// a bad body it has answered already (ok false).
func (h *handler) decodeDocument(w http.ResponseWriter, r *http.Request, op string) (req documentRequest, body, content []byte, ok bool) {
	body, ok = h.decodeBody(w, r, &req)
	if !ok {
		return req, nil, nil, false
	}
	content, err := base64.StdEncoding.DecodeString(req.ContentBase64)
	if err != nil {
		var f apperr.Fields
		f.Add("content_base64", "is not standard base64")
		h.writeError(w, r, f.Err(op))
		return req, nil, nil, false
	}
	return req, body, content, true
}

// addDocument stores a document of an application; a stated sha256 that
// does not match the content is refused naming sha256.
func (h *handler) addDocument(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := h.visibleApplication(r, p)
	if err == nil {
		err = mayApply(p, a.AccountID)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	req, body, content, ok := h.decodeDocument(w, r, "api.addDocument")
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		d, err := tx.AddDocument(ctx, p.actor, a.ID, req.Name, req.ContentType, content, req.SHA256)
		if err != nil {
			return 0, nil, renameFields(err, map[string]string{"file": "content_base64"})
		}
		return http.StatusCreated, documentOut(d), nil
	})
}

// --- coupons ---

type couponJSON struct {
	ID            int64       `json:"id"`
	Code          string      `json:"code"`
	Program       string      `json:"program"`
	Measure       string      `json:"measure"`
	AccountID     int64       `json:"account_id"`
	Retailer      string      `json:"retailer"`
	Channel       string      `json:"channel"`
	AmountCents   money.Cents `json:"amount_cents"`
	IssuedOn      string      `json:"issued_on"`
	ExpiresOn     string      `json:"expires_on"`
	Status        string      `json:"status"`
	RedeemedOn    *string     `json:"redeemed_on"`
	ReturnedOn    *string     `json:"returned_on"`
	RedemptionRef string      `json:"redemption_ref"`
}

func couponOut(c incentive.Coupon, today calendar.Date) couponJSON {
	return couponJSON{ID: c.ID, Code: c.Code, Program: c.ProgramID, Measure: c.Measure, AccountID: c.AccountID, Retailer: c.Retailer,
		Channel: c.Channel, AmountCents: c.AmountCents, IssuedOn: c.Issued.String(), ExpiresOn: c.Expires.String(), Status: c.StatusOn(today),
		RedeemedOn: optDate(c.RedeemedOn), ReturnedOn: optDate(c.ReturnedOn), RedemptionRef: c.Ref}
}

func (h *handler) listCoupons(w http.ResponseWriter, r *http.Request, p *principal) {
	q := newParams(r, "program", "after", "limit")
	program := q.str("program")
	after, limit := q.page()
	if err := q.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	cs, err := h.db.Coupons(r.Context(), store.CouponFilter{ProgramID: program, AccountIDs: p.accountIDs(), After: after, Limit: limit + 1})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	today := calendar.DateOf(h.db.Now())
	writeJSON(w, http.StatusOK, pageOf(cs, limit, func(c incentive.Coupon) int64 { return c.ID },
		func(c incentive.Coupon) couponJSON { return couponOut(c, today) }))
}

type couponRequest struct {
	Program   string `json:"program"`
	AccountID int64  `json:"account_id"`
	Retailer  string `json:"retailer"`
	Channel   string `json:"channel"`
}

// issueCoupon issues an instant coupon (money-moving: it reserves the
// budget; Idempotency-Key required).
func (h *handler) issueCoupon(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := requireKey(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	var req couponRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	if err := mayApply(p, req.AccountID); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		c, err := tx.IssueCoupon(ctx, p.actor, store.IssueCouponRequest{AccountID: req.AccountID, ProgramID: req.Program, Retailer: req.Retailer, Channel: req.Channel})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, couponOut(c, c.Issued), nil
	})
}

type redeemRequest struct {
	Retailer  string `json:"retailer"`
	Channel   string `json:"channel"`
	Reference string `json:"reference"`
	Date      string `json:"date"`
}

// redeemCoupon records a retailer's redemption (money-moving).
func (h *handler) redeemCoupon(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := requireKey(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	var req redeemRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	on := parseDate(&f, "date", req.Date)
	if req.Date == "" {
		f.Add("date", "is required: the purchase date")
	}
	if err := f.Err("api.redeemCoupon"); err != nil {
		h.writeError(w, r, err)
		return
	}
	code := r.PathValue("code")
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		c, err := tx.RedeemCoupon(ctx, p.actor, code, req.Retailer, req.Channel, req.Reference, on)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, couponOut(c, on), nil
	})
}

// --- payment batches ---

type batchJSON struct {
	ID         int64       `json:"id"`
	Method     string      `json:"method"`
	Status     string      `json:"status"`
	Count      int         `json:"count"`
	TotalCents money.Cents `json:"total_cents"`
	FileSHA256 string      `json:"file_sha256"`
	CreatedAt  string      `json:"created_at"`
	Actor      string      `json:"actor"`
}

func batchOut(b store.PaymentBatch) batchJSON {
	return batchJSON{b.ID, b.Method, b.Status, b.Count, b.TotalCents, b.FileSHA256, instant(b.Created), b.Actor}
}

type paymentJSON struct {
	ID            int64       `json:"id"`
	ApplicationID *int64      `json:"application_id"`
	CouponID      *int64      `json:"coupon_id"`
	Program       string      `json:"program"`
	Payee         string      `json:"payee"`
	AccountNumber string      `json:"account_number"`
	AmountCents   money.Cents `json:"amount_cents"`
	Status        string      `json:"status"`
	Reference     string      `json:"reference"`
	Note          string      `json:"note"`
}

type batchDetailJSON struct {
	batchJSON
	Payments []paymentJSON `json:"payments"`
	File     string        `json:"file"`
}

func batchDetail(b store.PaymentBatch, ps []incentive.Payment) (batchDetailJSON, error) {
	out := batchDetailJSON{batchJSON: batchOut(b), Payments: []paymentJSON{}}
	for _, p := range ps {
		out.Payments = append(out.Payments, paymentJSON{p.ID, incOptID(p.ApplicationID), incOptID(p.CouponID), p.ProgramID, p.Payee,
			p.AccountNumber, p.AmountCents, p.Status, p.Reference, p.Note})
	}
	var buf bytes.Buffer
	err := incentive.WritePaymentFile(&buf, b.Method, ps)
	out.File = buf.String()
	return out, err
}

func (h *handler) listBatches(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	bs, err := h.db.PaymentBatches(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[batchJSON]{Data: []batchJSON{}}
	for _, b := range bs {
		out.Data = append(out.Data, batchOut(b))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) getBatch(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "payment batch")
	if err == nil {
		b, ps, err2 := h.db.PaymentBatch(r.Context(), id)
		if err = err2; err == nil {
			var out batchDetailJSON
			if out, err = batchDetail(b, ps); err == nil {
				writeJSON(w, http.StatusOK, out)
				return
			}
		}
	}
	h.writeError(w, r, err)
}

type batchRequest struct {
	Method string `json:"method"`
}

// createBatch gathers what is approved and unpaid for a method into a
// batch and answers it with its file (money-moving).
func (h *handler) createBatch(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := requireKey(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	var req batchRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		b, ps, err := tx.CreatePaymentBatch(ctx, p.actor, req.Method)
		if err != nil {
			return 0, nil, err
		}
		out, err := batchDetail(b, ps)
		return http.StatusCreated, out, err
	})
}

type resultsRequest struct {
	Results []incentive.PaymentResult `json:"results"`
}

// reconcileBatch applies the bank's or billing's results (money-moving).
func (h *handler) reconcileBatch(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "payment batch")
	if err == nil {
		err = requireKey(r)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req resultsRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	for i, res := range req.Results {
		if res.Status != "paid" && res.Status != "returned" {
			f.Add("results["+itoaInt(i)+"].status", "must be paid or returned")
		}
	}
	if len(req.Results) == 0 {
		f.Add("results", "must list at least one result")
	}
	if err := f.Err("api.reconcile"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if _, err := tx.ReconcileBatch(ctx, p.actor, id, req.Results); err != nil {
			return 0, nil, err
		}
		b, ps, err := tx.PaymentBatch(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		out, err := batchDetail(b, ps)
		return http.StatusOK, out, err
	})
}

func itoaInt(i int) string { b, _ := json.Marshal(i); return string(b) }

// --- reports ---

type reportJSON struct {
	Program         string            `json:"program"`
	Name            string            `json:"name"`
	Applications    int               `json:"applications"`
	ByStatus        map[string]int    `json:"by_status"`
	Participants    int               `json:"participants"`
	PaidCents       money.Cents       `json:"paid_cents"`
	CommittedCents  money.Cents       `json:"committed_cents"`
	ReservedCents   money.Cents       `json:"reserved_cents"`
	ReservedFor     int               `json:"reserved_applications"`
	Waitlisted      int               `json:"waitlisted"`
	IncomeQualified int               `json:"income_qualified_participants"`
	DAC             int               `json:"dac_participants"`
	CouponsIssued   int               `json:"coupons_issued"`
	CouponsRedeemed int               `json:"coupons_redeemed"`
	CouponsReserved int               `json:"coupons_reserved"`
	Budgets         []budgetJSON      `json:"budgets"`
	BurnDown        []store.BurnPoint `json:"burn_down"`
	ByAgency        []store.AgencyRow `json:"by_agency"`
}

func reportOut(r store.ProgramReport) reportJSON {
	out := reportJSON{Program: r.ProgramID, Name: r.Name, Applications: r.Applications, ByStatus: map[string]int{}, Participants: r.Participants,
		PaidCents: r.PaidCents, CommittedCents: r.CommittedCents, ReservedCents: r.ReservedCents, ReservedFor: r.ReservedFor, Waitlisted: r.Waitlisted,
		IncomeQualified: r.IncomeQualifiedPaid, DAC: r.DACPaid, CouponsIssued: r.CouponsIssued, CouponsRedeemed: r.CouponsRedeemed,
		CouponsReserved: r.CouponsOpen, Budgets: []budgetJSON{}, BurnDown: append([]store.BurnPoint{}, r.BurnDown...),
		ByAgency: append([]store.AgencyRow{}, r.ByAgency...)}
	for s, n := range r.ByStatus {
		out.ByStatus[string(s)] = n
	}
	for _, b := range r.Budgets {
		out.Budgets = append(out.Budgets, budgetOut(b))
	}
	return out
}

func (h *handler) programReport(w http.ResponseWriter, r *http.Request, p *principal) {
	rep, err := h.db.IncentiveReport(r.Context(), r.PathValue("pid"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reportOut(rep))
}
