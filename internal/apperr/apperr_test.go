package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOfWrappedError(t *testing.T) {
	base := E(NotFound, "store.Customer", "customer C-1 not found", nil)
	wrapped := fmt.Errorf("api: get customer: %w", base)
	if got := KindOf(wrapped); got != NotFound {
		t.Fatalf("KindOf = %v, want not_found", got)
	}
	if !Is(wrapped, NotFound) || Is(nil, NotFound) {
		t.Fatal("Is does not follow the chain or accepts nil")
	}
}

func TestUnclassifiedErrorIsInternalAndHidden(t *testing.T) {
	err := errors.New("pq: connection refused on 10.0.0.1")
	if KindOf(err) != Internal {
		t.Fatal("unclassified error must be Internal")
	}
	if got := MessageOf(err); got != "internal error" {
		t.Fatalf("MessageOf leaks details: %q", got)
	}
	if got := MessageOf(E(Internal, "op", "secret detail", err)); got != "internal error" {
		t.Fatalf("MessageOf leaks an Internal message: %q", got)
	}
}

func TestFieldsCollectEveryInvalidField(t *testing.T) {
	var f Fields
	if f.Err("op") != nil {
		t.Fatal("empty Fields must give nil")
	}
	f.Add("zip", "must be 5 digits, got %q", "9001")
	f.Add("household_size", "must be at least 1")
	err := f.Err("customer.Validate")
	if KindOf(err) != Invalid {
		t.Fatal("want Invalid")
	}
	got := FieldsOf(fmt.Errorf("wrap: %w", err))
	if len(got) != 2 || got[0].Field != "zip" || got[1].Field != "household_size" {
		t.Fatalf("fields = %+v", got)
	}
	want := `customer.Validate: invalid input: zip: must be 5 digits, got "9001"; household_size: must be at least 1`
	if err.Error() != want {
		t.Fatalf("Error() = %q\nwant %q", err.Error(), want)
	}
}

func TestErrorUnwrapsCause(t *testing.T) {
	cause := errors.New("disk full")
	err := E(Conflict, "op", "msg", cause)
	if !errors.Is(err, cause) {
		t.Fatal("cause not reachable through Unwrap")
	}
}

func TestDetailPrefersTheFirstFieldReason(t *testing.T) {
	var f Fields
	f.Add("zip", "ZIP 99999 is not a California ZIP in the climate-zone table")
	f.Add("city", "is required")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"field error", fmt.Errorf("wrap: %w", f.Err("op")), "ZIP 99999 is not a California ZIP in the climate-zone table"},
		{"message only", Conflictf("op", "account is already enrolled"), "account is already enrolled"},
		{"internal", errors.New("pq: secret"), "internal error"},
	}
	for _, tt := range tests {
		if got := Detail(tt.err); got != tt.want {
			t.Errorf("%s: Detail = %q, want %q", tt.name, got, tt.want)
		}
	}
}
