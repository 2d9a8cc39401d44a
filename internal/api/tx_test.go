package api

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// failMeterAudit installs a trigger that makes writing a meter's audit
// record fail: the last step of creating a meter, after the meter and its
// channels are inserted.
var failMeterAudit = map[store.Dialect][]string{
	store.SQLite: {`CREATE TRIGGER fail_meter_audit BEFORE INSERT ON audit_log WHEN NEW.entity = 'meter'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`},
	store.Postgres: {
		`CREATE FUNCTION fail_meter_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.entity = 'meter' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER fail_meter_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_meter_audit()`,
	},
}

// TestFailureMidwayLeavesNothing makes a meter creation (meter row, two
// channel rows, audit record, idempotency key) fail at its last write and
// checks that none of it remains, that the caller sees only "internal
// error", and that the cause is logged once.
func TestFailureMidwayLeavesNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		var logged bytes.Buffer
		e.h.log = slog.New(slog.NewTextHandler(&logged, nil))
		for _, q := range failMeterAudit[e.db.Dialect()] {
			if _, err := e.db.SQL().ExecContext(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
		before := e.size()
		p := e.do("POST", "/api/v1/meters", `{"account_id":`+itoa(e.acct2.ID)+`,"serial":"M-0500","interval_seconds":900,
			"installed":"2026-01-01","channels":[{"direction":"delivered"},{"direction":"received"}]}`, e.admin, "Idempotency-Key", "m-500").
			want(t, http.StatusInternalServerError).problem(t)
		if p.Detail != "internal error" {
			t.Errorf("detail = %q, want internal error", p.Detail)
		}
		if after := e.size(); after != before {
			t.Errorf("failed creation left rows behind: %v → %v", before, after)
		}
		var page list[meterJSON]
		e.do("GET", "/api/v1/meters?serial=M-0500", "", e.admin).want(t, http.StatusOK).decode(t, &page)
		if len(page.Data) != 0 {
			t.Errorf("meter M-0500 exists after the failed creation: %+v", page.Data)
		}
		if n := strings.Count(logged.String(), "injected failure"); n != 1 {
			t.Errorf("cause logged %d times, want once:\n%s", n, logged.String())
		}
	})
}
