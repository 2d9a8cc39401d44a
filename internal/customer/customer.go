// Package customer is the registry of who gridbook serves: customers (people
// and organizations), the premises where service is delivered, the service
// accounts that tie a customer to a premise under a rate, the meters and
// channels that measure each account, and the dated history of every program
// enrollment. The types here are plain values with validation; persistence
// lives in package store.
package customer

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Kind says whether a customer is a person or an organization.
type Kind string

// Customer kinds.
const (
	Person       Kind = "person"
	Organization Kind = "organization"
)

// Customer is a person or organization that holds service accounts.
type Customer struct {
	ID             int64     `json:"id"`
	Kind           Kind      `json:"kind"`
	Name           string    `json:"name"`
	Email          string    `json:"email"`           // optional
	Phone          string    `json:"phone"`           // optional, digits with optional leading +
	MailingAddress string    `json:"mailing_address"` // optional, free text
	Created        time.Time `json:"created_at"`
	Updated        time.Time `json:"updated_at"`
}

var phoneRE = regexp.MustCompile(`^\+?[0-9 ()\-.]{7,20}$`)

// Validate checks the customer's fields and normalizes whitespace.
func (c *Customer) Validate() error {
	var f apperr.Fields
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	switch c.Kind {
	case Person, Organization:
	default:
		f.Add("kind", "must be %q or %q, got %q", Person, Organization, c.Kind)
	}
	if c.Name == "" {
		f.Add("name", "is required")
	} else if utf8.RuneCountInString(c.Name) > 200 {
		f.Add("name", "must be at most 200 characters")
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			f.Add("email", "is not a valid email address")
		}
	}
	if c.Phone != "" && !phoneRE.MatchString(c.Phone) {
		f.Add("phone", "must be a phone number of 7 to 20 digits")
	}
	if utf8.RuneCountInString(c.MailingAddress) > 500 {
		f.Add("mailing_address", "must be at most 500 characters")
	}
	return f.Err("customer.Validate")
}
