package web

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
)

// ErrorPage is the Data of the "error" page.
type ErrorPage struct {
	Status  int                 // HTTP status code
	Message string              // user-safe message (apperr.MessageOf)
	Fields  []apperr.FieldError // for Invalid: which inputs are wrong
}

// StatusOf maps an error's kind to its HTTP status code; this is the one
// place the web interface does so (DESIGN.md, Errors). Status codes are
// those of RFC 9110 §15.
func StatusOf(err error) int {
	switch apperr.KindOf(err) {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// Error renders err as an error page in the area the request belongs to
// (the portal for /my/..., else the console), with the status StatusOf
// gives. Internal errors are logged with their detail; users only ever see
// apperr.MessageOf(err), which is "internal error" for them.
func (rd *Renderer) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusOf(err)
	if status == http.StatusInternalServerError {
		rd.log.ErrorContext(r.Context(), "web: request failed",
			"method", r.Method, "path", r.URL.Path, "err", err)
	}
	v := &View{
		Title: http.StatusText(status),
		Area:  areaOf(r),
		Data:  ErrorPage{Status: status, Message: apperr.MessageOf(err), Fields: apperr.FieldsOf(err)},
	}
	rd.Render(w, r, status, "error", v)
}
