// Package apperr classifies errors for the callers that must act on them: the
// HTTP layer maps a Kind to a status code, the CLI maps it to an exit code.
//
// Domain and store code wrap causes with E (or Invalid for field-level input
// errors); everything else stays a plain wrapped error and is treated as
// Internal at the edge, where it is logged once and shown as "internal error".
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the class of an error.
type Kind uint8

// The kinds of error. The zero value is Internal so that an unclassified
// error is never mistaken for a user's fault.
const (
	Internal     Kind = iota // unexpected; details are logged, users see "internal error"
	Invalid                  // bad input; Msg and Fields are safe to show
	NotFound                 // the named thing does not exist (or is not visible to the caller)
	Conflict                 // the request clashes with current state (duplicate, overlap, stale)
	Forbidden                // the caller is known but not allowed
	Unauthorized             // the caller is not known (no or bad credentials)
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "forbidden", "unauthorized"}

// String returns the kind's lower-case name, used in problem types and logs.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// FieldError names one invalid input field and what is wrong with it.
type FieldError struct {
	Field string `json:"field"`
	Msg   string `json:"message"`
}

// Error is a classified error.
type Error struct {
	Kind   Kind
	Op     string       // operation, e.g. "customer.Validate" or "store.CreateCustomer"
	Msg    string       // user-safe text
	Fields []FieldError // for Invalid: which inputs are wrong
	Err    error        // cause; never shown to users
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else {
		b.WriteString(e.Kind.String())
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Msg)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// E builds a classified error.
func E(kind Kind, op, msg string, err error) error {
	return &Error{Kind: kind, Op: op, Msg: msg, Err: err}
}

// Invalidf builds an Invalid error with a formatted message and no field list.
func Invalidf(op, format string, args ...any) error {
	return &Error{Kind: Invalid, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// NotFoundf builds a NotFound error with a formatted message.
func NotFoundf(op, format string, args ...any) error {
	return &Error{Kind: NotFound, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// Conflictf builds a Conflict error with a formatted message.
func Conflictf(op, format string, args ...any) error {
	return &Error{Kind: Conflict, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// Forbiddenf builds a Forbidden error with a formatted message.
func Forbiddenf(op, format string, args ...any) error {
	return &Error{Kind: Forbidden, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// KindOf reports the kind of the outermost classified error in err's chain,
// or Internal when there is none. A nil error has no kind; KindOf(nil)
// returns Internal and callers check for nil first.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is classified as kind.
func Is(err error, kind Kind) bool {
	return err != nil && KindOf(err) == kind
}

// FieldsOf returns the field errors of the outermost classified error.
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// MessageOf returns the user-safe message of err: the classified error's Msg
// (or its kind name), and "internal error" for anything unclassified or
// Internal, whose details must not reach users.
func MessageOf(err error) string {
	var e *Error
	if !errors.As(err, &e) || e.Kind == Internal {
		return "internal error"
	}
	if e.Msg != "" {
		return e.Msg
	}
	return e.Kind.String()
}

// Detail returns the most specific user-safe text of err: the message of
// its first field error when it names one (such as "ZIP 99999 is not a
// California ZIP in the climate-zone table"), else MessageOf(err). Use it
// when one error's reason becomes another field's message.
func Detail(err error) string {
	if fs := FieldsOf(err); len(fs) > 0 {
		return fs[0].Msg
	}
	return MessageOf(err)
}

// Fields collects field errors while validating input. The zero value is
// ready to use.
type Fields []FieldError

// Add records that field is invalid.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Err returns nil when no field was added, and an Invalid error listing
// every field otherwise.
func (f Fields) Err(op string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Op: op, Msg: "invalid input", Fields: f}
}
