package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
)

// Registry runs fn with a certificate registry bound to one transaction
// (Tx.Registry): every command fn runs, its event and its audit record
// commit together or not at all.
func (db *DB) Registry(ctx context.Context, actor auth.Actor, fn func(ctx context.Context, reg *rec.Registry, tx *Tx) error) error {
	return db.InTx(ctx, func(tx *Tx) error {
		reg, err := tx.Registry(ctx, actor)
		if err != nil {
			return err
		}
		return fn(ctx, reg, tx)
	})
}

// Registry returns the certificate registry bound to tx, acting for actor
// with the window anchor of the RPS profile. The event log's head row is
// locked first, so registry commands run one at a time across processes
// (on PostgreSQL with SELECT … FOR UPDATE; a SQLite transaction already
// holds the write lock from BEGIN). Call it once per transaction, before
// reading registry state.
func (tx *Tx) Registry(ctx context.Context, actor auth.Actor) (*rec.Registry, error) {
	if tx.db.dialect == Postgres {
		if _, err := tx.q.ExecContext(ctx, `SELECT seq FROM rec_chain WHERE id = 1 FOR UPDATE`); err != nil {
			return nil, fmt.Errorf("store: lock registry: %w", err)
		}
	}
	p, err := tx.RPSProfile(ctx)
	if err != nil {
		return nil, err
	}
	st := recState{tx: tx, actor: actor, stmts: map[string]*sql.Stmt{}}
	return &rec.Registry{State: st, Now: tx.db.Now, Anchor: p.Settings.WindowAnchor, Actor: actor.String()}, nil
}

// recState is rec.State on a transaction. Its statements are prepared
// once per transaction: parsing SQL is most of a command's cost on
// SQLite, and a batch of commands in one transaction reuses them.
type recState struct {
	tx    *Tx
	actor auth.Actor
	stmts map[string]*sql.Stmt
}

// stmt returns the transaction's prepared statement for query (closed by
// database/sql when the transaction ends).
func (s recState) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.tx.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	s.stmts[query] = st
	return st, nil
}

// row runs a single-row query through the statement cache.
func (s recState) row(ctx context.Context, query string, args ...any) rowScanner {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// exec runs a statement through the statement cache.
func (s recState) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// rowScanner is *sql.Row or a failed preparation.
type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

var _ rec.State = recState{}

func monthArg(m rps.Month) string { return m.String() }

func scanMonth(s string) (rps.Month, error) {
	m, err := rps.ParseMonth(s)
	if err != nil {
		return m, fmt.Errorf("store: stored month %q: %w", s, err)
	}
	return m, nil
}

// notFound turns sql.ErrNoRows into a NotFound error naming the record.
func notFound(err error, what string, id int64) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("store", "no %s %d", what, id)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

const recAccountCols = `id, org, name, kind, created_unix`

func scanRecAccount(row interface{ Scan(...any) error }) (rec.Account, error) {
	var a rec.Account
	var created int64
	err := row.Scan(&a.ID, &a.Org, &a.Name, &a.Kind, &created)
	a.Created = time.Unix(created, 0).UTC()
	return a, err
}

// Account implements rec.State.
func (s recState) Account(ctx context.Context, id int64) (rec.Account, error) {
	a, err := scanRecAccount(s.row(ctx, `SELECT `+recAccountCols+` FROM rec_accounts WHERE id = $1`, id))
	if err != nil {
		return a, notFound(err, "registry account", id)
	}
	return a, nil
}

// RecAccount returns a registry account.
func (q queries) RecAccount(ctx context.Context, id int64) (rec.Account, error) {
	a, err := scanRecAccount(q.q.QueryRowContext(ctx, `SELECT `+recAccountCols+` FROM rec_accounts WHERE id = $1`, id))
	if err != nil {
		return a, notFound(err, "registry account", id)
	}
	return a, nil
}

// RecAccounts returns every registry account, by organization and name.
func (q queries) RecAccounts(ctx context.Context) ([]rec.Account, error) {
	return q.RecAccountsOf(ctx, "")
}

// RecAccountsOf returns an organization's registry accounts by name
// (every account, by organization and name, when org is empty).
func (q queries) RecAccountsOf(ctx context.Context, org string) ([]rec.Account, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+recAccountCols+` FROM rec_accounts WHERE $1 = '' OR org = $1 ORDER BY org, name`, org)
	if err != nil {
		return nil, fmt.Errorf("store: registry accounts: %w", err)
	}
	defer rows.Close()
	var out []rec.Account
	for rows.Next() {
		a, err := scanRecAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("store: registry accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Facility implements rec.State.
func (s recState) Facility(ctx context.Context, id int64) (rec.Facility, error) {
	var doc string
	if err := s.row(ctx, `SELECT document FROM rec_facilities WHERE id = $1`, id).Scan(&doc); err != nil {
		return rec.Facility{}, notFound(err, "facility", id)
	}
	return decodeFacility(id, doc)
}

// RecFacility returns a registered facility.
func (q queries) RecFacility(ctx context.Context, id int64) (rec.Facility, error) {
	var doc string
	if err := q.q.QueryRowContext(ctx, `SELECT document FROM rec_facilities WHERE id = $1`, id).Scan(&doc); err != nil {
		return rec.Facility{}, notFound(err, "facility", id)
	}
	return decodeFacility(id, doc)
}

func decodeFacility(id int64, doc string) (rec.Facility, error) {
	var f rec.Facility
	if err := json.Unmarshal([]byte(doc), &f); err != nil {
		return f, fmt.Errorf("store: facility %d: %w", id, err)
	}
	f.ID = id
	return f, nil
}

// RecFacilities returns every registered facility, by name.
func (q queries) RecFacilities(ctx context.Context) ([]rec.Facility, error) {
	return q.RecFacilitiesOf(ctx, "")
}

// RecFacilitiesOf returns the facilities whose certificates are issued
// into an organization's accounts, by name (every facility when org is
// empty).
func (q queries) RecFacilitiesOf(ctx context.Context, org string) ([]rec.Facility, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, document FROM rec_facilities WHERE $1 = '' OR `+orgAccounts("account_id", 1)+` ORDER BY name, id`, org)
	if err != nil {
		return nil, fmt.Errorf("store: facilities: %w", err)
	}
	defer rows.Close()
	var out []rec.Facility
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("store: facilities: %w", err)
		}
		f, err := decodeFacility(id, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

const recBlockCols = `id, issuance_id, parent_id, facility_id, vintage, account_id, serial_start, serial_end, status, version, batch`

func scanRecBlock(row interface{ Scan(...any) error }) (rec.Block, error) {
	var b rec.Block
	var parent sql.NullInt64
	var v string
	if err := row.Scan(&b.ID, &b.IssuanceID, &parent, &b.FacilityID, &v, &b.AccountID, &b.Start, &b.End, &b.Status, &b.Version, &b.Batch); err != nil {
		return b, err
	}
	b.ParentID = parent.Int64
	var err error
	b.Vintage, err = scanMonth(v)
	return b, err
}

// Block implements rec.State.
func (s recState) Block(ctx context.Context, id int64) (rec.Block, error) {
	b, err := scanRecBlock(s.row(ctx, `SELECT `+recBlockCols+` FROM rec_blocks WHERE id = $1`, id))
	if err != nil {
		return b, notFound(err, "block", id)
	}
	return b, nil
}

// RecBlock returns a certificate block.
func (q queries) RecBlock(ctx context.Context, id int64) (rec.Block, error) {
	b, err := scanRecBlock(q.q.QueryRowContext(ctx, `SELECT `+recBlockCols+` FROM rec_blocks WHERE id = $1`, id))
	if err != nil {
		return b, notFound(err, "block", id)
	}
	return b, nil
}

const recTransferCols = `id, block_id, from_account_id, to_account_id, quantity, status, note, initiated_unix, resolved_unix`

func scanRecTransfer(row interface{ Scan(...any) error }) (rec.Transfer, error) {
	var t rec.Transfer
	var init int64
	var res sql.NullInt64
	err := row.Scan(&t.ID, &t.BlockID, &t.From, &t.To, &t.Quantity, &t.Status, &t.Note, &init, &res)
	t.Initiated = time.Unix(init, 0).UTC()
	if res.Valid {
		t.Resolved = time.Unix(res.Int64, 0).UTC()
	}
	return t, err
}

// Transfer implements rec.State.
func (s recState) Transfer(ctx context.Context, id int64) (rec.Transfer, error) {
	t, err := scanRecTransfer(s.row(ctx, `SELECT `+recTransferCols+` FROM rec_transfers WHERE id = $1`, id))
	if err != nil {
		return t, notFound(err, "transfer", id)
	}
	return t, nil
}

// RecTransfer returns a transfer.
func (q queries) RecTransfer(ctx context.Context, id int64) (rec.Transfer, error) {
	t, err := scanRecTransfer(q.q.QueryRowContext(ctx, `SELECT `+recTransferCols+` FROM rec_transfers WHERE id = $1`, id))
	if err != nil {
		return t, notFound(err, "transfer", id)
	}
	return t, nil
}

const recReportCols = `id, facility_id, vintage, revision, generation_wh, hourly_wh, source, received_unix`

func scanRecReport(row interface{ Scan(...any) error }) (rec.Report, error) {
	var r rec.Report
	var v string
	var hourly sql.NullString
	var received int64
	if err := row.Scan(&r.ID, &r.FacilityID, &v, &r.Revision, &r.Wh, &hourly, &r.Source, &received); err != nil {
		return r, err
	}
	r.Received = time.Unix(received, 0).UTC()
	if hourly.Valid {
		if err := json.Unmarshal([]byte(hourly.String), &r.Hourly); err != nil {
			return r, fmt.Errorf("store: report %d hourly values: %w", r.ID, err)
		}
	}
	var err error
	r.Vintage, err = scanMonth(v)
	return r, err
}

// latestReportSQL reads the highest revision of a facility's vintage.
const latestReportSQL = `SELECT ` + recReportCols + ` FROM rec_reports WHERE facility_id = $1 AND vintage = $2 ORDER BY revision DESC LIMIT 1`

func latestReportFrom(row rowScanner) (rec.Report, bool, error) {
	r, err := scanRecReport(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: generation report: %w", err)
	}
	return r, true, nil
}

// LatestReport implements rec.State.
func (s recState) LatestReport(ctx context.Context, facilityID int64, v rps.Month) (rec.Report, bool, error) {
	return latestReportFrom(s.row(ctx, latestReportSQL, facilityID, monthArg(v)))
}

// RecLatestReport returns the highest revision of a facility's report for
// a vintage, and false when there is none.
func (q queries) RecLatestReport(ctx context.Context, facilityID int64, v rps.Month) (rec.Report, bool, error) {
	return latestReportFrom(q.q.QueryRowContext(ctx, latestReportSQL, facilityID, monthArg(v)))
}

// RecReports returns a facility's generation reports, newest vintage and
// revision first, without their hourly values.
func (q queries) RecReports(ctx context.Context, facilityID int64) ([]rec.Report, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, facility_id, vintage, revision, generation_wh, NULL, source, received_unix
		FROM rec_reports WHERE facility_id = $1 ORDER BY vintage DESC, revision DESC`, facilityID)
	if err != nil {
		return nil, fmt.Errorf("store: generation reports: %w", err)
	}
	defer rows.Close()
	var out []rec.Report
	for rows.Next() {
		r, err := scanRecReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: generation reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Credited implements rec.State: generation credited by issuances made
// here (imported certificates credit none).
func (s recState) Credited(ctx context.Context, facilityID int64, v rps.Month) (energy.Wh, int, error) {
	var credited, withdrawn int64
	var n int
	err := s.row(ctx, `SELECT COALESCE(SUM(credited_wh), 0), COUNT(*) FROM rec_issuances WHERE facility_id = $1 AND vintage = $2 AND origin = 'issued'`,
		facilityID, monthArg(v)).Scan(&credited, &n)
	if err == nil {
		err = s.row(ctx, `SELECT COALESCE(SUM(serial_end - serial_start + 1), 0) FROM rec_blocks
			WHERE facility_id = $1 AND vintage = $2 AND status = 'withdrawn' AND batch = ''`, facilityID, monthArg(v)).Scan(&withdrawn)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: credited generation: %w", err)
	}
	return energy.Wh(credited) - energy.Wh(withdrawn)*energy.WhPerMWh, n, nil
}

// Carry implements rec.State.
func (s recState) Carry(ctx context.Context, facilityID int64) (energy.Wh, error) {
	var carry int64
	err := s.row(ctx, `SELECT carry_out_wh FROM rec_issuances WHERE facility_id = $1 AND origin = 'issued' ORDER BY id DESC LIMIT 1`, facilityID).Scan(&carry)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: carried generation: %w", err)
	}
	return energy.Wh(carry), nil
}

// VintageIssuances implements rec.State.
func (s recState) VintageIssuances(ctx context.Context, facilityID int64, v rps.Month) ([]rec.Issuance, error) {
	st, err := s.stmt(ctx, issuanceSelect+` WHERE i.facility_id = $1 AND i.vintage = $2 ORDER BY i.id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, facilityID, monthArg(v))
	if err != nil {
		return nil, fmt.Errorf("store: issuances: %w", err)
	}
	return scanIssuances(rows)
}

// IssuanceBlocks implements rec.State.
func (s recState) IssuanceBlocks(ctx context.Context, issuanceID int64) ([]rec.Block, error) {
	st, err := s.stmt(ctx, `SELECT `+recBlockCols+` FROM rec_blocks WHERE issuance_id = $1 ORDER BY serial_start, id`)
	if err != nil {
		return nil, err
	}
	return scanRecBlocks(st.QueryContext(ctx, issuanceID))
}

// Head implements rec.State.
func (s recState) Head(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	if err := s.row(ctx, `SELECT seq, hash FROM rec_chain WHERE id = 1`).Scan(&seq, &hash); err != nil {
		return 0, "", fmt.Errorf("store: event log head: %w", err)
	}
	return seq, hash, nil
}

// InsertAccount implements rec.State.
func (s recState) InsertAccount(ctx context.Context, a *rec.Account) error {
	err := s.row(ctx, `INSERT INTO rec_accounts (org, name, kind, created_unix) VALUES ($1, $2, $3, $4) RETURNING id`,
		a.Org, a.Name, a.Kind, a.Created.Unix()).Scan(&a.ID)
	if err = mapErr(err); apperr.Is(err, apperr.Conflict) {
		var f apperr.Fields
		f.Add("name", "%s already has an account named %q", a.Org, a.Name)
		return f.Err("store.InsertAccount")
	}
	return wrap("registry account", err)
}

func wrap(what string, err error) error {
	if err == nil || apperr.KindOf(err) != apperr.Internal {
		return err
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// InsertFacility implements rec.State.
func (s recState) InsertFacility(ctx context.Context, f *rec.Facility) error {
	doc, err := json.Marshal(f)
	if err != nil {
		return err
	}
	err = s.row(ctx, `INSERT INTO rec_facilities (wregis_id, name, technology, nameplate_kw, state, in_cba, account_id, document)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		f.WREGISID, f.Name, f.Technology, f.NameplateKW, f.State, b2i(f.InCBA), f.AccountID, string(doc)).Scan(&f.ID)
	if err = mapErr(err); apperr.Is(err, apperr.Conflict) {
		var fe apperr.Fields
		fe.Add("wregis_id", "facility %s is already registered", f.WREGISID)
		return fe.Err("store.InsertFacility")
	}
	if err != nil {
		return wrap("facility", err)
	}
	f.Facility.ID = f.ID
	return s.UpdateFacility(ctx, *f) // the document with its id
}

// UpdateFacility implements rec.State.
func (s recState) UpdateFacility(ctx context.Context, f rec.Facility) error {
	doc, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, `UPDATE rec_facilities SET name = $2, technology = $3, nameplate_kw = $4, state = $5, in_cba = $6, document = $7
		WHERE id = $1`, f.ID, f.Name, f.Technology, f.NameplateKW, f.State, b2i(f.InCBA), string(doc))
	return wrap("facility", mapErr(err))
}

// InsertReport implements rec.State.
func (s recState) InsertReport(ctx context.Context, r *rec.Report) error {
	var hourly any
	if len(r.Hourly) > 0 {
		b, err := json.Marshal(r.Hourly)
		if err != nil {
			return err
		}
		hourly = string(b)
	}
	err := s.row(ctx, `INSERT INTO rec_reports (facility_id, vintage, revision, generation_wh, hourly_wh, source, received_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, r.FacilityID, monthArg(r.Vintage), r.Revision, int64(r.Wh), hourly, r.Source,
		r.Received.Unix()).Scan(&r.ID)
	return wrap("generation report", mapErr(err))
}

// InsertIssuance implements rec.State.
func (s recState) InsertIssuance(ctx context.Context, i *rec.Issuance) error {
	var report any
	if i.ReportID != 0 {
		report = i.ReportID
	}
	if i.Origin == "" {
		i.Origin = rec.OriginIssued
	}
	err := s.row(ctx, `INSERT INTO rec_issuances (facility_id, report_id, revision, vintage, account_id, reported_wh, eligible_wh,
		credited_wh, carry_in_wh, carry_out_wh, quantity, note, issued_unix, origin, batch, serial_start)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		i.FacilityID, report, i.Revision, monthArg(i.Vintage), i.AccountID, int64(i.ReportedWh), int64(i.EligibleWh), int64(i.CreditedWh),
		int64(i.CarryIn), int64(i.CarryOut), i.Quantity, i.Note, i.Issued.Unix(), i.Origin, i.Batch, i.FirstSerial()).Scan(&i.ID)
	return wrap("issuance", mapErr(err))
}

// InsertBlock implements rec.State.
func (s recState) InsertBlock(ctx context.Context, b *rec.Block) error {
	if b.Version == 0 {
		b.Version = 1
	}
	var parent any
	if b.ParentID != 0 {
		parent = b.ParentID
	}
	err := s.row(ctx, `INSERT INTO rec_blocks (issuance_id, parent_id, facility_id, vintage, account_id, serial_start, serial_end,
		status, version, batch) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, b.IssuanceID, parent, b.FacilityID, monthArg(b.Vintage),
		b.AccountID, b.Start, b.End, b.Status, b.Version, b.Batch).Scan(&b.ID)
	return wrap("block", mapErr(err))
}

// UpdateBlock implements rec.State: status, account and version only —
// the serial range is never written after insertion.
func (s recState) UpdateBlock(ctx context.Context, b rec.Block, fromVersion int64) error {
	res, err := s.exec(ctx, `UPDATE rec_blocks SET status = $2, account_id = $3, version = $4 WHERE id = $1 AND version = $5`,
		b.ID, b.Status, b.AccountID, b.Version, fromVersion)
	if err != nil {
		return wrap("block", mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return apperr.Conflictf("store.UpdateBlock", "block %d changed since it was read: read it again", b.ID)
	}
	return nil
}

// InsertTransfer implements rec.State.
func (s recState) InsertTransfer(ctx context.Context, t *rec.Transfer) error {
	err := s.row(ctx, `INSERT INTO rec_transfers (block_id, from_account_id, to_account_id, quantity, status, note, initiated_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, t.BlockID, t.From, t.To, t.Quantity, t.Status, t.Note, t.Initiated.Unix()).Scan(&t.ID)
	return wrap("transfer", mapErr(err))
}

// UpdateTransfer implements rec.State.
func (s recState) UpdateTransfer(ctx context.Context, t rec.Transfer, from rec.TransferStatus) error {
	res, err := s.exec(ctx, `UPDATE rec_transfers SET status = $2, note = $3, resolved_unix = $4 WHERE id = $1 AND status = $5`,
		t.ID, t.Status, t.Note, t.Resolved.Unix(), from)
	if err != nil {
		return wrap("transfer", mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return apperr.Conflictf("store.UpdateTransfer", "transfer %d changed since it was read", t.ID)
	}
	return nil
}

// InsertRetirement implements rec.State.
func (s recState) InsertRetirement(ctx context.Context, r *rec.Retirement) error {
	err := s.row(ctx, `INSERT INTO rec_retirements (block_id, account_id, from_account_id, facility_id, vintage, quantity, reason,
		beneficiary, compliance_year, retired_on, deadline, rps_eligible) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		r.BlockID, r.AccountID, r.FromAccount, r.FacilityID, monthArg(r.Vintage), r.Quantity, r.Reason, r.Beneficiary, r.ComplianceYear,
		r.RetiredOn.String(), r.Deadline.String(), b2i(r.RPSEligible)).Scan(&r.ID)
	return wrap("retirement", mapErr(err))
}

// InsertExport implements rec.State.
func (s recState) InsertExport(ctx context.Context, e *rec.Export) error {
	err := s.row(ctx, `INSERT INTO rec_exports (block_id, account_id, quantity, destination) VALUES ($1, $2, $3, $4) RETURNING id`,
		e.BlockID, e.AccountID, e.Quantity, e.Destination).Scan(&e.ID)
	return wrap("export", mapErr(err))
}

// AppendEvent implements rec.State: the event, the new head and an audit
// record, in the command's transaction.
func (s recState) AppendEvent(ctx context.Context, e *rec.Event) error {
	if _, err := s.exec(ctx, `INSERT INTO rec_events (seq, at_unix, kind, actor, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.Seq, e.At.Unix(), e.Kind, e.Actor, string(e.Data), e.Prev, e.Hash); err != nil {
		return wrap("event", mapErr(err))
	}
	res, err := s.exec(ctx, `UPDATE rec_chain SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3`, e.Seq, e.Hash, e.Seq-1)
	if err != nil {
		return wrap("event log head", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return apperr.Conflictf("store.AppendEvent", "the event log moved on concurrently")
	}
	// The audit record of the command (as Tx.audit writes it), through the
	// statement cache: it is written once per command.
	_, err = s.exec(ctx, `INSERT INTO audit_log (at_unix, actor, action, entity, entity_id, before_json, after_json)
		VALUES ($1, $2, $3, $4, $5, NULL, $6)`, e.At.Unix(), s.actor.String(), e.Kind, "rec_event", strconv.FormatInt(e.Seq, 10), string(e.Data))
	return wrap("audit", err)
}

// RecEvents returns up to limit events after seq, oldest first.
func (q queries) RecEvents(ctx context.Context, after int64, limit int) ([]rec.Event, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT seq, at_unix, kind, actor, data, prev_hash, hash FROM rec_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
		after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []rec.Event
	for rows.Next() {
		var e rec.Event
		var at int64
		var data string
		if err := rows.Scan(&e.Seq, &at, &e.Kind, &e.Actor, &data, &e.Prev, &e.Hash); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		e.At, e.Data = time.Unix(at, 0).UTC(), json.RawMessage(data)
		out = append(out, e)
	}
	return out, rows.Err()
}

// RecEventsNewest returns up to limit events before seq (all when seq is
// 0), newest first, for the console.
func (q queries) RecEventsNewest(ctx context.Context, before int64, limit int) ([]rec.Event, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := q.q.QueryContext(ctx, `SELECT seq FROM rec_events WHERE seq < $1 ORDER BY seq DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	var seqs []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	if len(seqs) == 0 {
		return nil, rows.Err()
	}
	evs, err := q.RecEvents(ctx, seqs[len(seqs)-1]-1, len(seqs))
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs, err
}

// ChainStatus is the outcome of verifying the whole event log.
type ChainStatus struct {
	Events int64      `json:"events"`
	Head   string     `json:"head_hash"`
	Break  *rec.Break `json:"break"`
}

// VerifyRecChain rehashes the whole event log in order, a page at a time,
// and checks that the head row matches its last entry.
func (q queries) VerifyRecChain(ctx context.Context) (ChainStatus, error) {
	var st ChainStatus
	seq, prev := int64(0), rec.GenesisHash
	for {
		evs, err := q.RecEvents(ctx, seq, 5000)
		if err != nil {
			return st, err
		}
		if len(evs) == 0 {
			break
		}
		if b := rec.VerifyChain(evs, seq, prev); b != nil {
			st.Break = b
			return st, nil
		}
		seq, prev = evs[len(evs)-1].Seq, evs[len(evs)-1].Hash
		st.Events += int64(len(evs))
	}
	var headSeq int64
	if err := q.q.QueryRowContext(ctx, `SELECT seq, hash FROM rec_chain WHERE id = 1`).Scan(&headSeq, &st.Head); err != nil {
		return st, fmt.Errorf("store: event log head: %w", err)
	}
	if headSeq != seq || st.Head != prev {
		st.Break = &rec.Break{Seq: seq + 1, Reason: fmt.Sprintf("the head records entry %d but the log ends at %d", headSeq, seq)}
	}
	return st, nil
}

// dateOf parses a stored civil date.
func dateOf(s string) (calendar.Date, error) {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return d, fmt.Errorf("store: stored date %q: %w", s, err)
	}
	return d, nil
}
