package web

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// attachFile posts a file as the multipart field "file".
func (s *testSite) attachFile(t *testing.T, path, session, name, content string) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, path, &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// seedPowerReadyGrant stores a $700,000 Power Ready budget, the Oxnard
// Fire Station 3 project and a reserved $600,000 site grant for it.
func seedPowerReadyGrant(t *testing.T, s *testSite) (incentive.Project, incentive.Application) {
	t.Helper()
	seedIncentives(t, s)
	ctx := context.Background()
	var p incentive.Project
	var a incentive.Application
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		b := incentive.Budget{Slug: "power-ready-2026", ProgramID: "power-ready", Name: "Power Ready 2026",
			From: calendar.Date{Year: 2026, Month: 1, Day: 1}, AllocatedCents: money.Dollars(700_000), Source: "test allocation"}
		if err := tx.CreateBudget(ctx, seedActor, &b); err != nil {
			return err
		}
		p = incentive.Project{Program: incentive.TrackPowerReady, Name: "Oxnard Fire Station 3", Agency: "Oxnard", Partner: "Coast Energy", BackupReserveBP: 3000}
		if err := tx.CreateProject(ctx, seedActor, &p); err != nil {
			return err
		}
		award := money.Dollars(600_000)
		f := incentive.Facts{Date: calendar.Date{Year: 2026, Month: 3, Day: 2}, RequestedCents: &award}
		f.Measure = map[string]json.RawMessage{"type": json.RawMessage(`"resilience_site"`)}
		var err error
		if a, err = tx.CreateApplication(ctx, seedActor, store.NewApplication{ProgramID: "power-ready", MemberAgency: "Oxnard", Facts: f}); err != nil {
			return err
		}
		a, err = tx.SubmitApplication(ctx, seedActor, a.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != incentive.Reserved {
		t.Fatalf("grant %s", a.Status)
	}
	return p, a
}

// TestConsoleGrantDisbursement plans, evidences, approves and pays a Power
// Ready site grant on the application page (the program's milestones are
// seed 000's; the $600,000 award is the site agreement's amount): each
// refusal comes back next to its input — a plan past the award on the
// tranches box naming its line and grant.plan_within_award, an approval
// without evidence on the tranche's file input, one dated after today on
// its date, an approval before the project's design is done on the row,
// a payment without its reference on the reference — and an analyst sees
// the plan without its forms and may not post them.
func TestConsoleGrantDisbursement(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	p, a := seedPowerReadyGrant(t, s)
	path := "/incentives/applications/" + strconv.FormatInt(a.ID, 10)
	pat := s.login(t, "/login", managerEmail)
	wantIncentivePage(t, s.get(t, path, pat), http.StatusOK, "Disbursement plan", "Plan the disbursement", ">Oxnard Fire Station 3<")
	project := strconv.FormatInt(p.ID, 10)
	w := s.post(t, path+"/disbursement", pat, url.Values{"tranches": {"design 200000\nconstruction 300,000.00\noperation 200000"}, "project_id": {project}})
	wantIncentivePage(t, w, http.StatusBadRequest, `id="f-tranches-error"`, "line 3, amount: rule "+incentive.RulePlanWithinAward, "operation 200000</textarea>")
	wantIncentivePage(t, s.post(t, path+"/disbursement", pat, url.Values{"tranches": {"design"}}), http.StatusBadRequest,
		"line 1: write the milestone and its amount")
	if _, err := s.db.Disbursement(ctx, a.ID); err == nil {
		t.Fatal("a refused plan was stored")
	}
	w = s.post(t, path+"/disbursement", pat, url.Values{"tranches": {"design 200000\nconstruction 300,000.00\noperation 100000"}, "project_id": {project}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("plan: %d\n%s", w.Code, w.Body)
	}
	wantIncentivePage(t, s.get(t, path, pat), http.StatusOK, `id="tranche-3"`, "construction", "$300,000.00", "Approve design", "Follows project")

	wantIncentivePage(t, s.post(t, path+"/tranches/1/approve", pat, url.Values{"on": {"2026-03-05"}}), http.StatusBadRequest,
		`id="t1-file-error"`, "attach the evidence that design is done")
	if w := s.attachFile(t, path+"/tranches/1/documents", pat, "design-set.pdf", "stamped plans"); w.Code != http.StatusSeeOther {
		t.Fatalf("attach: %d\n%s", w.Code, w.Body)
	}
	wantIncentivePage(t, s.attachFile(t, path+"/tranches/9/documents", pat, "x.pdf", "x"), http.StatusBadRequest, "has no tranche 9")
	wantIncentivePage(t, s.post(t, path+"/tranches/1/approve", pat, url.Values{"on": {"2026-03-05"}}), http.StatusBadRequest,
		"design of Oxnard Fire Station 3 is not done")
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.CompleteMilestone(ctx, seedActor, p.ID, "site_lease", calendar.Date{Year: 2026, Month: 1, Day: 15}); err != nil {
			return err
		}
		_, err := tx.CompleteMilestone(ctx, seedActor, p.ID, "design", calendar.Date{Year: 2026, Month: 2, Day: 20})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wantIncentivePage(t, s.post(t, path+"/tranches/1/approve", pat, url.Values{"on": {"2026-03-11"}}), http.StatusBadRequest,
		`id="t1-approve-on-error"`, "is after today", `value="2026-03-11"`)
	wantIncentivePage(t, s.post(t, path+"/tranches/1/approve", pat, url.Values{"amount": {"lots"}}), http.StatusBadRequest, `id="t1-amount-error"`)
	if w := s.post(t, path+"/tranches/1/approve", pat, url.Values{"on": {"2026-03-05"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", w.Code, w.Body)
	}
	wantIncentivePage(t, s.post(t, path+"/tranches/1/pay", pat, url.Values{"on": {"2026-03-06"}}), http.StatusBadRequest, `id="t1-reference-error"`)
	if w := s.post(t, path+"/tranches/1/pay", pat, url.Values{"on": {"2026-03-06"}, "reference": {"ACH-2001"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("pay: %d\n%s", w.Code, w.Body)
	}
	page := s.get(t, path, pat)
	wantIncentivePage(t, page, http.StatusOK, `2026-03-06 <span class="mono small">ACH-2001</span>`, "design-set.pdf", `id="grant-held">$400,000.00<`, `id="grant-committed">$200,000.00<`, "Approve construction")
	if strings.Contains(page.Body.String(), `value="claim_submitted"`) {
		t.Error("a grant paid in tranches offers the generic claim")
	}

	alex := s.login(t, "/login", analystEmail)
	w = s.get(t, path, alex)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ACH-2001") || strings.Contains(w.Body.String(), "/tranches/2/approve") {
		t.Errorf("analyst's view of the plan (%d)", w.Code)
	}
	wantIncentivePage(t, s.post(t, path+"/tranches/2/approve", alex, url.Values{}), http.StatusForbidden)
}

// TestBrowserGrantDisbursement drives the disbursement plan in Chromium: a
// manager plans the $600,000 Power Ready grant in three tranches following
// its project (design already done), attaches the design set, approves
// design and pays it with its ACH reference.
func TestBrowserGrantDisbursement(t *testing.T) {
	s := newTestSite(t)
	p, a := seedPowerReadyGrant(t, s)
	ctx := context.Background()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.CompleteMilestone(ctx, seedActor, p.ID, "site_lease", calendar.Date{Year: 2026, Month: 1, Day: 15}); err != nil {
			return err
		}
		_, err := tx.CompleteMilestone(ctx, seedActor, p.ID, "design", calendar.Date{Year: 2026, Month: 2, Day: 20})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "design-set.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 stamped plans"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	bctx := newBrowser(t)
	ce := watchConsole(t, bctx)
	path := "/incentives/applications/" + strconv.FormatInt(a.ID, 10)
	signIn(t, bctx, srv.URL, path, managerEmail, "#plan-form")
	browse(t, bctx,
		chromedp.SetValue(chromedp.CSS(`#f-tranches`), "design 200000\nconstruction 300000\noperation 100000"),
		chromedp.SetValue(chromedp.CSS(`#f-project_id`), strconv.FormatInt(p.ID, 10)),
		chromedp.Click(chromedp.CSS(`#plan-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#tranches`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#t1-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`form:has(#t1-file) button`)),
		chromedp.WaitVisible(chromedp.CSS(`#tranche-1 span[title^="SHA-256"]`)),
		chromedp.Click(chromedp.CSS(`form:has(#t1-approve-on) button`)),
		chromedp.WaitVisible(chromedp.CSS(`#t1-reference`)),
		chromedp.SetValue(chromedp.CSS(`#t1-reference`), "ACH-3001"),
		chromedp.Click(chromedp.CSS(`form:has(#t1-reference) button`)),
		chromedp.WaitVisible(chromedp.CSS(`#tranche-1 td.nowrap span.mono`)),
	)
	if got := text(t, bctx, "#tranche-1"); !strings.Contains(got, "paid") || !strings.Contains(got, "ACH-3001") {
		t.Errorf("tranche 1 %q, want paid with ACH-3001", got)
	}
	if got := text(t, bctx, "#grant-committed"); got != "$200,000.00" {
		t.Errorf("committed %q", got)
	}
	screenshot(t, bctx, "console-grant-disbursement")
	for _, m := range ce.take() {
		t.Errorf("console: %s", m)
	}
}
