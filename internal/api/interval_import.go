package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// maxIntervalUpload is the largest interval file POST /meters/{id}/intervals
// accepts: a year of 15-minute two-channel Green Button XML is about 15 MB.
const maxIntervalUpload = 256 << 20

// multipartMemory is how much of a multipart upload is held in memory;
// the rest goes to a temporary file until the request ends.
const multipartMemory = 32 << 20

// intervalMediaTypes are the raw-body Content-Types an interval upload
// accepts.
var intervalMediaTypes = []string{"text/csv", "application/xml", "text/xml", "application/atom+xml"}

// importIntervals stores an uploaded interval file for the meter in the
// path (multipart/form-data with a "file" field and optional "format", or
// the file itself as the body); ?format= names the layout (default
// detected). It answers the import summary: 201 when intervals were added
// or replaced, 200 when the file changed nothing.
func (h *handler) importIntervals(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "format")
	format, ferr := meterdata.ParseFormat(ps.str("format"))
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	if ferr != nil {
		h.writeError(w, r, ferr)
		return
	}
	m, err := h.visibleMeter(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	up, err := readUpload(w, r, format)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// The digest and the options stand for the request under an
	// Idempotency-Key (a multipart boundary differs between retries).
	keyed := fmt.Appendf(nil, "meter %d\nformat %s\nname %s\nsha256 %s\n", m.ID, up.format, up.name, up.digest.SHA256)
	h.commit(w, r, p, keyed, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		sum, err := tx.ImportIntervals(ctx, p.actor, store.IntervalImport{MeterID: m.ID, FileName: up.name, Digest: up.digest, File: up.file})
		if err != nil {
			return 0, nil, err
		}
		status := http.StatusOK
		if sum.Changed() > 0 {
			status = http.StatusCreated
		}
		return status, sum, nil
	})
}

// upload is a parsed interval file from a request.
type upload struct {
	name   string
	format meterdata.Format
	file   *meterdata.File
	digest meterdata.Digest
}

// readUpload reads and parses the interval file of a request.
func readUpload(w http.ResponseWriter, r *http.Request, format meterdata.Format) (upload, error) {
	const op = "api.importIntervals"
	var f apperr.Fields
	if r.ContentLength > maxIntervalUpload {
		return upload{}, &http.MaxBytesError{Limit: maxIntervalUpload}
	}
	body := &sizeLimited{r: http.MaxBytesReader(w, r.Body, maxIntervalUpload)}
	r.Body = body
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	up := upload{name: "request body", format: format}
	var src io.Reader
	switch {
	case err == nil && mt == "multipart/form-data":
		if err := r.ParseMultipartForm(multipartMemory); err != nil {
			if body.err != nil {
				return up, body.err
			}
			f.Add("body", "is not valid multipart/form-data: %v", err)
			return up, f.Err(op)
		}
		defer r.MultipartForm.RemoveAll()
		if v := r.MultipartForm.Value["format"]; len(v) > 0 && format == meterdata.FormatAuto {
			if up.format, err = meterdata.ParseFormat(v[0]); err != nil {
				return up, err
			}
		}
		files := r.MultipartForm.File["file"]
		if len(files) != 1 {
			f.Add("file", "send exactly one interval file in the form field \"file\"")
			return up, f.Err(op)
		}
		fh, err := files[0].Open()
		if err != nil {
			return up, fmt.Errorf("api: open upload: %w", err)
		}
		defer fh.Close()
		up.name, src = files[0].Filename, fh
	case err == nil && isIntervalMediaType(mt):
		if name := contentDispositionName(r); name != "" {
			up.name = name
		}
		src = body
	default:
		f.Add("Content-Type", "must be multipart/form-data (field \"file\"), text/csv, application/xml or application/atom+xml, got %q", ct)
		return up, f.Err(op)
	}
	up.file, up.digest, err = meterdata.Read(src, meterdata.Options{Format: up.format})
	if body.err != nil {
		return up, body.err
	}
	return up, err
}

func isIntervalMediaType(mt string) bool {
	for _, t := range intervalMediaTypes {
		if mt == t {
			return true
		}
	}
	return false
}

// contentDispositionName reads the file name of a raw body's
// Content-Disposition header (RFC 6266), or "".
func contentDispositionName(r *http.Request) string {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return params["filename"]
}

// sizeLimited remembers whether the body went over its limit, so that a
// parser's read error is answered as 413, not as bad content.
type sizeLimited struct {
	r   io.ReadCloser
	err error
}

func (s *sizeLimited) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.err = err
	}
	return n, err
}

func (s *sizeLimited) Close() error { return s.r.Close() }

// meterSeriesJSON is a meter's channels over one span, each with values
// and the runs of readings that are not actual.
type meterSeriesJSON struct {
	MeterID  int64        `json:"meter_id"`
	Start    string       `json:"start"`
	End      string       `json:"end"`
	Channels []seriesJSON `json:"channels"`
}

// getMeterIntervals reads every channel of a meter over [from, to).
func (h *handler) getMeterIntervals(w http.ResponseWriter, r *http.Request, p *principal) {
	from, to, err := intervalSpan(r)
	m, merr := h.visibleMeter(r, p)
	if merr != nil {
		h.writeError(w, r, merr)
		return
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ms, err := h.db.MeterIntervals(r.Context(), m.ID, from, to)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := meterSeriesJSON{MeterID: m.ID, Start: instant(from), End: instant(to), Channels: []seriesJSON{}}
	for _, cs := range []store.ChannelSeries{ms.Delivered, ms.Received} {
		if cs.ChannelID != 0 {
			out.Channels = append(out.Channels, seriesOut(m, channelOf(m, cs.ChannelID), cs.Series))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func channelOf(m customer.Meter, id int64) customer.Channel {
	for _, c := range m.Channels {
		if c.ID == id {
			return c
		}
	}
	return customer.Channel{ID: id}
}

// listIntervalImports pages through a meter's interval imports, newest
// first; the cursor is the last import's id.
func (h *handler) listIntervalImports(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "after", "limit")
	before, limit := ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	m, err := h.visibleMeter(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rows, err := h.db.IntervalImports(r.Context(), m.ID, before, limit+1)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, func(s store.ImportSummary) int64 { return s.ID },
		func(s store.ImportSummary) store.ImportSummary { return s }))
}

// intervalSpan reads and checks the from and to query parameters.
func intervalSpan(r *http.Request) (from, to time.Time, err error) {
	ps := newParams(r, "from", "to")
	from, to = ps.instant("from"), ps.instant("to")
	if ps.err() == nil {
		if !to.After(from) {
			ps.f.Add("to", "must be after from")
		} else if to.Sub(from) > maxIntervalSpan {
			ps.f.Add("to", "must be at most 400 days after from")
		}
	}
	return from, to, ps.err()
}
