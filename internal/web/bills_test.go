package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// billSite is the test site with the shipped tariffs, three readings of
// Maria's delivered channel in August marked estimated, and bill runs of
// July and August 2025. Maria (TOU-D-4-9PM, CCA, CARE from July) is
// billed; Dana (TOU-D-5-8PM, no shipped tariff) and Hillside (no meter)
// are not. It returns the ids of Maria's July and August bills.
func billSite(t *testing.T) (s *testSite, july, aug int64) {
	t.Helper()
	s = newTestSite(t)
	ctx := context.Background()
	if _, err := s.db.LoadShippedTariffs(ctx, seedActor); err != nil {
		t.Fatal(err)
	}
	meters, err := s.db.Meters(ctx, s.mariaAcct.ID)
	if err != nil {
		t.Fatal(err)
	}
	at := calendar.Date{Year: 2025, Month: 8, Day: 12}.Start()
	est := meterdata.Series{Start: at, Step: 15 * time.Minute, Values: []energy.Wh{300, 300, 300},
		Quality: []meterdata.Quality{meterdata.Estimated, meterdata.Estimated, meterdata.Estimated}}
	if err := s.db.InTx(ctx, func(tx *store.Tx) error { return tx.PutIntervals(ctx, meters[0].Channels[0].ID, est) }); err != nil {
		t.Fatal(err)
	}
	for _, cycle := range []string{"2025-07", "2025-08"} {
		runBillCycle(t, s.db, cycle)
	}
	bills, err := s.db.Bills(ctx, store.BillFilter{AccountID: s.mariaAcct.ID})
	if err != nil || len(bills) != 2 {
		t.Fatalf("Maria's bills: %v %v", bills, err)
	}
	return s, bills[1].ID, bills[0].ID
}

func runBillCycle(t *testing.T, db *store.DB, cycle string) billrun.Run {
	t.Helper()
	ctx := context.Background()
	var run billrun.Run
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		run, err = tx.CreateBillRun(ctx, seedActor, cycle, 1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := billrun.LoadPolicies()
	if err != nil {
		t.Fatal(err)
	}
	done, err := (&billrun.Runner{Store: db, Policies: ps}).Execute(ctx, run.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func wantBody(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestAccountPageListsBills: the console account page lists the current
// bills newest first with days, kWh, total and the estimated marker.
func TestAccountPageListsBills(t *testing.T) {
	s, july, aug := billSite(t)
	admin := s.login(t, "/login", adminEmail)
	body := s.get(t, fmt.Sprintf("/accounts/%d", s.mariaAcct.ID), admin).Body.String()
	wantBody(t, "account page", body, "<h2>Bills</h2>", fmt.Sprintf(`href="/bills/%d">Aug 1, 2025 – Aug 31, 2025`, aug),
		fmt.Sprintf(`href="/bills/%d">Jul 1, 2025 – Jul 31, 2025`, july), "Estimated")
	if strings.Index(body, fmt.Sprintf("/bills/%d", aug)) > strings.Index(body, fmt.Sprintf("/bills/%d", july)) {
		t.Error("bills are not newest first")
	}
	dana := s.get(t, fmt.Sprintf("/accounts/%d", s.danaAcct.ID), admin).Body.String()
	wantBody(t, "Dana's account page", dana, "No bills yet")
}

// TestBillPageGroupsLinesByLedgerAndBucket: the console bill page shows
// SCE's and the CCA's ledgers with their buckets, the CARE discount, the
// carried balances, the hourly chart by TOU period and the inputs; the
// August bill says its three readings were estimated.
func TestBillPageGroupsLinesByLedgerAndBucket(t *testing.T) {
	s, july, aug := billSite(t)
	analyst := s.login(t, "/login", analystEmail)
	w := s.get(t, fmt.Sprintf("/bills/%d", july), analyst)
	if w.Code != http.StatusOK {
		t.Fatalf("bill page %d", w.Code)
	}
	body := w.Body.String()
	wantBody(t, "July bill", body, "SCE — delivery and other charges", "Community choice aggregator — generation",
		"<th colspan=\"2\" scope=\"rowgroup\">Delivery</th>", "Non-bypassable charges", "Credits, discounts and adjustments",
		"CARE discount", "Summer On-Peak", "gridbook-billing/1", `href="/tariffs/`,
		"Energy by hour", "Total due")
	if strings.Contains(body, "intervals were estimated") {
		t.Error("July bill says readings were estimated")
	}
	aw := s.get(t, fmt.Sprintf("/bills/%d", aug), analyst).Body.String()
	wantBody(t, "August bill", aw, "3 intervals were estimated by the meter data source", "Estimated")
	if w := s.get(t, "/bills/999999", analyst); w.Code != http.StatusNotFound {
		t.Errorf("missing bill %d", w.Code)
	}
}

// TestSupersededBillPointsToItsReplacement: after a corrected reading
// re-bills July, the old version says it was replaced and lists both.
func TestSupersededBillPointsToItsReplacement(t *testing.T) {
	s, july, _ := billSite(t)
	ctx := context.Background()
	meters, _ := s.db.Meters(ctx, s.mariaAcct.ID)
	fix := meterdata.Series{Start: calendar.Date{Year: 2025, Month: 7, Day: 9}.Start(), Step: 15 * time.Minute, Values: []energy.Wh{2000}}
	if err := s.db.InTx(ctx, func(tx *store.Tx) error { return tx.PutIntervals(ctx, meters[0].Channels[0].ID, fix) }); err != nil {
		t.Fatal(err)
	}
	run := runBillCycle(t, s.db, "2025-07")
	if run.Counts.Billed != 1 {
		t.Fatalf("re-run %+v", run.Counts)
	}
	admin := s.login(t, "/login", adminEmail)
	body := s.get(t, fmt.Sprintf("/bills/%d", july), admin).Body.String()
	wantBody(t, "superseded bill", body, "This version was replaced by", "Versions of this bill", "re-billed: interval data changed", "Superseded")
}

// TestBillRunPagesShowProgressAndReasons: the runs page lists both runs
// with their counts; a run's page counts accounts by reason and lists
// the not-billable ones.
func TestBillRunPagesShowProgressAndReasons(t *testing.T) {
	s, _, _ := billSite(t)
	admin := s.login(t, "/login", adminEmail)
	body := s.get(t, "/bill-runs", admin).Body.String()
	wantBody(t, "bill runs", body, "2025-07", "2025-08", `aria-current="page">Bill runs`, "3 of 3 accounts (100%)")
	runs, _ := s.db.BillRuns(context.Background(), 0, 10)
	body = s.get(t, fmt.Sprintf("/bill-runs/%d?status=skipped", runs[0].ID), admin).Body.String()
	wantBody(t, "bill run", body, "no SCE tariff TOU-D-5-8PM is loaded", "no SCE tariff TOU-GS-1-D is loaded", s.danaAcct.Number)
	if strings.Contains(body, "hx-trigger=\"every") {
		t.Error("a completed run polls")
	}
}

// TestPortalShowsOnlyOwnBills: Maria reads her bills on the portal;
// Dana's request for Maria's bill answers like a bill that does not
// exist; customers cannot open the console's bill page.
func TestPortalShowsOnlyOwnBills(t *testing.T) {
	s, july, _ := billSite(t)
	maria := s.login(t, "/my/login", mariaEmail)
	body := s.get(t, fmt.Sprintf("/my/accounts/%d", s.mariaAcct.ID), maria).Body.String()
	wantBody(t, "Maria's portal account", body, "Your bills", fmt.Sprintf(`href="/my/bills/%d"`, july))
	w := s.get(t, fmt.Sprintf("/my/bills/%d", july), maria)
	wantBody(t, "Maria's July bill", w.Body.String(), "Your bill for July 2025", "Total due", "Energy by hour", "CARE discount")
	dana := s.login(t, "/my/login", danaEmail)
	other, missing := s.get(t, fmt.Sprintf("/my/bills/%d", july), dana), s.get(t, "/my/bills/999999", dana)
	if other.Code != http.StatusNotFound || missing.Code != http.StatusNotFound || other.Body.String() != missing.Body.String() {
		t.Errorf("Dana on Maria's bill: %d; on a missing bill: %d (bodies equal: %v)", other.Code, missing.Code, other.Body.String() == missing.Body.String())
	}
	if w := s.get(t, fmt.Sprintf("/bills/%d", july), maria); w.Code == http.StatusOK {
		t.Error("a customer opened the console's bill page")
	}
}
