package reference

import (
	"slices"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

func mustLoad(t testing.TB) *Tables {
	t.Helper()
	tabs, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tabs
}

func date(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// usd converts whole dollars to cents for test literals.
func usd(d int64) money.Cents { return money.Cents(d * 100) }

// wantFieldErr checks err's kind and that it names field.
func wantFieldErr(t *testing.T, err error, kind apperr.Kind, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error naming %q, got nil", kind, field)
	}
	if got := apperr.KindOf(err); got != kind {
		t.Fatalf("kind = %s, want %s (%v)", got, kind, err)
	}
	var names []string
	for _, f := range apperr.FieldsOf(err) {
		names = append(names, f.Field)
	}
	if !slices.Contains(names, field) {
		t.Fatalf("fields = %v, want %q (%v)", names, field, err)
	}
}
