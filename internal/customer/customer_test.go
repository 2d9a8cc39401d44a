package customer

import (
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// fieldNames lists the fields an Invalid error names, in order.
func fieldNames(err error) string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

// checkFields fails unless err is nil (want "") or Invalid naming exactly
// the fields in want (comma-separated).
func checkFields(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("err = %v, want invalid naming %s", err, want)
	}
	if got := fieldNames(err); got != want {
		t.Fatalf("fields = %q, want %q (err %v)", got, want, err)
	}
}

func TestCustomerValidateFieldRules(t *testing.T) {
	ok := Customer{Kind: Person, Name: "Ana Reyes", Email: "ana@example.org", Phone: "+1 (213) 555-0100", MailingAddress: "PO Box 1"}
	tests := []struct {
		name   string
		edit   func(c *Customer)
		fields string
	}{
		{"valid person", func(c *Customer) {}, ""},
		{"valid organization without contact details", func(c *Customer) {
			c.Kind, c.Email, c.Phone, c.MailingAddress = Organization, "", "", ""
		}, ""},
		{"kind must be person or organization", func(c *Customer) { c.Kind = "household" }, "kind"},
		{"kind is required", func(c *Customer) { c.Kind = "" }, "kind"},
		{"name is required", func(c *Customer) { c.Name = "  \t" }, "name"},
		{"name of 200 characters is allowed", func(c *Customer) { c.Name = strings.Repeat("n", 200) }, ""},
		{"name of 201 characters is refused", func(c *Customer) { c.Name = strings.Repeat("n", 201) }, "name"},
		{"name limit counts characters, not bytes", func(c *Customer) { c.Name = strings.Repeat("ñ", 200) }, ""},
		{"email must be an address", func(c *Customer) { c.Email = "ana at example.org" }, "email"},
		{"email with display name is refused", func(c *Customer) { c.Email = "Ana <ana@example.org>" }, "email"},
		{"phone of 7 digits is allowed", func(c *Customer) { c.Phone = "5550100" }, ""},
		{"phone of 6 characters is refused", func(c *Customer) { c.Phone = "555010" }, "phone"},
		{"phone with letters is refused", func(c *Customer) { c.Phone = "555-CALL-NOW" }, "phone"},
		{"phone of 21 characters is refused", func(c *Customer) { c.Phone = strings.Repeat("5", 21) }, "phone"},
		{"mailing address of 500 characters is allowed", func(c *Customer) { c.MailingAddress = strings.Repeat("a", 500) }, ""},
		{"mailing address of 501 characters is refused", func(c *Customer) { c.MailingAddress = strings.Repeat("a", 501) }, "mailing_address"},
		{"every error is reported", func(c *Customer) { c.Kind, c.Name, c.Email, c.Phone = "", "", "x", "x" }, "kind,name,email,phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			checkFields(t, c.Validate(), tt.fields)
		})
	}
}

func TestCustomerValidateTrimsWhitespace(t *testing.T) {
	c := Customer{Kind: Person, Name: "  Ana Reyes ", Email: " ana@example.org ", Phone: " 2135550100 "}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Name != "Ana Reyes" || c.Email != "ana@example.org" || c.Phone != "2135550100" {
		t.Errorf("not trimmed: %+v", c)
	}
}
