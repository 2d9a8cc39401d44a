package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestStaticURLsCarryContentHashAndGetImmutableCache(t *testing.T) {
	s, err := NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app.css", "chart.js", "favicon.svg", "vendor/htmx.min.js", "vendor/uPlot.iife.min.js", "vendor/uPlot.min.css"} {
		url := s.URL(name)
		if !regexp.MustCompile(`^/static/` + regexp.QuoteMeta(name) + `\?v=[0-9a-f]{12}$`).MatchString(url) {
			t.Errorf("URL(%q) = %q", name, url)
			continue
		}
		w := get(t, s, url, nil)
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d Cache-Control=%q", url, w.Code, w.Header().Get("Cache-Control"))
		}
		// A stale or missing version must be revalidated, not cached for a year.
		w = get(t, s, "/static/"+name+"?v=000000000000", nil)
		if w.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s with stale v: Cache-Control=%q", name, w.Header().Get("Cache-Control"))
		}
		// The ETag answers conditional requests.
		w = get(t, s, url, map[string]string{"If-None-Match": w.Header().Get("ETag")})
		if w.Code != http.StatusNotModified {
			t.Errorf("%s: If-None-Match gave %d, want 304", name, w.Code)
		}
	}
}

func TestStaticContentTypes(t *testing.T) {
	s, err := NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"app.css":            "text/css",
		"chart.js":           "text/javascript",
		"vendor/htmx.min.js": "text/javascript",
		"favicon.svg":        "image/svg+xml",
	} {
		got := get(t, s, "/static/"+name, nil).Header().Get("Content-Type")
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: Content-Type %q, want %s", name, got, want)
		}
	}
}

func TestUnknownStaticNamePanicsAtTemplateParse(t *testing.T) {
	s, err := NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("URL of a missing file did not panic")
		}
	}()
	s.URL("nope.css")
}

func TestVendoredLibrariesAreTheDocumentedVersions(t *testing.T) {
	s, err := NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"vendor/htmx.min.js":       `version:"2.0.11"`,
		"vendor/uPlot.iife.min.js": "(v1.6.32)",
		"vendor/htmx.LICENSE":      "Zero-Clause BSD",
		"vendor/uPlot.LICENSE":     "MIT License",
	} {
		if !strings.Contains(string(s.files[name].data), want) {
			t.Errorf("%s lacks %s", name, want)
		}
	}
}
