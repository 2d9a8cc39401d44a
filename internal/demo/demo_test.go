package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/reference"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// fixedNow makes created/updated timestamps equal between runs.
var fixedNow = time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC)

func openDB(t testing.TB, name string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return fixedNow }
	return db
}

func generate(t testing.TB, db *store.DB, opt Options) Summary {
	t.Helper()
	s, err := Generate(context.Background(), db, opt)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opt, err)
	}
	return s
}

// dump renders every registry and interval row of db as text, in key order.
func dump(t *testing.T, db *store.DB) string {
	t.Helper()
	queries := []string{
		`SELECT * FROM customers ORDER BY id`,
		`SELECT * FROM premises ORDER BY id`,
		`SELECT * FROM accounts ORDER BY id`,
		`SELECT * FROM meters ORDER BY id`,
		`SELECT * FROM channels ORDER BY id`,
		`SELECT * FROM enrollments ORDER BY id`,
		`SELECT channel_id, month, start_unix, interval_seconds, n, sum_wh, hex(packed) FROM interval_blocks ORDER BY channel_id, month`,
		`SELECT email, name, role FROM users ORDER BY id`,
		`SELECT user_id, account_id FROM user_accounts ORDER BY user_id, account_id`,
	}
	var b strings.Builder
	for _, q := range queries {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func TestSameSeedGivesIdenticalData(t *testing.T) {
	opt := Options{Accounts: 120, Seed: 42}
	a, b := openDB(t, "a.db"), openDB(t, "b.db")
	sa, sb := generate(t, a, opt), generate(t, b, opt)
	da, db := dump(t, a), dump(t, b)
	if da != db {
		t.Fatalf("two runs with seed 42 differ (%d vs %d bytes of dump)", len(da), len(db))
	}
	if sa.DeliveredWh != sb.DeliveredWh || sa.ReceivedWh != sb.ReceivedWh || sa.Readings != sb.Readings {
		t.Errorf("summaries differ: %+v vs %+v", sa, sb)
	}
	c := openDB(t, "c.db")
	generate(t, c, Options{Accounts: 120, Seed: 43})
	if dump(t, c) == da {
		t.Error("seed 43 produced the same data as seed 42")
	}
}

// sample is one generated database shared by the checks below.
func sample(t *testing.T, n int) (*store.DB, Summary) {
	t.Helper()
	db := openDB(t, "sample.db")
	return db, generate(t, db, Options{Accounts: n, Seed: 7})
}

func TestGeneratedRegistry(t *testing.T) {
	db, s := sample(t, 200)
	ctx := context.Background()
	accounts := allAccounts(t, db)
	if len(accounts) != 200 || s.Accounts != 200 {
		t.Fatalf("got %d accounts (summary %d), want 200", len(accounts), s.Accounts)
	}
	t.Run("PremisesAgreeWithReferenceTables", func(t *testing.T) { checkPremises(t, db, accounts) })
	t.Run("AccountNumbersAndSerialsUnique", func(t *testing.T) { checkUnique(t, db, accounts) })
	t.Run("CAREAndFERAFollowThe2025Table", func(t *testing.T) { checkIncomeQualified(t, db, accounts) })
	t.Run("FullYearOfReadings", func(t *testing.T) { checkIntervals(t, db, accounts) })
	t.Run("DSTMonthsHaveOneHourLessAndMore", func(t *testing.T) { checkDSTMonths(t, db) })
	t.Run("DemoLogins", func(t *testing.T) { checkLogins(t, db, s) })
	t.Run("OneAuditRecord", func(t *testing.T) { checkAudit(t, db) })
	t.Run("RefusesANonEmptyDatabase", func(t *testing.T) {
		_, err := Generate(ctx, db, Options{Accounts: 10, Seed: 1})
		if apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("second Generate: got %v, want a Conflict", err)
		}
	})
}

func allAccounts(t *testing.T, db *store.DB) []customer.Account {
	t.Helper()
	var out []customer.Account
	var after int64
	for {
		page, err := db.Accounts(context.Background(), store.AccountFilter{After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].ID
	}
}

// enrolled maps program → whether the account has it.
func enrolled(t *testing.T, db *store.DB, id int64) map[string]customer.Enrollment {
	t.Helper()
	es, err := db.Enrollments(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]customer.Enrollment{}
	for _, e := range es {
		out[e.Program] = e
	}
	return out
}

func checkPremises(t *testing.T, db *store.DB, accounts []customer.Account) {
	ref := db.Reference()
	agencies := map[string]reference.MemberAgency{}
	for _, a := range ref.MemberAgencies() {
		agencies[a.Name] = a
	}
	for _, a := range accounts {
		p, err := db.Premise(context.Background(), a.PremiseID)
		if err != nil {
			t.Fatal(err)
		}
		ag, ok := agencies[p.MemberAgency]
		if !ok {
			t.Errorf("premise %d: member agency %q is not a CPA member", p.ID, p.MemberAgency)
			continue
		}
		if !slices.Contains(ag.ZIPs, p.ZIP) || p.CountyFIPS != ag.CountyFIPS {
			t.Errorf("premise %d: ZIP %s / county %s not those of %s", p.ID, p.ZIP, p.CountyFIPS, ag.Name)
		}
		cz, err := ref.ClimateZone(p.ZIP)
		if err != nil {
			t.Errorf("premise %d: ZIP %s unknown: %v", p.ID, p.ZIP, err)
		} else if cz.Zone != p.ClimateZone {
			t.Errorf("premise %d: climate zone %d, ZIP table says %d", p.ID, p.ClimateZone, cz.Zone)
		}
		d, err := ref.DAC(p.TractGEOID)
		if err != nil {
			t.Errorf("premise %d: tract %q: %v", p.ID, p.TractGEOID, err)
		} else if d.Designated != p.DAC {
			t.Errorf("premise %d: DAC %v, tract table says %v for %s", p.ID, p.DAC, d.Designated, p.TractGEOID)
		}
		if !strings.HasPrefix(p.TractGEOID, p.CountyFIPS) {
			t.Errorf("premise %d: tract %s outside county %s", p.ID, p.TractGEOID, p.CountyFIPS)
		}
		if p.HFTDTier != 0 && p.HFTDTier != 2 && p.HFTDTier != 3 {
			t.Errorf("premise %d: HFTD tier %d, want 0, 2 or 3", p.ID, p.HFTDTier)
		}
	}
}

func checkUnique(t *testing.T, db *store.DB, accounts []customer.Account) {
	numbers, serials := map[string]bool{}, map[string]bool{}
	for _, a := range accounts {
		if len(a.Number) != 10 || numbers[a.Number] {
			t.Errorf("account number %q is not 10 digits or repeats", a.Number)
		}
		numbers[a.Number] = true
		ms, err := db.Meters(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if serials[m.Serial] {
				t.Errorf("meter serial %s repeats", m.Serial)
			}
			serials[m.Serial] = true
		}
	}
}

// The 2025-26 CARE and FERA limits (CPUC, 200% and 250% of the 2025 HHS
// poverty guidelines; reference/data/care_fera_esa_income_limits_2025_26.csv),
// in dollars by household size 1–7.
var (
	careMax2025 = []int64{42300, 42300, 53300, 64300, 75300, 86300, 97300}
	feraMax2025 = []int64{52875, 52875, 66625, 80375, 94125, 107875, 121625}
)

func checkIncomeQualified(t *testing.T, db *store.DB, accounts []customer.Account) {
	var care, fera int
	for _, a := range accounts {
		e := enrolled(t, db, a.ID)
		_, isCARE := e[customer.ProgramCARE]
		_, isFERA := e[customer.ProgramFERA]
		if a.Class != customer.Residential {
			if isCARE || isFERA || a.Household != nil {
				t.Errorf("%s account %s has a household or CARE/FERA", a.Class, a.Number)
			}
			continue
		}
		h := a.Household
		if h == nil || h.Size < 1 || h.Size > 7 {
			t.Errorf("account %s: household %+v, want size 1–7", a.Number, h)
			continue
		}
		inc := h.AnnualIncome
		wantCARE := inc <= money.Dollars(careMax2025[h.Size-1])
		wantFERA := !wantCARE && inc <= money.Dollars(feraMax2025[h.Size-1])
		if isCARE != wantCARE || isFERA != wantFERA {
			t.Errorf("account %s: size %d income %s: CARE %v FERA %v, want %v %v", a.Number, h.Size, inc, isCARE, isFERA, wantCARE, wantFERA)
		}
		if (isCARE || isFERA) && (h.VerifiedOn.Before(calendar.Date{Year: 2025, Month: 6, Day: 1}) || h.Verification == "") {
			t.Errorf("account %s: enrolled but income verified %q on %s", a.Number, h.Verification, h.VerifiedOn)
		}
		if isCARE {
			care++
		}
		if isFERA {
			fera++
		}
	}
	if care == 0 || fera == 0 {
		t.Errorf("CARE %d, FERA %d: want some of each in 200 accounts", care, fera)
	}
}

func checkIntervals(t *testing.T, db *store.DB, accounts []customer.Account) {
	ctx := context.Background()
	from := calendar.Date{Year: 2025, Month: 1, Day: 1}.Start()
	to := calendar.Date{Year: 2026, Month: 1, Day: 1}.Start()
	for _, a := range accounts {
		ms, err := db.Meters(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 {
			t.Errorf("account %s has %d meters, want 1", a.Number, len(ms))
			continue
		}
		m := ms[0]
		// 2025 is not a leap year: 365 days × 24 hours or × 96 quarter-hours,
		// the 23-hour and 25-hour DST days cancelling out.
		want, secs := 8760, 3600
		if a.Class != customer.Residential {
			want, secs = 35040, 900
		}
		_, solar := enrolled(t, db, a.ID)[ProgramNEM]
		wantChannels := 1
		if solar {
			wantChannels = 2
		}
		if m.IntervalSeconds != secs || len(m.Channels) != wantChannels {
			t.Errorf("account %s (%s, solar %v): meter %ds with %d channels, want %ds with %d", a.Number, a.Class, solar,
				m.IntervalSeconds, len(m.Channels), secs, wantChannels)
			continue
		}
		series := map[customer.Direction]store.Series{}
		for _, ch := range m.Channels {
			s, err := db.Intervals(ctx, ch.ID, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Values) != want {
				t.Errorf("account %s %s: %d readings, want %d", a.Number, ch.Direction, len(s.Values), want)
			}
			if i := slices.IndexFunc(s.Values, func(v energy.Wh) bool { return v < 0 }); i >= 0 {
				t.Errorf("account %s %s: reading %d is %d (missing or negative)", a.Number, ch.Direction, i, s.Values[i])
			}
			series[ch.Direction] = s
		}
		if rec, ok := series[customer.Received]; ok {
			del := series[customer.Delivered]
			var exported int64
			for i := range rec.Values {
				if rec.Values[i] > 0 && del.Values[i] > 0 {
					t.Errorf("account %s: interval %d both imports and exports", a.Number, i)
					break
				}
				exported += int64(rec.Values[i])
			}
			if exported == 0 {
				t.Errorf("account %s: solar but no export all year", a.Number)
			}
		}
	}
}

func checkDSTMonths(t *testing.T, db *store.DB) {
	// March 2025 loses an hour on 2025-03-09, November gains one on
	// 2025-11-02: 31×24−1 = 743 and 30×24+1 = 721 hourly readings.
	want := map[string]int{"2025-03": 743, "2025-11": 721, "2025-07": 744}
	for month, n := range want {
		var bad int
		err := db.SQL().QueryRow(`SELECT count(*) FROM interval_blocks WHERE month = $1 AND interval_seconds = 3600 AND n <> $2`, month, n).Scan(&bad)
		if err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Errorf("%d hourly blocks of %s do not hold %d readings", bad, month, n)
		}
	}
}

func checkLogins(t *testing.T, db *store.DB, s Summary) {
	ctx := context.Background()
	want := map[string]auth.Role{
		"admin@gridbook.demo": auth.Admin, "manager@gridbook.demo": auth.ProgramManager, "analyst@gridbook.demo": auth.Analyst,
		"customer@gridbook.demo": auth.CustomerRole, "customer2@gridbook.demo": auth.CustomerRole,
		"installer@gridbook.demo": auth.Installer, "generator@gridbook.demo": auth.Participant,
	}
	if len(s.Logins) != len(want) {
		t.Errorf("summary lists %d logins, want %d", len(s.Logins), len(want))
	}
	linked := map[string]int64{}
	for email, role := range want {
		u, err := db.UserByEmail(ctx, email)
		if err != nil {
			t.Errorf("%s: %v", email, err)
			continue
		}
		if u.Role != role || !auth.CheckPassword(u.PasswordHash, "demo-password") {
			t.Errorf("%s: role %s, password ok %v; want %s and demo-password", email, u.Role, auth.CheckPassword(u.PasswordHash, "demo-password"), role)
		}
		if role == auth.CustomerRole {
			if len(u.AccountIDs) != 1 {
				t.Errorf("%s linked to %v, want one account", email, u.AccountIDs)
				continue
			}
			linked[email] = u.AccountIDs[0]
		} else if len(u.AccountIDs) != 0 {
			t.Errorf("staff %s linked to accounts %v", email, u.AccountIDs)
		}
	}
	// The registry participant acts for the generator of the book's first
	// facility (internal/demo/rps.go) and sees only its accounts.
	if u, err := db.UserByEmail(ctx, "generator@gridbook.demo"); err != nil {
		t.Error(err)
	} else if org, err := db.RecOrgOfUser(ctx, u.ID); err != nil || org != "Antelope Valley Solar LLC" {
		t.Errorf("generator@gridbook.demo acts for %q (%v), want Antelope Valley Solar LLC", org, err)
	} else if accts, err := db.RecAccountsOf(ctx, org); err != nil || len(accts) != 1 || accts[0].Name != "Antelope Valley Solar LLC active" {
		t.Errorf("the participant's accounts %+v %v, want its one active account", accts, err)
	}
	if linked["customer@gridbook.demo"] == linked["customer2@gridbook.demo"] {
		t.Error("both customer logins see the same account")
	}
	a, err := db.Account(ctx, linked["customer@gridbook.demo"])
	if err != nil {
		t.Fatal(err)
	}
	e := enrolled(t, db, a.ID)
	_, care := e[customer.ProgramCARE]
	_, nem := e[ProgramNEM]
	if a.Class != customer.Residential || !care || !nem || a.LSE != customer.CCA {
		t.Errorf("customer@gridbook.demo sees %s account %s (%s), CARE %v, solar %v; want a residential CCA CARE solar home",
			a.Class, a.Number, a.LSE, care, nem)
	}
}

func checkAudit(t *testing.T, db *store.DB) {
	ctx := context.Background()
	recs, err := db.AuditLog(ctx, store.AuditFilter{Entity: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Action != "generate" || !strings.HasPrefix(recs[0].Actor, "system") ||
		!strings.Contains(string(recs[0].After), "demo generated 200 accounts") {
		t.Errorf("demo audit records: %+v, want one 'generate' by system saying 'demo generated 200 accounts'", recs)
	}
	for _, entity := range []string{"account", "premise", "customer", "meter", "enrollment"} {
		recs, err := db.AuditLog(ctx, store.AuditFilter{Entity: entity})
		if err != nil {
			t.Fatal(err)
		}
		if entity == "account" && len(recs) == 1 && recs[0].Action == "update" {
			continue // the NEM Aggregation's second meter moving to its household (pickArrangements)
		}
		if len(recs) != 0 {
			t.Errorf("%d per-row audit records for %s, want none", len(recs), entity)
		}
	}
}

// The shares, checked at the default size through the store's own
// portfolio counts.
func TestSharesAtDefaultSize(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 2,000 accounts")
	}
	db, s := sample(t, DefaultAccounts)
	p, err := db.Portfolio(context.Background(), calendar.Date{Year: 2025, Month: 12, Day: 31})
	if err != nil {
		t.Fatal(err)
	}
	count := func(cs []store.Count, label string) int64 {
		for _, c := range cs {
			if c.Label == label {
				return c.N
			}
		}
		return 0
	}
	res := count(p.ByClass, "residential")
	share := func(n, of int64) float64 { return float64(n) / float64(of) }
	tests := []struct {
		name     string
		got      float64
		min, max float64
	}{
		{"residential of accounts (~88%)", share(res, p.Accounts), 0.85, 0.91},
		{"commercial of accounts (~10%)", share(count(p.ByClass, "commercial"), p.Accounts), 0.08, 0.12},
		{"bundled of accounts (~5%)", share(count(p.ByLSE, "bundled"), p.Accounts), 0.03, 0.07},
		{"CARE+FERA of residential (~25%)", share(count(p.ByProgram, "care")+count(p.ByProgram, "fera"), res), 0.22, 0.28},
		{"agricultural of accounts (~1%)", share(count(p.ByClass, "agricultural"), p.Accounts), 0.004, 0.02},
		{"municipal of accounts (~1%)", share(count(p.ByClass, "municipal"), p.Accounts), 0.004, 0.02},
		{"solar of accounts (~15%)", share(p.SolarAccounts, p.Accounts), 0.12, 0.18},
		{"EV of residential (~8%)", share(count(p.ByProgram, ProgramElectricVehicle), res), 0.06, 0.10},
		{"smart thermostat of residential (~12%)", share(count(p.ByProgram, ProgramSmartThermostat), res), 0.09, 0.15},
		{"DAC of accounts (~37%, see dacZIPConstant)", share(p.DAC, p.Accounts), 0.30, 0.45},
		{"HFTD tier 2/3 of accounts (a few percent)", share(count(p.ByHFTD, "Tier 2")+count(p.ByHFTD, "Tier 3"), p.Accounts), 0.02, 0.08},
	}
	for _, tt := range tests {
		if tt.got < tt.min || tt.got > tt.max {
			t.Errorf("%s: %.3f, want %.2f–%.2f", tt.name, tt.got, tt.min, tt.max)
		}
	}
	if p.Accounts != int64(s.Accounts) || p.SolarAccounts != int64(s.Solar) || p.DAC != int64(s.DAC) {
		t.Errorf("summary %+v disagrees with the stored portfolio %+v", s, p)
	}
	t.Run("PremisesAgreeWithReferenceTables", func(t *testing.T) { checkPremises(t, db, allAccounts(t, db)) })
}

func TestOptionsAreChecked(t *testing.T) {
	db := openDB(t, "opts.db")
	for _, opt := range []Options{{Accounts: 1}, {Accounts: -5}, {Accounts: MaxAccounts + 1}, {Accounts: 10, Year: 2010}} {
		_, err := Generate(context.Background(), db, opt)
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("Generate(%+v): got %v, want Invalid", opt, err)
		}
	}
}

func TestProgressReportsEachBatch(t *testing.T) {
	db := openDB(t, "progress.db")
	var calls [][2]int
	generate(t, db, Options{Accounts: 30, Seed: 3, Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if !slices.Equal(calls, [][2]int{{30, 30}}) {
		t.Errorf("progress calls %v, want [[30 30]]", calls)
	}
}

// The embedded DAC tract list must agree with the reference table: every
// row designated and in Los Angeles (06037) or Ventura (06111) county; and
// every other tract a premise can get must be a real 2010 tract of the
// place's county (reference.TractListed) that is not designated.
func TestDemoUsesOnlyRealTracts(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	g, err := newGeography(ref)
	if err != nil {
		t.Fatal(err)
	}
	var real int
	for _, p := range g.places {
		for _, geoid := range p.dac {
			d, err := ref.DAC(geoid)
			if err != nil || !d.Designated || !strings.HasPrefix(geoid, p.agency.CountyFIPS) {
				t.Errorf("DAC tract %s for ZIP %s: %+v %v", geoid, p.zip, d, err)
			}
			real++
		}
		if len(p.other) != otherTractsPerZIP {
			t.Errorf("ZIP %s has %d non-DAC tracts, want %d", p.zip, len(p.other), otherTractsPerZIP)
		}
		for _, geoid := range p.other {
			covered, listed := ref.TractListed(geoid)
			d, err := ref.DAC(geoid)
			if !covered || !listed || err != nil || d.Designated || !strings.HasPrefix(geoid, p.agency.CountyFIPS) {
				t.Errorf("non-DAC tract %s for ZIP %s: listed %v, %+v %v", geoid, p.zip, listed, d, err)
			}
		}
	}
	if real != 109 { // rows of dac_tracts.csv
		t.Errorf("%d DAC tracts placed, want the 109 rows of dac_tracts.csv", real)
	}
}

func TestGenerateOnPostgres(t *testing.T) {
	db := storetest.Postgres()(t)
	s := generate(t, db, Options{Accounts: 25, Seed: 5})
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM interval_blocks`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := 12 * s.Channels; n != want || s.Accounts != 25 {
		t.Errorf("postgres: %d blocks for %d channels, %d accounts; want %d blocks, 25 accounts", n, s.Channels, s.Accounts, want)
	}
}

// A leap year has 366 × 24 = 8,784 hourly readings per home, 29 February
// included.
func TestLeapYearHasLeapDay(t *testing.T) {
	db := openDB(t, "leap.db")
	generate(t, db, Options{Accounts: 5, Seed: 9, Year: 2024})
	rows, err := db.SQL().Query(`SELECT channel_id, sum(n) FROM interval_blocks WHERE interval_seconds = 3600 GROUP BY channel_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var channels int
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		if n != 8784 {
			t.Errorf("channel %d: %d hourly readings in 2024, want 8784", id, n)
		}
		channels++
	}
	var feb int
	if err := db.SQL().QueryRow(`SELECT n FROM interval_blocks WHERE month = '2024-02' AND interval_seconds = 3600 LIMIT 1`).Scan(&feb); err != nil {
		t.Fatal(err)
	}
	if channels == 0 || feb != 29*24 {
		t.Errorf("%d hourly channels, February 2024 block holds %d readings; want some channels and 696", channels, feb)
	}
}
