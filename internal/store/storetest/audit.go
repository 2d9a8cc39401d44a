package storetest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// lastAudit returns the newest audit record.
func lastAudit(t *testing.T, db *store.DB) auth.AuditRecord {
	t.Helper()
	recs, err := db.AuditLog(context.Background(), store.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("audit log has %d records, want at least 1", len(recs))
	}
	return recs[0]
}

// jsonField decodes raw and returns the top-level field name as a string.
func jsonField(t *testing.T, raw json.RawMessage, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("audit JSON %s: %v", raw, err)
	}
	v, ok := m[name]
	if !ok {
		t.Fatalf("audit JSON %s has no %s", raw, name)
	}
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// testAuditEveryMutation checks DESIGN.md "Security": an audit log of every
// mutation with actor, time and before/after — exactly one record each.
func testAuditEveryMutation(t *testing.T, db *store.DB) {
	setClock(db, t0)
	var (
		c    = newCustomer("Audit Person", "audit@example.org")
		p    = newPremise("1 Audit Ln", "90001", "06037", "Unincorporated Los Angeles County")
		a    customer.Account
		m    customer.Meter
		e    customer.Enrollment
		u    auth.User
		cl   auth.Client
		hash string
	)
	hash, err := auth.HashPassword("a long enough password", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		name     string
		run      func(ctx context.Context, tx *store.Tx) error
		action   string
		entity   string
		id       func() int64
		hasPrior bool                   // before is set (updates)
		field    string                 // a field of after (and before) to compare, named as in the JSON API
		before   string                 // its value before
		after    string                 // its value after
		extra    func(auth.AuditRecord) // further checks
	}
	steps := []step{
		{name: "CreateCustomer", run: func(ctx context.Context, tx *store.Tx) error { return tx.CreateCustomer(ctx, staff, &c) },
			action: "create", entity: "customer", id: func() int64 { return c.ID }, field: "name", after: "Audit Person"},
		{name: "UpdateCustomer", run: func(ctx context.Context, tx *store.Tx) error {
			upd := c
			upd.Name = "Audit Person Jr"
			return tx.UpdateCustomer(ctx, staff, &upd)
		}, action: "update", entity: "customer", id: func() int64 { return c.ID }, hasPrior: true, field: "name", before: "Audit Person", after: "Audit Person Jr"},
		{name: "CreatePremise", run: func(ctx context.Context, tx *store.Tx) error { return tx.CreatePremise(ctx, staff, &p) },
			action: "create", entity: "premise", id: func() int64 { return p.ID }, field: "zip", after: "90001"},
		{name: "UpdatePremise", run: func(ctx context.Context, tx *store.Tx) error {
			upd := p
			upd.ZIP = "90012"
			return tx.UpdatePremise(ctx, staff, &upd)
		}, action: "update", entity: "premise", id: func() int64 { return p.ID }, hasPrior: true, field: "climate_zone", before: "8", after: "9"},
		{name: "CreateAccount", run: func(ctx context.Context, tx *store.Tx) error {
			a = newAccount("7100000001", c, p)
			return tx.CreateAccount(ctx, staff, &a)
		}, action: "create", entity: "account", id: func() int64 { return a.ID }, field: "number", after: "7100000001"},
		{name: "UpdateAccount", run: func(ctx context.Context, tx *store.Tx) error {
			upd := a
			upd.RateSchedule = "TOU-D-5-8PM"
			return tx.UpdateAccount(ctx, staff, &upd)
		}, action: "update", entity: "account", id: func() int64 { return a.ID }, hasPrior: true, field: "rate_schedule", before: "TOU-D-4-9PM", after: "TOU-D-5-8PM"},
		{name: "CreateMeter", run: func(ctx context.Context, tx *store.Tx) error {
			m = customer.Meter{AccountID: a.ID, Serial: "M-AUDIT", IntervalSeconds: 900, Installed: day(2025, 1, 1)}
			return tx.CreateMeter(ctx, staff, &m)
		}, action: "create", entity: "meter", id: func() int64 { return m.ID }, field: "serial", after: "M-AUDIT"},
		{name: "UpdateMeter", run: func(ctx context.Context, tx *store.Tx) error {
			upd := m
			upd.Serial = "M-AUDIT-2"
			return tx.UpdateMeter(ctx, staff, &upd)
		}, action: "update", entity: "meter", id: func() int64 { return m.ID }, hasPrior: true, field: "serial", before: "M-AUDIT", after: "M-AUDIT-2"},
		{name: "Enroll", run: func(ctx context.Context, tx *store.Tx) error {
			e = customer.Enrollment{AccountID: a.ID, Program: customer.ProgramCARE, From: day(2025, 1, 1), Note: "utility certified"}
			return tx.Enroll(ctx, staff, &e)
		}, action: "create", entity: "enrollment", id: func() int64 { return e.ID }, field: "program", after: "care"},
		{name: "EndEnrollment", run: func(ctx context.Context, tx *store.Tx) error {
			return tx.EndEnrollment(ctx, staff, e.ID, day(2026, 1, 1))
		}, action: "update", entity: "enrollment", id: func() int64 { return e.ID }, hasPrior: true, field: "end_date", before: "", after: "2026-01-01"},
		{name: "CreateUser", run: func(ctx context.Context, tx *store.Tx) error {
			u = auth.User{Email: "portal@example.org", Name: "Portal User", Role: auth.CustomerRole, PasswordHash: hash, AccountIDs: []int64{a.ID}}
			return tx.CreateUser(ctx, staff, &u)
		}, action: "create", entity: "user", id: func() int64 { return u.ID }, field: "email", after: "portal@example.org"},
		{name: "SetUserDisabled", run: func(ctx context.Context, tx *store.Tx) error {
			return tx.SetUserDisabled(ctx, staff, u.ID, true)
		}, action: "update", entity: "user", id: func() int64 { return u.ID }, hasPrior: true, field: "disabled", before: "false", after: "true"},
		{name: "CreateClient", run: func(ctx context.Context, tx *store.Tx) error {
			cl = auth.Client{Name: "meter-importer", Scopes: []string{auth.ScopeRegistryWrite}}
			_, err := tx.CreateClient(ctx, staff, &cl)
			return err
		}, action: "create", entity: "api_client", id: func() int64 { return cl.ID }, field: "name", after: "meter-importer",
			extra: func(r auth.AuditRecord) {
				if strings.Contains(string(r.After), cl.TokenHash) {
					t.Errorf("api_client audit record contains the token hash: %s", r.After)
				}
			}},
		{name: "Audit", run: func(ctx context.Context, tx *store.Tx) error {
			return tx.Audit(ctx, staff, "login", "user", u.ID, map[string]string{"ip": "192.0.2.1"})
		}, action: "login", entity: "user", id: func() int64 { return u.ID }, field: "ip", after: "192.0.2.1"},
	}
	for i, s := range steps {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		setClock(db, at)
		n := countRows(t, db, "audit_log")
		inTx(t, db, s.run)
		if got := countRows(t, db, "audit_log"); got != n+1 {
			t.Errorf("%s wrote %d audit records, want 1", s.name, got-n)
			continue
		}
		r := lastAudit(t, db)
		if r.Actor != "user:1 test@gridbook.example" || r.Action != s.action || r.Entity != s.entity ||
			r.EntityID != strconv.FormatInt(s.id(), 10) || !r.At.Equal(at) {
			t.Errorf("%s: audit record %s %s %s/%s at %v; want user:1 test@gridbook.example %s %s/%d at %v",
				s.name, r.Actor, r.Action, r.Entity, r.EntityID, r.At, s.action, s.entity, s.id(), at)
		}
		if r.After == nil {
			t.Errorf("%s: after is empty", s.name)
		} else if got := jsonField(t, r.After, s.field); got != s.after {
			t.Errorf("%s: after.%s = %q, want %q", s.name, s.field, got, s.after)
		}
		switch {
		case !s.hasPrior && r.Before != nil:
			t.Errorf("%s: before = %s, want nil", s.name, r.Before)
		case s.hasPrior && r.Before == nil:
			t.Errorf("%s: before is empty", s.name)
		case s.hasPrior:
			if got := jsonField(t, r.Before, s.field); got != s.before {
				t.Errorf("%s: before.%s = %q, want %q", s.name, s.field, got, s.before)
			}
		}
		if s.extra != nil {
			s.extra(r)
		}
	}

	// User records never carry the password hash, in any form.
	recs, err := db.AuditLog(context.Background(), store.AuditFilter{Entity: "user", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("user audit records = %d, want 3 (create, disable, login)", len(recs))
	}
	for _, r := range recs {
		for _, raw := range []json.RawMessage{r.Before, r.After} {
			s := string(raw)
			if strings.Contains(s, hash) || strings.Contains(s, "$2a$") || strings.Contains(strings.ToLower(s), "password") {
				t.Errorf("user audit record %d %s carries the password hash: %s", r.ID, r.Action, s)
			}
		}
	}
}

func testAuditLogFilters(t *testing.T, db *store.DB) {
	ctx := context.Background()
	c, p, a, m := seed(t, db)
	all, err := db.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// seed writes customer, premise, account, meter: four records, newest first.
	var got []string
	for _, r := range all {
		got = append(got, r.Entity+"/"+r.EntityID)
	}
	want := []string{
		"meter/" + strconv.FormatInt(m.ID, 10), "account/" + strconv.FormatInt(a.ID, 10),
		"premise/" + strconv.FormatInt(p.ID, 10), "customer/" + strconv.FormatInt(c.ID, 10),
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("audit log %v, want %v", got, want)
	}
	byEntity, err := db.AuditLog(ctx, store.AuditFilter{Entity: "premise", EntityID: strconv.FormatInt(p.ID, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if len(byEntity) != 1 || byEntity[0].Entity != "premise" {
		t.Errorf("premise filter gave %+v", byEntity)
	}
	page, err := db.AuditLog(ctx, store.AuditFilter{Before: all[1].ID, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
		t.Errorf("page before %d = %+v, want records %d and %d", all[1].ID, page, all[2].ID, all[3].ID)
	}
}
