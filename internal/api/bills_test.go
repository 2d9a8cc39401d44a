package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// billEnv is newEnv with the shipped tariffs, hourly readings (1 kWh
// delivered, nothing received) for July and August 2025 on account 1
// (TOU-D-4-9PM, the portal user's) and account 2 (moved to bundled
// TOU-8-D with a meter of its own), and bill runs of both months.
func billEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, storetest.SQLite())
	ctx := context.Background()
	if _, err := e.db.LoadShippedTariffs(ctx, seedActor); err != nil {
		t.Fatal(err)
	}
	from, to := calendar.Date{Year: 2025, Month: 7, Day: 1}, calendar.Date{Year: 2025, Month: 9, Day: 1}
	ones := meterdata.Series{Start: from.Start(), Step: time.Hour}
	zeros := ones
	for at := from.Start(); at.Before(to.Start()); at = at.Add(time.Hour) {
		ones.Values, zeros.Values = append(ones.Values, 1000), append(zeros.Values, 0)
	}
	m2 := customer.Meter{Serial: "M-0002", IntervalSeconds: 3600, Installed: e.acct2.ServiceStart}
	err := e.db.InTx(ctx, func(tx *store.Tx) error {
		e.acct2.RateSchedule = "TOU-8-D"
		if err := tx.UpdateAccount(ctx, seedActor, &e.acct2); err != nil {
			return err
		}
		m2.AccountID = e.acct2.ID
		if err := tx.CreateMeter(ctx, seedActor, &m2); err != nil {
			return err
		}
		for ch, s := range map[int64]meterdata.Series{e.meter1.Channels[0].ID: ones, e.meter1.Channels[1].ID: zeros, m2.Channels[0].ID: ones} {
			if err := tx.PutIntervals(ctx, ch, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := billrun.LoadPolicies()
	if err != nil {
		t.Fatal(err)
	}
	for _, cycle := range []string{"2025-07", "2025-08"} {
		var run billrun.Run
		err := e.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			run, err = tx.CreateBillRun(ctx, seedActor, cycle, 1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		done, err := (&billrun.Runner{Store: e.db, Policies: ps}).Execute(ctx, run.ID, 0)
		if err != nil || done.Counts.Billed != 2 {
			t.Fatalf("run %s: %+v %v", cycle, done.Counts, err)
		}
	}
	return e
}

type billPage struct {
	Data       []StoredBill `json:"data"`
	NextCursor *string      `json:"next_cursor"`
}

// TestAccountBillsPageNewestFirst: an account's bills list newest first
// by cursor, without documents; one bill has its document and inputs.
func TestAccountBillsPageNewestFirst(t *testing.T) {
	e := billEnv(t)
	var first, second billPage
	e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/bills?limit=1", e.acct1.ID), "", e.analyst).want(t, http.StatusOK).decode(t, &first)
	if len(first.Data) != 1 || first.Data[0].PeriodStart != "2025-08-01" || first.NextCursor == nil || first.Data[0].Bill != nil {
		t.Fatalf("first page %+v", first)
	}
	e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/bills?limit=1&after=%s", e.acct1.ID, *first.NextCursor), "", e.analyst).
		want(t, http.StatusOK).decode(t, &second)
	if len(second.Data) != 1 || second.Data[0].PeriodStart != "2025-07-01" || second.NextCursor != nil {
		t.Fatalf("second page %+v", second)
	}
	var one StoredBill
	e.do("GET", fmt.Sprintf("/api/v1/bills/%d", second.Data[0].ID), "", e.readClient).want(t, http.StatusOK).decode(t, &one)
	var doc struct {
		Total int64 `json:"total_cents"`
		Days  int   `json:"days"`
	}
	if err := json.Unmarshal(one.Bill, &doc); err != nil || doc.Total != one.TotalCents || doc.Days != 31 || one.Inputs == nil {
		t.Errorf("bill %+v document %+v %v", one, doc, err)
	}
	e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/bills?limit=0", e.acct1.ID), "", e.analyst).want(t, http.StatusBadRequest)
}

// TestCustomerSeesOnlyOwnBills: the portal user (account 1) reads its
// own bills; account 2's list and bills are 404, as if they did not
// exist.
func TestCustomerSeesOnlyOwnBills(t *testing.T) {
	e := billEnv(t)
	var own, other billPage
	e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/bills", e.acct1.ID), "", e.portal).want(t, http.StatusOK).decode(t, &own)
	if len(own.Data) != 2 {
		t.Fatalf("own bills %+v", own)
	}
	e.do("GET", fmt.Sprintf("/api/v1/bills/%d", own.Data[0].ID), "", e.portal).want(t, http.StatusOK)
	e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/bills", e.acct2.ID), "", e.portal).want(t, http.StatusNotFound)
	e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/bills", e.acct2.ID), "", e.admin).want(t, http.StatusOK).decode(t, &other)
	if len(other.Data) != 2 {
		t.Fatalf("account 2 bills %+v", other)
	}
	e.do("GET", fmt.Sprintf("/api/v1/bills/%d", other.Data[0].ID), "", e.portal).want(t, http.StatusNotFound)
	e.do("GET", "/api/v1/bills/999999", "", e.admin).want(t, http.StatusNotFound)
}

// TestBillVersionsListedOnRequest: after a corrected reading re-bills
// July, the list shows the current version only, and both with
// versions=true (the old one naming its successor).
func TestBillVersionsListedOnRequest(t *testing.T) {
	e := billEnv(t)
	ctx := context.Background()
	at := time.Date(2025, 7, 3, 1, 0, 0, 0, calendar.Pacific).UTC()
	err := e.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.PutIntervals(ctx, e.meter1.Channels[0].ID, meterdata.Series{Start: at, Step: time.Hour, Values: []energy.Wh{2500}})
	})
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := billrun.LoadPolicies()
	var run billrun.Run
	_ = e.db.InTx(ctx, func(tx *store.Tx) error {
		run, err = tx.CreateBillRun(ctx, seedActor, "2025-07", 1)
		return err
	})
	if _, err := (&billrun.Runner{Store: e.db, Policies: ps}).Execute(ctx, run.ID, 0); err != nil {
		t.Fatal(err)
	}
	var cur, all billPage
	e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/bills", e.acct1.ID), "", e.admin).want(t, http.StatusOK).decode(t, &cur)
	e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/bills?versions=true", e.acct1.ID), "", e.admin).want(t, http.StatusOK).decode(t, &all)
	if len(cur.Data) != 2 || len(all.Data) != 3 {
		t.Fatalf("current %d, all %d; want 2 and 3", len(cur.Data), len(all.Data))
	}
	newest, old := all.Data[0], all.Data[2]
	if newest.Version != 2 || old.SupersededBy == nil || *old.SupersededBy != newest.ID {
		t.Errorf("newest %+v old %+v", newest, old)
	}
}
