package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// maxBody is the largest request body accepted (1 MiB).
const maxBody = 1 << 20

// readBody reads a JSON request body of at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			var f apperr.Fields
			f.Add("Content-Type", "must be application/json, got %q", ct)
			return nil, f.Err("api.readBody")
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, err
		}
		return nil, apperr.E(apperr.Invalid, "api.readBody", "could not read the request body", err)
	}
	return b, nil
}

// decodeBody reads and strictly decodes the request body into dst,
// answering with a problem and reporting false when it cannot.
func (h *handler) decodeBody(w http.ResponseWriter, r *http.Request, dst any) ([]byte, bool) {
	b, err := readBody(w, r)
	if err == nil {
		err = decodeJSON(b, dst)
	}
	if err != nil {
		h.writeError(w, r, err)
		return nil, false
	}
	return b, true
}

// decodeJSON decodes one JSON object into dst strictly: unknown fields,
// malformed JSON, trailing data and values of the wrong type are Invalid
// errors that name the field.
func decodeJSON(b []byte, dst any) error {
	const op = "api.decodeJSON"
	var f apperr.Fields
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			f.Add("body", "must hold exactly one JSON object")
		}
		return f.Err(op)
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		f.Add("body", "is empty; send a JSON object")
	case errors.As(err, &syn):
		f.Add("body", "is not valid JSON (at byte %d): %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		f.Add("body", "is not valid JSON: it ends too early")
	case errors.As(err, &typ):
		if typ.Field == "" {
			f.Add("body", "must be a JSON object, not %s", typ.Value)
		} else {
			f.Add(typ.Field, "must be %s, not %s", jsonKind(typ.Type), typ.Value)
		}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json reports unknown fields only by message.
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		f.Add(name, "is not a known field")
	default:
		return apperr.E(apperr.Invalid, op, "the request body could not be decoded", err)
	}
	return f.Err(op)
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// params reads query parameters, collecting field errors named after the
// parameter. Every handler lists the parameters it knows; others are
// refused so a misspelt filter is not silently ignored.
type params struct {
	v url.Values
	f apperr.Fields
}

func newParams(r *http.Request, known ...string) *params {
	p := &params{v: r.URL.Query()}
	for name := range p.v {
		if !slices.Contains(known, name) {
			p.f.Add(name, "is not a known query parameter")
		}
	}
	slices.SortFunc(p.f, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return p
}

func (p *params) str(name string) string { return strings.TrimSpace(p.v.Get(name)) }

func (p *params) int64(name string) int64 {
	s := p.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		p.f.Add(name, "must be a non-negative integer")
	}
	return n
}

func (p *params) optBool(name string) *bool {
	s := p.str(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		p.f.Add(name, "must be true or false")
		return nil
	}
	return &b
}

func (p *params) optInt(name string) *int {
	s := p.str(name)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		p.f.Add(name, "must be an integer")
		return nil
	}
	return &n
}

func (p *params) date(name string) calendar.Date {
	return parseDate(&p.f, name, p.str(name))
}

func (p *params) instant(name string) time.Time {
	s := p.str(name)
	if s == "" {
		p.f.Add(name, "is required (RFC 3339, e.g. 2026-03-08T00:00:00-08:00)")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.f.Add(name, "must be an RFC 3339 timestamp such as 2026-03-08T00:00:00-08:00")
	}
	return t.UTC()
}

// Page size limits. At most maxLimit rows per page keeps one request cheap.
const (
	defaultLimit = 50
	maxLimit     = 200
)

// page reads the cursor and page size.
func (p *params) page() (after int64, limit int) {
	after = p.int64("after")
	limit = defaultLimit
	if s := p.str("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			p.f.Add("limit", "must be an integer from 1 to %d", maxLimit)
		} else {
			limit = n
		}
	}
	return after, limit
}

func (p *params) err() error { return p.f.Err("api.params") }

// parseDate parses an optional YYYY-MM-DD date, recording a field error
// when it is malformed; "" gives the zero Date.
func parseDate(f *apperr.Fields, name, s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		f.Add(name, "must be an existing date written YYYY-MM-DD, got %q", s)
	}
	return d
}

// pathID reads a positive integer path parameter; anything else is a
// resource that does not exist.
func pathID(r *http.Request, name, what string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("api", "%s %s not found", what, s)
	}
	return id, nil
}

// renameFields maps field names in an Invalid error from the domain's
// names to the JSON names of this API (e.g. household_income →
// household_income_cents). Other errors pass through.
func renameFields(err error, names map[string]string) error {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return err
	}
	out := make(apperr.Fields, len(fs))
	for i, fe := range fs {
		if n, ok := names[fe.Field]; ok {
			fe.Field = n
		}
		out[i] = fe
	}
	return &apperr.Error{Kind: apperr.Invalid, Op: "api", Msg: apperr.MessageOf(err), Fields: out, Err: err}
}
