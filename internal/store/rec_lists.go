package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
)

// BlockFilter selects blocks; zero fields match everything, and split
// blocks are left out unless asked for by status.
type BlockFilter struct {
	AccountID  int64
	FacilityID int64
	IssuanceID int64
	Status     rec.Status
	Vintage    rps.Month
	// Org, when set, keeps only blocks held in that organization's
	// accounts (a registry participant's view).
	Org   string
	After int64 // cursor: blocks with id > After
	Limit int
}

// orgAccounts is the condition "this account column is one of the
// organization's accounts" with the organization as parameter $n.
func orgAccounts(col string, n int) string {
	return fmt.Sprintf("%s IN (SELECT id FROM rec_accounts WHERE org = $%d)", col, n)
}

// RecBlocks returns blocks by id.
func (q queries) RecBlocks(ctx context.Context, f BlockFilter) ([]rec.Block, error) {
	where := []string{"id > $1"}
	args := []any{f.After}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.AccountID != 0 {
		add("account_id = $%d", f.AccountID)
	}
	if f.FacilityID != 0 {
		add("facility_id = $%d", f.FacilityID)
	}
	if f.IssuanceID != 0 {
		add("issuance_id = $%d", f.IssuanceID)
	}
	if f.Status != "" {
		add("status = $%d", f.Status)
	} else if f.IssuanceID == 0 {
		where = append(where, "status <> 'split'")
	}
	if !f.Vintage.IsZero() {
		add("vintage = $%d", monthArg(f.Vintage))
	}
	if f.Org != "" {
		args = append(args, f.Org)
		where = append(where, orgAccounts("account_id", len(args)))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	rows, err := q.q.QueryContext(ctx, `SELECT `+recBlockCols+` FROM rec_blocks WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(" ORDER BY id LIMIT $%d", len(args)), args...)
	return scanRecBlocks(rows, err)
}

// scanRecBlocks reads the blocks a query of recBlockCols returned (or its
// error) and closes the rows.
func scanRecBlocks(rows *sql.Rows, err error) ([]rec.Block, error) {
	if err != nil {
		return nil, fmt.Errorf("store: blocks: %w", err)
	}
	defer rows.Close()
	var out []rec.Block
	for rows.Next() {
		b, err := scanRecBlock(rows)
		if err != nil {
			return nil, fmt.Errorf("store: blocks: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Holding is the certificates an account holds in one status.
type Holding struct {
	AccountID int64
	Status    rec.Status
	Blocks    int64
	Quantity  int64
}

// RecHoldings sums every account's unsplit blocks by status.
func (q queries) RecHoldings(ctx context.Context) ([]Holding, error) { return q.RecHoldingsOf(ctx, "") }

// RecHoldingsOf sums the unsplit blocks of an organization's accounts by
// status (every account's when org is empty).
func (q queries) RecHoldingsOf(ctx context.Context, org string) ([]Holding, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT account_id, status, COUNT(*), SUM(serial_end - serial_start + 1) FROM rec_blocks
		WHERE status <> 'split' AND ($1 = '' OR `+orgAccounts("account_id", 1)+`) GROUP BY account_id, status ORDER BY account_id, status`, org)
	if err != nil {
		return nil, fmt.Errorf("store: holdings: %w", err)
	}
	defer rows.Close()
	var out []Holding
	for rows.Next() {
		var h Holding
		if err := rows.Scan(&h.AccountID, &h.Status, &h.Blocks, &h.Quantity); err != nil {
			return nil, fmt.Errorf("store: holdings: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// TransferFilter selects transfers.
type TransferFilter struct {
	Status    rec.TransferStatus
	AccountID int64 // sent from or to this account
	// Org, when set, keeps only transfers sent from or to that
	// organization's accounts.
	Org   string
	After int64
	Limit int
}

// RecTransfers returns transfers by id.
func (q queries) RecTransfers(ctx context.Context, f TransferFilter) ([]rec.Transfer, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+recTransferCols+` FROM rec_transfers WHERE id > $1 AND (status = $2 OR $2 = '')
		AND (from_account_id = $3 OR to_account_id = $3 OR $3 = 0)
		AND ($5 = '' OR `+orgAccounts("from_account_id", 5)+` OR `+orgAccounts("to_account_id", 5)+`) ORDER BY id LIMIT $4`,
		f.After, string(f.Status), f.AccountID, f.Limit, f.Org)
	if err != nil {
		return nil, fmt.Errorf("store: transfers: %w", err)
	}
	defer rows.Close()
	var out []rec.Transfer
	for rows.Next() {
		t, err := scanRecTransfer(rows)
		if err != nil {
			return nil, fmt.Errorf("store: transfers: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RetirementFilter selects retirements.
type RetirementFilter struct {
	AccountID      int64
	ComplianceYear int
	Reason         rec.Reason
	// Org, when set, keeps only retirements into that organization's
	// accounts.
	Org   string
	After int64
	Limit int
}

const recRetirementCols = `id, block_id, account_id, from_account_id, facility_id, vintage, quantity, reason, beneficiary, compliance_year,
	retired_on, deadline, rps_eligible`

func scanRecRetirement(row interface{ Scan(...any) error }) (rec.Retirement, error) {
	var r rec.Retirement
	var v, on, dl string
	var eligible int64
	if err := row.Scan(&r.ID, &r.BlockID, &r.AccountID, &r.FromAccount, &r.FacilityID, &v, &r.Quantity, &r.Reason, &r.Beneficiary,
		&r.ComplianceYear, &on, &dl, &eligible); err != nil {
		return r, err
	}
	r.RPSEligible = eligible != 0
	var err error
	if r.Vintage, err = scanMonth(v); err == nil {
		if r.RetiredOn, err = dateOf(on); err == nil {
			r.Deadline, err = dateOf(dl)
		}
	}
	return r, err
}

// RecRetirements returns retirements by id.
func (q queries) RecRetirements(ctx context.Context, f RetirementFilter) ([]rec.Retirement, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+recRetirementCols+` FROM rec_retirements WHERE id > $1 AND (account_id = $2 OR $2 = 0)
		AND (compliance_year = $3 OR $3 = 0) AND (reason = $4 OR $4 = '') AND ($6 = '' OR `+orgAccounts("account_id", 6)+`) ORDER BY id LIMIT $5`,
		f.After, f.AccountID, f.ComplianceYear, string(f.Reason), f.Limit, f.Org)
	if err != nil {
		return nil, fmt.Errorf("store: retirements: %w", err)
	}
	defer rows.Close()
	var out []rec.Retirement
	for rows.Next() {
		r, err := scanRecRetirement(rows)
		if err != nil {
			return nil, fmt.Errorf("store: retirements: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecRetirement returns one retirement.
func (q queries) RecRetirement(ctx context.Context, id int64) (rec.Retirement, error) {
	r, err := scanRecRetirement(q.q.QueryRowContext(ctx, `SELECT `+recRetirementCols+` FROM rec_retirements WHERE id = $1`, id))
	if err != nil {
		return r, notFound(err, "retirement", id)
	}
	return r, nil
}

// issuanceSelect reads issuances (alias i) with the id of each one's
// first block.
const issuanceSelect = `SELECT i.id, i.facility_id, COALESCE(i.report_id, 0), i.revision, i.vintage, i.account_id, i.reported_wh, i.eligible_wh,
		i.credited_wh, i.carry_in_wh, i.carry_out_wh, i.quantity, i.note, i.issued_unix, i.origin, i.batch, i.serial_start,
		COALESCE((SELECT MIN(b.id) FROM rec_blocks b WHERE b.issuance_id = i.id), 0)
		FROM rec_issuances i`

// scanIssuances reads issuanceSelect's rows and closes them.
func scanIssuances(rows *sql.Rows) ([]rec.Issuance, error) {
	defer rows.Close()
	var out []rec.Issuance
	for rows.Next() {
		var i rec.Issuance
		var v string
		var at int64
		if err := rows.Scan(&i.ID, &i.FacilityID, &i.ReportID, &i.Revision, &v, &i.AccountID, &i.ReportedWh, &i.EligibleWh, &i.CreditedWh,
			&i.CarryIn, &i.CarryOut, &i.Quantity, &i.Note, &at, &i.Origin, &i.Batch, &i.First, &i.BlockID); err != nil {
			return nil, fmt.Errorf("store: issuances: %w", err)
		}
		i.Issued = time.Unix(at, 0).UTC()
		var err error
		if i.Vintage, err = scanMonth(v); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// RecIssuances returns issuances, newest first: a facility's when
// facilityID is set, else everyone's; up to limit.
func (q queries) RecIssuances(ctx context.Context, facilityID int64, limit int) ([]rec.Issuance, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := q.q.QueryContext(ctx, issuanceSelect+` WHERE (i.facility_id = $1 OR $1 = 0) ORDER BY i.id DESC LIMIT $2`, facilityID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: issuances: %w", err)
	}
	return scanIssuances(rows)
}

// CheckRecRegistry loads every issuance and block and checks the serial
// invariants (rec.CheckBlocks): the answer is one line per problem, none
// when the registry is sound.
func (q queries) CheckRecRegistry(ctx context.Context) ([]string, error) {
	iss, err := q.RecIssuances(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	var blocks []rec.Block
	after := int64(0)
	for {
		rows, err := q.q.QueryContext(ctx, `SELECT `+recBlockCols+` FROM rec_blocks WHERE id > $1 ORDER BY id LIMIT 10000`, after)
		if err != nil {
			return nil, fmt.Errorf("store: blocks: %w", err)
		}
		n := 0
		for rows.Next() {
			b, err := scanRecBlock(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			blocks = append(blocks, b)
			after, n = b.ID, n+1
		}
		rows.Close()
		if n == 0 {
			break
		}
	}
	return rec.CheckBlocks(iss, blocks), nil
}

// RecDirectory returns every account and facility, for resolving the
// names a registry file uses (rec.Directory).
func (q queries) RecDirectory(ctx context.Context) (rec.Directory, error) {
	accts, err := q.RecAccounts(ctx)
	if err != nil {
		return rec.Directory{}, err
	}
	facs, err := q.RecFacilities(ctx)
	return rec.Directory{Accounts: accts, Facilities: facs}, err
}
