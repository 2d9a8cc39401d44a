package api

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// nemRoutes registers the customer-generation endpoints: NEM applications
// (filed by installers and staff), the AB 327 cap report, the TOU-8
// special rates, the feed-in tariff queue and installers.
func (h *handler) nemRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /nem/applications", nemRead, h.listNEM)
	h.handle(mux, "POST /nem/applications", nemApply, h.createNEM)
	h.handle(mux, "GET /nem/applications/{id}", nemRead, h.getNEM)
	h.handle(mux, "PUT /nem/applications/{id}/system", nemApply, h.reviseNEM)
	h.handle(mux, "POST /nem/applications/{id}/steps", nemApply, h.stepNEM)
	h.handle(mux, "POST /nem/applications/{id}/decisions", write, h.decideNEM)
	h.handle(mux, "POST /nem/applications/{id}/documents", nemApply, h.uploadNEMDocument)
	h.handle(mux, "GET /nem/applications/{id}/documents/{did}", nemRead, h.getNEMDocument)
	h.handle(mux, "GET /nem/cap-report", registryWide, h.getCapReport)
	h.handle(mux, "POST /nem/cap-report/calc", tariffRead, h.calcCapReport)
	h.handle(mux, "GET /nem/special-rates", registryWide, h.listSpecialRates)
	h.handle(mux, "POST /nem/special-rates", write, h.requestSpecialRate)
	h.handle(mux, "POST /nem/special-rates/{id}/enroll", write, h.enrollSpecialRate)
	h.handle(mux, "POST /nem/special-rates/{id}/generator", write, h.specialRateGenerator)
	h.handle(mux, "GET /nem/fit/requests", registryWide, h.listFIT)
	h.handle(mux, "POST /nem/fit/requests", write, h.createFIT)
	h.handle(mux, "POST /nem/fit/requests/{id}/steps", write, h.stepFIT)
	h.handle(mux, "POST /nem/fit/requests/{id}/inspections", write, h.inspectFIT)
	h.handle(mux, "GET /nem/fit/postings", public, h.listFITPostings)
	h.handle(mux, "POST /nem/fit/allocation", tariffRead, h.allocateFIT)
	h.handle(mux, "GET /nem/installers", registryWide, h.listInstallers)
	h.handle(mux, "POST /nem/installers", write, h.createInstaller)
}

// NEMVintageJSON is an application's vintage with its dated terms.
type NEMVintageJSON struct {
	Program       string  `json:"program"`
	Label         string  `json:"label"`
	AppliedOn     string  `json:"applied_on"`
	LegacyEnd     *string `json:"legacy_end"`
	ExportVintage *int    `json:"export_vintage"`
	ExportLockEnd *string `json:"export_lock_end"`
}

// NEMMeterServiceJSON is an application against the 30-business-day meter
// service level.
type NEMMeterServiceJSON struct {
	DueOn       *string `json:"due_on"`
	DoneOn      *string `json:"done_on"`
	Late        bool    `json:"late"`
	DelayDays   int     `json:"delay_days"`
	CreditStart *string `json:"credit_start"`
	CreditEnd   *string `json:"credit_end"` // exclusive
}

// NEMApplicationJSON is an application as the API, the CLI's --json and
// the console show it.
type NEMApplicationJSON struct {
	ID            int64               `json:"id"`
	Number        string              `json:"number"`
	AccountID     int64               `json:"account_id"`
	AccountNumber string              `json:"account_number"`
	InstallerID   *int64              `json:"installer_id"`
	Status        nem.Status          `json:"status"`
	System        nem.System          `json:"system"`
	SubmittedOn   *string             `json:"submitted_on"`
	CompleteOn    *string             `json:"complete_on"`
	ApprovedOn    *string             `json:"approved_on"`
	AgreementOn   *string             `json:"agreement_on"`
	MeterOn       *string             `json:"meter_on"`
	PTOOn         *string             `json:"pto_on"`
	ActiveOn      *string             `json:"active_on"`
	ClosedOn      *string             `json:"closed_on"`
	MeterMethod   string              `json:"meter_method"`
	Vintage       *NEMVintageJSON     `json:"vintage"`
	MeterService  NEMMeterServiceJSON `json:"meter_service"`
	Ageing        nem.Ageing          `json:"ageing"`
	EnrollmentID  *int64              `json:"enrollment_id"`
	CreatedAt     string              `json:"created_at"`
	UpdatedAt     string              `json:"updated_at"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// NewNEMApplicationJSON describes an application on today's date: its
// vintage terms, its meter service level and its age in business days
// (SCE's vintages and the utility holiday calendar).
func NewNEMApplicationJSON(a nem.Application, accountNumber string, today calendar.Date) NEMApplicationJSON {
	m := a.Milestones
	snap := nem.SCEVintages.SnapshotOf(a, today, calendar.UtilityHolidays())
	ms := snap.Meter
	out := NEMApplicationJSON{ID: a.ID, Number: a.Number, AccountID: a.AccountID, AccountNumber: accountNumber, InstallerID: optID(a.InstallerID),
		Status: a.Status, System: a.System, SubmittedOn: optDate(m.Submitted), CompleteOn: optDate(m.Complete), ApprovedOn: optDate(m.Approved),
		AgreementOn: optDate(m.Agreement), MeterOn: optDate(m.Meter), PTOOn: optDate(m.PTO), ActiveOn: optDate(m.Active),
		ClosedOn: optDate(m.Closed), MeterMethod: a.MeterMethod, EnrollmentID: optID(a.EnrollmentID), Ageing: snap.Age,
		MeterService: NEMMeterServiceJSON{DueOn: optDate(ms.Due), DoneOn: optDate(ms.Done), Late: ms.Late, DelayDays: ms.DelayDays},
		CreatedAt:    instant(a.Created), UpdatedAt: instant(a.Updated)}
	if ms.Credit != nil {
		out.MeterService.CreditStart, out.MeterService.CreditEnd = optDate(ms.Credit.Start), optDate(ms.Credit.End)
	}
	if a.Vintage.Program != "" {
		t := snap.Terms
		v := &NEMVintageJSON{Program: a.Vintage.Program, Label: a.Vintage.Label, AppliedOn: m.Submitted.String(),
			LegacyEnd: optDate(t.LegacyEnd), ExportLockEnd: optDate(t.LockEnd)}
		if t.ExportVintage != 0 {
			ev := t.ExportVintage
			v.ExportVintage = &ev
		}
		out.Vintage = v
	}
	return out
}

// NEMApplicationDetailJSON is one application with its history,
// eligibility decisions, documents and late-meter credits.
type NEMApplicationDetailJSON struct {
	NEMApplicationJSON
	History   []nemEventJSON        `json:"history"`
	Decisions []store.NEMDecision   `json:"decisions"`
	Documents []store.NEMDocument   `json:"documents"`
	Credits   []nem.EstimatedCredit `json:"estimated_credits"`
	// Transition is the move to the successor tariff when a NEM 1.0/2.0
	// legacy period ended; nil until then.
	Transition *store.NEMTransition `json:"legacy_transition"`
}

type nemEventJSON struct {
	From  nem.Status `json:"from"`
	To    nem.Status `json:"to"`
	On    string     `json:"on"`
	At    string     `json:"at"`
	Actor string     `json:"actor"`
	Note  string     `json:"note"`
}

// NEMReader is what reading an application's detail needs; *store.DB
// and *store.Tx both provide it.
type NEMReader interface {
	Account(ctx context.Context, id int64) (customer.Account, error)
	NEMHistory(ctx context.Context, id int64) ([]nem.Event, error)
	NEMDecisions(ctx context.Context, id int64) ([]store.NEMDecision, error)
	NEMDocuments(ctx context.Context, id int64) ([]store.NEMDocument, error)
	NEMEstimatedCredits(ctx context.Context, accountID int64) ([]nem.EstimatedCredit, error)
	NEMTransitionOf(ctx context.Context, applicationID int64) (store.NEMTransition, error)
}

// NEMDetail reads an application's detail on today's date.
func NEMDetail(ctx context.Context, q NEMReader, a nem.Application, today calendar.Date) (NEMApplicationDetailJSON, error) {
	out := NEMApplicationDetailJSON{History: []nemEventJSON{}, Decisions: []store.NEMDecision{}, Documents: []store.NEMDocument{},
		Credits: []nem.EstimatedCredit{}}
	acct, err := q.Account(ctx, a.AccountID)
	if err != nil {
		return out, err
	}
	hist, err := q.NEMHistory(ctx, a.ID)
	if err != nil {
		return out, err
	}
	for _, e := range hist {
		out.History = append(out.History, nemEventJSON{From: e.From, To: e.To, On: e.On.String(), At: instant(e.At), Actor: e.Actor, Note: e.Note})
	}
	out.NEMApplicationJSON = NewNEMApplicationJSON(a, acct.Number, today)
	decs, err := q.NEMDecisions(ctx, a.ID)
	if err != nil {
		return out, err
	}
	docs, err := q.NEMDocuments(ctx, a.ID)
	if err != nil {
		return out, err
	}
	credits, err := q.NEMEstimatedCredits(ctx, a.AccountID)
	if err != nil {
		return out, err
	}
	out.Decisions = append(out.Decisions, decs...)
	out.Documents = append(out.Documents, docs...)
	for _, c := range credits {
		if c.ApplicationID == a.ID {
			out.Credits = append(out.Credits, c)
		}
	}
	tr, err := q.NEMTransitionOf(ctx, a.ID)
	switch {
	case err == nil:
		out.Transition = &tr
	case !apperr.Is(err, apperr.NotFound):
		return out, err
	}
	return out, nil
}

// nemScope says which applications a caller sees: installer callers their
// installer's (installerID), customers their accounts' (accountIDs),
// everyone else all (both zero/nil).
type nemScope struct {
	installerID int64
	accountIDs  []int64
}

func (s nemScope) sees(a nem.Application) bool {
	switch {
	case s.installerID != 0:
		return a.InstallerID == s.installerID
	case s.accountIDs != nil:
		return slices.Contains(s.accountIDs, a.AccountID)
	}
	return true
}

// installerCaller reports whether the caller acts for an installer: an
// installer user, or an API client with nem:apply and no registry scope.
func installerCaller(p *principal) bool {
	if p.client != nil {
		return p.client.Has(auth.ScopeNEMApply) && !p.client.Has(auth.ScopeRegistryRead) && !p.client.Has(auth.ScopeRegistryWrite)
	}
	return p.user.Role == auth.Installer
}

func (h *handler) nemScopeOf(ctx context.Context, p *principal) (nemScope, error) {
	if installerCaller(p) {
		var in store.Installer
		var err error
		if p.client != nil {
			in, err = h.db.InstallerOfClient(ctx, p.client.ID)
		} else {
			in, err = h.db.InstallerOfUser(ctx, p.user.ID)
		}
		if apperr.Is(err, apperr.NotFound) {
			return nemScope{}, apperr.Forbiddenf("api.nem", "this login is not linked to an installer (gridbook nem installer link)")
		}
		return nemScope{installerID: in.ID}, err
	}
	if p.portal() {
		return nemScope{accountIDs: p.accountIDs()}, nil
	}
	return nemScope{}, nil
}

// visibleNEM reads the application of path parameter id, answering
// NotFound for one the caller may not see.
func (h *handler) visibleNEM(r *http.Request, p *principal) (nem.Application, nemScope, error) {
	id, err := pathID(r, "id", "NEM application")
	if err != nil {
		return nem.Application{}, nemScope{}, err
	}
	scope, err := h.nemScopeOf(r.Context(), p)
	if err != nil {
		return nem.Application{}, scope, err
	}
	a, err := h.db.NEMApplication(r.Context(), id)
	if err == nil && !scope.sees(a) {
		err = apperr.NotFoundf("api.nem", "NEM application %d not found", id)
	}
	return a, scope, err
}

func (h *handler) today() calendar.Date { return calendar.DateOf(h.db.Now()) }

// accountNumbers maps account IDs to numbers for a page of applications.
func (h *handler) accountNumbers(ctx context.Context, apps []nem.Application) (map[int64]string, error) {
	var ids []int64
	for _, a := range apps {
		ids = append(ids, a.AccountID)
	}
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	accts, err := h.db.Accounts(ctx, store.AccountFilter{IDs: ids, Limit: len(ids)})
	for _, a := range accts {
		out[a.ID] = a.Number
	}
	return out, err
}

func (h *handler) listNEM(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "status", "installer_id", "account_id", "after", "limit")
	f := store.NEMFilter{InstallerID: ps.int64("installer_id"), AccountID: ps.int64("account_id")}
	for _, s := range strings.Split(ps.str("status"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !nem.Status(s).Valid() {
			ps.f.Add("status", "%q is not a status", s)
		}
		f.Statuses = append(f.Statuses, nem.Status(s))
	}
	scope, err := h.nemScopeOf(r.Context(), p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if scope.installerID != 0 {
		f.InstallerID = scope.installerID
	}
	f.AccountIDs = scope.accountIDs
	today := h.today()
	var numbers map[int64]string
	writePage(h, w, r, ps, func(after int64, limit int) ([]nem.Application, error) {
		f.After, f.Limit = after, limit
		apps, err := h.db.NEMApplications(r.Context(), f)
		if err == nil {
			numbers, err = h.accountNumbers(r.Context(), apps)
		}
		return apps, err
	}, func(a nem.Application) int64 { return a.ID }, func(a nem.Application) NEMApplicationJSON {
		return NewNEMApplicationJSON(a, numbers[a.AccountID], today)
	})
}

func (h *handler) getNEM(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, _, err := h.visibleNEM(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d, err := NEMDetail(r.Context(), h.db, a, h.today())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// nemCreateRequest is the body of POST /nem/applications.
type nemCreateRequest struct {
	AccountNumber string     `json:"account_number"`
	InstallerID   int64      `json:"installer_id"`
	System        nem.System `json:"system"`
	Submit        bool       `json:"submit"`
	On            string     `json:"on"`
}

func (h *handler) createNEM(w http.ResponseWriter, r *http.Request, p *principal) {
	var req nemCreateRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	on := parseDate(&f, "on", req.On)
	if on.IsZero() {
		on = h.today()
	} else if on.After(h.today()) {
		f.Add("on", "is after today")
	}
	if strings.TrimSpace(req.AccountNumber) == "" {
		f.Add("account_number", "is required")
	}
	if err := f.Err("api.createNEM"); err != nil {
		h.writeError(w, r, err)
		return
	}
	scope, err := h.nemScopeOf(r.Context(), p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if scope.installerID != 0 {
		req.InstallerID = scope.installerID // installers file as themselves
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		acct, err := tx.AccountByNumber(ctx, strings.TrimSpace(req.AccountNumber))
		if apperr.Is(err, apperr.NotFound) {
			var f apperr.Fields
			f.Add("account_number", "no service account numbered %s", req.AccountNumber)
			return 0, nil, f.Err("api.createNEM")
		} else if err != nil {
			return 0, nil, err
		}
		a := nem.Application{AccountID: acct.ID, InstallerID: req.InstallerID, System: req.System}
		if _, err := tx.CreateNEMApplication(ctx, p.actor, &a, req.Submit, on); err != nil {
			return 0, nil, prefixFields(err, "system.", "account_number", "installer_id", "account_id")
		}
		return http.StatusCreated, NewNEMApplicationJSON(a, acct.Number, h.today()), nil
	})
}

// prefixFields names the system's fields as the request body does
// (capacity_w → system.capacity_w), leaving the request's own fields.
func prefixFields(err error, prefix string, own ...string) error {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return err
	}
	names := map[string]string{}
	for _, fe := range fs {
		if !slices.Contains(own, fe.Field) {
			names[fe.Field] = prefix + fe.Field
		}
	}
	return renameFields(err, names)
}

func (h *handler) reviseNEM(w http.ResponseWriter, r *http.Request, p *principal) {
	a, _, err := h.visibleNEM(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var sys nem.System
	body, ok := h.decodeBody(w, r, &sys)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if _, err := tx.ReviseNEMSystem(ctx, p.actor, a.ID, sys, h.today()); err != nil {
			return 0, nil, err
		}
		got, err := tx.NEMApplication(ctx, a.ID)
		if err != nil {
			return 0, nil, err
		}
		acct, err := tx.Account(ctx, got.AccountID)
		return http.StatusOK, NewNEMApplicationJSON(got, acct.Number, h.today()), err
	})
}

// installerSteps are the steps an installer may take on its own
// applications: submitting a draft and withdrawing.
var installerSteps = []nem.Status{nem.Submitted, nem.Withdrawn}

func (h *handler) stepNEM(w http.ResponseWriter, r *http.Request, p *principal) {
	a, scope, err := h.visibleNEM(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var step nem.Step
	body, ok := h.decodeBody(w, r, &step)
	if !ok {
		return
	}
	if scope.installerID != 0 && !slices.Contains(installerSteps, step.To) {
		h.writeError(w, r, apperr.Forbiddenf("api.stepNEM", "an installer may submit or withdraw its applications; %s is the utility's step", step.To))
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		got, err := tx.AdvanceNEMApplication(ctx, p.actor, a.ID, step, h.today())
		if err != nil {
			return 0, nil, err
		}
		d, err := NEMDetail(ctx, tx, got, h.today())
		return http.StatusOK, d, err
	})
}

func (h *handler) decideNEM(w http.ResponseWriter, r *http.Request, p *principal) {
	a, _, err := h.visibleNEM(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ps := newParams(r, "on")
	on := ps.date("on")
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	if on.IsZero() {
		on = h.today()
	}
	h.commit(w, r, p, nil, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		d, err := tx.DecideNEMApplication(ctx, p.actor, a.ID, on)
		return http.StatusCreated, d, err
	})
}

func (h *handler) uploadNEMDocument(w http.ResponseWriter, r *http.Request, p *principal) {
	a, _, err := h.visibleNEM(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ps := newParams(r, "kind", "file_name")
	doc := store.NEMDocument{ApplicationID: a.ID, Kind: ps.str("kind"), FileName: ps.str("file_name"), ContentType: "application/octet-stream"}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			doc.ContentType = mt
		}
	}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	content, err := io.ReadAll(http.MaxBytesReader(w, r.Body, store.MaxNEMDocument))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.writeError(w, r, err)
			return
		}
		h.writeError(w, r, apperr.E(apperr.Invalid, "api.uploadNEMDocument", "could not read the document", err))
		return
	}
	h.commit(w, r, p, content, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		err := tx.AddNEMDocument(ctx, p.actor, &doc, content)
		return http.StatusCreated, doc, err
	})
}

// nemDocumentContentJSON is a document with its content, base64-encoded
// (RFC 4648 §4) so that the API answers JSON throughout.
type nemDocumentContentJSON struct {
	store.NEMDocument
	ContentBase64 string `json:"content_base64"`
}

func (h *handler) getNEMDocument(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, _, err := h.visibleNEM(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	did, err := pathID(r, "did", "document")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	doc, content, err := h.db.NEMDocumentContent(r.Context(), a.ID, did)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, nemDocumentContentJSON{NEMDocument: doc, ContentBase64: base64.StdEncoding.EncodeToString(content)})
}

// CapReportResponse is the cap report as the API answers it: the CLI's
// numbers plus the month, the cap rule and the lines as published.
type CapReportResponse struct {
	Month   string            `json:"month"`
	Utility string            `json:"utility"`
	FloorMW int64             `json:"floor_mw"`
	Source  string            `json:"source"`
	Numbers nem.CapReportJSON `json:"numbers"`
	Display CapReportDisplay  `json:"display"`
}

// CapReportDisplay holds the report's lines as the utility publishes them:
// counts with thousands separators, MW to one decimal, percent to two.
type CapReportDisplay struct {
	CapMW           string `json:"cap_mw"`
	ReceivedCount   string `json:"received_count"`
	ReceivedMW      string `json:"received_mw"`
	PendingCount    string `json:"pending_count"`
	PendingMW       string `json:"pending_mw"`
	InstalledCount  string `json:"installed_count"`
	InstalledMW     string `json:"installed_mw"`
	TotalCount      string `json:"installed_plus_pending_count"`
	TotalMW         string `json:"installed_plus_pending_mw"`
	PercentOfPeak   string `json:"percent_of_peak"`
	RemainingMW     string `json:"remaining_mw"`
	AggregatePeakMW string `json:"aggregate_peak_mw"`
}

// NewCapReportResponse describes a report.
func NewCapReportResponse(r nem.CapReport) CapReportResponse {
	return CapReportResponse{Month: r.Month.String(), Utility: r.Rule.Utility, FloorMW: r.Rule.FloorMW, Source: r.Rule.Source, Numbers: r.JSON(),
		Display: CapReportDisplay{CapMW: nem.MWDecimals(r.CapW, 0), ReceivedCount: nem.Count(r.ReceivedCount), ReceivedMW: nem.MW(r.ReceivedW),
			PendingCount: nem.Count(r.PendingCount), PendingMW: nem.MW(r.PendingW), InstalledCount: nem.Count(r.InstalledCount),
			InstalledMW: nem.MW(r.InstalledW), TotalCount: nem.Count(r.TotalCount()), TotalMW: nem.MW(r.TotalW()),
			PercentOfPeak: r.Percent() + "%", RemainingMW: nem.MW(r.RemainingW()), AggregatePeakMW: nem.Count(r.Rule.AggregatePeakMW)}}
}

func (h *handler) getCapReport(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "month")
	m, err := nem.ParseMonth(ps.str("month"))
	if ps.str("month") == "" {
		t := h.today()
		m, err = nem.Month{Year: t.Year, Month: t.Month}, nil
	}
	if err != nil {
		ps.f.Add("month", "must be YYYY-MM")
	}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	recs, err := h.db.NEMCapRecords(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewCapReportResponse(nem.BuildCapReport(recs, nem.SCECap, m)))
}

// maxCapCSV bounds the stateless cap report's body (32 MiB holds a
// million application rows).
const maxCapCSV = 32 << 20

func (h *handler) calcCapReport(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "month", "aggregate_peak_mw", "floor_mw")
	m, err := nem.ParseMonth(ps.str("month"))
	if err != nil {
		ps.f.Add("month", "is required: YYYY-MM")
	}
	rule := nem.CapRule{Utility: "given", AggregatePeakMW: ps.int64("aggregate_peak_mw"), FloorMW: ps.int64("floor_mw"),
		Source: "aggregate peak and floor given with the request"}
	if rule.AggregatePeakMW <= 0 {
		ps.f.Add("aggregate_peak_mw", "is required: the utility's aggregate customer peak demand in MW")
	}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	recs, err := nem.ReadCapCSV(http.MaxBytesReader(w, r.Body, maxCapCSV))
	if err != nil {
		h.writeError(w, r, renameFields(err, nil))
		return
	}
	writeJSON(w, http.StatusOK, NewCapReportResponse(nem.BuildCapReport(recs, rule, m)))
}

// specialRatesJSON lists the special-rate records with each rate's report.
type specialRatesJSON struct {
	Reports []nem.RateReport          `json:"reports"`
	Data    []store.SpecialRateRecord `json:"data"`
}

func (h *handler) listSpecialRates(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "rate", "on")
	rate := nem.SpecialRate(ps.str("rate"))
	on := ps.date("on")
	if _, ok := nem.CapOf(rate); rate != "" && !ok {
		ps.f.Add("rate", "must be option_r or tou8_option_a")
	}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	if on.IsZero() {
		on = h.today()
	}
	out := specialRatesJSON{Reports: []nem.RateReport{}, Data: []store.SpecialRateRecord{}}
	for _, rt := range []nem.SpecialRate{nem.OptionR, nem.OptionA} {
		if rate != "" && rt != rate {
			continue
		}
		rep, err := h.db.SpecialRateReport(r.Context(), rt, on)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		out.Reports = append(out.Reports, rep)
	}
	recs, err := h.db.SpecialRates(r.Context(), rate)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out.Data = append(out.Data, recs...)
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) requestSpecialRate(w http.ResponseWriter, r *http.Request, p *principal) {
	var req nem.RateRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		rec, err := tx.RequestSpecialRate(ctx, p.actor, req)
		return http.StatusCreated, rec, err
	})
}

// rateDateRequest is the body of POST /nem/special-rates/{id}/enroll.
type rateDateRequest struct {
	On string `json:"on"`
}

// rateGeneratorRequest is the body of POST /nem/special-rates/{id}/generator.
type rateGeneratorRequest struct {
	GeneratorW int64  `json:"generator_w"`
	On         string `json:"on"`
}

// specialRateChange is the answer to a generator report: the record and
// what the growth rule decided.
type specialRateChange struct {
	Record store.SpecialRateRecord `json:"record"`
	Growth nem.Growth              `json:"growth"`
}

func (h *handler) dateOrToday(f *apperr.Fields, s string) calendar.Date {
	d := parseDate(f, "on", s)
	if d.IsZero() {
		return h.today()
	}
	return d
}

func (h *handler) enrollSpecialRate(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "special-rate record")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req rateDateRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	on := h.dateOrToday(&f, req.On)
	if err := f.Err("api"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		rec, err := tx.EnrollSpecialRate(ctx, p.actor, id, on)
		return http.StatusOK, rec, err
	})
}

func (h *handler) specialRateGenerator(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "special-rate record")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req rateGeneratorRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	on := h.dateOrToday(&f, req.On)
	if req.GeneratorW <= 0 {
		f.Add("generator_w", "must be positive")
	}
	if err := f.Err("api"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		rec, g, err := tx.ReportSpecialRateGenerator(ctx, p.actor, id, energy.W(req.GeneratorW), on)
		return http.StatusOK, specialRateChange{Record: rec, Growth: g}, err
	})
}

// FITRequestJSON is a feed-in tariff request with its place in the queue.
type FITRequestJSON struct {
	nem.FITRequest
	QueuePosition int     `json:"queue_position"` // 1-based among waiting requests of its pool; 0 when decided
	PostingDue    string  `json:"posting_due"`
	PostingLate   bool    `json:"posting_late"`
	InspectionDue *string `json:"inspection_due"`
}

// FITQueue describes every request of a list on today's date.
func FITQueue(ctx context.Context, db *store.DB, all []nem.FITRequest, today calendar.Date) ([]FITRequestJSON, error) {
	out := make([]FITRequestJSON, 0, len(all))
	for _, r := range all {
		j := FITRequestJSON{FITRequest: r, PostingDue: nem.PostingDue(calendar.DateOf(r.Received)).String(), PostingLate: r.PostingLate(today)}
		if r.Status == nem.FITReceived || r.Status == nem.FITPosted {
			_, ahead := nem.Pool(r, all)
			j.QueuePosition = len(ahead) + 1
		}
		if r.Status == nem.FITAccepted {
			ins, err := db.FITInspections(ctx, r.ID)
			if err != nil {
				return nil, err
			}
			var last calendar.Date
			for _, in := range ins {
				last = in.On
			}
			j.InspectionDue = optDate(nem.InspectionDue(r.DecidedOn, last))
		}
		out = append(out, j)
	}
	return out, nil
}

func (h *handler) listFIT(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "utility")
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	all, err := h.db.FITRequests(r.Context(), ps.str("utility"))
	if err == nil {
		var out []FITRequestJSON
		if out, err = FITQueue(r.Context(), h.db, all, h.today()); err == nil {
			writeJSON(w, http.StatusOK, list[FITRequestJSON]{Data: out})
			return
		}
	}
	h.writeError(w, r, err)
}

func (h *handler) listFITPostings(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "utility")
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	all, err := h.db.FITRequests(r.Context(), ps.str("utility"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[nem.Posting]{Data: []nem.Posting{}}
	for _, req := range all {
		if !req.PostedOn.IsZero() {
			out.Data = append(out.Data, nem.PostingOf(req))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) createFIT(w http.ResponseWriter, r *http.Request, p *principal) {
	var req nem.FITRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	req.ID, req.Number, req.Status, req.Received = 0, "", "", time.Time{} // received now, by the store's clock
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		_, err := tx.CreateFITRequest(ctx, p.actor, &req)
		return http.StatusCreated, req, err
	})
}

func (h *handler) stepFIT(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "feed-in tariff request")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var step nem.FITStep
	body, ok := h.decodeBody(w, r, &step)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		got, err := tx.AdvanceFITRequest(ctx, p.actor, id, step, h.today())
		return http.StatusOK, got, err
	})
}

func (h *handler) inspectFIT(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "feed-in tariff request")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var in nem.Inspection
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	in.ID, in.RequestID = 0, id
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		err := tx.AddFITInspection(ctx, p.actor, &in)
		return http.StatusCreated, in, err
	})
}

// fitAllocationRequest is the body of POST /nem/fit/allocation.
type fitAllocationRequest struct {
	Peaks []nem.UtilityPeak `json:"peaks"`
}

func (h *handler) allocateFIT(w http.ResponseWriter, r *http.Request, _ *principal) {
	var req fitAllocationRequest
	if _, ok := h.decodeBody(w, r, &req); !ok {
		return
	}
	shares, err := nem.AllocateFIT(req.Peaks)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[nem.FITShare]{Data: shares})
}

func (h *handler) listInstallers(w http.ResponseWriter, r *http.Request, _ *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	ins, err := h.db.Installers(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[store.Installer]{Data: append([]store.Installer{}, ins...)})
}

func (h *handler) createInstaller(w http.ResponseWriter, r *http.Request, p *principal) {
	var in store.Installer
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	in.ID = 0
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		err := tx.CreateInstaller(ctx, p.actor, &in)
		return http.StatusCreated, in, err
	})
}
