package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/nem"
)

// Installer is a solar contractor that files net-metering applications on
// customers' behalf.
type Installer struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	License string    `json:"license"` // California contractor's license number
	Email   string    `json:"email"`
	Created time.Time `json:"created_at"`
}

// CreateInstaller validates and inserts an installer.
func (tx *Tx) CreateInstaller(ctx context.Context, actor auth.Actor, in *Installer) error {
	in.Name, in.License, in.Email = strings.TrimSpace(in.Name), strings.TrimSpace(in.License), strings.ToLower(strings.TrimSpace(in.Email))
	var f apperr.Fields
	if in.Name == "" {
		f.Add("name", "is required")
	}
	if in.License == "" {
		f.Add("license", "is required: the installer's California contractor's license number")
	}
	if err := f.Err("store.CreateInstaller"); err != nil {
		return err
	}
	in.Created = tx.now()
	err := tx.q.QueryRowContext(ctx, `INSERT INTO nem_installers (name, license, email, created_unix) VALUES ($1, $2, $3, $4) RETURNING id`,
		in.Name, in.License, in.Email, in.Created.Unix()).Scan(&in.ID)
	if err != nil {
		if apperr.Is(mapErr(err), apperr.Conflict) {
			return apperr.E(apperr.Conflict, "store.CreateInstaller", "an installer named "+in.Name+" already exists", err)
		}
		return fmt.Errorf("store: create installer: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "installer", in.ID, nil, in)
}

const installerCols = `id, name, license, email, created_unix`

func scanInstaller(s interface{ Scan(...any) error }) (Installer, error) {
	var in Installer
	var cr int64
	err := s.Scan(&in.ID, &in.Name, &in.License, &in.Email, &cr)
	in.Created = time.Unix(cr, 0).UTC()
	return in, err
}

// Installer returns an installer by ID.
func (q queries) Installer(ctx context.Context, id int64) (Installer, error) {
	in, err := scanInstaller(q.q.QueryRowContext(ctx, `SELECT `+installerCols+` FROM nem_installers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, apperr.NotFoundf("store.Installer", "installer %d not found", id)
	}
	return in, err
}

// Installers lists installers by name.
func (q queries) Installers(ctx context.Context) ([]Installer, error) {
	return collect(ctx, q, scanInstaller, `SELECT `+installerCols+` FROM nem_installers ORDER BY name, id`)
}

// LinkInstallerUser makes an installer user act for an installer. The
// user must have the installer role.
func (tx *Tx) LinkInstallerUser(ctx context.Context, actor auth.Actor, installerID, userID int64) error {
	u, err := tx.User(ctx, userID)
	if err != nil {
		return err
	}
	if u.Role != auth.Installer {
		var f apperr.Fields
		f.Add("user", "%s has the %s role; only installer users act for an installer", u.Email, u.Role)
		return f.Err("store.LinkInstallerUser")
	}
	return tx.linkInstaller(ctx, actor, installerID, "user_id", userID, map[string]any{"installer_id": installerID, "user_id": userID})
}

// LinkInstallerClient makes an API client with the nem:apply scope act for
// an installer.
func (tx *Tx) LinkInstallerClient(ctx context.Context, actor auth.Actor, installerID, clientID int64) error {
	var scopes string
	err := tx.q.QueryRowContext(ctx, `SELECT scopes FROM api_clients WHERE id = $1`, clientID).Scan(&scopes)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("store.LinkInstallerClient", "API client %d not found", clientID)
	} else if err != nil {
		return err
	}
	if !slices.Contains(strings.Fields(scopes), auth.ScopeNEMApply) {
		var f apperr.Fields
		f.Add("client", "API client %d lacks the %s scope", clientID, auth.ScopeNEMApply)
		return f.Err("store.LinkInstallerClient")
	}
	return tx.linkInstaller(ctx, actor, installerID, "client_id", clientID, map[string]any{"installer_id": installerID, "client_id": clientID})
}

func (tx *Tx) linkInstaller(ctx context.Context, actor auth.Actor, installerID int64, col string, id int64, detail any) error {
	if _, err := tx.Installer(ctx, installerID); err != nil {
		return err
	}
	var mid int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO nem_installer_members (installer_id, `+col+`) VALUES ($1, $2) RETURNING id`,
		installerID, id).Scan(&mid)
	if err != nil {
		if apperr.Is(mapErr(err), apperr.Conflict) {
			return apperr.E(apperr.Conflict, "store.LinkInstaller", "already linked to an installer", err)
		}
		return fmt.Errorf("store: link installer: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "installer_member", mid, nil, detail)
}

// InstallerOfUser returns the installer a user acts for, or NotFound.
func (q queries) InstallerOfUser(ctx context.Context, userID int64) (Installer, error) {
	return q.installerOf(ctx, "user_id", userID)
}

// InstallerOfClient returns the installer an API client acts for, or
// NotFound.
func (q queries) InstallerOfClient(ctx context.Context, clientID int64) (Installer, error) {
	return q.installerOf(ctx, "client_id", clientID)
}

func (q queries) installerOf(ctx context.Context, col string, id int64) (Installer, error) {
	in, err := scanInstaller(q.q.QueryRowContext(ctx, `SELECT i.id, i.name, i.license, i.email, i.created_unix
		FROM nem_installer_members m JOIN nem_installers i ON i.id = m.installer_id WHERE m.`+col+` = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, apperr.NotFoundf("store.InstallerOf", "not linked to an installer")
	}
	return in, err
}

// collect runs a query and scans every row.
func collect[T any](ctx context.Context, q queries, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// NEMRules are the rules a store applies to applications: the utility's
// vintages and holiday calendar. The zero value means SCE's.
type NEMRules struct {
	Vintages nem.VintageRules
	Holidays calendar.Holidays
}

func nemRules() NEMRules {
	return NEMRules{Vintages: nem.SCEVintages, Holidays: calendar.UtilityHolidays()}
}

const nemCols = `id, number, account_id, installer_id, status, submitted_on, complete_on, approved_on, agreement_on, meter_on,
	pto_on, active_on, closed_on, meter_method, vintage_program, vintage_label, system_json, enrollment_id, created_unix, updated_unix`

func scanNEM(s interface{ Scan(...any) error }) (nem.Application, error) {
	var a nem.Application
	var inst, enr sql.NullInt64
	var sys string
	var cr, up int64
	m := &a.Milestones
	err := s.Scan(&a.ID, &a.Number, &a.AccountID, &inst, &a.Status, &m.Submitted, &m.Complete, &m.Approved, &m.Agreement, &m.Meter,
		&m.PTO, &m.Active, &m.Closed, &a.MeterMethod, &a.Vintage.Program, &a.Vintage.Label, &sys, &enr, &cr, &up)
	if err != nil {
		return a, err
	}
	a.InstallerID, a.EnrollmentID = inst.Int64, enr.Int64
	a.Created, a.Updated = time.Unix(cr, 0).UTC(), time.Unix(up, 0).UTC()
	if err := json.Unmarshal([]byte(sys), &a.System); err != nil {
		return a, fmt.Errorf("application %d system: %w", a.ID, err)
	}
	if a.Vintage.Program != "" {
		a.Vintage.AppliedOn, a.Vintage.Aggregation = m.Submitted, a.System.Variant == nem.Aggregation
	}
	return a, nil
}

// NEMApplication returns an application by ID.
func (q queries) NEMApplication(ctx context.Context, id int64) (nem.Application, error) {
	a, err := scanNEM(q.q.QueryRowContext(ctx, `SELECT `+nemCols+` FROM nem_applications WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundf("store.NEMApplication", "NEM application %d not found", id)
	}
	return a, err
}

// NEMFilter selects applications; zero fields match everything.
type NEMFilter struct {
	Statuses    []nem.Status
	InstallerID int64
	AccountID   int64
	AccountIDs  []int64 // restrict to these accounts (portal users); nil means all
	After       int64   // cursor: id > After
	Limit       int     // 0 means all
}

// NEMApplications lists applications in ID order after the cursor.
func (q queries) NEMApplications(ctx context.Context, f NEMFilter) ([]nem.Application, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where = append(where, "id > "+arg(f.After))
	if len(f.Statuses) > 0 {
		var ps []string
		for _, s := range f.Statuses {
			ps = append(ps, arg(string(s)))
		}
		where = append(where, "status IN ("+strings.Join(ps, ", ")+")")
	}
	if f.InstallerID != 0 {
		where = append(where, "installer_id = "+arg(f.InstallerID))
	}
	if f.AccountID != 0 {
		where = append(where, "account_id = "+arg(f.AccountID))
	}
	if f.AccountIDs != nil {
		if len(f.AccountIDs) == 0 {
			return nil, nil
		}
		var ps []string
		for _, id := range f.AccountIDs {
			ps = append(ps, arg(id))
		}
		where = append(where, "account_id IN ("+strings.Join(ps, ", ")+")")
	}
	query := `SELECT ` + nemCols + ` FROM nem_applications WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id`
	if f.Limit > 0 {
		query += " LIMIT " + arg(f.Limit)
	}
	return collect(ctx, q, scanNEM, query, args...)
}

// NEMCapRecords returns every application as the cap report reads it.
func (q queries) NEMCapRecords(ctx context.Context) ([]nem.CapRecord, error) {
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (nem.CapRecord, error) {
		var r nem.CapRecord
		err := s.Scan(&r.ID, &r.Status, &r.CapacityW, &r.Submitted, &r.Approved, &r.PTO, &r.Terminated)
		return r, err
	}, `SELECT number, status, capacity_w, submitted_on, approved_on, pto_on, closed_on FROM nem_applications ORDER BY id`)
}

// NEMHistory returns an application's events, oldest first.
func (q queries) NEMHistory(ctx context.Context, id int64) ([]nem.Event, error) {
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (nem.Event, error) {
		var e nem.Event
		var at int64
		err := s.Scan(&e.ID, &e.ApplicationID, &e.From, &e.To, &e.On, &at, &e.Actor, &e.Note)
		e.At = time.Unix(at, 0).UTC()
		return e, err
	}, `SELECT id, application_id, from_status, to_status, on_date, at_unix, actor, note FROM nem_events WHERE application_id = $1 ORDER BY id`, id)
}

// NEMDecision is a stored eligibility decision.
type NEMDecision struct {
	ID int64 `json:"id"`
	nem.Decision
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
}

// NEMDecisions returns an application's eligibility decisions, oldest first.
func (q queries) NEMDecisions(ctx context.Context, id int64) ([]NEMDecision, error) {
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (NEMDecision, error) {
		var d NEMDecision
		var js string
		var at int64
		if err := s.Scan(&d.ID, &js, &at, &d.Actor); err != nil {
			return d, err
		}
		d.At = time.Unix(at, 0).UTC()
		return d, json.Unmarshal([]byte(js), &d.Decision)
	}, `SELECT id, decision_json, at_unix, actor FROM nem_decisions WHERE application_id = $1 ORDER BY id`, id)
}

// NEMDocument is an attached document's record (not its content).
type NEMDocument struct {
	ID            int64     `json:"id"`
	ApplicationID int64     `json:"application_id"`
	Kind          string    `json:"kind"`
	FileName      string    `json:"file_name"`
	ContentType   string    `json:"content_type"`
	Size          int64     `json:"size_bytes"`
	SHA256        string    `json:"sha256"`
	At            time.Time `json:"uploaded_at"`
	Actor         string    `json:"uploaded_by"`
}

// NEMDocumentKinds are the documents an interconnection file holds.
var NEMDocumentKinds = []string{"single_line_diagram", "site_plan", "agreement", "inspection", "pto_letter", "other"}

// MaxNEMDocument bounds one attached document (10 MiB).
const MaxNEMDocument = 10 << 20

const nemDocCols = `id, application_id, kind, file_name, content_type, size_bytes, sha256, at_unix, actor`

func scanNEMDoc(s interface{ Scan(...any) error }) (NEMDocument, error) {
	var d NEMDocument
	var at int64
	err := s.Scan(&d.ID, &d.ApplicationID, &d.Kind, &d.FileName, &d.ContentType, &d.Size, &d.SHA256, &at, &d.Actor)
	d.At = time.Unix(at, 0).UTC()
	return d, err
}

// NEMDocuments lists an application's documents, oldest first.
func (q queries) NEMDocuments(ctx context.Context, id int64) ([]NEMDocument, error) {
	return collect(ctx, q, scanNEMDoc, `SELECT `+nemDocCols+` FROM nem_documents WHERE application_id = $1 ORDER BY id`, id)
}

// NEMDocumentContent returns one document of an application with its
// content.
func (q queries) NEMDocumentContent(ctx context.Context, appID, docID int64) (NEMDocument, []byte, error) {
	var content []byte
	d, err := scanNEMDoc(q.q.QueryRowContext(ctx, `SELECT `+nemDocCols+` FROM nem_documents WHERE application_id = $1 AND id = $2`, appID, docID))
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil, apperr.NotFoundf("store.NEMDocumentContent", "document %d of application %d not found", docID, appID)
	} else if err != nil {
		return d, nil, err
	}
	err = q.q.QueryRowContext(ctx, `SELECT content FROM nem_documents WHERE id = $1`, docID).Scan(&content)
	return d, content, err
}

// AddNEMDocument attaches a document to an application, recording its
// size and SHA-256. The audit record carries the checksum, not the content.
func (tx *Tx) AddNEMDocument(ctx context.Context, actor auth.Actor, d *NEMDocument, content []byte) error {
	var f apperr.Fields
	d.FileName = strings.TrimSpace(d.FileName)
	if !slices.Contains(NEMDocumentKinds, d.Kind) {
		f.Add("kind", "must be one of %s", strings.Join(NEMDocumentKinds, ", "))
	}
	if d.FileName == "" || strings.ContainsAny(d.FileName, "/\\\x00") || len(d.FileName) > 200 {
		f.Add("file_name", "give the file's name (up to 200 characters, no slashes)")
	}
	if len(content) == 0 {
		f.Add("file", "the document is empty")
	} else if len(content) > MaxNEMDocument {
		f.Add("file", "the document is larger than %d MiB", MaxNEMDocument>>20)
	}
	if err := f.Err("store.AddNEMDocument"); err != nil {
		return err
	}
	a, err := tx.NEMApplication(ctx, d.ApplicationID)
	if err != nil {
		return err
	}
	if a.Status.Closed() {
		return apperr.Conflictf("store.AddNEMDocument", "application %s is %s; no documents can be added", a.Number, a.Status)
	}
	sum := sha256.Sum256(content)
	d.SHA256, d.Size, d.At, d.Actor = hex.EncodeToString(sum[:]), int64(len(content)), tx.now(), actor.String()
	if d.ContentType == "" {
		d.ContentType = "application/octet-stream"
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO nem_documents (application_id, kind, file_name, content_type, size_bytes, sha256, content, at_unix, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		d.ApplicationID, d.Kind, d.FileName, d.ContentType, d.Size, d.SHA256, content, d.At.Unix(), d.Actor).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("store: add document: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "nem_document", d.ID, nil, d)
}

// NEMEstimatedCredits returns an account's late-meter estimated-generation
// credit days, for the billing engine.
func (q queries) NEMEstimatedCredits(ctx context.Context, accountID int64) ([]nem.EstimatedCredit, error) {
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (nem.EstimatedCredit, error) {
		var c nem.EstimatedCredit
		err := s.Scan(&c.ID, &c.ApplicationID, &c.AccountID, &c.Period.Start, &c.Period.End, &c.Days, &c.Reason)
		return c, err
	}, `SELECT id, application_id, account_id, start_date, end_date, days, reason FROM nem_estimated_credits WHERE account_id = $1 ORDER BY start_date`, accountID)
}

// nemFacts gathers what the eligibility rules read of the registry: the
// generating account and every account the system names.
func (q queries) nemFacts(ctx context.Context, a customer.Account, s nem.System, on calendar.Date) (nem.Facts, error) {
	facts := nem.Facts{Account: nem.AccountFacts{Number: a.Number, CustomerID: a.CustomerID, RateSchedule: a.RateSchedule, Active: a.Active(on)},
		Others: map[string]nem.AccountFacts{}}
	for _, n := range s.Accounts() {
		o, err := q.AccountByNumber(ctx, n)
		if apperr.Is(err, apperr.NotFound) {
			continue
		} else if err != nil {
			return facts, err
		}
		facts.Others[n] = nem.AccountFacts{Number: o.Number, CustomerID: o.CustomerID, RateSchedule: o.RateSchedule, Active: o.Active(on)}
	}
	return facts, nil
}

// decideNEM checks an application's system on a date and stores the
// decision when store is set.
func (tx *Tx) decideNEM(ctx context.Context, actor auth.Actor, a *nem.Application, on calendar.Date, store bool) (nem.Decision, error) {
	acct, err := tx.Account(ctx, a.AccountID)
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("account_id", "account %d does not exist", a.AccountID)
		return nem.Decision{}, f.Err("store.NEM")
	} else if err != nil {
		return nem.Decision{}, err
	}
	facts, err := tx.nemFacts(ctx, acct, a.System, on)
	if err != nil {
		return nem.Decision{}, err
	}
	d := nem.Decide(a.System, facts, on)
	if store {
		js, err := json.Marshal(d)
		if err != nil {
			return d, err
		}
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO nem_decisions (application_id, eligible, decided_on, decision_json, at_unix, actor)
			VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, b2i(d.Eligible), on, string(js), tx.now().Unix(), actor.String()); err != nil {
			return d, fmt.Errorf("store: decision: %w", err)
		}
	}
	return d, nil
}

// CreateNEMApplication files an application for a.AccountID as a draft,
// or submitted on date on when submit is set. The system is checked
// against its variant's rules first (nem.Decide): an ineligible
// application is refused, naming each failed rule, and nothing is stored.
// An account has at most one application in process. The decision, the
// first history event and the audit record are stored with it.
func (tx *Tx) CreateNEMApplication(ctx context.Context, actor auth.Actor, a *nem.Application, submit bool, on calendar.Date) (nem.Decision, error) {
	const op = "store.CreateNEMApplication"
	if err := a.System.Validate(); err != nil {
		return nem.Decision{}, err
	}
	if a.InstallerID != 0 {
		if _, err := tx.Installer(ctx, a.InstallerID); apperr.Is(err, apperr.NotFound) {
			var f apperr.Fields
			f.Add("installer_id", "installer %d does not exist", a.InstallerID)
			return nem.Decision{}, f.Err(op)
		} else if err != nil {
			return nem.Decision{}, err
		}
	}
	d, err := tx.decideNEM(ctx, actor, a, on, false)
	if err != nil {
		return d, err
	}
	if err := d.Err(op); err != nil {
		return d, err
	}
	open, err := tx.NEMApplications(ctx, NEMFilter{AccountID: a.AccountID, Statuses: []nem.Status{nem.Draft, nem.Submitted,
		nem.CompletenessReview, nem.TechnicalReview, nem.Approved, nem.AgreementSigned, nem.MeterReady}})
	if err != nil {
		return d, err
	}
	if len(open) > 0 {
		return d, apperr.Conflictf(op, "the account already has application %s in process (%s)", open[0].Number, open[0].Status)
	}
	a.Status, a.Milestones, a.MeterMethod, a.EnrollmentID = nem.Draft, nem.Milestones{}, "", 0
	a.Vintage = nem.Vintage{}
	if submit {
		a.Status, a.Submitted = nem.Submitted, on
		a.Vintage = nemRules().Vintages.VintageOf(on, a.System.Variant == nem.Aggregation)
	}
	a.Created = tx.now()
	a.Updated = a.Created
	sys, err := json.Marshal(a.System)
	if err != nil {
		return d, err
	}
	tmp := make([]byte, 8)
	rand.Read(tmp)
	err = tx.q.QueryRowContext(ctx, `INSERT INTO nem_applications (number, account_id, installer_id, variant, technology, capacity_w, status,
		submitted_on, vintage_program, vintage_label, system_json, created_unix, updated_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		"tmp-"+hex.EncodeToString(tmp), a.AccountID, nullID(a.InstallerID), string(a.System.Variant), string(a.System.Technology),
		int64(a.System.CapacityW), string(a.Status), a.Submitted, a.Vintage.Program, a.Vintage.Label, string(sys),
		a.Created.Unix(), a.Updated.Unix()).Scan(&a.ID)
	if err != nil {
		return d, fmt.Errorf("store: create application: %w", mapErr(err))
	}
	a.Number = fmt.Sprintf("NEM-%06d", a.ID)
	if _, err := tx.q.ExecContext(ctx, `UPDATE nem_applications SET number = $2 WHERE id = $1`, a.ID, a.Number); err != nil {
		return d, fmt.Errorf("store: number application: %w", err)
	}
	if _, err := tx.decideNEM(ctx, actor, a, on, true); err != nil {
		return d, err
	}
	if err := tx.nemEvent(ctx, actor, a.ID, "", a.Status, on, "filed"); err != nil {
		return d, err
	}
	return d, tx.audit(ctx, actor, "create", "nem_application", a.ID, nil, a)
}

func (tx *Tx) nemEvent(ctx context.Context, actor auth.Actor, id int64, from, to nem.Status, on calendar.Date, note string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO nem_events (application_id, from_status, to_status, on_date, at_unix, actor, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, string(from), string(to), on, tx.now().Unix(), actor.String(), note)
	if err != nil {
		return fmt.Errorf("store: application event: %w", err)
	}
	return nil
}

// ReviseNEMSystem replaces the system of a draft application (an installer
// fixing what the completeness review found), checking it again.
func (tx *Tx) ReviseNEMSystem(ctx context.Context, actor auth.Actor, id int64, s nem.System, on calendar.Date) (nem.Decision, error) {
	const op = "store.ReviseNEMSystem"
	before, err := tx.NEMApplication(ctx, id)
	if err != nil {
		return nem.Decision{}, err
	}
	if before.Status != nem.Draft {
		return nem.Decision{}, apperr.Conflictf(op, "application %s is %s; only a draft can be revised", before.Number, before.Status)
	}
	if err := s.Validate(); err != nil {
		return nem.Decision{}, err
	}
	after := before
	after.System = s
	d, err := tx.decideNEM(ctx, actor, &after, on, false)
	if err != nil {
		return d, err
	}
	if err := d.Err(op); err != nil {
		return d, err
	}
	if _, err := tx.decideNEM(ctx, actor, &after, on, true); err != nil {
		return d, err
	}
	after.Updated = tx.now()
	if err := tx.saveNEM(ctx, &after); err != nil {
		return d, err
	}
	return d, tx.audit(ctx, actor, "update", "nem_application", id, before, after)
}

// DecideNEMApplication checks an application's eligibility again on a
// date and stores the decision, eligible or not, without changing its
// status (a technical reviewer's check).
func (tx *Tx) DecideNEMApplication(ctx context.Context, actor auth.Actor, id int64, on calendar.Date) (nem.Decision, error) {
	a, err := tx.NEMApplication(ctx, id)
	if err != nil {
		return nem.Decision{}, err
	}
	d, err := tx.decideNEM(ctx, actor, &a, on, true)
	if err != nil {
		return d, err
	}
	return d, tx.Audit(ctx, actor, "decide", "nem_application", id, d)
}

func (tx *Tx) saveNEM(ctx context.Context, a *nem.Application) error {
	sys, err := json.Marshal(a.System)
	if err != nil {
		return err
	}
	m := a.Milestones
	_, err = tx.q.ExecContext(ctx, `UPDATE nem_applications SET variant = $2, technology = $3, capacity_w = $4, status = $5,
		submitted_on = $6, complete_on = $7, approved_on = $8, agreement_on = $9, meter_on = $10, pto_on = $11, active_on = $12,
		closed_on = $13, meter_method = $14, vintage_program = $15, vintage_label = $16, system_json = $17, enrollment_id = $18,
		updated_unix = $19 WHERE id = $1`,
		a.ID, string(a.System.Variant), string(a.System.Technology), int64(a.System.CapacityW), string(a.Status),
		m.Submitted, m.Complete, m.Approved, m.Agreement, m.Meter, m.PTO, m.Active, m.Closed, a.MeterMethod,
		a.Vintage.Program, a.Vintage.Label, string(sys), nullID(a.EnrollmentID), a.Updated.Unix())
	if err != nil {
		return fmt.Errorf("store: save application: %w", mapErr(err))
	}
	return nil
}

// AdvanceNEMApplication moves an application one step on today's date
// (nem.Advance) with what each step brings:
//
//   - submitted: the system is checked again (an ineligible one is
//     refused) and, at the first submission, the vintage is fixed by the
//     application date;
//   - approved: the system is checked again and the decision stored; an
//     ineligible application cannot be approved;
//   - meter_ready: the meter service level is measured and, when the meter
//     was late, the days of delay are recorded as an estimated-generation
//     credit for the billing engine;
//   - pto_issued: the account is enrolled in "nem" from the PTO date with
//     the vintage's program as track (what the billing engine reads);
//   - terminated: that enrollment ends on the termination date.
//
// The history event and the audit record (before and after) are written
// with the change, all in the caller's transaction.
func (tx *Tx) AdvanceNEMApplication(ctx context.Context, actor auth.Actor, id int64, step nem.Step, today calendar.Date) (nem.Application, error) {
	const op = "store.AdvanceNEMApplication"
	before, err := tx.NEMApplication(ctx, id)
	if err != nil {
		return before, err
	}
	after, err := nem.Advance(before, step, today)
	if err != nil {
		return before, err
	}
	on := step.On
	if on.IsZero() {
		on = today
	}
	rules := nemRules()
	switch after.Status {
	case nem.Submitted, nem.Approved:
		d, err := tx.decideNEM(ctx, actor, &after, on, after.Status == nem.Approved)
		if err != nil {
			return before, err
		}
		if err := d.Err(op); err != nil {
			return before, err
		}
		if after.Vintage.Program == "" {
			after.Vintage = rules.Vintages.VintageOf(after.Submitted, after.System.Variant == nem.Aggregation)
		}
	case nem.MeterReady:
		ms := nem.MeterServiceLevel(after.Complete, after.Meter, today, rules.Holidays)
		if ms.Credit != nil {
			_, err := tx.q.ExecContext(ctx, `INSERT INTO nem_estimated_credits (application_id, account_id, start_date, end_date, days, reason, created_unix)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, after.ID, after.AccountID, ms.Credit.Start, ms.Credit.End, ms.DelayDays,
				fmt.Sprintf("meter %s on %s, %d days after the service level's due date %s (30 business days from the complete application on %s)",
					after.MeterMethod, after.Meter, ms.DelayDays, ms.Due, after.Complete), tx.now().Unix())
			if err != nil {
				return before, fmt.Errorf("store: estimated credit: %w", err)
			}
		}
	case nem.PTOIssued:
		e := customer.Enrollment{AccountID: after.AccountID, Program: nem.EnrollmentProgram, Track: after.Vintage.Program,
			From: after.PTO, Source: "utility", Note: fmt.Sprintf("%s: %s %s kW %s, permission to operate", after.Number,
				after.Vintage.Label, after.System.CapacityW.KWString(), after.System.Technology)}
		if err := tx.Enroll(ctx, actor, &e); err != nil {
			return before, err
		}
		after.EnrollmentID = e.ID
	case nem.Terminated:
		if after.EnrollmentID != 0 {
			if err := tx.EndEnrollment(ctx, actor, after.EnrollmentID, after.Closed); err != nil {
				return before, err
			}
		}
	}
	after.Updated = tx.now()
	if err := tx.saveNEM(ctx, &after); err != nil {
		return before, err
	}
	if err := tx.nemEvent(ctx, actor, id, before.Status, after.Status, on, step.Note); err != nil {
		return before, err
	}
	return after, tx.audit(ctx, actor, "update", "nem_application", id, before, after)
}

// ImportNEMApplication stores an application as it stands, with its
// history, one eligibility decision and, for a late meter, its
// estimated-credit days, without audit records: the bulk path of the demo
// generator, whose run is audited once as a whole. The application's
// enrollment, if any, must exist already.
func (tx *Tx) ImportNEMApplication(ctx context.Context, a *nem.Application, history []nem.Event, d nem.Decision, credit *nem.EstimatedCredit) error {
	if err := a.System.Validate(); err != nil {
		return err
	}
	sys, err := json.Marshal(a.System)
	if err != nil {
		return err
	}
	tmp := make([]byte, 8)
	rand.Read(tmp)
	if a.Created.IsZero() {
		a.Created = tx.now()
	}
	a.Updated = a.Created
	err = tx.q.QueryRowContext(ctx, `INSERT INTO nem_applications (number, account_id, installer_id, variant, technology, capacity_w, status,
		system_json, created_unix, updated_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		"tmp-"+hex.EncodeToString(tmp), a.AccountID, nullID(a.InstallerID), string(a.System.Variant), string(a.System.Technology),
		int64(a.System.CapacityW), string(a.Status), string(sys), a.Created.Unix(), a.Updated.Unix()).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("store: import application: %w", mapErr(err))
	}
	a.Number = fmt.Sprintf("NEM-%06d", a.ID)
	if _, err := tx.q.ExecContext(ctx, `UPDATE nem_applications SET number = $2 WHERE id = $1`, a.ID, a.Number); err != nil {
		return err
	}
	if err := tx.saveNEM(ctx, a); err != nil {
		return err
	}
	for _, e := range history {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO nem_events (application_id, from_status, to_status, on_date, at_unix, actor, note)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.ID, string(e.From), string(e.To), e.On, e.At.Unix(), e.Actor, e.Note); err != nil {
			return fmt.Errorf("store: import history: %w", err)
		}
	}
	js, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO nem_decisions (application_id, eligible, decided_on, decision_json, at_unix, actor)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, b2i(d.Eligible), d.On, string(js), a.Created.Unix(), "system gridbook"); err != nil {
		return fmt.Errorf("store: import decision: %w", err)
	}
	if credit != nil {
		credit.ApplicationID, credit.AccountID = a.ID, a.AccountID
		err := tx.q.QueryRowContext(ctx, `INSERT INTO nem_estimated_credits (application_id, account_id, start_date, end_date, days, reason, created_unix)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, a.ID, a.AccountID, credit.Period.Start, credit.Period.End, credit.Days,
			credit.Reason, a.Created.Unix()).Scan(&credit.ID)
		if err != nil {
			return fmt.Errorf("store: import credit: %w", err)
		}
	}
	return nil
}
