package meterdata

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

// sharedDir holds the Green Button samples gathered for the project
// (../shared/data/greenbutton/README.md gives their sources).
const sharedDir = "/work/shared/data/greenbutton"

// sample reads a shared sample file, skipping the test when it is absent.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("sample %s not present in %s", name, sharedDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, b []byte, f Format) *File {
	t.Helper()
	file, err := Parse(bytes.NewReader(b), f)
	if err != nil {
		t.Fatalf("parse: %v (fields %v)", err, apperr.FieldsOf(err))
	}
	return file
}

// wantRejected fails unless err is an Invalid error whose field message
// contains each of words.
func wantRejected(t *testing.T, what string, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: accepted, want an error", what)
	}
	if apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("%s: kind %v (%v), want invalid", what, apperr.KindOf(err), err)
	}
	msg := err.Error()
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: error %q does not mention %q", what, msg, w)
		}
	}
}

func values(c Channel) []energy.Wh {
	out := make([]energy.Wh, len(c.Readings))
	for i, r := range c.Readings {
		out[i] = r.Wh
	}
	return out
}

func starts(c Channel) []int64 {
	out := make([]int64, len(c.Readings))
	for i, r := range c.Readings {
		out[i] = r.StartUnix
	}
	return out
}

// parseESPIReference parses with encoding/xml driving the same builder:
// the reference the hand-written scanner must agree with.
func parseESPIReference(r io.Reader) (*File, error) {
	b := newESPIBuilder()
	d := xml.NewDecoder(r)
	d.Strict = true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			want, err := b.start([]byte(t.Name.Local))
			if err != nil {
				return nil, err
			}
			if want {
				var rel, href string
				for _, a := range t.Attr {
					switch {
					case a.Name.Space == "" && a.Name.Local == "rel":
						rel = a.Value
					case a.Name.Space == "" && a.Name.Local == "href":
						href = a.Value
					}
				}
				b.link(rel, href)
			}
		case xml.CharData:
			if err := b.text(t); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if err := b.end(); err != nil {
				return nil, err
			}
		case xml.Directive:
			return nil, errors.New("directive (DOCTYPE) refused")
		}
	}
	return b.file()
}

// fieldNames returns the field names of an Invalid error, comma-separated
// without repeats.
func fieldNames(err error) string {
	var names []string
	for _, f := range apperr.FieldsOf(err) {
		if !slices.Contains(names, f.Field) {
			names = append(names, f.Field)
		}
	}
	return strings.Join(names, ",")
}
