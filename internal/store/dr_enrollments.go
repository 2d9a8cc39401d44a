package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/gridbook/gridbook/internal/customer"
)

// DREnrollment is one enrollment in a demand-response program with the
// number of devices its account has registered to that program, as the
// console's participants page lists it.
type DREnrollment struct {
	customer.Enrollment
	Devices int `json:"devices"`
}

// DREnrollmentFilter selects enrollments in Programs (required: the DR
// programs' codes), optionally one Program of them, after the enrollment
// id AfterID, at most Limit (1000 when 0).
type DREnrollmentFilter struct {
	Programs []string
	Program  string
	AfterID  int64
	Limit    int
}

// DREnrollments returns the enrollments in the DR programs matching f in
// id order, each with the count of its account's devices in the program.
// With no Programs it returns nothing.
func (q queries) DREnrollments(ctx context.Context, f DREnrollmentFilter) ([]DREnrollment, error) {
	if f.Limit <= 0 || f.Limit > 100000 {
		f.Limit = 1000
	}
	var out []DREnrollment
	for _, p := range f.Programs {
		if f.Program != "" && p != f.Program {
			continue
		}
		// One query per program keeps the SQL the same on both dialects
		// (no array parameters); rows are merged in id order below.
		rows, err := q.q.QueryContext(ctx, `SELECT e.id, e.account_id, e.program, e.track, e.start_date, e.end_date, e.source, e.note, e.created_unix,
			(SELECT COUNT(*) FROM dr_devices d WHERE d.account_id = e.account_id AND d.program = e.program)
			FROM enrollments e WHERE e.program = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`, p, f.AfterID, f.Limit)
		if err != nil {
			return nil, fmt.Errorf("store: dr enrollments: %w", err)
		}
		for rows.Next() {
			var r DREnrollment
			var n int64
			e, err := scanEnrollment(scanTail{rows, &n})
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: dr enrollments: %w", err)
			}
			r.Enrollment, r.Devices = e, int(n)
			out = append(out, r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: dr enrollments: %w", err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// scanTail scans a row whose last columns follow those scanEnrollment
// reads into extra.
type scanTail struct {
	s     interface{ Scan(...any) error }
	extra *int64
}

func (t scanTail) Scan(dest ...any) error { return t.s.Scan(append(dest, t.extra)...) }
