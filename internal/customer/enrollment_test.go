package customer

import (
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/reference"
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

// enrollmentRulesAccount is a residential account in service from
// 2024-01-01 to 2026-01-01 with a 4-person household at $64,300, the CARE
// limit for 4 persons in 2025-26 (CPUC; reference/data
// care_fera_esa_income_limits_2025_26.csv).
func enrollmentRulesAccount() (Account, Premise) {
	a := Account{ID: 7, Number: "7000000007", Class: Residential, ServiceStart: date(2024, 1, 1), ServiceEnd: date(2026, 1, 1),
		Household: &Household{Size: 4, AnnualIncome: 6_430_000, Verification: VerifyDocuments}}
	return a, Premise{CountyFIPS: "06037"}
}

func loadTables(t *testing.T) *reference.Tables {
	t.Helper()
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestEnrollmentMustStartWithinTheAccountsService(t *testing.T) {
	ref := loadTables(t)
	a, p := enrollmentRulesAccount()
	tests := []struct {
		name   string
		from   calendar.Date
		fields string
	}{
		{"on the service start day", date(2024, 1, 1), ""},
		{"the day before service start", date(2023, 12, 31), "start_date"},
		{"the last day of service", date(2025, 12, 31), ""},
		{"on the service end day (first day out of service)", date(2026, 1, 1), "start_date"},
		{"after service end", date(2026, 3, 1), "start_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Enrollment{AccountID: a.ID, Program: "power_response", From: tt.from}
			checkFields(t, CheckEnrollment(e, a, p, ref), tt.fields)
		})
	}
}

func TestAssistanceProgramsAreForResidentialAccounts(t *testing.T) {
	ref := loadTables(t)
	for _, class := range []Class{Commercial, Agricultural, Municipal} {
		for _, prog := range []string{ProgramCARE, ProgramFERA, ProgramMedicalBaseline} {
			a, p := enrollmentRulesAccount()
			a.Class = class
			e := Enrollment{AccountID: a.ID, Program: prog, From: date(2025, 7, 1), Note: "utility file"}
			checkFields(t, CheckEnrollment(e, a, p, ref), "program")
		}
		a, p := enrollmentRulesAccount()
		a.Class = class
		e := Enrollment{AccountID: a.ID, Program: "power_response", From: date(2025, 7, 1)}
		checkFields(t, CheckEnrollment(e, a, p, ref), "")
	}
}

// CARE 2025-26, 4 persons: $64,300 qualifies, $64,301 does not (FERA
// starts there). Before 2025-06-01 the 2024-25 table applies: CARE $62,400
// for 4 persons, so $64,300 is FERA then.
func TestCAREAndFERAFailingTheIncomeTestNeedANote(t *testing.T) {
	ref := loadTables(t)
	tests := []struct {
		name    string
		program string
		income  int64 // cents
		from    calendar.Date
		note    string
		fields  string
	}{
		{"CARE at the limit", ProgramCARE, 6_430_000, date(2025, 7, 1), "", ""},
		{"CARE a dollar over the limit", ProgramCARE, 6_430_100, date(2025, 7, 1), "", "note"},
		{"CARE over the limit with a note", ProgramCARE, 6_430_100, date(2025, 7, 1), "recertified by SCE", ""},
		{"FERA a dollar over the CARE limit", ProgramFERA, 6_430_100, date(2025, 7, 1), "", ""},
		{"FERA at the CARE limit", ProgramFERA, 6_430_000, date(2025, 7, 1), "", "note"},
		{"CARE at $64,300 under the 2024-25 table", ProgramCARE, 6_430_000, date(2025, 5, 31), "", "note"},
		{"medical baseline has no income test", ProgramMedicalBaseline, 99_000_000, date(2025, 7, 1), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, p := enrollmentRulesAccount()
			a.Household.AnnualIncome = money.Cents(tt.income)
			e := Enrollment{AccountID: a.ID, Program: tt.program, From: tt.from, Note: tt.note}
			err := CheckEnrollment(e, a, p, ref)
			checkFields(t, err, tt.fields)
			if tt.fields == "note" {
				msg := apperr.FieldsOf(err)[0].Msg
				if !strings.HasPrefix(msg, "Not eligible: ") || !strings.HasSuffix(msg, "Add a note saying why the account is enrolled anyway.") {
					t.Errorf("note message %q does not give the reason and the remedy", msg)
				}
			}
		})
	}
	t.Run("no household on file", func(t *testing.T) {
		a, p := enrollmentRulesAccount()
		a.Household = nil
		e := Enrollment{AccountID: a.ID, Program: ProgramCARE, From: date(2025, 7, 1)}
		checkFields(t, CheckEnrollment(e, a, p, ref), "note")
	})
}
