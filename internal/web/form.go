package web

import (
	"fmt"
	"strings"
)

// Input describes one labelled form input for the "input" partial, which
// renders the label, the control, an optional hint and the inline error
// wired together with for/id and aria-describedby.
type Input struct {
	Name         string
	Label        string
	Type         string // text, email, password, number, date, search, tel …
	Value        string
	Error        string
	Hint         string
	Required     bool
	Autofocus    bool
	Autocomplete string
	InputMode    string // inputmode attribute, e.g. "numeric" or "decimal"
}

// ID is the element id of the control.
func (in Input) ID() string { return "f-" + in.Name }

// DescribedBy lists the ids of the hint and error elements, for
// aria-describedby; empty when there are neither.
func (in Input) DescribedBy() string {
	var ids []string
	if in.Hint != "" {
		ids = append(ids, in.ID()+"-hint")
	}
	if in.Error != "" {
		ids = append(ids, in.ID()+"-error")
	}
	return strings.Join(ids, " ")
}

// newInput is the template func "field":
//
//	{{template "input" (field $ "email" "Email" "email" .Data.Email "required" "autocomplete=username")}}
//
// It takes the page's View (for the field's error), the input's name,
// label, type and current value, then options: "required", "autofocus",
// "autocomplete=…", "inputmode=…", "hint=…".
func newInput(v *View, name, label, typ, value string, opts ...string) (Input, error) {
	in := Input{Name: name, Label: label, Type: typ, Value: value}
	if v != nil {
		in.Error = v.Err(name)
	}
	for _, o := range opts {
		key, val, _ := strings.Cut(o, "=")
		switch key {
		case "required":
			in.Required = true
		case "autofocus":
			in.Autofocus = true
		case "autocomplete":
			in.Autocomplete = val
		case "inputmode":
			in.InputMode = val
		case "hint":
			in.Hint = val
		default:
			return Input{}, fmt.Errorf("field %s: unknown option %q", name, o)
		}
	}
	return in, nil
}

// Option is one choice of a Select.
type Option struct {
	Value string
	Label string
}

// Select describes a labelled <select> for the "select" partial; it shares
// Input's label, hint, error and ARIA wiring.
type Select struct {
	Input
	Options []Option
}

// newSelect is the template func "choice":
//
//	{{template "select" (choice $ "class" "Class" .Data.Form.Class (options "residential" "Residential" "commercial" "Commercial") "required")}}
//
// It takes the page's View, the name, label, current value and options,
// then the same options as "field" ("required", "hint=…").
func newSelect(v *View, name, label, value string, options []Option, opts ...string) (Select, error) {
	in, err := newInput(v, name, label, "select", value, opts...)
	if err != nil {
		return Select{}, err
	}
	return Select{Input: in, Options: options}, nil
}

// newOptions is the template func "options": value/label pairs to a slice
// of Option.
func newOptions(pairs ...string) ([]Option, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("options: want value/label pairs, got %d strings", len(pairs))
	}
	out := make([]Option, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Option{Value: pairs[i], Label: pairs[i+1]})
	}
	return out, nil
}
