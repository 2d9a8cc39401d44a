package tariff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

// TestURDBImportsEveryCollectedFile imports every file of
// shared/data/tariffs/urdb (API {"items":[…]} wrapper, Unix startdate) and
// urdb_history_lbnl (bare lists, ISO startdate strings, one camelCase
// dgRules), and compiles each version's period maps for 2025. One file is
// genuinely broken and must be rejected by the missing-period rule: the
// 2014 version of SCE TOU-8 in the LBNL history schedules TOU demand
// period 2 in summer but lists only two demand rates (periods 0 and 1).
func TestURDBImportsEveryCollectedFile(t *testing.T) {
	broken := map[string]string{
		"u17609_Commercial_TOU-8_TOU.json": "items[0].demandweekdayschedule: the schedule points at period 2, which does not exist",
	}
	want := map[string]int{ // versions per file, from the files
		"u14328_Commercial_E-19_TOU_gridlevelSecondary.json": 6,
		"u14328_Commercial_E-20_TOU_gridlevelPrimary.json":   9,
		"u14328_Commercial_A-10_TOU_gridlevelSecondary.json": 7,
		"u17609_Commercial_TOU-GS-3_TOU.json":                2,
	}
	n := 0
	for _, dir := range []string{"urdb", "urdb_history_lbnl", "urdb_constructed"} {
		files, _ := filepath.Glob(filepath.Join(sharedFile(t, dir), "*.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := ParseURDB(b, URDBOptions{})
			if msg, bad := broken[filepath.Base(f)]; bad {
				if err == nil || !strings.Contains(err.Error(), msg) {
					t.Errorf("%s: error %v, want one saying %q", filepath.Base(f), err, msg)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
				continue
			}
			if w, ok := want[filepath.Base(f)]; ok && len(vs) != w {
				t.Errorf("%s: %d versions, want %d", filepath.Base(f), len(vs), w)
			}
			for _, v := range vs {
				for _, m := range v.Maps {
					if _, err := v.Index(m.Name, 2025, time.Hour); err != nil {
						t.Errorf("%s %s map %s: %v", filepath.Base(f), v.Code, m.Name, err)
					}
				}
				if _, err := v.EnergyPrices(); err != nil {
					t.Errorf("%s %s: %v", filepath.Base(f), v.Code, err)
				}
				n++
			}
		}
	}
	if n < 30 {
		t.Errorf("imported %d versions, want at least 30", n)
	}
}

func importFile(t *testing.T, rel string) []Version {
	t.Helper()
	b, err := os.ReadFile(sharedFile(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := ParseURDB(b, URDBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestURDBFieldsAreRead checks the values read from particular records
// against the files: identity, both startdate forms, camelCase dgRules,
// rate + adj, TOU and flat demand and fixed charges of SCE TOU-8 Option D
// (label 674e0b87201c6bd096007a5a).
func TestURDBFieldsAreRead(t *testing.T) {
	tou8 := importFile(t, "urdb/SCE_TOU-8_Option-D_Under-2-kV.json")[0]
	if tou8.Utility != "SCE" || tou8.Code != "TOU-8-D" || tou8.From.String() != "2024-10-01" || !tou8.To.IsZero() || tou8.Holidays != HolidaysSCE {
		t.Errorf("TOU-8 identity: %s %s %v–%v holidays %s", tou8.Utility, tou8.Code, tou8.From, tou8.To, tou8.Holidays)
	}
	prices, err := tou8.EnergyPrices()
	if err != nil {
		t.Fatal(err)
	}
	if got := prices.Energy(0, 0).String(); got != "$0.08973/kWh" { // 0.08859 + adj 0.00114
		t.Errorf("TOU-8 period 0 = %s, want $0.08973/kWh", got)
	}
	checks := []struct {
		kind Kind
		want string
	}{{DemandTOU, "29.54"}, {DemandFlat, "25.36"}, {FixedMonth, "447.44"}}
	for _, c := range checks {
		cs := tou8.ComponentsOf(c.kind)
		if len(cs) != 1 {
			t.Fatalf("%s: %d components", c.kind, len(cs))
		}
		got := cs[0].Price.String()
		if c.kind != FixedMonth {
			last := cs[0].Rates[len(cs[0].Rates)-1]
			got = last[0].Price.String()
		}
		if got != c.want {
			t.Errorf("TOU-8 %s = %s, want %s", c.kind, got, c.want)
		}
	}

	e19 := importFile(t, "urdb/PGE_E-19_Secondary_2019_from_REopt_API.json")[0]
	if e19.Code != "E-19" || e19.From.String() != "2019-05-01" || e19.To.String() != "2019-06-30" || e19.DGRules != "Net Metering" {
		t.Errorf("E-19: %s %v–%v %q", e19.Code, e19.From, e19.To, e19.DGRules)
	}
	if fd := e19.ComponentsOf(FixedDay); len(fd) != 1 || fd[0].Price.String() != "19.71253" {
		t.Errorf("E-19 fixed per day = %+v, want 19.71253", fd)
	}

	hist := importFile(t, "urdb_history_lbnl/u14328_Commercial_E-19_TOU_gridlevelSecondary.json")
	if hist[0].From.String() != "2014-04-30" || hist[0].To.String() != "2015-02-27" {
		t.Errorf("E-19 history first version %v–%v, want 2014-04-30–2015-02-27 (ISO strings)", hist[0].From, hist[0].To)
	}
	b19 := importFile(t, "urdb_history_lbnl/u14328_Commercial_B-19_TOU_gridlevelSecondary_revised.json")[0]
	if b19.DGRules != "Net Metering" || b19.Code != "B-19" {
		t.Errorf("B-19 camelCase dgRules = %q code %s", b19.DGRules, b19.Code)
	}
}

// TestURDBCodesFromNames checks the rate code derived from URDB names.
func TestURDBCodesFromNames(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Time-Of-Use - General Service - Large: TOU-8, Option D (Under 2 kV)", "TOU-8-D"},
		{"E-19 Medium General Demand- TOU (Secondary, Mandatory)", "E-19"},
		{"E-20 Maximum demand of 1000KW or more Option R (Primary)", "E-20-R"},
		{"BEV-2-S Business Electric Vehicle (Secondary Voltage)", "BEV-2-S"},
		{"CI-TOD3: Commercial and Industrial TOD Secondary (500-999 kW)", "CI-TOD3"},
		{"Electric Vehicle High Power Rate", "ELECTRIC-VEHICLE-HIGH-POWER-RATE"},
	}
	for _, tt := range tests {
		if got := codeFromName(tt.name, "label"); got != tt.want {
			t.Errorf("codeFromName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestURDBRejectsBadInput checks that malformed URDB items are rejected
// with an error naming the problem, and that one bad item rejects the
// whole file.
func TestURDBRejectsBadInput(t *testing.T) {
	row := func(p string) string { return "[" + strings.Repeat(p+",", 23) + p + "]" }
	matrix := func(p string, rows int) string {
		r := make([]string, rows)
		for i := range r {
			r[i] = row(p)
		}
		return "[" + strings.Join(r, ",") + "]"
	}
	item := func(extra string) string {
		return `{"name":"E-1 Test","eiaid":14328,"startdate":1735689600,"energyratestructure":[[{"rate":0.1}]],` + extra + `}`
	}
	good := item(`"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12))
	if _, err := ParseURDB([]byte(good), URDBOptions{}); err != nil {
		t.Fatalf("good item rejected: %v", err)
	}
	tests := []struct{ name, json, want string }{
		{"gap: 11 months", item(`"energyweekdayschedule":` + matrix("0", 11) + `,"energyweekendschedule":` + matrix("0", 12)), "gap in the period map: 11 months"},
		{"gap: no weekend schedule", item(`"energyweekdayschedule":` + matrix("0", 12)), "energyweekendschedule: gap in the period map"},
		{"schedule points at missing period", item(`"energyweekdayschedule":` + matrix("1", 12) + `,"energyweekendschedule":` + matrix("0", 12)), "points at period 1, which does not exist"},
		{"weekend schedule points at missing period", item(`"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("4", 12)), "energyweekendschedule: the schedule points at period 4, which does not exist"},
		{"negative period", item(`"energyweekdayschedule":` + matrix("-1", 12) + `,"energyweekendschedule":` + matrix("0", 12)), "points at period -1"},
		{"tiers out of order", `{"name":"E-1","eiaid":14328,"startdate":1735689600,"energyratestructure":[[{"max":500,"rate":0.1},{"max":300,"rate":0.2},{"rate":0.3}]],"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12) + `}`, "tiers out of order"},
		{"negative tier bound", `{"name":"E-1","eiaid":14328,"startdate":1735689600,"energyratestructure":[[{"max":-5,"rate":0.1},{"rate":0.3}]],"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12) + `}`, "must not be negative"},
		{"negative fixed charge", item(`"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12) + `,"fixedchargefirstmeter":-3,"fixedchargeunits":"$/month"`), "must not be negative"},
		{"negative flat demand", item(`"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12) + `,"flatdemandstructure":[[{"rate":-2}]],"flatdemandmonths":[0,0,0,0,0,0,0,0,0,0,0,0]`), "demand charge must not be negative"},
		{"no startdate", `{"name":"E-1","energyratestructure":[[{"rate":0.1}]],"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12) + `}`, "startdate: is required"},
		{"bad startdate", `{"name":"E-1","startdate":"yesterday","energyratestructure":[[{"rate":0.1}]],"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12) + `}`, "want Unix seconds or an ISO-8601 date"},
		{"one bad item rejects the file", `{"items":[` + good + `,` + item(`"energyweekdayschedule":`+matrix("3", 12)+`,"energyweekendschedule":`+matrix("0", 12)) + `]}`, "items[1]"},
		{"not JSON", `<html>`, "not URDB JSON"},
		{"empty list", `{"items":[]}`, "no URDB items"},
		{"unsupported fixed unit", item(`"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12) + `,"fixedchargefirstmeter":3,"fixedchargeunits":"$/year"`), `unit "$/year" is not supported`},
		{"price with too many decimals", `{"name":"E-1","startdate":1735689600,"energyratestructure":[[{"rate":0.12345678}]],"energyweekdayschedule":` + matrix("0", 12) + `,"energyweekendschedule":` + matrix("0", 12) + `}`, "more than 6 decimals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseURDB([]byte(tt.json), URDBOptions{})
			if err == nil {
				t.Fatal("accepted")
			}
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("kind %v, want invalid", apperr.KindOf(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}
