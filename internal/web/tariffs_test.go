package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// tariffSite is the seeded site with the shipped tariffs and export
// prices loaded, and the stored ids by code.
func tariffSite(t *testing.T) (*testSite, map[string]int64) {
	t.Helper()
	s := newTestSite(t)
	ctx := context.Background()
	if _, err := s.db.LoadShippedTariffs(ctx, seedActor); err != nil {
		t.Fatal(err)
	}
	recs, err := s.db.TariffVersions(ctx, store.TariffFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, r := range recs {
		ids[r.Version.Code] = r.ID
	}
	tabs, err := s.db.ExportTableList(ctx, store.ExportTableFilter{})
	if err != nil || len(tabs) != 1 {
		t.Fatalf("export tables %v, %v", tabs, err)
	}
	ids["EEC"] = tabs[0].ID
	return s, ids
}

// checkPage fails t unless w answered 200 with every string of want and
// none of notWant in its body.
func checkPage(t *testing.T, w *httptest.ResponseRecorder, want, notWant []string) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d:\n%s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("lacks %q", s)
		}
	}
	for _, s := range notWant {
		if strings.Contains(body, s) {
			t.Errorf("contains %q", s)
		}
	}
}

// heatCell returns the text of the cell for a month (1–12) and hour
// beginning of the heat grid with the given id, with tags removed.
func heatCell(t *testing.T, body, gridID string, month, hour int) string {
	t.Helper()
	i := strings.Index(body, `id="`+gridID+`"`)
	if i < 0 {
		t.Fatalf("no heat grid %s", gridID)
	}
	table := body[i:]
	table = table[:strings.Index(table, "</table>")]
	rows := strings.Split(table, `<th scope="row">`)
	if len(rows) != 13 {
		t.Fatalf("grid %s has %d rows, want 12", gridID, len(rows)-1)
	}
	cells := strings.Split(rows[month], "<td")
	if len(cells) != 25 {
		t.Fatalf("grid %s month %d has %d cells, want 24", gridID, month, len(cells)-1)
	}
	cell := cells[hour+1]
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(cell[strings.Index(cell, ">")+1:], " "))
}

// TestTariffPagesShowListAndVersion checks the console's tariff pages for
// an analyst over the shipped data: the list with each version's utility,
// code, sector, dates and source, its filters; TOU-D-PRIME's charges by
// bucket at the sheet's prices (research/billing.md §1.6: on-peak total
// 0.56368 of which generation 0.28317, Basic Charge $0.516/day), its heat
// grids (July weekday 16:00 Summer On-Peak, weekend Summer Mid-Peak),
// holidays and prices by hour; TOU-8's demand charges and E-ELEC's single
// grid.
func TestTariffPagesShowListAndVersion(t *testing.T) {
	s, ids := tariffSite(t)
	analyst := s.login(t, "/login", analystEmail)
	for _, tc := range []struct {
		path          string
		want, notWant []string
	}{
		{"/tariffs", []string{`href="/tariffs"`, "TOU-D-4-9PM", "TOU-D-PRIME", "E-ELEC", "TOU-8-D", "E-19", "Residential",
			"2025-06-01 – open", "2019-05-01 – 2019-06-30", "SCE Schedule TOU-D (Time-Of-Use Domestic), sheets effective 2025-06-01",
			"OpenEI Utility Rate Database", `<option value="PG&amp;E">PG&amp;E</option>`}, []string{"Import a tariff document"}},
		{"/tariffs?utility=PG%26E", []string{"E-ELEC", "E-19"}, []string{"TOU-D-PRIME"}},
		{"/tariffs?code=TOU-D-PRIME", []string{"TOU-D-PRIME"}, []string{"E-ELEC", "TOU-D-4-9PM"}},
		{"/tariffs?code=NOPE", []string{"No tariff versions match."}, nil},
		{fmt.Sprintf("/tariffs/%d", ids["TOU-D-PRIME"]), []string{"<h1>SCE TOU-D-PRIME</h1>", "Energy charges", "Delivery", "Generation",
			"Non-bypassable charges", "PCIA and cost responsibility surcharges", "0.28317", "0.56368", "Total (first tier)",
			"Basic Charge", "$0.516/day", "Energy periods", "<strong>summer</strong> Jun 1 – Sep 30", "<strong>winter</strong> Oct 1 – May 31",
			"Summer On-Peak", "$0.56368/kWh", `id="energy-weekday"`, `id="energy-weekend"`, "Holidays 2026", "2026-11-26", "Thanksgiving Day",
			"Price by hour"}, []string{"Import a tariff document", `id="energy-everyday"`}},
		// 2027: Independence Day falls on a Sunday and is also observed on Monday July 5.
		{fmt.Sprintf("/tariffs/%d?year=2027", ids["TOU-D-PRIME"]), []string{"Holidays 2027", "2027-07-05", "Independence Day (observed)"}, nil},
		{fmt.Sprintf("/tariffs/%d", ids["TOU-8-D"]), []string{"Demand charges by period", "29.54", "Facilities demand",
			"$25.36 per kW (all months)", "Customer charge", "$447.44/month", "Demand periods", "Bundled (the source does not split it)"}, nil},
		{fmt.Sprintf("/tariffs/%d", ids["E-ELEC"]), []string{`id="energy-everyday"`, "Every day (weekdays, weekends and holidays alike)",
			"Base Services Charge", "$0.49281/day", "-0.02327"}, []string{`id="energy-weekday"`}},
		{"/export-prices", []string{"SCE", "2024–2034", fmt.Sprintf(`href="/export-prices/%d">2024`, ids["EEC"])}, nil},
	} {
		t.Run(tc.path, func(t *testing.T) { checkPage(t, s.get(t, tc.path, analyst), tc.want, tc.notWant) })
	}
	body := s.get(t, fmt.Sprintf("/tariffs/%d", ids["TOU-D-PRIME"]), analyst).Body.String()
	for _, tc := range []struct {
		grid        string
		month, hour int
		want        string
	}{
		{"energy-weekday", 7, 16, "Summer On-Peak"},
		{"energy-weekday", 7, 15, "Summer Off-Peak"},
		{"energy-weekend", 7, 16, "Summer Mid-Peak"},
		{"energy-weekday", 1, 8, "Winter Super-Off-Peak"},
		{"energy-weekday", 12, 21, "Winter Off-Peak"},
	} {
		if got := heatCell(t, body, tc.grid, tc.month, tc.hour); !strings.Contains(got, tc.want) {
			t.Errorf("%s month %d hour %d = %q, want %q", tc.grid, tc.month, tc.hour, got, tc.want)
		}
	}
	// The cell shows the period number and is read as the period's name.
	if got := strings.Fields(heatCell(t, body, "energy-weekday", 7, 16)); len(got) < 2 || got[0] != "0" {
		t.Errorf("July weekday 16:00 cell text %q, want the period number 0 first", got)
	}
	for _, want := range []string{"heat-7", "heat-0"} { // on-peak is dearest, winter off-peak cheapest
		if !strings.Contains(body, `class="heat-swatch `+want) {
			t.Errorf("legend lacks %s", want)
		}
	}
}

// TestTariffPriceByHourFollowsMonthAndDayType checks the price-by-hour
// block: July weekdays at 16:00 are Summer On-Peak at 0.56368 $/kWh and
// July weekends Summer Mid-Peak at 0.38128 (research/billing.md §1.6), and
// an htmx request gets the block alone.
func TestTariffPriceByHourFollowsMonthAndDayType(t *testing.T) {
	s, ids := tariffSite(t)
	analyst := s.login(t, "/login", analystEmail)
	path := fmt.Sprintf("/tariffs/%d", ids["TOU-D-PRIME"])
	row := func(body string) string {
		m := regexp.MustCompile(`<td class="num">16:00</td><td>([^<]*)</td><td class="num">([^<]*)</td>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no 16:00 row in\n%.600s", body)
		}
		return m[1] + " " + m[2]
	}
	if got := row(s.get(t, path+"?month=7&day=weekday", analyst).Body.String()); got != "Summer On-Peak 0.56368" {
		t.Errorf("July weekday 16:00 = %s", got)
	}
	w := getWith(t, s, path+"?month=7&day=weekend", analyst, map[string]string{"HX-Request": "true", "HX-Target": "price-by-hour"})
	body := strings.TrimSpace(w.Body.String())
	if !strings.HasPrefix(body, `<div id="price-by-hour">`) || strings.Contains(body, "<html") || strings.Contains(body, "Energy charges") {
		t.Errorf("htmx request answered more than the block:\n%.300s", body)
	}
	if got := row(body); got != "Summer Mid-Peak 0.38128" {
		t.Errorf("July weekend 16:00 = %s", got)
	}
	if !strings.Contains(body, "Energy price by hour, July weekends and holidays") {
		t.Error("chart title does not name the month and day type")
	}
}

// TestExportPricePageShowsYearAndComponent checks the export-price grid
// against SCE's published table, vintage 2024: September 2025 weekday
// hour ending 20 (hour beginning 19) is 0.01787 delivery + 2.98088
// generation = 2.99875 $/kWh, shown to three decimals and read out
// exactly; the component picker switches to generation.
func TestExportPricePageShowsYearAndComponent(t *testing.T) {
	s, ids := tariffSite(t)
	analyst := s.login(t, "/login", analystEmail)
	path := fmt.Sprintf("/export-prices/%d", ids["EEC"])
	for _, tc := range []struct{ query, grid, want string }{
		{"?year=2025", "weekday", "299.9 $2.99875 per kWh"},
		{"?year=2025&component=generation", "weekday", "298.1 $2.98088 per kWh"},
		{"?year=2025&component=delivery", "weekday", "1.8 $0.01787 per kWh"},
		{"?year=2024", "weekend", ""}, // checked below
	} {
		w := s.get(t, path+tc.query, analyst)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d", tc.query, w.Code)
		}
		if tc.want == "" {
			// January 2024 weekend hour ending 1: 0.00328 + 0.05372.
			if got := strings.Join(strings.Fields(heatCell(t, w.Body.String(), "weekend", 1, 0)), " "); got != "5.7 $0.05700 per kWh" {
				t.Errorf("2024 Jan weekend HE1 = %q", got)
			}
			continue
		}
		if got := strings.Join(strings.Fields(heatCell(t, w.Body.String(), tc.grid, 9, 19)), " "); got != tc.want {
			t.Errorf("%s: Sep weekday HE20 = %q, want %q", tc.query, got, tc.want)
		}
	}
	// The default year is the site clock's (2026); a year outside the
	// table shows its nearest year.
	if body := s.get(t, path, analyst).Body.String(); !strings.Contains(body, "2026: total export price</h2>") {
		t.Error("default year is not 2026")
	}
	if body := s.get(t, path+"?year=1999", analyst).Body.String(); !strings.Contains(body, "2024: total export price</h2>") {
		t.Error("year 1999 does not fall back to 2024")
	}
	if w := s.get(t, fmt.Sprintf("/export-prices/%d", ids["EEC"]+1), analyst); w.Code != http.StatusNotFound {
		t.Errorf("unknown table = %d", w.Code)
	}
	if w := s.get(t, "/tariffs/999999", analyst); w.Code != http.StatusNotFound {
		t.Errorf("unknown tariff = %d", w.Code)
	}
}

// upload posts a tariff document to /tariffs as a multipart form.
func upload(t *testing.T, s *testSite, session, filename, doc string, fields map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(doc))
	}
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/tariffs", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// followRedirect loads the page a POST redirected to, with the flash
// cookie it set.
func followRedirect(t *testing.T, s *testSite, w *httptest.ResponseRecorder, session string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, w.Header().Get("Location"), nil)
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	for _, c := range w.Result().Cookies() {
		if c.Name == flashCookie {
			r.AddCookie(c)
		}
	}
	out := httptest.NewRecorder()
	s.h.ServeHTTP(out, r)
	return out
}

// testTariffDoc is a one-version native document; hours replaces its
// weekday hours.
func testTariffDoc(code, hours string) string {
	all := "[" + strings.TrimSuffix(strings.Repeat("0,", 24), ",") + "]"
	if hours == "" {
		hours = all
	}
	return `{"utility":"SCE","code":"` + code + `","name":"Upload test","effective_from":"2026-01-01","source":{"citation":"test sheet"},` +
		`"holidays":"sce","period_maps":[{"name":"energy","periods":["all"],"seasons":[{"name":"all","from":"01-01","weekday":` + hours +
		`,"weekend":` + all + `}]}],"components":[{"name":"energy","kind":"energy","bucket":"bundled","map":"energy","rates":[[{"price":"0.3"}]]}]}`
}

// TestTariffUploadIsForAdminsAndNamesEveryProblem checks the upload form:
// only admins see and may use it; a good document is stored, audited and
// shown; uploading it again changes nothing; a document with a gap in the
// period map and tiers out of order is refused with each problem named by
// field and nothing stored.
func TestTariffUploadIsForAdminsAndNamesEveryProblem(t *testing.T) {
	s, _ := tariffSite(t)
	ctx := context.Background()
	admin := s.login(t, "/login", adminEmail)
	count := func() int {
		recs, err := s.db.TariffVersions(ctx, store.TariffFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	if !strings.Contains(s.get(t, "/tariffs", admin).Body.String(), "Import a tariff document") {
		t.Error("admin is not offered the upload form")
	}
	for _, email := range []string{managerEmail, analystEmail} {
		sess := s.login(t, "/login", email)
		if w := upload(t, s, sess, "t.json", testTariffDoc("UP-DENIED", ""), nil); w.Code != http.StatusForbidden {
			t.Errorf("%s upload = %d, want 403", email, w.Code)
		}
	}
	n := count()
	w := upload(t, s, admin, "t.json", testTariffDoc("UP-1", ""), nil)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/tariffs/") {
		t.Fatalf("upload = %d to %q:\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	if count() != n+1 {
		t.Errorf("%d versions after the upload, want %d", count(), n+1)
	}
	recs, err := s.db.AuditLog(ctx, store.AuditFilter{Entity: "tariff_version"})
	if err != nil || len(recs) == 0 || !strings.Contains(recs[0].Actor, adminEmail) {
		t.Errorf("upload not audited as the admin: %+v, %v", recs, err)
	}
	page := followRedirect(t, s, w, admin)
	if !strings.Contains(page.Body.String(), "Imported 1 tariff version.") || !strings.Contains(page.Body.String(), "<h1>SCE UP-1</h1>") {
		t.Errorf("after the upload:\n%.500s", page.Body)
	}
	w = upload(t, s, admin, "t.json", testTariffDoc("UP-1", ""), nil)
	if w.Code != http.StatusSeeOther || count() != n+1 {
		t.Errorf("second upload = %d, %d versions", w.Code, count())
	}
	if page := followRedirect(t, s, w, admin); !strings.Contains(page.Body.String(), "Nothing changed") {
		t.Error("second upload does not say nothing changed")
	}

	bad := strings.Replace(testTariffDoc("UP-BAD", "["+strings.TrimSuffix(strings.Repeat("0,", 23), ",")+"]"),
		`"rates":[[{"price":"0.3"}]]`, `"rates":[[{"max":"500","unit":"kWh","price":"0.3"},{"max":"300","unit":"kWh","price":"0.4"},{"price":"0.5"}]]`, 1)
	w = upload(t, s, admin, "bad.json", bad, nil)
	body := w.Body.String()
	if w.Code != http.StatusBadRequest {
		t.Fatalf("bad upload = %d", w.Code)
	}
	for _, want := range []string{"Nothing was stored", "period_maps[0].seasons[0].weekday", "gap in the period map: 23 hours given, want 24",
		"components[0].rates[0][1].max", "tiers out of order"} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("refusal lacks %q", want)
		}
	}
	if count() != n+1 {
		t.Errorf("refused upload stored something: %d versions", count())
	}
	w = upload(t, s, admin, "", "", map[string]string{"format": "native"})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="f-file-error"`) {
		t.Errorf("upload without a file = %d, want the file field's error", w.Code)
	}
	w = upload(t, s, admin, "x.json", testTariffDoc("UP-2", ""), map[string]string{"format": "csv"})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="f-format-error"`) {
		t.Errorf("unknown format = %d, want the format field's error", w.Code)
	}
}
