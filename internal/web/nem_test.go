package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// installerEmail signs in for Sunrise Solar, otherEmail for Other Solar.
const (
	installerEmail = "ines@sunrise.example"
	otherEmail     = "olu@other.example"
)

// nemSite is the test site with two installers and three applications
// as of Tuesday 2026-03-10:
//
//   - late: Maria's, complete Wednesday 2026-01-07, so the meter was due
//     Thursday 2026-02-19 (30 business days; Presidents' Day 2026-02-16
//     is not one, counted by hand) and is 19 days late;
//   - ontime: Dana's, complete Wednesday 2026-03-04, in technical review;
//   - draft: Hillside's, a draft of Sunrise's.
type nemSite struct {
	*testSite
	late, ontime, draft nem.Application
	sunrise             store.Installer
}

func newNEMSite(t *testing.T) *nemSite {
	t.Helper()
	s := &nemSite{testSite: newTestSite(t)}
	ctx := context.Background()
	d := func(m, day int) calendar.Date { return calendar.Date{Year: 2026, Month: time.Month(m), Day: day} }
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var insts [2]store.Installer
		for i, x := range []struct{ name, email string }{{"Sunrise Solar Inc.", installerEmail}, {"Other Solar Co.", otherEmail}} {
			insts[i] = store.Installer{Name: x.name, License: fmt.Sprintf("C46-10000%d", i)}
			if err := tx.CreateInstaller(ctx, seedActor, &insts[i]); err != nil {
				return err
			}
			hash, err := auth.HashPassword(testPassword, bcrypt.MinCost)
			if err != nil {
				return err
			}
			u := auth.User{Email: x.email, Name: x.name + " permits", Role: auth.Installer, PasswordHash: hash}
			if err := tx.CreateUser(ctx, seedActor, &u); err != nil {
				return err
			}
			if err := tx.LinkInstallerUser(ctx, seedActor, insts[i].ID, u.ID); err != nil {
				return err
			}
		}
		s.sunrise = insts[0]
		sys := func(kw int64) nem.System {
			return nem.System{Variant: nem.Standard, Technology: nem.SolarPV, CapacityW: energyW(kw), ExpectedAnnualWh: 6_000_000, AnnualUseWh: 7_000_000}
		}
		file := func(acct int64, inst int64, kw int64, submit bool, on calendar.Date, steps ...nem.Step) (nem.Application, error) {
			a := nem.Application{AccountID: acct, InstallerID: inst, System: sys(kw)}
			if _, err := tx.CreateNEMApplication(ctx, seedActor, &a, submit, on); err != nil {
				return a, err
			}
			for _, st := range steps {
				var err error
				if a, err = tx.AdvanceNEMApplication(ctx, seedActor, a.ID, st, d(3, 10)); err != nil {
					return a, err
				}
			}
			return a, nil
		}
		var err error
		if s.late, err = file(s.mariaAcct.ID, insts[0].ID, 7_600, true, d(1, 5),
			nem.Step{To: nem.CompletenessReview, On: d(1, 6)}, nem.Step{To: nem.TechnicalReview, On: d(1, 7)},
			nem.Step{To: nem.Approved, On: d(1, 20)}, nem.Step{To: nem.AgreementSigned, On: d(1, 21)}); err != nil {
			return err
		}
		if s.ontime, err = file(s.danaAcct.ID, 0, 5_200, true, d(3, 2),
			nem.Step{To: nem.CompletenessReview, On: d(3, 3)}, nem.Step{To: nem.TechnicalReview, On: d(3, 4)}); err != nil {
			return err
		}
		s.draft, err = file(s.hillAcct.ID, insts[0].ID, 48_000, false, d(3, 9))
		return err
	})
	if err != nil {
		t.Fatalf("seed applications: %v", err)
	}
	return s
}

// TestNEMQueueShowsAgeingAndBreachesFirst: the queue lists applications in
// process with business days open and the meter service level, the
// breached one first with its days late.
func TestNEMQueueShowsAgeingAndBreachesFirst(t *testing.T) {
	s := newNEMSite(t)
	analyst := s.login(t, "/login", analystEmail)
	w := s.get(t, "/nem", analyst)
	checkPage(t, w, []string{s.late.Number, s.ontime.Number, "2026-02-19", "19 days late", "Sunrise Solar Inc.", "Meter service level breached"},
		[]string{s.draft.Number})
	body := w.Body.String()
	if strings.Index(body, s.late.Number) > strings.Index(body, s.ontime.Number) {
		t.Error("the breached application is not listed first")
	}
	// Submitted Monday 2026-01-05: 45 business days open on 2026-03-10
	// (MLK Day is not a utility holiday; Presidents' Day is).
	if !strings.Contains(body, `<td class="num">45</td>`) {
		t.Errorf("business days open of %s not 45", s.late.Number)
	}
	w = s.get(t, "/nem?status=breach", analyst)
	checkPage(t, w, []string{s.late.Number}, []string{s.ontime.Number})
	w = s.get(t, "/nem?status=draft", analyst)
	checkPage(t, w, []string{s.draft.Number}, []string{s.late.Number})
	w = s.get(t, fmt.Sprintf("/nem/applications/%d", s.late.ID), analyst)
	checkPage(t, w, []string{"nem.capacity_1000kw", "7.600 kW against the 1,000 kW limit", "meter due <strong>2026-02-19</strong>", "19 days late",
		"Net Billing Tariff"}, []string{`action="/nem/applications/`})
}

// TestNEMStepsFromTheConsoleNameTheRuleAndAreForWriters.
func TestNEMStepsFromTheConsoleNameTheRuleAndAreForWriters(t *testing.T) {
	s := newNEMSite(t)
	manager := s.login(t, "/login", managerEmail)
	path := fmt.Sprintf("/nem/applications/%d/steps", s.late.ID)
	w := s.post(t, path, manager, url.Values{"to": {"meter_ready"}, "on": {"2026-03-09"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "rule meter_method") {
		t.Errorf("meter without method: %d %s", w.Code, w.Body)
	}
	w = s.post(t, path, manager, url.Values{"to": {"meter_ready"}, "on": {"2026-03-09"}, "meter_method": {"swap"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("meter step: %d %s", w.Code, w.Body)
	}
	w = s.post(t, path, manager, url.Values{"to": {"pto_issued"}, "on": {"2026-01-19"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "rule pto_after_approval") {
		t.Errorf("PTO before approval: %d", w.Code)
	}
	w = s.get(t, fmt.Sprintf("/nem/applications/%d", s.late.ID), manager)
	checkPage(t, w, []string{"Estimated generation credited for 18 days, 2026-02-20 to 2026-03-09"}, nil)
	analyst := s.login(t, "/login", analystEmail)
	if w := s.post(t, path, analyst, url.Values{"to": {"pto_issued"}}); w.Code != http.StatusForbidden {
		t.Errorf("analyst step: %d", w.Code)
	}
}

// TestInstallerSeesOnlyItsOwnAndFilesWithRulesNamed: an installer signs
// in through the portal, lists its own applications, is refused a 1,001
// kW system with the rule next to the field (nothing stored), and cannot
// open another installer's application or the console.
func TestInstallerSeesOnlyItsOwnAndFilesWithRulesNamed(t *testing.T) {
	s := newNEMSite(t)
	ines := s.login(t, "/my/login", installerEmail)
	w := s.get(t, "/my/installer/", ines)
	checkPage(t, w, []string{s.late.Number, s.draft.Number}, []string{s.ontime.Number})
	before := len(mustApps(t, s))
	w = s.post(t, "/my/installer/applications", ines, url.Values{"account": {s.danaAcct.Number}, "variant": {"standard"},
		"technology": {"solar_pv"}, "kw": {"1001"}, "annual_kwh": {"6000"}, "use_kwh": {"2000000"}, "submit": {"1"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "rule nem.capacity_1000kw") {
		t.Errorf("1,001 kW: %d", w.Code)
	}
	if len(mustApps(t, s)) != before {
		t.Error("the refused application was stored")
	}
	if w := s.get(t, fmt.Sprintf("/my/installer/applications/%d", s.ontime.ID), ines); w.Code != http.StatusNotFound {
		t.Errorf("another's application: %d", w.Code)
	}
	if w := s.get(t, "/nem", ines); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/my/installer/" {
		t.Errorf("console: %d %s", w.Code, w.Header().Get("Location"))
	}
	olu := s.login(t, "/my/login", otherEmail)
	checkPage(t, s.get(t, "/my/installer/", olu), nil, []string{s.late.Number})
	// An installer may submit its draft, but not approve it.
	path := fmt.Sprintf("/my/installer/applications/%d/steps", s.draft.ID)
	if w := s.post(t, path, ines, url.Values{"to": {"approved"}}); w.Code != http.StatusBadRequest {
		t.Errorf("installer approval: %d", w.Code)
	}
	if w := s.post(t, path, ines, url.Values{"to": {"submitted"}, "on": {"2026-03-10"}}); w.Code != http.StatusSeeOther {
		t.Errorf("installer submission: %d %s", w.Code, w.Body)
	}
}

func mustApps(t *testing.T, s *nemSite) []nem.Application {
	t.Helper()
	apps, err := s.db.NEMApplications(context.Background(), store.NEMFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

// TestNEMDocumentUploadAndDownloadKeepTheChecksum: the SHA-256 of
// "hello" is 2cf24dba…9824.
func TestNEMDocumentUploadAndDownloadKeepTheChecksum(t *testing.T) {
	s := newNEMSite(t)
	ines := s.login(t, "/my/login", installerEmail)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", "single_line_diagram")
	fw, _ := mw.CreateFormFile("file", "sld.pdf")
	_, _ = fw.Write([]byte("hello"))
	_ = mw.Close()
	r := httptest.NewRequest("POST", fmt.Sprintf("/my/installer/applications/%d/documents", s.late.ID), &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: ines})
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", w.Code, w.Body)
	}
	docs, err := s.db.NEMDocuments(context.Background(), s.late.ID)
	if err != nil || len(docs) != 1 || docs[0].SHA256 != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Fatalf("documents %+v %v", docs, err)
	}
	manager := s.login(t, "/login", managerEmail)
	w = s.get(t, fmt.Sprintf("/nem/applications/%d/documents/%d", s.late.ID, docs[0].ID), manager)
	if w.Code != http.StatusOK || w.Body.String() != "hello" || !strings.Contains(w.Header().Get("Content-Disposition"), "sld.pdf") {
		t.Errorf("download: %d %q %s", w.Code, w.Body, w.Header())
	}
	checkPage(t, s.get(t, fmt.Sprintf("/nem/applications/%d", s.late.ID), manager), []string{docs[0].SHA256}, nil)
}

// TestNEMReportPagesAndTheCustomersSolarPage: the cap report, special
// rates and FIT pages render for staff; a customer sees their own
// application in the portal and no one else's.
func TestNEMReportPagesAndTheCustomersSolarPage(t *testing.T) {
	s := newNEMSite(t)
	analyst := s.login(t, "/login", analystEmail)
	checkPage(t, s.get(t, "/nem/cap-report?month=2026-03", analyst),
		[]string{"Total cap available (5% of 44,807 MW, never below 2,240 MW)", "2,240", "Applications received in March 2026", "data-chart"}, nil)
	checkPage(t, s.get(t, "/nem/special-rates", analyst), []string{"TOU-8 Option R", "TOU-8 Option A", "50.00", "2013-10-12"}, nil)
	checkPage(t, s.get(t, "/nem/fit", analyst), []string{"226.00", "114.32", "56.50", "not published"}, nil)
	maria := s.login(t, "/my/login", mariaEmail)
	checkPage(t, s.get(t, "/my/solar", maria), []string{s.late.Number, "Net Billing Tariff", "Approved: 2026-01-20"}, []string{s.ontime.Number})
}
