package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/customer"
)

// danaMeter returns Dana's hourly meter (delivered only, readings from
// 2025-10-01).
func (s *testSite) danaMeter(t *testing.T) customer.Meter {
	t.Helper()
	ms, err := s.db.Meters(context.Background(), s.danaAcct.ID)
	if err != nil || len(ms) != 1 {
		t.Fatalf("dana's meters: %v %v", ms, err)
	}
	return ms[0]
}

// upload posts a file to a meter's import form as session's holder.
func (s *testSite) upload(t *testing.T, meterID int64, session, name, content, format string) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("format", format)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/meters/%d/intervals", meterID), &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// september is three hours of 2025-09-15 from 00:00 PDT, before Dana's
// stored readings start: 1,000 + 1,200 + 900 = 3,100 Wh, the second hour
// estimated.
const september = "start,duration_s,delivered_wh,received_wh,quality\n" +
	"2025-09-15T00:00:00-07:00,3600,1000,,actual\n" +
	"2025-09-15T01:00:00-07:00,3600,1200,,estimated\n" +
	"2025-09-15T02:00:00-07:00,3600,900,,actual\n"

// TestMeterPageImportsIntervalFiles checks the console's import form: an
// admin uploads a file and sees its summary and the history row; the same
// file again changes nothing and is recognised as identical.
func TestMeterPageImportsIntervalFiles(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	m := s.danaMeter(t)
	page := s.get(t, fmt.Sprintf("/meters/%d", m.ID), admin)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `enctype="multipart/form-data"`) ||
		!strings.Contains(page.Body.String(), "No interval files have been imported for this meter.") {
		t.Fatalf("meter page %d:\n%.2000s", page.Code, page.Body)
	}
	w := s.upload(t, m.ID, admin, "september.csv", september, "auto")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/meters/%d?import=1", m.ID) {
		t.Fatalf("upload answered %d %q:\n%.1500s", w.Code, w.Header().Get("Location"), w.Body)
	}
	body := s.get(t, fmt.Sprintf("/meters/%d?import=1", m.ID), admin).Body.String()
	for _, want := range []string{"Import 1: september.csv", "plain-csv", "3.100", // kWh
		`<td class="num">3</td><td class="num">0</td><td class="num">0</td>`, // added, replaced, unchanged
		`<td class="num">0 · 0 · 1</td></tr>`,                                // no gap or duplicate, one estimate
		"ana@cpa.example", `<span class="badge`} {
		if !strings.Contains(body, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	s.upload(t, m.ID, admin, "september-again.csv", september, "plain-csv")
	body = s.get(t, fmt.Sprintf("/meters/%d?import=2", m.ID), admin).Body.String()
	if !strings.Contains(body, "byte-for-byte identical to") || !strings.Contains(body, "(same as 1)") {
		t.Errorf("re-import not recognised:\n%.3000s", body)
	}
	// The account page links the meter.
	if acct := s.get(t, fmt.Sprintf("/accounts/%d", s.danaAcct.ID), admin).Body.String(); !strings.Contains(acct, fmt.Sprintf(`<a href="/meters/%d">SM-2002</a>`, m.ID)) {
		t.Errorf("account page does not link the meter page")
	}
}

// TestMeterImportRejectsAndRoles checks that a rejected file is explained
// on the form with nothing stored, and that analysts see the history but
// may not upload.
func TestMeterImportRejectsAndRoles(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	m := s.danaMeter(t)
	quarter := "start,duration_s,delivered_wh,received_wh\n2025-09-15T07:00:00Z,900,5,\n"
	w := s.upload(t, m.ID, admin, "quarter.csv", quarter, "auto")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "nothing was stored") ||
		!strings.Contains(w.Body.String(), "records 3600-second intervals but the file&#39;s delivered readings") {
		t.Errorf("bad file answered %d:\n%.2000s", w.Code, w.Body)
	}
	w = s.upload(t, m.ID, admin, "recv.csv", "start,duration_s,delivered_wh,received_wh\n2025-09-15T07:00:00Z,3600,5,6\n", "auto")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "has no received channel") {
		t.Errorf("received readings for a delivered-only meter answered %d", w.Code)
	}
	if list, err := s.db.IntervalImports(context.Background(), m.ID, 0, 10); err != nil || len(list) != 0 {
		t.Errorf("rejected uploads recorded %d imports", len(list))
	}
	analyst := s.login(t, "/login", analystEmail)
	page := s.get(t, fmt.Sprintf("/meters/%d", m.ID), analyst).Body.String()
	if strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, "your role can view the imports below") {
		t.Errorf("analyst sees the import form")
	}
	if w := s.upload(t, m.ID, analyst, "september.csv", september, "auto"); w.Code != http.StatusForbidden {
		t.Errorf("analyst upload answered %d, want 403", w.Code)
	}
	maria := s.login(t, "/my/login", mariaEmail)
	if w := s.get(t, fmt.Sprintf("/meters/%d", m.ID), maria); w.Code == http.StatusOK {
		t.Errorf("a customer reached the console meter page")
	}
	if w := s.get(t, "/meters/999", admin); w.Code != http.StatusNotFound {
		t.Errorf("unknown meter answered %d", w.Code)
	}
}
