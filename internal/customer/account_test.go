package customer

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
)

// date builds a civil date for test tables.
func date(y, m, d int) calendar.Date { return calendar.Date{Year: y, Month: time.Month(m), Day: d} }

func TestAccountValidateFieldRules(t *testing.T) {
	ok := Account{Number: "7000000001", CustomerID: 1, PremiseID: 2, Class: Residential, RateSchedule: "TOU-D-4-9PM",
		LSE: CCA, ServiceStart: date(2024, 1, 1)}
	tests := []struct {
		name   string
		edit   func(a *Account)
		fields string
	}{
		{"valid", func(a *Account) {}, ""},
		{"number of 6 digits", func(a *Account) { a.Number = "123456" }, ""},
		{"number of 20 digits", func(a *Account) { a.Number = "12345678901234567890" }, ""},
		{"number of 5 digits", func(a *Account) { a.Number = "12345" }, "number"},
		{"number of 21 digits", func(a *Account) { a.Number = "123456789012345678901" }, "number"},
		{"number with a dash", func(a *Account) { a.Number = "7000-000001" }, "number"},
		{"customer is required", func(a *Account) { a.CustomerID = 0 }, "customer_id"},
		{"premise is required", func(a *Account) { a.PremiseID = -1 }, "premise_id"},
		{"unknown class", func(a *Account) { a.Class = "industrial" }, "class"},
		{"each class is accepted", func(a *Account) { a.Class = Municipal }, ""},
		{"rate schedule is upper-cased", func(a *Account) { a.RateSchedule = "tou-gs-1-d" }, ""},
		{"rate schedule is required", func(a *Account) { a.RateSchedule = "" }, "rate_schedule"},
		{"rate schedule must start with a letter or digit", func(a *Account) { a.RateSchedule = "-D" }, "rate_schedule"},
		{"lse must be cca or bundled", func(a *Account) { a.LSE = "esp" }, "lse"},
		{"bundled is accepted", func(a *Account) { a.LSE = Bundled }, ""},
		{"service start is required", func(a *Account) { a.ServiceStart = calendar.Date{} }, "service_start"},
		{"service end equal to start is refused", func(a *Account) { a.ServiceEnd = date(2024, 1, 1) }, "service_end"},
		{"service end before start is refused", func(a *Account) { a.ServiceEnd = date(2023, 12, 31) }, "service_end"},
		{"service end after start", func(a *Account) { a.ServiceEnd = date(2024, 1, 2) }, ""},
		{"household of 1", func(a *Account) { a.Household = &Household{Size: 1, Verification: VerifySelfAttested} }, ""},
		{"household of 0", func(a *Account) { a.Household = &Household{Size: 0, Verification: VerifySelfAttested} }, "household_size"},
		{"household of 30", func(a *Account) { a.Household = &Household{Size: 30, Verification: VerifyDocuments} }, ""},
		{"household of 31", func(a *Account) { a.Household = &Household{Size: 31, Verification: VerifyDocuments} }, "household_size"},
		{"negative income", func(a *Account) { a.Household = &Household{Size: 2, AnnualIncome: -1, Verification: VerifyUtility} }, "household_income"},
		{"income needs a verification source", func(a *Account) { a.Household = &Household{Size: 2, AnnualIncome: 5_200_000} }, "income_verification"},
		{"each verification source", func(a *Account) {
			a.Household = &Household{Size: 2, Verification: VerifyCategorical, VerifiedOn: date(2024, 5, 1)}
		}, ""},
		{"unknown verification source", func(a *Account) { a.Household = &Household{Size: 2, Verification: "phone"} }, "income_verification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			checkFields(t, a.Validate(), tt.fields)
		})
	}
}

func TestAccountValidateNormalizes(t *testing.T) {
	a := Account{Number: " 7000000001 ", CustomerID: 1, PremiseID: 2, Class: Commercial, RateSchedule: " tou-gs-1-d ",
		LSE: CCA, ServiceStart: date(2024, 1, 1)}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Number != "7000000001" || a.RateSchedule != "TOU-GS-1-D" {
		t.Errorf("number %q rate %q, want 7000000001 and TOU-GS-1-D", a.Number, a.RateSchedule)
	}
}

func TestAccountActiveIsHalfOpen(t *testing.T) {
	a := Account{ServiceStart: date(2024, 3, 1), ServiceEnd: date(2024, 4, 1)}
	open := Account{ServiceStart: date(2024, 3, 1)}
	tests := []struct {
		acct *Account
		on   calendar.Date
		want bool
	}{
		{&a, date(2024, 2, 29), false},
		{&a, date(2024, 3, 1), true},
		{&a, date(2024, 3, 31), true},
		{&a, date(2024, 4, 1), false}, // the end day is the first day without service
		{&open, date(2099, 1, 1), true},
		{&open, date(2024, 2, 29), false},
	}
	for _, tt := range tests {
		if got := tt.acct.Active(tt.on); got != tt.want {
			t.Errorf("Active(%s) with service %s–%s = %v, want %v", tt.on, tt.acct.ServiceStart, tt.acct.ServiceEnd, got, tt.want)
		}
	}
}

// The audit log records accounts under the JSON API's field names
// (api.accountJSON): snake case with the household flattened.
func TestAccountJSONUsesTheAPIFieldNames(t *testing.T) {
	a := Account{ID: 3, Number: "7000000001", CustomerID: 1, PremiseID: 2, Class: Residential, RateSchedule: "TOU-D-4-9PM", LSE: CCA,
		ServiceStart: date(2024, 1, 1), Household: &Household{Size: 4, AnnualIncome: 5_200_000, Verification: VerifyDocuments, VerifiedOn: date(2025, 7, 1)}}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":3,"number":"7000000001","customer_id":1,"premise_id":2,"class":"residential","rate_schedule":"TOU-D-4-9PM",` +
		`"lse":"cca","service_start":"2024-01-01","service_end":"","household_size":4,"household_income_cents":5200000,` +
		`"income_verification":"documents","income_verified_on":"2025-07-01","created_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	a.Household = nil
	b, _ = json.Marshal(a)
	if strings.Contains(string(b), "household") || strings.Contains(string(b), "income") {
		t.Errorf("an account without a household carries household fields: %s", b)
	}
}
