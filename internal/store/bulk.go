package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

// PackedMonth is one channel's readings for one local calendar month,
// already encoded for storage. PackMonth builds it; it holds no database
// state, so generators may pack on many goroutines while one writer inserts.
type PackedMonth struct {
	Month  string        // YYYY-MM (local month)
	Start  time.Time     // first interval, UTC
	Step   time.Duration // interval length
	N      int           // intervals in the month
	Sum    energy.Wh     // total of the present readings
	packed []byte
}

// Size returns the encoded size of the readings in bytes.
func (m PackedMonth) Size() int { return len(m.packed) }

// PackMonth checks and encodes the readings of one local month. values must
// hold exactly one reading per interval of the month (DST months included:
// March has one interval-hour fewer, November one more) and each reading
// must be non-negative or Missing.
func PackMonth(year int, month time.Month, step time.Duration, values []energy.Wh) (PackedMonth, error) {
	var f apperr.Fields
	if !validStep(step) {
		f.Add("interval", "must be 5, 15, 30 or 60 minutes")
		return PackedMonth{}, f.Err("store.PackMonth")
	}
	start := monthStart(year, month)
	name := start.Format("2006-01")
	if n := monthIntervals(year, month, step); len(values) != n {
		f.Add("values", "%s has %d intervals of %s, got %d readings", name, n, step, len(values))
	}
	var sum energy.Wh
	for i, v := range values {
		if v < 0 && v != Missing {
			f.Add("values", "reading %d is negative (%d Wh); delivered and received are stored as separate non-negative channels", i, v)
			break
		}
		if v != Missing {
			sum += v
		}
	}
	if err := f.Err("store.PackMonth"); err != nil {
		return PackedMonth{}, err
	}
	return PackedMonth{Month: name, Start: start.UTC(), Step: step, N: len(values), Sum: sum, packed: packValues(values)}, nil
}

// Bulk is the fast insert path for large generated or migrated data sets
// (the demo CCA): prepared statements inside one transaction, every row
// validated by its domain Validate or Resolve, and no per-row audit record —
// the caller writes one summary record with Tx.Audit. Bulk only creates
// records; it never updates. It is meant for new accounts: Enrollments checks
// overlaps among the enrollments it is given, not against stored ones.
type Bulk struct {
	tx       *Tx
	stmts    []*sql.Stmt
	customer *sql.Stmt
	premise  *sql.Stmt
	account  *sql.Stmt
	meter    *sql.Stmt
	channel  *sql.Stmt
	enroll   *sql.Stmt
	block    *sql.Stmt
	now      time.Time
	// channels created through this Bulk and their interval lengths, so
	// Month can check a block against its channel without a query.
	channels map[int64]time.Duration
}

// Bulk prepares the bulk insert statements in the transaction. Close it
// before the transaction ends.
func (tx *Tx) Bulk(ctx context.Context) (*Bulk, error) {
	b := &Bulk{tx: tx, now: tx.now(), channels: map[int64]time.Duration{}}
	prep := []struct {
		dst   **sql.Stmt
		query string
	}{
		{&b.customer, `INSERT INTO customers (kind, name, email, phone, mailing_address, created_unix, updated_unix)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`},
		{&b.premise, insertPremise},
		{&b.account, `INSERT INTO accounts (number, customer_id, premise_id, class, rate_schedule, lse, service_start,
			service_end, household_size, household_income_cents, income_verification, income_verified_on, created_unix, updated_unix)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`},
		{&b.meter, `INSERT INTO meters (account_id, serial, interval_seconds, installed, removed)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`},
		{&b.channel, `INSERT INTO channels (meter_id, direction, interval_seconds, net_only) VALUES ($1, $2, $3, $4) RETURNING id`},
		{&b.enroll, `INSERT INTO enrollments (account_id, program, track, start_date, end_date, source, note, created_unix)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`},
		{&b.block, `INSERT INTO interval_blocks (channel_id, month, start_unix, interval_seconds, n, sum_wh, packed, updated_unix)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`},
	}
	for _, p := range prep {
		s, err := tx.tx.PrepareContext(ctx, p.query)
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("store: bulk prepare: %w", err)
		}
		*p.dst = s
		b.stmts = append(b.stmts, s)
	}
	return b, nil
}

// Close releases the prepared statements.
func (b *Bulk) Close() error {
	var errs []error
	for _, s := range b.stmts {
		errs = append(errs, s.Close())
	}
	b.stmts = nil
	return errors.Join(errs...)
}

func (b *Bulk) insertID(ctx context.Context, s *sql.Stmt, what string, args ...any) (int64, error) {
	var id int64
	if err := s.QueryRowContext(ctx, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: bulk %s: %w", what, mapErr(err))
	}
	return id, nil
}

// Customer validates and inserts c, setting its ID and timestamps.
func (b *Bulk) Customer(ctx context.Context, c *customer.Customer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.Created, c.Updated = b.now, b.now
	id, err := b.insertID(ctx, b.customer, "customer", c.Kind, c.Name, c.Email, c.Phone, c.MailingAddress, b.now.Unix())
	c.ID = id
	return err
}

// Premise resolves p against the reference tables (climate zone from ZIP,
// DAC status from tract) and inserts it.
func (b *Bulk) Premise(ctx context.Context, p *customer.Premise) error {
	if err := p.ResolveOn(b.tx.db.ref, calendar.DateOf(b.now)); err != nil {
		return err
	}
	p.Created, p.Updated = b.now, b.now
	id, err := b.insertID(ctx, b.premise, "premise", premiseArgs(p, b.now)...)
	p.ID = id
	return err
}

// Account validates and inserts a. Its customer and premise must exist (the
// foreign keys check it); a duplicate number is a Conflict.
func (b *Bulk) Account(ctx context.Context, a *customer.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.Created, a.Updated = b.now, b.now
	size, income, ver, verOn := householdArgs(a.Household)
	id, err := b.insertID(ctx, b.account, "account "+a.Number, a.Number, a.CustomerID, a.PremiseID, a.Class, a.RateSchedule, a.LSE,
		a.ServiceStart.String(), dateText(a.ServiceEnd), size, income, ver, verOn, b.now.Unix())
	a.ID = id
	return err
}

// Meter validates m and inserts it with its channels, setting their IDs.
func (b *Bulk) Meter(ctx context.Context, m *customer.Meter) error {
	if err := m.Validate(); err != nil {
		return err
	}
	id, err := b.insertID(ctx, b.meter, "meter "+m.Serial, m.AccountID, m.Serial, m.IntervalSeconds, m.Installed.String(), dateText(m.Removed))
	if err != nil {
		return err
	}
	m.ID = id
	for i := range m.Channels {
		c := &m.Channels[i]
		c.MeterID = m.ID
		if c.ID, err = b.insertID(ctx, b.channel, "channel", m.ID, c.Direction, c.IntervalSeconds, b2i(c.NetOnly)); err != nil {
			return err
		}
		b.channels[c.ID] = time.Duration(c.IntervalSeconds) * time.Second
	}
	return nil
}

// Enrollments validates the enrollments of one new account a at premise
// p, checks them against the account (customer.CheckEnrollment) and each
// other (no double enrollment, no CARE/FERA overlap) and inserts them,
// setting their IDs.
func (b *Bulk) Enrollments(ctx context.Context, a customer.Account, p customer.Premise, es []customer.Enrollment) error {
	for i := range es {
		e := &es[i]
		if err := e.Validate(); err != nil {
			return err
		}
		if err := customer.CheckEnrollment(*e, a, p, b.tx.db.ref); err != nil {
			return err
		}
		if err := customer.CheckOverlap(es[:i], *e); err != nil {
			return err
		}
		e.Created = b.now
		id, err := b.insertID(ctx, b.enroll, "enrollment", e.AccountID, e.Program, e.Track, e.From.String(), dateText(e.To),
			e.Source, e.Note, b.now.Unix())
		if err != nil {
			return err
		}
		e.ID = id
	}
	return nil
}

// Month inserts one packed month of a channel created through this Bulk.
func (b *Bulk) Month(ctx context.Context, channelID int64, m PackedMonth) error {
	step, ok := b.channels[channelID]
	if !ok {
		return apperr.E(apperr.Invalid, "store.Bulk.Month", fmt.Sprintf("channel %d was not created by this bulk insert", channelID), nil)
	}
	if m.packed == nil {
		return apperr.E(apperr.Invalid, "store.Bulk.Month", "block was not built by PackMonth", nil)
	}
	if step != m.Step {
		return apperr.E(apperr.Invalid, "store.Bulk.Month",
			fmt.Sprintf("channel %d records %s intervals, block %s has %s", channelID, step, m.Month, m.Step), nil)
	}
	_, err := b.block.ExecContext(ctx, channelID, m.Month, m.Start.Unix(), int(m.Step/time.Second), m.N, int64(m.Sum), m.packed, b.now.Unix())
	if err != nil {
		return fmt.Errorf("store: bulk intervals %d/%s: %w", channelID, m.Month, mapErr(err))
	}
	return nil
}

// AccountCount returns how many service accounts are stored.
func (q queries) AccountCount(ctx context.Context) (int64, error) {
	var n int64
	if err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: account count: %w", err)
	}
	return n, nil
}

// monthIntervals returns how many intervals of length step the local
// calendar month has (fewer in March, more in November for the DST change).
func monthIntervals(year int, month time.Month, step time.Duration) int {
	start := monthStart(year, month)
	return int(monthStart(year, month+1).Sub(start) / step)
}
