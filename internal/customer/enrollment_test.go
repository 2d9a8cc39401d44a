package customer

import (
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

func TestEnrollmentValidateFieldRules(t *testing.T) {
	tests := []struct {
		name   string
		e      Enrollment
		fields string
	}{
		{"valid open-ended", Enrollment{AccountID: 1, Program: "care", From: date(2025, 1, 1)}, ""},
		{"program code is lower-cased", Enrollment{AccountID: 1, Program: " CARE ", From: date(2025, 1, 1)}, ""},
		{"track code", Enrollment{AccountID: 1, Program: "power_response", Track: "smart_home", From: date(2025, 1, 1)}, ""},
		{"account is required", Enrollment{Program: "care", From: date(2025, 1, 1)}, "account_id"},
		{"program is required", Enrollment{AccountID: 1, From: date(2025, 1, 1)}, "program"},
		{"program must start with a letter", Enrollment{AccountID: 1, Program: "1care", From: date(2025, 1, 1)}, "program"},
		{"program with a dash", Enrollment{AccountID: 1, Program: "power-response", From: date(2025, 1, 1)}, "program"},
		{"track with a space", Enrollment{AccountID: 1, Program: "power_response", Track: "smart home", From: date(2025, 1, 1)}, "track"},
		{"start date is required", Enrollment{AccountID: 1, Program: "care"}, "start_date"},
		{"end on the start day", Enrollment{AccountID: 1, Program: "care", From: date(2025, 1, 1), To: date(2025, 1, 1)}, "end_date"},
		{"end before start", Enrollment{AccountID: 1, Program: "care", From: date(2025, 1, 1), To: date(2024, 12, 31)}, "end_date"},
		{"one-day enrollment", Enrollment{AccountID: 1, Program: "care", From: date(2025, 1, 1), To: date(2025, 1, 2)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			checkFields(t, e.Validate(), tt.fields)
		})
	}
}

func TestEnrollmentActiveOnIsHalfOpen(t *testing.T) {
	e := Enrollment{From: date(2025, 1, 1), To: date(2025, 7, 1)}
	for _, tt := range []struct {
		on   calendar.Date
		want bool
	}{
		{date(2024, 12, 31), false},
		{date(2025, 1, 1), true},
		{date(2025, 6, 30), true},
		{date(2025, 7, 1), false},
	} {
		if got := e.ActiveOn(tt.on); got != tt.want {
			t.Errorf("ActiveOn(%s) = %v, want %v", tt.on, got, tt.want)
		}
	}
	open := Enrollment{From: date(2025, 1, 1)}
	if !open.ActiveOn(date(2099, 12, 31)) {
		t.Error("open-ended enrollment not active in 2099")
	}
}

func TestCheckOverlap(t *testing.T) {
	// Spec (cca-programs.md, cross-cutting rules): "a customer is on at most
	// one of" CARE and FERA. Periods are [From, To); a zero To is open.
	care := func(id int64, from, to calendar.Date) Enrollment {
		return Enrollment{ID: id, AccountID: 1, Program: ProgramCARE, From: from, To: to}
	}
	fera := func(from, to calendar.Date) Enrollment {
		return Enrollment{AccountID: 1, Program: ProgramFERA, From: from, To: to}
	}
	open := calendar.Date{}
	careH1 := care(10, date(2025, 1, 1), date(2025, 7, 1))
	careOpen := care(11, date(2025, 1, 1), open)
	tests := []struct {
		name     string
		existing []Enrollment
		e        Enrollment
		want     apperr.Kind // Internal stands for "no error"
		field    string
	}{
		{"no other enrollments", nil, fera(date(2025, 1, 1), open), apperr.Internal, ""},
		{"FERA starting the day CARE ends is allowed", []Enrollment{careH1}, fera(date(2025, 7, 1), open), apperr.Internal, ""},
		{"FERA starting the day before CARE ends overlaps", []Enrollment{careH1}, fera(date(2025, 6, 30), open), apperr.Invalid, "start_date"},
		{"FERA ending the day CARE starts is allowed", []Enrollment{careH1}, fera(date(2024, 1, 1), date(2025, 1, 1)), apperr.Internal, ""},
		{"FERA ending the day after CARE starts overlaps", []Enrollment{careH1}, fera(date(2024, 1, 1), date(2025, 1, 2)), apperr.Invalid, "start_date"},
		{"FERA inside CARE", []Enrollment{careH1}, fera(date(2025, 3, 1), date(2025, 4, 1)), apperr.Invalid, "start_date"},
		{"FERA covering CARE", []Enrollment{careH1}, fera(date(2024, 1, 1), open), apperr.Invalid, "start_date"},
		{"FERA years after an open CARE still overlaps", []Enrollment{careOpen}, fera(date(2030, 1, 1), open), apperr.Invalid, "start_date"},
		{"FERA before an open CARE", []Enrollment{careOpen}, fera(date(2024, 1, 1), date(2025, 1, 1)), apperr.Internal, ""},
		{"CARE twice over the same days", []Enrollment{careOpen}, care(0, date(2026, 1, 1), open), apperr.Conflict, ""},
		{"CARE again from the day the first ends", []Enrollment{careH1}, care(0, date(2025, 7, 1), open), apperr.Internal, ""},
		{"CARE again one day early", []Enrollment{careH1}, care(0, date(2025, 6, 30), open), apperr.Conflict, ""},
		{"an enrollment does not clash with itself (update)", []Enrollment{careH1}, care(10, date(2025, 1, 1), date(2025, 9, 1)), apperr.Internal, ""},
		{"another account's CARE is irrelevant", []Enrollment{{ID: 5, AccountID: 2, Program: ProgramCARE, From: date(2025, 1, 1)}},
			fera(date(2025, 1, 1), open), apperr.Internal, ""},
		{"medical baseline alongside CARE", []Enrollment{careOpen},
			Enrollment{AccountID: 1, Program: ProgramMedicalBaseline, From: date(2025, 2, 1)}, apperr.Internal, ""},
		{"another program alongside CARE", []Enrollment{careOpen},
			Enrollment{AccountID: 1, Program: "power_response", Track: "home", From: date(2025, 2, 1)}, apperr.Internal, ""},
		{"a second track of the same program is a double enrollment",
			[]Enrollment{{ID: 7, AccountID: 1, Program: "power_response", Track: "home", From: date(2025, 1, 1)}},
			Enrollment{AccountID: 1, Program: "power_response", Track: "smart_home", From: date(2025, 6, 1)}, apperr.Conflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckOverlap(tt.existing, tt.e)
			if tt.want == apperr.Internal {
				if err != nil {
					t.Fatalf("CheckOverlap: %v", err)
				}
				return
			}
			if apperr.KindOf(err) != tt.want {
				t.Fatalf("err = %v (kind %v), want %v", err, apperr.KindOf(err), tt.want)
			}
			if got := fieldNames(err); got != tt.field {
				t.Fatalf("fields = %q, want %q", got, tt.field)
			}
		})
	}
}
