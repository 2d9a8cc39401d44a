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
