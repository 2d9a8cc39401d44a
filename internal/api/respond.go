package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
)

// list is one page of a collection. NextCursor is the value to pass as
// ?after= for the next page, and null on the last page.
type list[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// pageOf builds a page from rows fetched with limit+1: the extra row, when
// present, only says that another page exists.
func pageOf[R, T any](rows []R, limit int, id func(R) int64, out func(R) T) list[T] {
	l := list[T]{Data: make([]T, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			c := strconv.FormatInt(id(rows[limit-1]), 10)
			l.NextCursor = &c
			break
		}
		l.Data = append(l.Data, out(r))
	}
	return l
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil { // our response types always marshal
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, b)
}

func marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(b, '\n'), err
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body) // a failed write means the client left
}

// instant formats a timestamp as RFC 3339 in UTC.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// optDate formats a date that may be absent: null for the zero Date.
func optDate(d calendar.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}
