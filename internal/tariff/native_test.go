package tariff

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/apperr"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// TestShippedTariffs checks the shipped set: the three 2025 residential
// tariffs and the two commercial demand tariffs, each valid.
func TestShippedTariffs(t *testing.T) {
	vs, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"TOU-D-4-9PM": "SCE", "TOU-D-PRIME": "SCE", "E-ELEC": "PG&E", "TOU-8-D": "SCE", "E-19": "PG&E"}
	got := map[string]string{}
	for _, v := range vs {
		got[v.Code] = v.Utility
		if v.Source.Citation == "" {
			t.Errorf("%s has no citation", v.Code)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shipped (-want +got):\n%s", diff)
	}
	for _, code := range []string{"TOU-8-D", "E-19"} {
		v := shippedVersion(t, code)
		if len(v.ComponentsOf(DemandTOU)) != 1 || len(v.ComponentsOf(DemandFlat)) != 1 {
			t.Errorf("%s lacks TOU and flat demand charges", code)
		}
	}
}

// TestNativeRoundTrip checks that a version written in the native format
// reads back equal, with the same content hash.
func TestNativeRoundTrip(t *testing.T) {
	vs, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseNative(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vs, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	h1, _ := vs[0].Hash()
	h2, _ := back[0].Hash()
	if h1 != h2 || len(h1) != 64 {
		t.Errorf("hash %s vs %s", h1, h2)
	}
}

// TestNativeAcceptsMatrices checks that a period map may be given as
// URDB-style 12×24 matrices and becomes date seasons: Jan–May and Oct–Dec
// merge into one season starting October 1.
func TestNativeAcceptsMatrices(t *testing.T) {
	row := func(p int) []int {
		r := make([]int, 24)
		for i := range r {
			r[i] = p
		}
		return r
	}
	var wd [][]int
	for mo := range 12 {
		if mo >= 5 && mo <= 8 {
			wd = append(wd, row(0))
		} else {
			wd = append(wd, row(1))
		}
	}
	doc := map[string]any{"utility": "SCE", "code": "X", "name": "x", "effective_from": "2025-01-01", "source": map[string]any{"citation": "test"},
		"holidays": "sce", "period_maps": []any{map[string]any{"name": "energy", "periods": []string{"summer", "winter"}, "weekday": wd, "weekend": wd}},
		"components": []any{map[string]any{"name": "e", "kind": "energy", "bucket": "bundled", "map": "energy", "rates": [][]any{{map[string]any{"price": "0.1"}}, {map[string]any{"price": "0.2"}}}}}}
	b, _ := json.Marshal(doc)
	vs, err := ParseNative(b)
	if err != nil {
		t.Fatal(err)
	}
	s := vs[0].Maps[0].Seasons
	if len(s) != 2 || s[0].From != "06-01" || s[0].Name != "Jun–Sep" || s[1].From != "10-01" || s[1].Name != "Oct–May" {
		t.Errorf("seasons %+v", s)
	}
}

// TestNativeRejectsBadInput checks every bad-input rule of the issue on
// the native format: gaps in the period map, tiers out of order, a
// schedule pointing at a missing period, negative quantities where not
// allowed; each error names the field.
func TestNativeRejectsBadInput(t *testing.T) {
	base := func() map[string]any {
		hours := func(p int) []int {
			r := make([]int, 24)
			for i := range r {
				r[i] = p
			}
			return r
		}
		return map[string]any{"utility": "SCE", "code": "X", "name": "x", "effective_from": "2025-01-01", "source": map[string]any{"citation": "test"},
			"holidays": "sce",
			"period_maps": []any{map[string]any{"name": "energy", "periods": []string{"on", "off"}, "seasons": []any{
				map[string]any{"name": "all", "from": "01-01", "weekday": hours(0), "weekend": hours(1)}}}},
			"components": []any{
				map[string]any{"name": "e", "kind": "energy", "bucket": "delivery", "map": "energy", "rates": []any{
					[]any{map[string]any{"max": "300", "unit": "kWh", "price": "0.1"}, map[string]any{"price": "0.2"}},
					[]any{map[string]any{"max": "300", "unit": "kWh", "price": "0.05"}, map[string]any{"price": "0.1"}}}},
				map[string]any{"name": "basic", "kind": "fixed_per_day", "bucket": "delivery", "price": "0.031"}}}
	}
	season := func(d map[string]any) map[string]any {
		return d["period_maps"].([]any)[0].(map[string]any)["seasons"].([]any)[0].(map[string]any)
	}
	comp := func(d map[string]any, i int) map[string]any { return d["components"].([]any)[i].(map[string]any) }
	if _, err := ParseNative(must(json.Marshal(base()))); err != nil {
		t.Fatalf("base rejected: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(map[string]any)
		field  string
		want   string
	}{
		{"gap: 23 hours", func(d map[string]any) { season(d)["weekday"] = make([]int, 23) }, "period_maps[0].seasons[0].weekday", "gap in the period map: 23 hours"},
		{"gap: no seasons", func(d map[string]any) { d["period_maps"].([]any)[0].(map[string]any)["seasons"] = []any{} }, "period_maps[0].seasons", "gap: no season covers the year"},
		{"missing period", func(d map[string]any) { h := make([]int, 24); h[17] = 2; season(d)["weekend"] = h }, "period_maps[0].seasons[0].weekend", "hour 17 points at period 2, which does not exist"},
		{"missing map", func(d map[string]any) { comp(d, 0)["map"] = "demand" }, "components[0].map", `period map "demand", which does not exist`},
		{"rates for too few periods", func(d map[string]any) { comp(d, 0)["rates"] = comp(d, 0)["rates"].([]any)[:1] }, "components[0].rates", "rates for 1 periods, the map"},
		{"tiers out of order", func(d map[string]any) {
			comp(d, 0)["rates"].([]any)[0] = []any{map[string]any{"max": "300", "price": "0.1"}, map[string]any{"max": "200", "price": "0.1"}, map[string]any{"price": "0.2"}}
		}, "components[0].rates[0][1].max", "tiers out of order"},
		{"bounded last tier", func(d map[string]any) {
			comp(d, 0)["rates"].([]any)[0] = []any{map[string]any{"max": "300", "price": "0.1"}}
		}, "components[0].rates[0][0].max", "last tier must be unbounded"},
		{"negative tier bound", func(d map[string]any) {
			comp(d, 0)["rates"].([]any)[0] = []any{map[string]any{"max": "-300", "price": "0.1"}, map[string]any{"price": "0.2"}}
		}, "components[0].rates[0][0].max", "must not be negative"},
		{"negative fixed charge", func(d map[string]any) { comp(d, 1)["price"] = "-0.031" }, "components[1].price", "must not be negative"},
		{"positive baseline credit", func(d map[string]any) { comp(d, 1)["kind"] = "baseline_credit" }, "components[1].price", "negative price per kWh"},
		{"seasons out of order", func(d map[string]any) {
			m := d["period_maps"].([]any)[0].(map[string]any)
			s2 := map[string]any{}
			for k, v := range season(d) {
				s2[k] = v
			}
			s2["from"] = "01-01"
			season(d)["from"] = "06-01"
			m["seasons"] = append(m["seasons"].([]any), s2)
		}, "period_maps[0].seasons[1].from", "seasons out of order"},
		{"bad season day", func(d map[string]any) { season(d)["from"] = "02-30" }, "period_maps[0].seasons[0].from", "MM-DD"},
		{"unknown bucket", func(d map[string]any) { comp(d, 1)["bucket"] = "misc" }, "components[1].bucket", `unknown bucket "misc"`},
		{"unknown holidays", func(d map[string]any) { d["holidays"] = "us" }, "holidays", "must be sce, pge or none"},
		{"end before start", func(d map[string]any) { d["effective_to"] = "2024-12-31" }, "effective_to", "must be after"},
		{"no code", func(d map[string]any) { d["code"] = " " }, "code", "is required"},
		{"energy priced by another map", func(d map[string]any) {
			m := d["period_maps"].([]any)[0].(map[string]any)
			demand := map[string]any{"name": "demand", "periods": m["periods"], "seasons": m["seasons"]}
			d["period_maps"] = append(d["period_maps"].([]any), demand)
			comp(d, 0)["map"] = "demand"
		}, "components[0].map", `energy is priced by the "energy" period map`},
		{"baseline credit with rates", func(d map[string]any) {
			comp(d, 1)["kind"], comp(d, 1)["price"] = "baseline_credit", "-0.09"
			comp(d, 1)["rates"] = []any{[]any{map[string]any{"price": "-0.09"}}}
		}, "components[1].rates", "one price, no rates"},
		{"unnamed period", func(d map[string]any) { d["period_maps"].([]any)[0].(map[string]any)["periods"] = []string{"on", " "} },
			"period_maps[0].periods[1]", "a period needs a name"},
		{"period named twice", func(d map[string]any) { d["period_maps"].([]any)[0].(map[string]any)["periods"] = []string{"on", "on"} },
			"period_maps[0].periods[1]", `period "on" is named twice`},
		{"value of the wrong type", func(d map[string]any) { d["holidays"] = 7 }, "holidays", "want string, not number"},
		{"misspelt field", func(d map[string]any) { d["efective_from"] = "2025-01-01" }, "efective_from", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.mutate(d)
			_, err := ParseNative(must(json.Marshal(d)))
			if err == nil {
				t.Fatal("accepted")
			}
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("kind %v", apperr.KindOf(err))
			}
			found := false
			for _, f := range apperr.FieldsOf(err) {
				if f.Field == tt.field && strings.Contains(f.Msg, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("error %v does not name %s: %q", err, tt.field, tt.want)
			}
		})
	}
	// Decoding problems are Invalid and name the cause.
	for in, want := range map[string]string{
		`{"utility":"SCE","colour":"red"}`:       `unknown field "colour"`,
		`{"components":[{"price":"0.1234567"}]}`: "more than 6 decimals",
		`[]`:                                     "no tariff versions",
	} {
		_, err := ParseNative([]byte(in))
		if err == nil || apperr.KindOf(err) != apperr.Invalid || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseNative(%s) = %v, want invalid saying %q", in, err, want)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
