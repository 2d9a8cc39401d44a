package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// StaticPrefix is the URL path under which static assets are served.
const StaticPrefix = "/static/"

// immutableCache is sent for a request whose ?v= matches the file's current
// content hash: such a URL never changes meaning. One year is the longest
// freshness HTTP/1.1 servers were told to send (RFC 2616 §14.21), and
// "immutable" (RFC 8246) lets browsers skip revalidation entirely.
const immutableCache = "public, max-age=31536000, immutable"

// Static serves the embedded files under static/ and names them with
// content-hashed URLs, so a deploy that changes a file changes its URL.
type Static struct {
	files map[string]staticFile // keyed by path below static/, e.g. "app.css"
}

type staticFile struct {
	data []byte
	hash string // first 12 hex digits of the SHA-256 of data
}

// NewStatic reads and hashes every embedded static file once.
func NewStatic() (*Static, error) {
	return newStatic(staticFS, "static")
}

func newStatic(fsys fs.FS, root string) (*Static, error) {
	s := &Static{files: map[string]staticFile{}}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		s.files[strings.TrimPrefix(p, root+"/")] = staticFile{data: data, hash: hex.EncodeToString(sum[:])[:12]}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: reading static files: %w", err)
	}
	return s, nil
}

// URL returns the versioned URL of the static file name (a path below
// static/, such as "app.css" or "vendor/htmx.min.js"). It panics on an
// unknown name, which happens only while parsing templates at startup, so a
// typo fails fast instead of producing a broken page.
func (s *Static) URL(name string) string {
	f, ok := s.files[name]
	if !ok {
		panic(fmt.Sprintf("web: unknown static file %q", name))
	}
	return StaticPrefix + name + "?v=" + f.hash
}

// ServeHTTP serves one static file. Requests carrying the current content
// hash get a one-year immutable cache; any other request (no or a stale ?v=)
// gets "no-cache" so that it is revalidated with the ETag.
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), StaticPrefix)
	f, ok := s.files[name]
	if !ok || r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", immutableCache)
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+f.hash+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	// ServeContent sets Content-Type from the extension and answers
	// If-None-Match and Range requests; embedded files have no modification
	// time, so the zero time disables Last-Modified.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.data))
}
