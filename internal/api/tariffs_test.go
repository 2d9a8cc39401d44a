package api

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// tariffEnv is an API env with the shipped tariffs loaded and an API
// client holding only the tariffs:write scope.
type tariffEnv struct {
	*env
	tariffClient cred
	ids          map[string]int64 // stored version id by code
}

func newTariffEnv(t *testing.T, open storetest.Opener) *tariffEnv {
	t.Helper()
	ctx := context.Background()
	e := &tariffEnv{env: newEnv(t, open), ids: map[string]int64{}}
	// Tuesday 2026-03-10, 1:00 PM PDT.
	e.db.Now = func() time.Time { return time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC) }
	if _, err := e.db.LoadShippedTariffs(ctx, seedActor); err != nil {
		t.Fatal(err)
	}
	recs, err := e.db.TariffVersions(ctx, store.TariffFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		e.ids[r.Version.Code] = r.ID
	}
	var tok string
	err = e.db.InTx(ctx, func(tx *store.Tx) error {
		c := auth.Client{Name: "rate-desk", Scopes: []string{auth.ScopeTariffsWrite}}
		tok, err = tx.CreateClient(ctx, seedActor, &c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.tariffClient = bearer(tok)
	return e
}

// tariffCount is how many tariff versions are stored.
func (e *tariffEnv) tariffCount() int64 {
	e.t.Helper()
	var n int64
	if err := e.db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM tariff_versions`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

type tariffPage struct {
	Data []struct {
		ID                  int64
		Utility, Code, Name string
		Sector              string
		EffectiveFrom       string  `json:"effective_from"`
		EffectiveTo         *string `json:"effective_to"`
		SourceCitation      string  `json:"source_citation"`
	}
	NextCursor *string `json:"next_cursor"`
}

// TestTariffListFiltersAndPages checks GET /tariffs over the shipped
// versions (SCE TOU-D-4-9PM, TOU-D-PRIME and TOU-8-D from 2024-10-01; PG&E
// E-ELEC from 2025-03-01 and E-19 for May–June 2019): each filter, cursor
// pages, and who may read.
func TestTariffListFiltersAndPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newTariffEnv(t, open)
		for _, tt := range []struct {
			query string
			want  []string
		}{
			{"", []string{"E-ELEC", "TOU-D-4-9PM", "TOU-D-PRIME", "E-19", "TOU-8-D"}},
			{"?utility=" + url.QueryEscape("PG&E"), []string{"E-ELEC", "E-19"}},
			{"?on=2025-07-01", []string{"E-ELEC", "TOU-D-4-9PM", "TOU-D-PRIME", "TOU-8-D"}},
			{"?on=2025-05-31&utility=SCE", []string{"TOU-8-D"}},
			{"?sector=residential", []string{"E-ELEC", "TOU-D-4-9PM", "TOU-D-PRIME"}},
			{"?code=E-19&on=2019-06-01", []string{"E-19"}},
			{"?code=E-19&on=2019-06-30", nil}, // its URDB end date is exclusive
		} {
			var page tariffPage
			e.do("GET", "/api/v1/tariffs"+tt.query, "", e.analyst).want(t, http.StatusOK).decode(t, &page)
			var got []string
			for _, d := range page.Data {
				got = append(got, d.Code)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("GET /tariffs%s = %v, want %v", tt.query, got, tt.want)
			}
		}

		var first, second tariffPage
		e.do("GET", "/api/v1/tariffs?limit=3", "", e.readClient).want(t, http.StatusOK).decode(t, &first)
		if len(first.Data) != 3 || first.NextCursor == nil {
			t.Fatalf("first page of 3: %d rows, cursor %v", len(first.Data), first.NextCursor)
		}
		e.do("GET", "/api/v1/tariffs?limit=3&after="+*first.NextCursor, "", e.tariffClient).want(t, http.StatusOK).decode(t, &second)
		if len(second.Data) != 2 || second.NextCursor != nil || second.Data[0].ID <= first.Data[2].ID {
			t.Errorf("second page: %+v", second)
		}
		prime := first.Data[2]
		if prime.Code != "TOU-D-PRIME" || prime.Sector != "Residential" || prime.EffectiveFrom != "2025-06-01" || prime.EffectiveTo != nil ||
			!strings.HasPrefix(prime.SourceCitation, "SCE Schedule TOU-D") {
			t.Errorf("TOU-D-PRIME summary = %+v", prime)
		}
		// Tariffs are published prices: any signed-in user may read them.
		e.do("GET", "/api/v1/tariffs", "", e.portal).want(t, http.StatusOK)
		e.do("GET", "/api/v1/tariffs", "", anonymous).want(t, http.StatusUnauthorized)
	})
}

// TestTariffDetailGivesNativeVersionAndGrids checks GET /tariffs/{id} for
// TOU-D-PRIME against Schedule TOU-D (research/billing.md §1.6): in July
// the weekday hour beginning 16:00 is Summer On-Peak and the weekend one
// Summer Mid-Peak, in January 08:00 is Winter Super-Off-Peak; the native
// document carries the sheet's generation price 0.28317 for on-peak.
func TestTariffDetailGivesNativeVersionAndGrids(t *testing.T) {
	e := newTariffEnv(t, storetest.SQLite())
	var d struct {
		Code    string
		Version struct {
			Code       string
			Holidays   string
			Components []struct {
				Name, Kind, Bucket string
				Rates              [][]struct{ Price string }
			}
		}
		PeriodGrids []struct {
			Map     string
			Periods []string
			Weekday [][]int
			Weekend [][]int `json:"weekend_holiday"`
		} `json:"period_grids"`
	}
	e.do("GET", "/api/v1/tariffs/"+itoa(e.ids["TOU-D-PRIME"]), "", e.analyst).want(t, http.StatusOK).decode(t, &d)
	if d.Code != "TOU-D-PRIME" || d.Version.Code != "TOU-D-PRIME" || d.Version.Holidays != "sce" || len(d.PeriodGrids) != 1 {
		t.Fatalf("detail = %+v", d)
	}
	g := d.PeriodGrids[0]
	name := func(p int) string { return g.Periods[p] }
	if got := name(g.Weekday[6][16]); got != "Summer On-Peak" {
		t.Errorf("July weekday 16:00 = %s", got)
	}
	if got := name(g.Weekend[6][16]); got != "Summer Mid-Peak" {
		t.Errorf("July weekend 16:00 = %s", got)
	}
	if got := name(g.Weekday[0][8]); got != "Winter Super-Off-Peak" {
		t.Errorf("January weekday 08:00 = %s", got)
	}
	found := false
	for _, c := range d.Version.Components {
		if c.Kind == "energy" && c.Bucket == "generation" {
			found = c.Rates[0][0].Price == "0.28317"
		}
	}
	if !found {
		t.Errorf("no generation component priced 0.28317 on-peak: %+v", d.Version.Components)
	}
	e.do("GET", "/api/v1/tariffs/999999", "", e.analyst).want(t, http.StatusNotFound).problem(t)
	e.do("GET", "/api/v1/tariffs/abc", "", e.analyst).want(t, http.StatusNotFound).problem(t)
}

// nativeDoc is a one-version native tariff document; extra is spliced
// into the version object and components replaces its components.
func nativeDoc(code, components string) string {
	hours := "[" + strings.TrimSuffix(strings.Repeat("0,", 24), ",") + "]"
	return `{"utility":"PG&E","code":"` + code + `","name":"test","sector":"Residential","effective_from":"2026-01-01",` +
		`"source":{"citation":"test sheet"},"holidays":"pge","period_maps":[{"name":"energy","periods":["all"],` +
		`"seasons":[{"name":"all","from":"01-01","weekday":` + hours + `,"weekend":` + hours + `}]}],"components":` + components + `}`
}

const flatEnergy = `[{"name":"energy","kind":"energy","bucket":"bundled","map":"energy","rates":[[{"price":"0.3"}]]}]`

type importResult struct {
	Added, Unchanged int
	Versions         []struct {
		ID   int64
		Code string
	}
}

// TestTariffImportIsIdempotentAndAudited checks POST /tariffs: the first
// import adds and audits the version (201); importing it again changes
// nothing (200, same id, no audit record); an Idempotency-Key replays the
// stored answer; a URDB body is detected and ?code= names it; only admins
// and tariffs:write clients may import.
func TestTariffImportIsIdempotentAndAudited(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newTariffEnv(t, open)
		doc := nativeDoc("E-TEST", flatEnergy)
		var first, again importResult
		e.do("POST", "/api/v1/tariffs", doc, e.admin).want(t, http.StatusCreated).decode(t, &first)
		audited := e.size()
		e.do("POST", "/api/v1/tariffs", doc, e.admin).want(t, http.StatusOK).decode(t, &again)
		if first.Added != 1 || again.Added != 0 || again.Unchanged != 1 || again.Versions[0].ID != first.Versions[0].ID {
			t.Errorf("first %+v, again %+v", first, again)
		}
		if e.size() != audited {
			t.Errorf("re-import changed the database: %v → %v", audited, e.size())
		}
		recs, err := e.db.AuditLog(context.Background(), store.AuditFilter{Entity: "tariff_version", EntityID: itoa(first.Versions[0].ID)})
		if err != nil || len(recs) != 1 || recs[0].Action != "import" || !strings.Contains(recs[0].Actor, "admin@cpa.example") {
			t.Errorf("audit of the import = %+v, %v", recs, err)
		}

		doc2 := nativeDoc("E-KEYED", flatEnergy)
		r1 := e.do("POST", "/api/v1/tariffs", doc2, e.tariffClient, "Idempotency-Key", "t-1").want(t, http.StatusCreated)
		r2 := e.do("POST", "/api/v1/tariffs", doc2, e.tariffClient, "Idempotency-Key", "t-1").want(t, http.StatusCreated)
		if !bytes.Equal(r1.body, r2.body) || r2.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("keyed retry %s (replayed %q), want %s", r2.body, r2.header.Get("Idempotent-Replayed"), r1.body)
		}
		// The same key with another query is another request.
		e.do("POST", "/api/v1/tariffs?format=native", doc2, e.tariffClient, "Idempotency-Key", "t-1").want(t, http.StatusConflict)

		urdb := `{"items":[{"name":"Flat test rate","eiaid":17609,"startdate":"2026-01-01","energyratestructure":[[{"rate":0.2,"adj":0.01}]],` +
			`"energyweekdayschedule":` + matrix12("0") + `,"energyweekendschedule":` + matrix12("0") + `}]}`
		var u importResult
		e.do("POST", "/api/v1/tariffs?code=FLAT-TEST&holidays=none", urdb, e.admin).want(t, http.StatusCreated).decode(t, &u)
		var d struct {
			Utility  string
			Holidays string
			Version  struct {
				Components []struct{ Rates [][]struct{ Price string } }
			}
		}
		e.do("GET", "/api/v1/tariffs/"+itoa(u.Versions[0].ID), "", e.admin).want(t, http.StatusOK).decode(t, &d)
		if u.Versions[0].Code != "FLAT-TEST" || d.Utility != "SCE" || d.Holidays != "none" || d.Version.Components[0].Rates[0][0].Price != "0.21" {
			t.Errorf("URDB import = %+v, %+v", u, d)
		}

		for name, who := range map[string]cred{"program manager": e.manager, "analyst": e.analyst, "customer": e.portal,
			"registry:write client": e.writeClient} {
			p := e.do("POST", "/api/v1/tariffs", nativeDoc("E-DENIED", flatEnergy), who).want(t, http.StatusForbidden).problem(t)
			if p.Detail == "" {
				t.Errorf("%s: empty refusal", name)
			}
		}
		// A different version under a stored utility, code and start date.
		e.do("POST", "/api/v1/tariffs", strings.Replace(doc, `"price":"0.3"`, `"price":"0.31"`, 1), e.admin).want(t, http.StatusConflict)
	})
}

func matrix12(p string) string {
	row := "[" + strings.TrimSuffix(strings.Repeat(p+",", 24), ",") + "]"
	return "[" + strings.TrimSuffix(strings.Repeat(row+",", 12), ",") + "]"
}

// TestTariffImportBadInputNamesFieldAndStoresNothing sends each bad-input
// rule of the issue for tariffs and checks for a 400 problem naming the
// field, with nothing stored (no version, audit record or idempotency
// key).
func TestTariffImportBadInputNamesFieldAndStoresNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newTariffEnv(t, open)
		hours := func(n int, p string) string { return "[" + strings.TrimSuffix(strings.Repeat(p+",", n), ",") + "]" }
		gap := strings.Replace(nativeDoc("E-GAP", flatEnergy), `"weekday":`+hours(24, "0"), `"weekday":`+hours(23, "0"), 1)
		missing := strings.Replace(nativeDoc("E-MISSING", flatEnergy), `"weekend":`+hours(24, "0"), `"weekend":`+hours(24, "1"), 1)
		tiers := nativeDoc("E-TIERS", `[{"name":"e","kind":"energy","bucket":"bundled","map":"energy","rates":[[{"max":"500","unit":"kWh","price":"0.3"},{"max":"300","unit":"kWh","price":"0.4"},{"price":"0.5"}]]}]`)
		negFixed := nativeDoc("E-NEG", `[{"name":"e","kind":"energy","bucket":"bundled","rates":[[{"price":"0.3"}]]},{"name":"basic","kind":"fixed_per_day","bucket":"delivery","price":"-0.5"}]`)
		urdbGood := `{"items":[{"name":"X","eiaid":17609,"startdate":"2026-01-01","energyratestructure":[[{"rate":0.2}]],` +
			`"energyweekdayschedule":` + matrix12("0") + `,"energyweekendschedule":` + matrix12("0") + `}]}`
		urdbGap := strings.Replace(urdbGood, `,"energyweekendschedule":`+matrix12("0"), "", 1)
		tests := []struct{ name, query, body, field string }{
			{"gap in the period map", "", gap, "period_maps[0].seasons[0].weekday"},
			{"schedule pointing at a missing period", "", missing, "period_maps[0].seasons[0].weekend"},
			{"tiers out of order", "", tiers, "components[0].rates[0][1].max"},
			{"negative fixed charge", "", negFixed, "components[1].price"},
			{"URDB without a weekend schedule", "", urdbGap, "items[0].energyweekendschedule"},
			{"misspelt field", "", strings.Replace(nativeDoc("E-X", flatEnergy), `"sector"`, `"sectr"`, 1), "sectr"},
			{"malformed JSON", "", `{"utility":`, "document"},
			{"unknown format", "?format=csv", nativeDoc("E-Y", flatEnergy), "format"},
			{"unknown holiday calendar", "?holidays=us", urdbGood, "items[0].holidays"},
			{"unknown query parameter", "?vintage=2024", nativeDoc("E-Z", flatEnergy), "vintage"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.t = t
				before, n := e.size(), e.tariffCount()
				p := e.do("POST", "/api/v1/tariffs"+tt.query, tt.body, e.admin, "Idempotency-Key", "bad-"+itoa(int64(i))).
					want(t, http.StatusBadRequest).problem(t)
				found := false
				for _, f := range p.Errors {
					found = found || f.Field == tt.field
				}
				if !found {
					t.Errorf("errors %+v do not name %q", p.Errors, tt.field)
				}
				if e.size() != before || e.tariffCount() != n {
					t.Errorf("refused import changed the database")
				}
			})
		}
	})
}

// TestExportPricesListAndYear checks GET /export-prices and
// /export-prices/{id} over SCE's published Energy Export Credit table,
// vintage 2024 (years 2024–2034): September 2025 weekday hour ending 20
// (hour beginning 19) is delivery 0.01787 + generation 2.98088 = 2.99875
// $/kWh and January 2024 weekend hour ending 1 is 0.00328 + 0.05372, as
// in the CSV; the default year is the clock's (2026); a year outside the
// table is a 400 naming year.
func TestExportPricesListAndYear(t *testing.T) {
	e := newTariffEnv(t, storetest.SQLite())
	var list struct {
		Data []struct {
			ID      int64
			Utility string
			Vintage int
			Years   []int
		}
	}
	e.do("GET", "/api/v1/export-prices?utility=SCE", "", e.analyst).want(t, http.StatusOK).decode(t, &list)
	if len(list.Data) != 1 || list.Data[0].Vintage != 2024 || len(list.Data[0].Years) != 11 || list.Data[0].Years[10] != 2034 {
		t.Fatalf("export tables = %+v", list)
	}
	id := itoa(list.Data[0].ID)
	type price struct{ Delivery, Generation, Total string }
	var y struct {
		Year   int
		Months []struct {
			Month   int
			Weekday []price
			Weekend []price `json:"weekend_holiday"`
		}
	}
	e.do("GET", "/api/v1/export-prices/"+id+"?year=2025", "", e.readClient).want(t, http.StatusOK).decode(t, &y)
	if got := y.Months[8].Weekday[19]; y.Year != 2025 || got != (price{"0.01787", "2.98088", "2.99875"}) {
		t.Errorf("2025 Sep weekday HE20 = %+v", got)
	}
	e.do("GET", "/api/v1/export-prices/"+id+"?year=2024", "", e.readClient).want(t, http.StatusOK).decode(t, &y)
	if got := y.Months[0].Weekend[0]; got != (price{"0.00328", "0.05372", "0.057"}) {
		t.Errorf("2024 Jan weekend HE1 = %+v", got)
	}
	e.do("GET", "/api/v1/export-prices/"+id, "", e.readClient).want(t, http.StatusOK).decode(t, &y)
	if y.Year != 2026 {
		t.Errorf("default year %d, want 2026", y.Year)
	}
	p := e.do("GET", "/api/v1/export-prices/"+id+"?year=2040", "", e.analyst).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "year" || !strings.Contains(p.Errors[0].Msg, "2024 to 2034") {
		t.Errorf("year 2040: %+v", p.Errors)
	}
	e.do("GET", "/api/v1/export-prices/"+itoa(list.Data[0].ID+1), "", e.analyst).want(t, http.StatusNotFound)
	e.do("GET", "/api/v1/export-prices?vintage=abc", "", e.analyst).want(t, http.StatusBadRequest)
}
