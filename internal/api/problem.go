package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
)

// problem is an RFC 9457 problem details object. Type is "about:blank", so
// Title is the status phrase (RFC 9457 §4.2.1); Detail is the user-safe
// message and Errors lists the invalid fields of an Invalid error.
type problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Instance string              `json:"instance"`
	Errors   []apperr.FieldError `json:"errors,omitempty"`
}

// problemContentType is the media type of a problem document (RFC 9457 §3).
const problemContentType = "application/problem+json"

// statusOf maps an error to its HTTP status. This is the one place kinds
// become status codes.
func statusOf(err error) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge
	}
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

// writeError answers with a problem document for err. Internal errors are
// logged here, once, with their cause; callers see only "internal error".
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	p := problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   apperr.MessageOf(err),
		Instance: r.URL.Path,
	}
	switch status {
	case http.StatusInternalServerError:
		h.log.LogAttrs(r.Context(), slog.LevelError, "api: internal error",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("err", err.Error()))
	case http.StatusRequestEntityTooLarge:
		p.Detail = "the request body is larger than 1 MiB"
	case http.StatusBadRequest:
		p.Errors = apperr.FieldsOf(err)
	case http.StatusUnauthorized:
		// RFC 9110 §11.6.1: a 401 carries a challenge.
		w.Header().Set("WWW-Authenticate", `Bearer realm="gridbook"`)
	}
	body, merr := json.Marshal(p)
	if merr != nil { // cannot happen: p holds only strings and ints
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", problemContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n')) // a failed write means the client left
}

// notFoundRoute is the error for a path the API does not serve.
func notFoundRoute(r *http.Request) error {
	return apperr.NotFoundf("api", "no API endpoint %s %s", r.Method, r.URL.Path)
}
