package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"mime"
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// rpsRoutes registers the certificate registry (/rec/…) and the RPS
// compliance ledger (/rps/…).
func (h *handler) rpsRoutes(mux *http.ServeMux) {
	// Registry participants (participant users, clients linked to an
	// organization) reach the recRead and recWrite routes for their own
	// accounts only; another organization's records answer 404.
	h.handle(mux, "GET /rec/accounts", recRead, h.listRecAccounts)
	h.handle(mux, "POST /rec/accounts", recWrite, h.openRecAccount)
	h.handle(mux, "GET /rec/accounts/{id}", recRead, h.getRecAccount)
	h.handle(mux, "GET /rec/facilities", recRead, h.listFacilities)
	h.handle(mux, "POST /rec/facilities", recOperator, h.registerFacility)
	h.handle(mux, "GET /rec/facilities/{id}", recRead, h.getFacility)
	h.handle(mux, "POST /rec/facilities/{id}/certifications", recOperator, h.certifyFacility)
	h.handle(mux, "GET /rec/facilities/{id}/reports", recRead, h.listGenerationReports)
	h.handle(mux, "POST /rec/facilities/{id}/reports", recWrite, h.submitGenerationReport)
	h.handle(mux, "POST /rec/facilities/{id}/issuances", recWrite, h.issueCertificates)
	h.handle(mux, "GET /rec/blocks", recRead, h.listBlocks)
	h.handle(mux, "GET /rec/blocks/{id}", recRead, h.getBlock)
	h.handle(mux, "GET /rec/transfers", recRead, h.listTransfers)
	h.handle(mux, "POST /rec/transfers", recWrite, h.initiateTransfer)
	h.handle(mux, "GET /rec/transfers/{id}", recRead, h.getTransfer)
	h.handle(mux, "POST /rec/transfers/{id}/{action}", recWrite, h.resolveTransfer)
	h.handle(mux, "GET /rec/retirements", recRead, h.listRetirements)
	h.handle(mux, "POST /rec/retirements", recWrite, h.retireCertificates)
	h.handle(mux, "POST /rec/exports", recWrite, h.exportCertificates)
	h.handle(mux, "POST /rec/withdrawals", recOperator, h.withdrawCertificates)
	h.handle(mux, "POST /rec/imports", recOperator, h.importRegistryFile)
	h.handle(mux, "GET /rec/members", recOperator, h.listRecMembers)
	h.handle(mux, "POST /rec/members", recOperator, h.linkRecMember)
	h.handle(mux, "GET /rec/events", rpsRead, h.listRecEvents)
	h.handle(mux, "GET /rec/verify", rpsRead, h.verifyRegistry)

	h.handle(mux, "POST /rps/calc", rpsRead, h.calcRPS)
	h.handle(mux, "GET /rps/rules", rpsRead, h.listRPSRules)
	h.handle(mux, "GET /rps/profile", rpsRead, h.getRPSProfile)
	h.handle(mux, "PUT /rps/profile", rpsWrite, h.putRPSProfile)
	h.handle(mux, "GET /rps/retail-sales", rpsRead, h.listRetailSales)
	h.handle(mux, "PUT /rps/retail-sales/{year}", rpsWrite, h.putRetailSales)
	h.handle(mux, "GET /rps/contracts", rpsRead, h.listContracts)
	h.handle(mux, "POST /rps/contracts", rpsWrite, h.createContract)
	h.handle(mux, "POST /rps/contracts/{id}/amendments", rpsWrite, h.amendContract)
	h.handle(mux, "GET /rps/claims", rpsRead, h.listClaims)
	h.handle(mux, "POST /rps/claims", rpsWrite, h.createClaim)
	h.handle(mux, "GET /rps/position", rpsRead, h.getRPSPosition)
	h.handle(mux, "GET /rps/report", rpsRead, h.getRPSReport)
	h.handle(mux, "GET /rps/report/procurement", rpsRead, h.getProcurementDetail)
}

// RecAccountJSON is a registry account with what it holds by status.
type RecAccountJSON struct {
	ID        int64            `json:"id"`
	Org       string           `json:"org"`
	Name      string           `json:"name"`
	Kind      rec.AccountKind  `json:"kind"`
	CreatedAt string           `json:"created_at"`
	Holdings  map[string]int64 `json:"holdings"`
}

// NewRecAccounts describes accounts with their holdings.
func NewRecAccounts(accts []rec.Account, holds []store.Holding) []RecAccountJSON {
	out := make([]RecAccountJSON, 0, len(accts))
	for _, a := range accts {
		j := RecAccountJSON{ID: a.ID, Org: a.Org, Name: a.Name, Kind: a.Kind, CreatedAt: instant(a.Created), Holdings: map[string]int64{}}
		for _, s := range []rec.Status{rec.StatusActive, rec.StatusPending, rec.StatusRetired, rec.StatusExported, rec.StatusWithdrawn} {
			j.Holdings[string(s)] = 0
		}
		for _, h := range holds {
			if h.AccountID == a.ID {
				j.Holdings[string(h.Status)] += h.Quantity
			}
		}
		out = append(out, j)
	}
	return out
}

// BlockJSON is a block of certificates with its WREGIS-style serial label.
type BlockJSON struct {
	ID         int64      `json:"id"`
	IssuanceID int64      `json:"issuance_id"`
	ParentID   *int64     `json:"parent_id"`
	FacilityID int64      `json:"facility_id"`
	WREGISID   string     `json:"wregis_id"`
	Vintage    string     `json:"vintage"`
	AccountID  int64      `json:"account_id"`
	Start      int64      `json:"serial_start"`
	End        int64      `json:"serial_end"`
	Serials    string     `json:"serials"`
	Quantity   int64      `json:"quantity"`
	Status     rec.Status `json:"status"`
	Version    int64      `json:"version"`
}

// NewBlockJSON describes a block of facility f.
func NewBlockJSON(b rec.Block, f rec.Facility) BlockJSON {
	j := BlockJSON{ID: b.ID, IssuanceID: b.IssuanceID, FacilityID: b.FacilityID, WREGISID: f.WREGISID, Vintage: b.Vintage.String(),
		AccountID: b.AccountID, Start: b.Start, End: b.End, Serials: b.Serials(f.Facility),
		Quantity: b.Quantity(), Status: b.Status, Version: b.Version}
	if b.ParentID != 0 {
		j.ParentID = &b.ParentID
	}
	return j
}

// TransferJSON is a two-phase transfer.
type TransferJSON struct {
	ID         int64              `json:"id"`
	BlockID    int64              `json:"block_id"`
	From       int64              `json:"from_account_id"`
	To         int64              `json:"to_account_id"`
	Quantity   int64              `json:"quantity"`
	Status     rec.TransferStatus `json:"status"`
	Note       string             `json:"note"`
	Initiated  string             `json:"initiated_at"`
	ResolvedAt *string            `json:"resolved_at"`
}

// NewTransferJSON describes a transfer.
func NewTransferJSON(t rec.Transfer) TransferJSON {
	j := TransferJSON{ID: t.ID, BlockID: t.BlockID, From: t.From, To: t.To, Quantity: t.Quantity, Status: t.Status, Note: t.Note, Initiated: instant(t.Initiated)}
	if !t.Resolved.IsZero() {
		s := instant(t.Resolved)
		j.ResolvedAt = &s
	}
	return j
}

// RetirementJSON is a retirement.
type RetirementJSON struct {
	ID             int64      `json:"id"`
	BlockID        int64      `json:"block_id"`
	AccountID      int64      `json:"account_id"`
	FromAccount    int64      `json:"from_account_id"`
	FacilityID     int64      `json:"facility_id"`
	Vintage        string     `json:"vintage"`
	Quantity       int64      `json:"quantity"`
	Reason         rec.Reason `json:"reason"`
	Beneficiary    string     `json:"beneficiary"`
	ComplianceYear *int       `json:"compliance_year"`
	RetiredOn      string     `json:"retired_on"`
	Deadline       string     `json:"rps_deadline"`
	RPSEligible    bool       `json:"rps_eligible"`
}

// NewRetirementJSON describes a retirement.
func NewRetirementJSON(r rec.Retirement) RetirementJSON {
	j := RetirementJSON{ID: r.ID, BlockID: r.BlockID, AccountID: r.AccountID, FromAccount: r.FromAccount, FacilityID: r.FacilityID,
		Vintage: r.Vintage.String(), Quantity: r.Quantity, Reason: r.Reason, Beneficiary: r.Beneficiary, RetiredOn: r.RetiredOn.String(),
		Deadline: r.Deadline.String(), RPSEligible: r.RPSEligible}
	if r.ComplianceYear != 0 {
		j.ComplianceYear = &r.ComplianceYear
	}
	return j
}

// IssuanceJSON is an issuance.
type IssuanceJSON struct {
	ID         int64      `json:"id"`
	Origin     rec.Origin `json:"origin"`
	Batch      string     `json:"batch"`
	First      int64      `json:"first_serial"`
	FacilityID int64      `json:"facility_id"`
	ReportID   *int64     `json:"report_id"`
	Revision   int        `json:"revision"`
	Vintage    string     `json:"vintage"`
	AccountID  int64      `json:"account_id"`
	ReportedWh int64      `json:"reported_wh"`
	EligibleWh int64      `json:"eligible_wh"`
	CreditedWh int64      `json:"credited_wh"`
	CarryInWh  int64      `json:"carry_in_wh"`
	CarryOutWh int64      `json:"carry_out_wh"`
	Quantity   int64      `json:"quantity"`
	BlockID    *int64     `json:"block_id"`
	Note       string     `json:"note"`
	IssuedAt   string     `json:"issued_at"`
}

// NewIssuanceJSON describes an issuance.
func NewIssuanceJSON(i rec.Issuance) IssuanceJSON {
	origin := i.Origin
	if origin == "" {
		origin = rec.OriginIssued
	}
	j := IssuanceJSON{ID: i.ID, Origin: origin, Batch: i.BatchLabel(), First: i.FirstSerial(), FacilityID: i.FacilityID, Revision: i.Revision,
		Vintage: i.Vintage.String(), AccountID: i.AccountID, ReportedWh: int64(i.ReportedWh), EligibleWh: int64(i.EligibleWh),
		CreditedWh: int64(i.CreditedWh), CarryInWh: int64(i.CarryIn), CarryOutWh: int64(i.CarryOut), Quantity: i.Quantity, Note: i.Note,
		IssuedAt: instant(i.Issued)}
	if i.ReportID != 0 {
		j.ReportID = &i.ReportID
	}
	if i.BlockID != 0 {
		j.BlockID = &i.BlockID
	}
	return j
}

// ImportJSON is what reading a WREGIS-style file did.
type ImportJSON struct {
	Layout      rec.Layout       `json:"layout"`
	Rows        int              `json:"rows"`
	Already     int              `json:"already_imported"`
	Reports     []ReportJSON     `json:"reports"`
	Issuances   []IssuanceJSON   `json:"issuances"`
	Blocks      []BlockJSON      `json:"blocks"`
	Retirements []RetirementJSON `json:"retirements"`
}

// NewImportJSON describes an import; facs labels the blocks.
func NewImportJSON(sum rec.ImportSummary, facs map[int64]rec.Facility) ImportJSON {
	j := ImportJSON{Layout: sum.Layout, Rows: sum.Rows, Already: sum.Already, Reports: []ReportJSON{}, Issuances: []IssuanceJSON{},
		Blocks: []BlockJSON{}, Retirements: []RetirementJSON{}}
	for _, r := range sum.Reports {
		j.Reports = append(j.Reports, NewReportJSON(r))
	}
	for _, i := range sum.Issuances {
		j.Issuances = append(j.Issuances, NewIssuanceJSON(i))
	}
	for _, b := range sum.Blocks {
		j.Blocks = append(j.Blocks, NewBlockJSON(b, facs[b.FacilityID]))
	}
	for _, x := range sum.Retirements {
		j.Retirements = append(j.Retirements, NewRetirementJSON(x))
	}
	return j
}

// ImportRegistryFile imports a WREGIS-style file in a registry
// transaction: the layout is named or told from the header (rec.LayoutOf),
// names resolve against the stored accounts and facilities, and a refusal
// stores nothing.
func ImportRegistryFile(ctx context.Context, reg *rec.Registry, tx *store.Tx, layout rec.Layout, data []byte, source string, issue bool) (ImportJSON, error) {
	if layout == "" {
		layout = rec.LayoutOf(data)
	}
	dir, err := tx.RecDirectory(ctx)
	if err != nil {
		return ImportJSON{}, err
	}
	sum, err := reg.ImportFile(ctx, layout, data, dir, source, issue)
	if err != nil {
		return ImportJSON{}, err
	}
	facs := map[int64]rec.Facility{}
	for _, f := range dir.Facilities {
		facs[f.ID] = f
	}
	return NewImportJSON(sum, facs), nil
}

// ReportJSON is a generation report (its hourly values counted, not
// listed).
type ReportJSON struct {
	ID           int64  `json:"id"`
	FacilityID   int64  `json:"facility_id"`
	Vintage      string `json:"vintage"`
	Revision     int    `json:"revision"`
	GenerationWh int64  `json:"generation_wh"`
	Hours        int    `json:"hourly_values"`
	Source       string `json:"source"`
	ReceivedAt   string `json:"received_at"`
}

// NewReportJSON describes a generation report.
func NewReportJSON(r rec.Report) ReportJSON {
	return ReportJSON{ID: r.ID, FacilityID: r.FacilityID, Vintage: r.Vintage.String(), Revision: r.Revision, GenerationWh: int64(r.Wh),
		Hours: len(r.Hourly), Source: r.Source, ReceivedAt: instant(r.Received)}
}

// EventJSON is an entry of the registry's event log.
type EventJSON struct {
	Seq      int64           `json:"seq"`
	At       string          `json:"at"`
	Kind     string          `json:"kind"`
	Actor    string          `json:"actor"`
	Data     json.RawMessage `json:"data"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// NewEventJSON describes an event.
func NewEventJSON(e rec.Event) EventJSON {
	return EventJSON{Seq: e.Seq, At: instant(e.At), Kind: e.Kind, Actor: e.Actor, Data: e.Data, PrevHash: e.Prev, Hash: e.Hash}
}

// VerifyJSON is the outcome of checking the registry.
type VerifyJSON struct {
	Sound    bool       `json:"sound"`
	Events   int64      `json:"events"`
	HeadHash string     `json:"head_hash"`
	Break    *rec.Break `json:"break"`
	Problems []string   `json:"problems"`
}

// VerifyRegistry rehashes the event log and checks the serial invariants.
func VerifyRegistry(ctx context.Context, db *store.DB) (VerifyJSON, error) {
	st, err := db.VerifyRecChain(ctx)
	if err != nil {
		return VerifyJSON{}, err
	}
	probs, err := db.CheckRecRegistry(ctx)
	if err != nil {
		return VerifyJSON{}, err
	}
	if probs == nil {
		probs = []string{}
	}
	return VerifyJSON{Sound: st.Break == nil && len(probs) == 0, Events: st.Events, HeadHash: st.Head, Break: st.Break, Problems: probs}, nil
}

// PositionJSON is one compliance period of the seller's history.
type PositionJSON struct {
	Period   string          `json:"period"`
	Through  int             `json:"through_year"`
	Partial  bool            `json:"partial"`
	BankIn   int64           `json:"bank_in_mwh"`
	Problem  string          `json:"problem"`
	Position *rps.CalcOutput `json:"position"`
}

// NewPositions describes a history as the calculator's output per period.
func NewPositions(hist []rps.PeriodPosition) []PositionJSON {
	out := make([]PositionJSON, 0, len(hist))
	for _, p := range hist {
		j := PositionJSON{Period: p.Period, Through: p.Through, Partial: p.Partial, BankIn: p.BankIn, Problem: p.Problem}
		if p.Result != nil {
			rs := p.Rules
			o := rps.NewCalcOutput(&rs, p.Result, p.BankIn)
			normalizeCalc(&o)
			j.Position = &o
		}
		out = append(out, j)
	}
	return out
}

// normalizeCalc makes the calculator's lists empty rather than null.
func normalizeCalc(o *rps.CalcOutput) {
	if o.Years == nil {
		o.Years = []rps.CalcYear{}
	}
	if o.Sources == nil {
		o.Sources = []rps.Source{}
	}
}

// facilityIndex loads every facility by id, for labelling blocks.
func facilityIndex(ctx context.Context, q interface {
	RecFacilities(context.Context) ([]rec.Facility, error)
}) (map[int64]rec.Facility, error) {
	fs, err := q.RecFacilities(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]rec.Facility, len(fs))
	for _, f := range fs {
		out[f.ID] = f
	}
	return out, nil
}

// registry runs fn as a registry transaction behind commit's
// Idempotency-Key handling.
func (h *handler) registry(w http.ResponseWriter, r *http.Request, p *principal, body []byte,
	fn func(ctx context.Context, reg *rec.Registry, tx *store.Tx) (int, any, error)) {
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		reg, err := tx.Registry(ctx, p.actor)
		if err != nil {
			return 0, nil, err
		}
		reg.Org = p.org
		return fn(ctx, reg, tx)
	})
}

// visibleRecAccount answers NotFound for an account the caller may not see
// (another organization's, for a registry participant).
func (h *handler) visibleRecAccount(ctx context.Context, p *principal, id int64) (rec.Account, error) {
	return h.db.RecAccountOf(ctx, p.org, id)
}

// visibleRecFacility returns a facility the caller may see: a participant
// sees only those whose certificates go to its own accounts.
func (h *handler) visibleRecFacility(ctx context.Context, p *principal, id int64) (rec.Facility, error) {
	f, err := h.db.RecFacility(ctx, id)
	if err == nil && p.org != "" {
		if _, err = h.visibleRecAccount(ctx, p, f.AccountID); err != nil {
			return rec.Facility{}, apperr.NotFoundf("api", "no facility %d", id)
		}
	}
	return f, err
}

func (h *handler) listRecAccounts(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	accts, err := h.db.RecAccountsOf(r.Context(), p.org)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	holds, err := h.db.RecHoldingsOf(r.Context(), p.org)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[RecAccountJSON]{Data: NewRecAccounts(accts, holds)})
}

func (h *handler) getRecAccount(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "registry account")
	if err == nil {
		err = newParams(r).err()
	}
	var a rec.Account
	if err == nil {
		a, err = h.visibleRecAccount(r.Context(), p, id)
	}
	var holds []store.Holding
	if err == nil {
		holds, err = h.db.RecHoldingsOf(r.Context(), a.Org)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewRecAccounts([]rec.Account{a}, holds)[0])
}

func (h *handler) openRecAccount(w http.ResponseWriter, r *http.Request, p *principal) {
	var in struct {
		Org  string          `json:"org"`
		Name string          `json:"name"`
		Kind rec.AccountKind `json:"kind"`
	}
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		a, err := reg.OpenAccount(ctx, rec.Account{Org: in.Org, Name: in.Name, Kind: in.Kind})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, NewRecAccounts([]rec.Account{a}, nil)[0], nil
	})
}

func (h *handler) listFacilities(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	fs, err := h.db.RecFacilitiesOf(r.Context(), p.org)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	for i := range fs {
		normalizeFacility(&fs[i])
	}
	writeJSON(w, http.StatusOK, list[rec.Facility]{Data: append([]rec.Facility{}, fs...)})
}

// normalizeFacility makes a facility's certification list empty rather
// than null.
func normalizeFacility(f *rec.Facility) {
	if f.Certifications == nil {
		f.Certifications = []rps.Certification{}
	}
}

func (h *handler) registerFacility(w http.ResponseWriter, r *http.Request, p *principal) {
	var in rec.Facility
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		f, err := reg.RegisterFacility(ctx, in)
		normalizeFacility(&f)
		return http.StatusCreated, f, err
	})
}

// facilityDetailJSON is a facility with its eligibility today, recent
// issuances and blocks.
type facilityDetailJSON struct {
	Facility    rec.Facility   `json:"facility"`
	Eligibility rps.Decision   `json:"eligibility"`
	Issuances   []IssuanceJSON `json:"issuances"`
}

func (h *handler) getFacility(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "facility")
	if err == nil {
		err = newParams(r).err()
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	f, err := h.visibleRecFacility(ctx, p, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	iss, err := h.db.RecIssuances(ctx, id, 120)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	normalizeFacility(&f)
	out := facilityDetailJSON{Facility: f, Eligibility: rps.Eligibility(&f.Facility, calendar.DateOf(h.db.Now()), ""), Issuances: []IssuanceJSON{}}
	for _, i := range iss {
		out.Issuances = append(out.Issuances, NewIssuanceJSON(i))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) certifyFacility(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "facility")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var in rps.Certification
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		f, err := reg.Certify(ctx, id, in)
		normalizeFacility(&f)
		return http.StatusOK, f, err
	})
}

func (h *handler) listGenerationReports(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "facility")
	if err == nil {
		err = newParams(r).err()
	}
	if err == nil {
		_, err = h.visibleRecFacility(r.Context(), p, id)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	reps, err := h.db.RecReports(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[ReportJSON]{Data: []ReportJSON{}}
	for _, rp := range reps {
		out.Data = append(out.Data, NewReportJSON(rp))
	}
	writeJSON(w, http.StatusOK, out)
}

// reportInput is a generation report as posted.
type reportInput struct {
	Vintage      rps.Month `json:"vintage"`
	GenerationWh int64     `json:"generation_wh"`
	HourlyWh     []int64   `json:"hourly_wh"`
	Revision     int       `json:"revision"`
	Source       string    `json:"source"`
}

func (h *handler) submitGenerationReport(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "facility")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var in reportInput
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	rep := rec.Report{FacilityID: id, Vintage: in.Vintage, Wh: energy.Wh(in.GenerationWh), Revision: in.Revision, Source: in.Source}
	for _, v := range in.HourlyWh {
		rep.Hourly = append(rep.Hourly, energy.Wh(v))
	}
	if rep.Source == "" {
		rep.Source = "POST " + Prefix + "/rec/facilities/" + strconv.FormatInt(id, 10) + "/reports"
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		if _, err := reg.Facility(ctx, id); err != nil {
			return 0, nil, err
		}
		out, err := reg.SubmitReport(ctx, rep)
		return http.StatusCreated, NewReportJSON(out), err
	})
}

func (h *handler) issueCertificates(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "facility")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var in struct {
		Vintage rps.Month `json:"vintage"`
	}
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	if in.Vintage.IsZero() {
		var f apperr.Fields
		f.Add("vintage", "is required (YYYY-MM)")
		h.writeError(w, r, f.Err("api.issueCertificates"))
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		iss, err := reg.Issue(ctx, id, in.Vintage)
		return http.StatusCreated, NewIssuanceJSON(iss), err
	})
}

func (h *handler) listBlocks(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "account_id", "facility_id", "status", "vintage", "after", "limit")
	f := store.BlockFilter{AccountID: ps.int64("account_id"), FacilityID: ps.int64("facility_id"), Status: rec.Status(ps.str("status")), Org: p.org}
	if err := h.visibleFilter(r.Context(), p, f.AccountID); err != nil {
		h.writeError(w, r, err)
		return
	}
	if v := ps.str("vintage"); v != "" {
		m, err := rps.ParseMonth(v)
		if err != nil {
			ps.f.Add("vintage", "must be YYYY-MM")
		}
		f.Vintage = m
	}
	switch f.Status {
	case "", rec.StatusActive, rec.StatusPending, rec.StatusSplit, rec.StatusRetired, rec.StatusExported, rec.StatusWithdrawn:
	default:
		ps.f.Add("status", "want active, pending, split, retired, exported or withdrawn")
	}
	facs, err := facilityIndex(r.Context(), h.db)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writePage(h, w, r, ps, func(after int64, limit int) ([]rec.Block, error) {
		f.After, f.Limit = after, limit
		return h.db.RecBlocks(r.Context(), f)
	}, func(b rec.Block) int64 { return b.ID }, func(b rec.Block) BlockJSON { return NewBlockJSON(b, facs[b.FacilityID]) })
}

func (h *handler) getBlock(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "block")
	if err == nil {
		err = newParams(r).err()
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	b, err := h.db.RecBlock(r.Context(), id)
	if err == nil && p.org != "" {
		if _, err = h.visibleRecAccount(r.Context(), p, b.AccountID); err != nil {
			err = apperr.NotFoundf("api", "no block %d", id)
		}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := h.db.RecFacility(r.Context(), b.FacilityID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewBlockJSON(b, f))
}

// visibleFilter answers NotFound when a list is filtered by an account the
// caller may not see.
func (h *handler) visibleFilter(ctx context.Context, p *principal, accountID int64) error {
	if accountID == 0 || p.org == "" {
		return nil
	}
	_, err := h.visibleRecAccount(ctx, p, accountID)
	return err
}

func (h *handler) listTransfers(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "status", "account_id", "after", "limit")
	f := store.TransferFilter{Status: rec.TransferStatus(ps.str("status")), AccountID: ps.int64("account_id"), Org: p.org}
	if err := h.visibleFilter(r.Context(), p, f.AccountID); err != nil {
		h.writeError(w, r, err)
		return
	}
	switch f.Status {
	case "", rec.TransferPending, rec.TransferAccepted, rec.TransferRejected, rec.TransferCancelled:
	default:
		ps.f.Add("status", "want pending, accepted, rejected or cancelled")
	}
	writePage(h, w, r, ps, func(after int64, limit int) ([]rec.Transfer, error) {
		f.After, f.Limit = after, limit
		return h.db.RecTransfers(r.Context(), f)
	}, func(t rec.Transfer) int64 { return t.ID }, NewTransferJSON)
}

func (h *handler) initiateTransfer(w http.ResponseWriter, r *http.Request, p *principal) {
	var in rec.TransferCmd
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		t, err := reg.InitiateTransfer(ctx, in)
		return http.StatusCreated, NewTransferJSON(t), err
	})
}

func (h *handler) getTransfer(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "transfer")
	if err == nil {
		err = newParams(r).err()
	}
	var t rec.Transfer
	if err == nil {
		t, err = h.db.RecTransfer(r.Context(), id)
	}
	if err == nil && p.org != "" {
		// A participant sees a transfer sent from or to its accounts.
		if _, e1 := h.visibleRecAccount(r.Context(), p, t.From); e1 != nil {
			if _, e2 := h.visibleRecAccount(r.Context(), p, t.To); e2 != nil {
				err = apperr.NotFoundf("api", "no transfer %d", id)
			}
		}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewTransferJSON(t))
}

// transferActions maps the path's action to the transfer's new status.
var transferActions = map[string]rec.TransferStatus{"accept": rec.TransferAccepted, "reject": rec.TransferRejected, "cancel": rec.TransferCancelled}

func (h *handler) resolveTransfer(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "transfer")
	to, ok := transferActions[r.PathValue("action")]
	if err == nil && !ok {
		err = notFoundRoute(r)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var in struct {
		Note string `json:"note"`
	}
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		t, err := reg.ResolveTransfer(ctx, id, to, in.Note)
		return http.StatusOK, NewTransferJSON(t), err
	})
}

func (h *handler) listRetirements(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "account_id", "compliance_year", "reason", "after", "limit")
	f := store.RetirementFilter{AccountID: ps.int64("account_id"), ComplianceYear: int(ps.int64("compliance_year")), Reason: rec.Reason(ps.str("reason")),
		Org: p.org}
	if err := h.visibleFilter(r.Context(), p, f.AccountID); err != nil {
		h.writeError(w, r, err)
		return
	}
	writePage(h, w, r, ps, func(after int64, limit int) ([]rec.Retirement, error) {
		f.After, f.Limit = after, limit
		return h.db.RecRetirements(r.Context(), f)
	}, func(x rec.Retirement) int64 { return x.ID }, NewRetirementJSON)
}

func (h *handler) retireCertificates(w http.ResponseWriter, r *http.Request, p *principal) {
	var in rec.RetireCmd
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		x, err := reg.Retire(ctx, in)
		return http.StatusCreated, NewRetirementJSON(x), err
	})
}

// exportJSON is an export.
type exportJSON struct {
	ID          int64  `json:"id"`
	BlockID     int64  `json:"block_id"`
	AccountID   int64  `json:"account_id"`
	Quantity    int64  `json:"quantity"`
	Destination string `json:"destination"`
}

func (h *handler) exportCertificates(w http.ResponseWriter, r *http.Request, p *principal) {
	var in rec.ExportCmd
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) (int, any, error) {
		x, err := reg.Export(ctx, in)
		return http.StatusCreated, exportJSON{x.ID, x.BlockID, x.AccountID, x.Quantity, x.Destination}, err
	})
}

func (h *handler) withdrawCertificates(w http.ResponseWriter, r *http.Request, p *principal) {
	var in rec.WithdrawCmd
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, tx *store.Tx) (int, any, error) {
		b, err := reg.Withdraw(ctx, in)
		if err != nil {
			return 0, nil, err
		}
		f, err := tx.RecFacility(ctx, b.FacilityID)
		return http.StatusCreated, NewBlockJSON(b, f), err
	})
}

// maxRegistryFile bounds an uploaded registry file.
const maxRegistryFile = 32 << 20

// importRegistryFile imports a WREGIS-style CSV posted as the body
// (text/csv): a generation upload (?issue=true issues each month), a
// holdings report or a retirements report (?layout= names it; the header
// tells them apart otherwise). 201 when something was added, 200 when the
// file had been imported before and nothing changed.
func (h *handler) importRegistryFile(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "layout", "issue", "source")
	layout := rec.Layout(ps.str("layout"))
	switch layout {
	case "", rec.LayoutGeneration, rec.LayoutHoldings, rec.LayoutRetirements:
	default:
		ps.f.Add("layout", "want generation, holdings or retirements")
	}
	issue := ps.optBool("issue")
	source := ps.str("source")
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/csv" {
			ps.f.Add("Content-Type", "must be text/csv, got %q", ct)
		}
	}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegistryFile))
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			err = apperr.E(apperr.Invalid, "api.importRegistryFile", "could not read the request body", err)
		}
		h.writeError(w, r, err)
		return
	}
	if source == "" {
		source = "POST " + Prefix + "/rec/imports"
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, tx *store.Tx) (int, any, error) {
		out, err := ImportRegistryFile(ctx, reg, tx, layout, body, source, issue != nil && *issue)
		if err != nil {
			return 0, nil, err
		}
		status := http.StatusCreated
		if len(out.Reports)+len(out.Issuances) == 0 {
			status = http.StatusOK
		}
		return status, out, nil
	})
}

func (h *handler) listRecEvents(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "after", "limit")
	after, limit := ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	evs, err := h.db.RecEvents(r.Context(), after, limit+1)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(evs, limit, func(e rec.Event) int64 { return e.Seq }, NewEventJSON))
}

func (h *handler) verifyRegistry(w http.ResponseWriter, r *http.Request, _ *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := VerifyRegistry(r.Context(), h.db)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) calcRPS(w http.ResponseWriter, r *http.Request, _ *principal) {
	b, err := readBody(w, r)
	var in rps.CalcInput
	if err == nil {
		in, err = rps.ParseCalcInput(bytes.NewReader(b))
	}
	var out rps.CalcOutput
	if err == nil {
		out, err = rps.Calc(nil, in)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	normalizeCalc(&out)
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) listRPSRules(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "jurisdiction")
	j := rps.Jurisdiction(ps.str("jurisdiction"))
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	rules, err := rps.DefaultRules()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[rps.RuleSet]{Data: []rps.RuleSet{}}
	for _, s := range rules.All() {
		if j == "" || s.Jurisdiction == j {
			out.Data = append(out.Data, s)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) getRPSProfile(w http.ResponseWriter, r *http.Request, _ *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	p, err := h.db.RPSProfile(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, profileOut(p))
}

func profileOut(p store.RPSProfile) store.RPSProfile {
	if p.Recommendations == nil {
		p.Recommendations = map[string]string{}
	}
	return p
}

func (h *handler) putRPSProfile(w http.ResponseWriter, r *http.Request, pr *principal) {
	var in store.RPSProfile
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.commit(w, r, pr, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := tx.SetRPSProfile(ctx, pr.actor, in); err != nil {
			return 0, nil, err
		}
		p, err := tx.RPSProfile(ctx)
		return http.StatusOK, profileOut(p), err
	})
}

// retailSalesJSON is a year's retail sales.
type retailSalesJSON struct {
	Year      int    `json:"year"`
	MWh       int64  `json:"mwh"`
	Source    string `json:"source"`
	UpdatedAt string `json:"updated_at"`
}

func (h *handler) listRetailSales(w http.ResponseWriter, r *http.Request, _ *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	sales, err := h.db.RPSRetailSales(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[retailSalesJSON]{Data: []retailSalesJSON{}}
	for _, s := range sales {
		out.Data = append(out.Data, retailSalesJSON{s.Year, s.MWh, s.Source, instant(s.Updated)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) putRetailSales(w http.ResponseWriter, r *http.Request, p *principal) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 1 {
		h.writeError(w, r, apperr.NotFoundf("api", "year %s not found", r.PathValue("year")))
		return
	}
	var in struct {
		MWh    int64  `json:"mwh"`
		Source string `json:"source"`
	}
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		s := store.RetailSales{Year: year, MWh: in.MWh, Source: in.Source}
		if err := tx.SetRetailSales(ctx, p.actor, s); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, retailSalesJSON{year, in.MWh, in.Source, instant(h.db.Now())}, nil
	})
}

// contractOut makes a contract's amendments an empty list rather than null.
func contractOut(c rps.Contract) rps.Contract {
	if c.Amendments == nil {
		c.Amendments = []rps.Amendment{}
	}
	return c
}

func (h *handler) listContracts(w http.ResponseWriter, r *http.Request, _ *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	cs, err := h.db.Contracts(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[rps.Contract]{Data: []rps.Contract{}}
	for _, c := range cs {
		out.Data = append(out.Data, contractOut(c))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) createContract(w http.ResponseWriter, r *http.Request, p *principal) {
	var in rps.Contract
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		in.ID = 0
		err := tx.CreateContract(ctx, p.actor, &in)
		return http.StatusCreated, contractOut(in), err
	})
}

func (h *handler) amendContract(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "contract")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var in rps.Amendment
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		c, err := tx.AmendContract(ctx, p.actor, id, in)
		return http.StatusOK, contractOut(c), err
	})
}

func (h *handler) listClaims(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "period", "retirement_id", "after", "limit")
	f := store.ClaimFilter{Period: ps.str("period"), RetirementID: ps.int64("retirement_id")}
	writePage(h, w, r, ps, func(after int64, limit int) ([]store.ClaimRecord, error) {
		f.After, f.Limit = after, limit
		return h.db.Claims(r.Context(), f)
	}, func(c store.ClaimRecord) int64 { return c.ID }, func(c store.ClaimRecord) store.ClaimRecord { return c })
}

func (h *handler) createClaim(w http.ResponseWriter, r *http.Request, p *principal) {
	var in store.ClaimInput
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.registry(w, r, p, body, func(ctx context.Context, reg *rec.Registry, tx *store.Tx) (int, any, error) {
		cs, err := tx.ClaimRetirement(ctx, reg, in)
		return http.StatusCreated, list[store.ClaimRecord]{Data: cs}, err
	})
}

func (h *handler) getRPSPosition(w http.ResponseWriter, r *http.Request, _ *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	p, hist, err := h.db.RPSHistory(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Seller       string           `json:"seller"`
		Jurisdiction rps.Jurisdiction `json:"jurisdiction"`
		Periods      []PositionJSON   `json:"periods"`
	}{p.Seller, p.Jurisdiction, NewPositions(hist)})
}

// ReportJSONOf renders an annual report with its percentage as a decimal.
func ReportJSONOf(rep *rps.Report) any {
	normalizeCalc(&rep.ToDate)
	return struct {
		*rps.Report
		Percent string `json:"procured_percent_of_retail_sales"`
	}{rep, pctString(rep)}
}

func pctString(rep *rps.Report) string {
	if rep.Percent == nil {
		return "0.00"
	}
	return rps.RatString(new(big.Rat).Mul(rep.Percent, big.NewRat(100, 1)), 2)
}

func (h *handler) getRPSReport(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "year")
	year := ps.optInt("year")
	if year == nil {
		ps.f.Add("year", "is required")
	}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	in, err := h.db.RPSReportInput(r.Context(), *year)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rep, err := rps.BuildReport(in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ReportJSONOf(rep))
}

// listRecMembers lists which participant users and API clients act for
// which organization (the registry operator's, never a participant's).
func (h *handler) listRecMembers(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	ms, err := h.db.RecMembers(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if ms == nil {
		ms = []store.RecMember{}
	}
	writeJSON(w, http.StatusOK, list[store.RecMember]{Data: ms})
}

// linkRecMember makes a participant user or a rec:write API client act
// for an organization holding registry accounts (exactly one of user_id
// and client_id; audited).
func (h *handler) linkRecMember(w http.ResponseWriter, r *http.Request, p *principal) {
	var in struct {
		Org      string `json:"org"`
		UserID   int64  `json:"user_id"`
		ClientID int64  `json:"client_id"`
	}
	body, ok := h.decodeBody(w, r, &in)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		const op = "api.linkRecMember"
		var f apperr.Fields
		if (in.UserID == 0) == (in.ClientID == 0) {
			f.Add("user_id", "give exactly one of user_id and client_id")
			return 0, nil, f.Err(op)
		}
		var m store.RecMember
		var err error
		if in.UserID != 0 {
			m, err = tx.LinkRecUser(ctx, p.actor, in.Org, in.UserID)
			if apperr.Is(err, apperr.NotFound) {
				f.Add("user_id", "no user %d", in.UserID)
				return 0, nil, f.Err(op)
			}
		} else {
			m, err = tx.LinkRecClient(ctx, p.actor, in.Org, in.ClientID)
			if apperr.Is(err, apperr.NotFound) {
				f.Add("client_id", "no API client %d", in.ClientID)
				return 0, nil, f.Err(op)
			}
		}
		if err != nil {
			return 0, nil, err
		}
		ms, err := tx.RecMembers(ctx)
		for _, x := range ms {
			if x.ID == m.ID {
				m = x
			}
		}
		return http.StatusCreated, m, err
	})
}

// getProcurementDetail answers the annual report's procurement detail:
// one row per contract, category, long-term status, vintage and
// retirement month of the year's claims.
func (h *handler) getProcurementDetail(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "year")
	year := ps.optInt("year")
	if year == nil {
		ps.f.Add("year", "is required")
	}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	// The report's own checks: a year with retail sales and a rule set.
	if _, err := h.db.RPSReportInput(r.Context(), *year); err != nil {
		h.writeError(w, r, err)
		return
	}
	rows, err := h.db.ProcurementDetail(r.Context(), *year)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[rps.DetailRow]{Data: rows})
}
