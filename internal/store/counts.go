package store

import (
	"context"
	"fmt"

	"github.com/gridbook/gridbook/internal/calendar"
)

// Count is one labelled figure of a breakdown.
type Count struct {
	Label string
	N     int64
}

// Portfolio is the dashboard's view of the accounts in service on a date.
type Portfolio struct {
	On            calendar.Date
	Customers     int64
	Accounts      int64 // in service on On
	ByClass       []Count
	ByLSE         []Count
	ByProgram     []Count // care, fera, medical_baseline and others active on On
	DAC           int64   // accounts at DAC premises
	ByHFTD        []Count // tier 1–3
	ByAgency      []Count // member agency, largest first
	Meters        int64   // installed on On
	SolarAccounts int64   // accounts in service with a received channel on a meter installed on On
}

// Portfolio counts accounts in service on a date by class, load-serving
// side, program, DAC, fire-threat tier and member agency.
func (q queries) Portfolio(ctx context.Context, on calendar.Date) (Portfolio, error) {
	p := Portfolio{On: on}
	d := on.String()
	active := `a.service_start <= $1 AND (a.service_end IS NULL OR a.service_end > $1)`
	one := func(query string, dst *int64, args ...any) error {
		return q.q.QueryRowContext(ctx, query, args...).Scan(dst)
	}
	breakdown := func(query string, args ...any) ([]Count, error) { return q.counts(ctx, query, args...) }
	var err error
	if err = one(`SELECT count(*) FROM customers`, &p.Customers); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	if err = one(`SELECT count(*) FROM accounts a WHERE `+active, &p.Accounts, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	if err = one(`SELECT count(*) FROM accounts a JOIN premises p ON p.id = a.premise_id WHERE p.dac = 1 AND `+active, &p.DAC, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	// Meters and solar are counted as of On too: meters installed and not
	// yet removed, on accounts in service.
	installed := `m.installed <= $1 AND (m.removed IS NULL OR m.removed > $1)`
	if err = one(`SELECT count(*) FROM meters m WHERE `+installed, &p.Meters, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	if err = one(`SELECT count(DISTINCT m.account_id) FROM meters m JOIN channels c ON c.meter_id = m.id JOIN accounts a ON a.id = m.account_id
		WHERE c.direction = 'received' AND `+installed+` AND `+active, &p.SolarAccounts, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	if p.ByClass, err = breakdown(`SELECT a.class, count(*) FROM accounts a WHERE `+active+` GROUP BY a.class ORDER BY count(*) DESC, a.class`, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	if p.ByLSE, err = breakdown(`SELECT a.lse, count(*) FROM accounts a WHERE `+active+` GROUP BY a.lse ORDER BY a.lse`, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	if p.ByProgram, err = breakdown(`SELECT e.program, count(DISTINCT e.account_id) FROM enrollments e JOIN accounts a ON a.id = e.account_id
		WHERE e.start_date <= $1 AND (e.end_date IS NULL OR e.end_date > $1) AND `+active+` GROUP BY e.program ORDER BY count(DISTINCT e.account_id) DESC, e.program`, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	if p.ByHFTD, err = breakdown(`SELECT 'Tier ' || CAST(p.hftd_tier AS TEXT), count(*) FROM accounts a JOIN premises p ON p.id = a.premise_id
		WHERE p.hftd_tier > 0 AND `+active+` GROUP BY p.hftd_tier ORDER BY p.hftd_tier`, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	if p.ByAgency, err = breakdown(`SELECT p.member_agency, count(*) FROM accounts a JOIN premises p ON p.id = a.premise_id
		WHERE `+active+` GROUP BY p.member_agency ORDER BY count(*) DESC, p.member_agency`, d); err != nil {
		return p, fmt.Errorf("store: portfolio: %w", err)
	}
	return p, nil
}
