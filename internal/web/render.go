package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
)

//go:embed templates
var templateFS embed.FS

// Renderer owns the parsed templates and renders pages, htmx partials and
// error pages. It is safe for concurrent use.
//
// Templates live in templates/:
//
//	layout_console.html   defines "layout_console", the staff console frame
//	layout_portal.html    defines "layout_portal", the customer portal frame
//	partials/*.html       shared snippets: "head", "flash", "input", "chart", "badge", "cards"
//	console/NAME.html     a console page, rendered as "console/NAME"
//	portal/NAME.html      a portal page, rendered as "portal/NAME"
//	NAME.html             a page shared by both areas ("login", "error"); View.Area picks the layout
//
// A page file defines "content" (the inside of <main>) and may define more
// named blocks for htmx to fetch alone (RenderBlock). Each page is parsed
// once at startup into its own template set (layouts + partials + the page),
// so pages cannot clash over block names.
type Renderer struct {
	pages  map[string]*template.Template // by page name
	static *Static
	log    *slog.Logger
}

// NewRenderer parses every embedded template. It fails on any template
// error, including a reference to a static file that does not exist.
func NewRenderer(log *slog.Logger, static *Static) (*Renderer, error) {
	sub, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	return newRenderer(log, static, sub)
}

// newRenderer parses layouts and partials from base, and pages from base
// and then from each of extra (tests add demonstration pages this way).
func newRenderer(log *slog.Logger, static *Static, base fs.FS, extra ...fs.FS) (*Renderer, error) {
	// Instants are shown in Pacific time, where every program rule is
	// evaluated (DESIGN.md principle 4).
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	rd := &Renderer{pages: map[string]*template.Template{}, static: static, log: log}
	root := template.New("").Funcs(rd.funcs(dateFormatter{loc}))
	for _, pattern := range []string{"layout_*.html", "partials/*.html"} {
		if root, err = root.ParseFS(base, pattern); err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", pattern, err)
		}
	}
	for _, fsys := range append([]fs.FS{base}, extra...) {
		for _, pattern := range []string{"*.html", "console/*.html", "portal/*.html"} {
			files, err := fs.Glob(fsys, pattern)
			if err != nil {
				return nil, err
			}
			for _, file := range files {
				if strings.HasPrefix(file, "layout_") {
					continue
				}
				t, err := template.Must(root.Clone()).ParseFS(fsys, file)
				if err != nil {
					return nil, fmt.Errorf("web: parsing %s: %w", file, err)
				}
				if t.Lookup("content") == nil {
					return nil, fmt.Errorf("web: %s does not define \"content\"", file)
				}
				rd.pages[strings.TrimSuffix(file, ".html")] = t
			}
		}
	}
	return rd, nil
}

// funcs returns the template functions, listed in the package
// documentation (doc.go).
func (rd *Renderer) funcs(df dateFormatter) template.FuncMap {
	return template.FuncMap{
		"asset":      rd.static.URL,
		"cents":      money.Cents.String,
		"num":        formatInt,
		"kwh":        formatKWh,
		"bps":        formatBasisPoints,
		"date":       df.long,
		"isodate":    df.iso,
		"datetime":   df.dateTime,
		"field":      newInput,
		"chartJSON":  chartJSON,
		"badgeTone":  badgeTone,
		"program":    customer.ProgramLabel,
		"choice":     newSelect,
		"options":    newOptions,
		"minutes":    intervalLabel,
		"shareTable": newShareTable,
		"lineqty":    lineQuantity,
		"linerate":   lineRate,
	}
}

// Render writes page with the given status. For an htmx request (header
// HX-Request, unless it is a boosted link or a history restore, which want
// whole pages) only the page's "content" block is written; otherwise the
// whole document in the area's layout.
//
// Pages under console/ always use the console layout and pages under
// portal/ the portal layout; for shared pages v.Area decides. v.User is
// filled from the request context and v.Flash from the flash cookie when
// they are nil.
func (rd *Renderer) Render(w http.ResponseWriter, r *http.Request, status int, page string, v *View) {
	block := ""
	if isPartial(r) {
		block = "content"
	}
	rd.render(w, r, status, page, block, v)
}

// RenderBlock writes only the named block of page, for htmx requests that
// fetch a piece smaller than the content (a table's rows, a job's progress
// bar). The block must be defined in the page file.
func (rd *Renderer) RenderBlock(w http.ResponseWriter, r *http.Request, status int, page, block string, v *View) {
	rd.render(w, r, status, page, block, v)
}

func (rd *Renderer) render(w http.ResponseWriter, r *http.Request, status int, page, block string, v *View) {
	t, ok := rd.pages[page]
	if !ok {
		rd.log.ErrorContext(r.Context(), "web: no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v == nil {
		v = &View{}
	}
	switch {
	case strings.HasPrefix(page, "console/"):
		v.Area = Console
	case strings.HasPrefix(page, "portal/"):
		v.Area = Portal
	}
	if v.User == nil {
		v.User = UserFromContext(r.Context())
	}
	name := block
	if name == "" {
		name = "layout_console"
		if v.Area == Portal {
			name = "layout_portal"
		}
		if v.Flash == nil {
			v.Flash = takeFlash(w, r)
		}
	}
	v.partial = block != ""

	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		// A template bug: log it and send a plain error rather than half a page.
		rd.log.ErrorContext(r.Context(), "web: rendering", "page", page, "block", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal and account data: keep them out of shared caches
	// and the back-forward cache after sign-out.
	h.Set("Cache-Control", "no-store")
	// The same URL answers with a fragment or a whole page.
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		rd.log.DebugContext(r.Context(), "web: writing response", "err", err)
	}
}

// isPartial reports whether r is an htmx request that wants a fragment.
func isPartial(r *http.Request) bool {
	h := r.Header
	return h.Get("HX-Request") == "true" &&
		h.Get("HX-Boosted") != "true" &&
		h.Get("HX-History-Restore-Request") != "true"
}

// Redirect sends the browser to url after a successful POST: 303 See Other
// for a plain request, or an HX-Redirect header for an htmx request (which
// would otherwise follow the redirect inside the fetch and swap the page
// into the target).
func Redirect(w http.ResponseWriter, r *http.Request, url string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", url)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// areaOf guesses the area of a request from its path, for error pages.
func areaOf(r *http.Request) Area {
	p := path.Clean("/" + r.URL.Path)
	if p == "/my" || strings.HasPrefix(p, "/my/") {
		return Portal
	}
	return Console
}
