package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// NavNEM is the nav key of the customer-generation pages.
const NavNEM = "nem"

// energyW is watts, as the pages sum and format them.
type energyW = energy.W

// NEMRow is an application as the queue and detail pages show it: with
// its account number, installer and what its dates mean today.
type NEMRow struct {
	App       nem.Application
	Account   string
	Installer string
	Snap      nem.Snapshot
}

// Breach reports whether the meter service level is breached: the meter
// is late, done or not.
func (r NEMRow) Breach() bool { return r.Snap.Meter.Late }

// Capacity is the generator's capacity in kW.
func (r NEMRow) Capacity() string { return r.App.System.CapacityW.KWString() }

// NEMQueuePage is the Data of console/nem.
type NEMQueuePage struct {
	Status     string // "open" (default), "all", "breach" or a status
	Statuses   []Option
	Installer  string
	Installers []Option
	Rows       []NEMRow
	Cards      []Card
	Legacy     TaskRunView    // the daily move of systems past their legacy period
	SystemForm *NEMSystemForm // writers: file an application for a customer
}

// nemApps lists applications (those of f) as rows on today.
func (h *handler) nemRows(ctx context.Context, f store.NEMFilter) ([]NEMRow, error) {
	apps, err := h.db.NEMApplications(ctx, f)
	if err != nil {
		return nil, err
	}
	installers, err := h.db.Installers(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, in := range installers {
		names[in.ID] = in.Name
	}
	var ids []int64
	for _, a := range apps {
		ids = append(ids, a.AccountID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	numbers := map[int64]string{}
	for len(ids) > 0 { // account pages of at most 500
		n := min(len(ids), 500)
		accts, err := h.db.Accounts(ctx, store.AccountFilter{IDs: ids[:n], Limit: n})
		if err != nil {
			return nil, err
		}
		for _, a := range accts {
			numbers[a.ID] = a.Number
		}
		ids = ids[n:]
	}
	today, hol := h.today(), calendar.UtilityHolidays()
	rows := make([]NEMRow, 0, len(apps))
	for _, a := range apps {
		rows = append(rows, NEMRow{App: a, Account: numbers[a.AccountID], Installer: names[a.InstallerID],
			Snap: nem.SCEVintages.SnapshotOf(a, today, hol)})
	}
	return rows, nil
}

// nemQueue lists applications in process (or by ?status=: all, breach or
// one status; ?installer=), with their age in business days and the meter
// service level, breaches first.
func (h *handler) nemQueue(w http.ResponseWriter, r *http.Request) {
	h.renderNEMQueue(w, r, http.StatusOK, &View{}, nil)
}

// renderNEMQueue shows the queue and, to writers, the form that files an
// application for a customer (with a refused filing's values in form).
func (h *handler) renderNEMQueue(w http.ResponseWriter, r *http.Request, status int, v *View, form *NEMApplyForm) {
	ctx := r.Context()
	q := r.URL.Query()
	page := NEMQueuePage{Status: q.Get("status"), Installer: q.Get("installer")}
	if page.Status == "" {
		page.Status = "open"
	}
	f := store.NEMFilter{}
	switch page.Status {
	case "open", "breach":
		f.Statuses = []nem.Status{nem.Submitted, nem.CompletenessReview, nem.TechnicalReview, nem.Approved, nem.AgreementSigned, nem.MeterReady}
	case "all":
	default:
		if !nem.Status(page.Status).Valid() {
			h.rd.Error(w, r, apperr.Invalidf("web", "There is no status %q.", page.Status))
			return
		}
		f.Statuses = []nem.Status{nem.Status(page.Status)}
	}
	if id, err := strconv.ParseInt(page.Installer, 10, 64); err == nil {
		f.InstallerID = id
	}
	rows, err := h.nemRows(ctx, f)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var breaches int
	var pendingW int64
	for _, row := range rows {
		if row.Breach() {
			breaches++
		}
		if row.App.Status.Open() {
			pendingW += int64(row.App.System.CapacityW)
		}
	}
	if page.Status == "breach" {
		rows = slices.DeleteFunc(rows, func(r NEMRow) bool { return !r.Breach() })
	}
	// Breaches first, then the oldest.
	slices.SortStableFunc(rows, func(a, b NEMRow) int {
		switch {
		case a.Breach() && !b.Breach():
			return -1
		case b.Breach() && !a.Breach():
			return 1
		}
		return b.Snap.Age.Total - a.Snap.Age.Total
	})
	page.Rows = rows
	page.Cards = []Card{
		{Label: "Listed applications", Value: nem.Count(int64(len(rows)))},
		{Label: "Meter service level breached", Value: nem.Count(int64(breaches)), Note: "30 business days from a complete application", Href: "/nem?status=breach"},
		{Label: "Capacity in process", Value: nem.MWDecimals(energyW(pendingW), 3) + " MW"},
	}
	page.Statuses = []Option{{"open", "In process"}, {"breach", "Meter service level breached"}, {"all", "All"}}
	for _, s := range nem.Statuses {
		page.Statuses = append(page.Statuses, Option{Value: string(s), Label: s.Label()})
	}
	ins, err := h.db.Installers(ctx)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Installers = []Option{{"", "All installers"}}
	for _, in := range ins {
		page.Installers = append(page.Installers, Option{Value: strconv.FormatInt(in.ID, 10), Label: in.Name})
	}
	if page.Legacy, err = h.taskRun(ctx, store.TaskNEMLegacy, "NEM 1.0/2.0 legacy-period transitions", "gridbook nem transition"); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if UserFromContext(ctx).CanWrite() {
		if form == nil {
			form = &NEMApplyForm{}
		}
		page.SystemForm = newNEMSystemForm(*form)
		page.SystemForm.Installers = []Option{{"", "None: the customer files"}}
		for _, in := range ins {
			page.SystemForm.Installers = append(page.SystemForm.Installers, Option{Value: strconv.FormatInt(in.ID, 10), Label: in.Name})
		}
	}
	v.Title, v.Nav, v.Data = "Interconnection applications", NavNEM, page
	h.rd.Render(w, r, status, "console/nem", v)
}

// NEMAppPage is the Data of console/nem_application and
// portal/nem_installer_application: one application with its history,
// eligibility decisions, documents and credits.
type NEMAppPage struct {
	Row       NEMRow
	Path      string // the page's own path, for the forms
	History   []nem.Event
	Decisions []store.NEMDecision
	Documents []store.NEMDocument
	Credits   []nem.EstimatedCredit
	Next      []Option // the steps this user may take
	CanStep   bool
	CanUpload bool
	DocKinds  []Option
	Step      NEMStepForm
	Today     calendar.Date
	// Transition is the move to the successor tariff at the end of a NEM
	// 1.0/2.0 legacy period, once made; LegacyDue says the period has
	// ended and the daily job (or `gridbook nem transition`) will move it.
	Transition *store.NEMTransition
	LegacyDue  bool
	// SystemForm revises a draft's system (nil unless this user may).
	SystemForm *NEMSystemForm
}

// NEMStepForm is the step form's values; System holds the revision
// form's values when a revision was refused.
type NEMStepForm struct {
	To, On, Note, Method string
	System               *NEMApplyForm
}

// Latest is the newest eligibility decision, if any.
func (p NEMAppPage) Latest() *store.NEMDecision {
	if len(p.Decisions) == 0 {
		return nil
	}
	return &p.Decisions[len(p.Decisions)-1]
}

// Earlier are the decisions before the newest, newest first.
func (p NEMAppPage) Earlier() []store.NEMDecision {
	if len(p.Decisions) < 2 {
		return nil
	}
	out := slices.Clone(p.Decisions[:len(p.Decisions)-1])
	slices.Reverse(out)
	return out
}

// Variant names the application's variant.
func (p NEMAppPage) Variant() string { return p.Row.App.System.Variant.Label() }

func (h *handler) nemAppPage(ctx context.Context, a nem.Application, base string, next []nem.Status) (NEMAppPage, error) {
	rows, err := h.nemRows(ctx, store.NEMFilter{AccountID: a.AccountID})
	if err != nil {
		return NEMAppPage{}, err
	}
	page := NEMAppPage{Path: fmt.Sprintf("%s/%d", base, a.ID), Today: h.today()}
	for _, r := range rows {
		if r.App.ID == a.ID {
			page.Row = r
		}
	}
	if page.History, err = h.db.NEMHistory(ctx, a.ID); err != nil {
		return page, err
	}
	if page.Decisions, err = h.db.NEMDecisions(ctx, a.ID); err != nil {
		return page, err
	}
	if page.Documents, err = h.db.NEMDocuments(ctx, a.ID); err != nil {
		return page, err
	}
	credits, err := h.db.NEMEstimatedCredits(ctx, a.AccountID)
	if err != nil {
		return page, err
	}
	for _, c := range credits {
		if c.ApplicationID == a.ID {
			page.Credits = append(page.Credits, c)
		}
	}
	for _, s := range a.Status.Next() {
		if next == nil || slices.Contains(next, s) {
			label := s.Label()
			if a.Status == nem.CompletenessReview && s == nem.Draft {
				label = "Return as incomplete"
			}
			if a.Status == nem.CompletenessReview && s == nem.TechnicalReview {
				label = "Complete: start technical review"
			}
			page.Next = append(page.Next, Option{Value: string(s), Label: label})
		}
	}
	for _, k := range store.NEMDocumentKinds {
		page.DocKinds = append(page.DocKinds, Option{Value: k, Label: strings.ReplaceAll(k, "_", " ")})
	}
	page.Step.On = page.Today.String()
	page.CanUpload = !a.Status.Closed()
	if a.Status == nem.Draft {
		page.SystemForm = newNEMSystemForm(nemFormOf(a.System))
	}
	switch tr, err := h.db.NEMTransitionOf(ctx, a.ID); {
	case err == nil:
		page.Transition = &tr
	case apperr.Is(err, apperr.NotFound):
		_, page.LegacyDue = nem.SCEVintages.TransitionOf(a, page.Today)
	default:
		return page, err
	}
	return page, nil
}

// nemFromPath reads the application of path parameter id.
func (h *handler) nemFromPath(r *http.Request) (nem.Application, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nem.Application{}, apperr.NotFoundf("web", "There is no such application.")
	}
	return h.db.NEMApplication(r.Context(), id)
}

// nemApplication shows one application to staff; writers get the step
// form and the document upload.
func (h *handler) nemApplication(w http.ResponseWriter, r *http.Request) {
	h.renderNEMApp(w, r, http.StatusOK, nil, NEMStepForm{})
}

func (h *handler) renderNEMApp(w http.ResponseWriter, r *http.Request, status int, v *View, form NEMStepForm) {
	a, err := h.nemFromPath(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.nemAppPage(r.Context(), a, "/nem/applications", nil)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	u := UserFromContext(r.Context())
	page.CanStep, page.CanUpload = u.CanWrite() && len(page.Next) > 0, u.CanWrite() && page.CanUpload
	if form.To != "" {
		page.Step = form
	}
	switch {
	case !u.CanWrite():
		page.SystemForm = nil
	case form.System != nil && page.SystemForm != nil:
		page.SystemForm = newNEMSystemForm(*form.System)
	}
	if v == nil {
		v = &View{}
	}
	v.Title, v.Nav, v.Data = a.Number, NavNEM, page
	h.rd.Render(w, r, status, "console/nem_application", v)
}

// nemStep moves an application one step (POST
// /nem/applications/{id}/steps) with the store's rules; a refusal comes
// back on the page naming the rule.
func (h *handler) nemStep(w http.ResponseWriter, r *http.Request) {
	h.doNEMStep(w, r, "/nem/applications", nil, h.renderNEMApp)
}

// doNEMStep is the step action of the console and the installer area:
// allowed limits the steps (nil: any), render redisplays the page.
func (h *handler) doNEMStep(w http.ResponseWriter, r *http.Request, base string, allowed []nem.Status,
	render func(http.ResponseWriter, *http.Request, int, *View, NEMStepForm)) {
	ctx := r.Context()
	a, err := h.nemFromPath(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	form := NEMStepForm{To: r.PostFormValue("to"), On: strings.TrimSpace(r.PostFormValue("on")), Note: strings.TrimSpace(r.PostFormValue("note")),
		Method: r.PostFormValue("meter_method")}
	step := nem.Step{To: nem.Status(form.To), Note: form.Note, MeterMethod: form.Method}
	var f apperr.Fields
	if form.On != "" {
		if d, err := calendar.ParseDate(form.On); err != nil {
			f.Add("on", "must be a date such as 2026-03-08")
		} else {
			step.On = d
		}
	}
	if allowed != nil && !slices.Contains(allowed, step.To) {
		f.Add("to", "this step is the utility's")
	}
	err = f.Err("web.nemStep")
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.AdvanceNEMApplication(ctx, UserFromContext(ctx).Actor(), a.ID, step, h.today())
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
		render(w, r, StatusOf(err), v, form)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("%s: %s.", a.Number, nem.Status(form.To).Label())})
	Redirect(w, r, fmt.Sprintf("%s/%d", base, a.ID))
}

// maxNEMUpload bounds a document upload's request (the document limit and
// room for the form).
const maxNEMUpload = store.MaxNEMDocument + 1<<20

// nemDocumentUpload attaches a document (POST
// /nem/applications/{id}/documents, multipart fields "file" and "kind").
func (h *handler) nemDocumentUpload(w http.ResponseWriter, r *http.Request) {
	h.doNEMUpload(w, r, "/nem/applications", h.renderNEMApp)
}

func (h *handler) doNEMUpload(w http.ResponseWriter, r *http.Request, base string, render func(http.ResponseWriter, *http.Request, int, *View, NEMStepForm)) {
	ctx := r.Context()
	a, err := h.nemFromPath(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxNEMUpload)
	doc := store.NEMDocument{ApplicationID: a.ID}
	var content []byte
	err = r.ParseMultipartForm(1 << 20)
	if err == nil {
		defer r.MultipartForm.RemoveAll()
		doc.Kind = r.PostFormValue("kind")
		file, hdr, ferr := r.FormFile("file")
		if ferr != nil {
			var f apperr.Fields
			f.Add("file", "choose a file to attach")
			err = f.Err("web.nemUpload")
		} else {
			defer file.Close()
			doc.FileName = hdr.Filename
			if mt, _, perr := mime.ParseMediaType(hdr.Header.Get("Content-Type")); perr == nil {
				doc.ContentType = mt
			}
			content, err = io.ReadAll(file)
		}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		var f apperr.Fields
		f.Add("file", "the document is larger than %d MiB", store.MaxNEMDocument>>20)
		err = f.Err("web.nemUpload")
	}
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error { return tx.AddNEMDocument(ctx, UserFromContext(ctx).Actor(), &doc, content) })
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		v := &View{}
		v.SetError(err)
		render(w, r, StatusOf(err), v, NEMStepForm{})
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Attached %s (SHA-256 %s…).", doc.FileName, doc.SHA256[:12])})
	Redirect(w, r, fmt.Sprintf("%s/%d", base, a.ID))
}

// nemDocument sends a document's content as an attachment.
func (h *handler) nemDocument(w http.ResponseWriter, r *http.Request) {
	a, err := h.nemFromPath(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.sendNEMDocument(w, r, a)
}

func (h *handler) sendNEMDocument(w http.ResponseWriter, r *http.Request, a nem.Application) {
	did, err := strconv.ParseInt(r.PathValue("did"), 10, 64)
	if err != nil {
		h.rd.Error(w, r, apperr.NotFoundf("web", "There is no such document."))
		return
	}
	doc, content, err := h.db.NEMDocumentContent(r.Context(), a.ID, did)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": doc.FileName}))
	w.Header().Set("Digest", "sha-256="+doc.SHA256)
	_, _ = w.Write(content) // a failed write means the browser left
}

// CapReportPage is the Data of console/nem_cap.
type CapReportPage struct {
	Month  string // YYYY-MM
	Report nem.CapReport
	Chart  Chart
}

// Line is one line of the report as published.
type Line struct {
	Label, Count, MW string
}

// Lines are the report's lines in the published order and rounding.
func (p CapReportPage) Lines() []Line {
	r := p.Report
	last := r.Month.Last().String()
	return []Line{
		{"Total cap available (5% of " + nem.Count(r.Rule.AggregatePeakMW) + " MW, never below " + nem.Count(r.Rule.FloorMW) + " MW)", "", nem.MWDecimals(r.CapW, 0)},
		{"Applications received in " + longMonth(r.Month), nem.Count(r.ReceivedCount), nem.MW(r.ReceivedW)},
		{"Pending applications at " + last, nem.Count(r.PendingCount), nem.MW(r.PendingW)},
		{"Cumulative installations (approved for interconnection, systems that left NEM excluded)", nem.Count(r.InstalledCount), nem.MW(r.InstalledW)},
		{"Installed + pending", nem.Count(r.TotalCount()), nem.MW(r.TotalW())},
		{"Percent of aggregate peak demand", "", r.Percent() + "%"},
		{"MW remaining under the cap", "", nem.MW(r.RemainingW())},
	}
}

func longMonth(m nem.Month) string { return m.Month.String() + " " + strconv.Itoa(m.Year) }

// capChartMonths is how many months the cap chart shows.
const capChartMonths = 24

// nemCapReport shows the AB 327 report for ?month= (default this month)
// as published, and the cap position over the 24 months to it.
func (h *handler) nemCapReport(w http.ResponseWriter, r *http.Request) {
	today := h.today()
	m := nem.Month{Year: today.Year, Month: today.Month}
	if s := r.URL.Query().Get("month"); s != "" {
		var err error
		if m, err = nem.ParseMonth(s); err != nil {
			h.rd.Error(w, r, apperr.Invalidf("web", "The month must be written YYYY-MM."))
			return
		}
	}
	recs, err := h.db.NEMCapRecords(r.Context())
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := CapReportPage{Month: m.String(), Report: nem.BuildCapReport(recs, nem.SCECap, m)}
	c := Chart{Title: "Installed and pending NEM capacity by month", Kind: ChartLine, Unit: "MW", XLabel: "Month",
		Series: []Series{{Label: "Installed"}, {Label: "Installed + pending"}}}
	first := m
	for range capChartMonths - 1 {
		if first.Month == 1 {
			first = nem.Month{Year: first.Year - 1, Month: 12}
		} else {
			first.Month--
		}
	}
	for k := first; ; k = k.Next() {
		rep := nem.BuildCapReport(recs, nem.SCECap, k)
		c.Labels = append(c.Labels, k.String())
		c.Series[0].Values = append(c.Series[0].Values, float64(rep.InstalledW)/1e6)
		c.Series[1].Values = append(c.Series[1].Values, float64(rep.TotalW())/1e6)
		if k == m {
			break
		}
	}
	page.Chart = c
	h.rd.Render(w, r, http.StatusOK, "console/nem_cap", &View{Title: "NEM program cap report", Nav: NavNEM, Data: page})
}

// SpecialRatesPage is the Data of console/nem_rates.
type SpecialRatesPage struct {
	Reports []nem.RateReport
	Records []store.SpecialRateRecord
	Today   calendar.Date
}

// RateMW formats a rate report's watts as MW with two decimals, as the
// utility's page does ("5.36").
func (SpecialRatesPage) RateMW(w energyW) string { return nem.MWDecimals(w, 2) }

// nemSpecialRates shows TOU-8 Option R and Option A: approved and
// available MW, and the accounts.
func (h *handler) nemSpecialRates(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page := SpecialRatesPage{Today: h.today()}
	for _, rt := range []nem.SpecialRate{nem.OptionR, nem.OptionA} {
		rep, err := h.db.SpecialRateReport(ctx, rt, page.Today)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		page.Reports = append(page.Reports, rep)
	}
	recs, err := h.db.SpecialRates(ctx, "")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Records = recs
	h.rd.Render(w, r, http.StatusOK, "console/nem_rates", &View{Title: "TOU-8 special rates", Nav: NavNEM, Data: page})
}

// FITRow is a feed-in tariff request in the queue.
type FITRow struct {
	nem.FITRequest
	Position      int
	PostingDue    calendar.Date
	Late          bool
	InspectionDue calendar.Date
}

// FITPool is one allocation pool's position: the share and what is
// accepted in it.
type FITPool struct {
	Label            string
	ShareW, Accepted energyW
	Known            bool // the share is published
}

// FITPage is the Data of console/nem_fit.
type FITPage struct {
	Rows  []FITRow
	Pools []FITPool
	Today calendar.Date
}

// nemFIT shows the feed-in tariff queue in first-come, first-served order
// with posting deadlines, inspections due and the allocation used.
func (h *handler) nemFIT(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	all, err := h.db.FITRequests(ctx, "")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := FITPage{Today: h.today()}
	for _, req := range all {
		row := FITRow{FITRequest: req, PostingDue: nem.PostingDue(calendar.DateOf(req.Received)), Late: req.PostingLate(page.Today)}
		if req.Status == nem.FITReceived || req.Status == nem.FITPosted {
			_, ahead := nem.Pool(req, all)
			row.Position = len(ahead) + 1
		}
		if req.Status == nem.FITAccepted {
			ins, err := h.db.FITInspections(ctx, req.ID)
			if err != nil {
				h.rd.Error(w, r, err)
				return
			}
			var last calendar.Date
			for _, in := range ins {
				last = in.On
			}
			row.InspectionDue = nem.InspectionDue(req.DecidedOn, last)
		}
		page.Rows = append(page.Rows, row)
	}
	share, _ := nem.FITShareOf("SCE")
	accepted := func(keep func(nem.FITRequest) bool) energyW {
		var t energyW
		for _, req := range all {
			if req.Status == nem.FITAccepted && strings.EqualFold(req.Utility, share.Utility) && keep(req) {
				t += req.Capacity()
			}
		}
		return t
	}
	page.Pools = append(page.Pools, FITPool{Label: "ReMAT (share of 750 MW)", ShareW: share.ReMATW, Known: true,
		Accepted: accepted(func(q nem.FITRequest) bool { return q.Program == nem.ReMAT })})
	page.Pools = append(page.Pools, FITPool{Label: "BioMAT (share of 250 MW)", ShareW: share.BioMATW, Known: true,
		Accepted: accepted(func(q nem.FITRequest) bool { return q.Program == nem.BioMAT })})
	for _, c := range nem.BioCategories {
		w, known := share.BioCategoryW[c.Category]
		page.Pools = append(page.Pools, FITPool{Label: "BioMAT " + c.Label, ShareW: w, Known: known,
			Accepted: accepted(func(q nem.FITRequest) bool { return q.Program == nem.BioMAT && q.Category == c.Category })})
	}
	h.rd.Render(w, r, http.StatusOK, "console/nem_fit", &View{Title: "Feed-in tariff (ReMAT / BioMAT)", Nav: NavNEM, Data: page})
}

// MW formats a pool's watts as MW with two decimals.
func (FITPage) MW(w energyW) string { return nem.MWDecimals(w, 2) }
