package api

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// dayCSV is four hours of 2026-07-15 from 00:00 PDT (07:00Z) for the seeded
// hourly meter: delivered 500+400+300+200 = 1,400 Wh, received 0+10+20+30
// = 60 Wh, the third hour estimated on both channels.
const dayCSV = "start,duration_s,delivered_wh,received_wh,quality\n" +
	"2026-07-15T00:00:00-07:00,3600,500,0,actual\n" +
	"2026-07-15T01:00:00-07:00,3600,400,10,actual\n" +
	"2026-07-15T02:00:00-07:00,3600,300,20,estimated\n" +
	"2026-07-15T03:00:00-07:00,3600,200,30,actual\n"

// multipartBody builds a form with the file under "file" and the given
// extra fields, returning the body and its Content-Type.
func multipartBody(t *testing.T, name, content string, fields ...string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(content))
	}
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// intervalsClient adds an API client holding only intervals:write.
func (e *env) intervalsClient(t *testing.T) cred {
	t.Helper()
	var tok string
	err := e.db.InTx(context.Background(), func(tx *store.Tx) error {
		c := auth.Client{Name: "meter-feed", Scopes: []string{auth.ScopeIntervalsWrite}}
		var err error
		tok, err = tx.CreateClient(context.Background(), seedActor, &c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return bearer(tok)
}

// TestIntervalUploadIdempotentAndReadBack uploads a day as a raw CSV body,
// again (nothing changes: 200, the first import named), then reads the
// meter's channels back with their estimated hour.
func TestIntervalUploadIdempotentAndReadBack(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		path := "/api/v1/meters/" + itoa(e.meter1.ID) + "/intervals"
		var first, second store.ImportSummary
		e.do("POST", path, dayCSV, e.admin, "Content-Type", "text/csv", "Content-Disposition", `attachment; filename="july.csv"`).
			want(t, http.StatusCreated).decode(t, &first)
		if first.Added != 8 || first.Replaced != 0 || first.Estimated != 2 || first.FileName != "july.csv" || first.Format != "plain-csv" {
			t.Errorf("first import %+v", first)
		}
		e.do("POST", path, dayCSV, e.admin, "Content-Type", "text/csv").want(t, http.StatusOK).decode(t, &second)
		if second.Changed() != 0 || second.Unchanged != 8 || second.PreviousImportID != first.ID || second.FileName != "request body" {
			t.Errorf("second import %+v, want nothing changed and import %d named", second, first.ID)
		}
		var ms meterSeriesJSON
		e.do("GET", path+"?from=2026-07-15T00:00:00-07:00&to=2026-07-15T06:00:00-07:00", "", e.readClient).
			want(t, http.StatusOK).decode(t, &ms)
		if len(ms.Channels) != 2 {
			t.Fatalf("%d channels", len(ms.Channels))
		}
		del, rec := ms.Channels[0], ms.Channels[1]
		if del.Direction != "delivered" || del.TotalWh != 1400 || del.Missing != 2 || len(del.ValuesWh) != 6 || *del.ValuesWh[2] != 300 {
			t.Errorf("delivered %+v", del)
		}
		if rec.Direction != "received" || rec.TotalWh != 60 {
			t.Errorf("received %+v", rec)
		}
		want := []meterdata.QualityRun{{Index: 2, Count: 1, Quality: meterdata.Estimated}}
		if !slices.Equal(del.NonActual, want) || !slices.Equal(rec.NonActual, want) {
			t.Errorf("non-actual delivered %v received %v, want %v", del.NonActual, rec.NonActual, want)
		}
		// The channel endpoint carries the same runs.
		var s seriesJSON
		e.do("GET", "/api/v1/meters/"+itoa(e.meter1.ID)+"/channels/"+itoa(e.meter1.Channels[0].ID)+
			"/intervals?from=2026-07-15T07:00:00Z&to=2026-07-15T11:00:00Z", "", e.admin).want(t, http.StatusOK).decode(t, &s)
		if !slices.Equal(s.NonActual, want) || s.TotalWh != 1400 {
			t.Errorf("channel series non-actual %v total %d", s.NonActual, s.TotalWh)
		}
		var list struct {
			Data       []store.ImportSummary `json:"data"`
			NextCursor *string               `json:"next_cursor"`
		}
		e.do("GET", "/api/v1/meters/"+itoa(e.meter1.ID)+"/interval-imports?limit=1", "", e.analyst).want(t, http.StatusOK).decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].ID != second.ID || list.NextCursor == nil {
			t.Fatalf("first page %+v", list)
		}
		e.do("GET", "/api/v1/meters/"+itoa(e.meter1.ID)+"/interval-imports?after="+*list.NextCursor, "", e.readClient).
			want(t, http.StatusOK).decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].ID != first.ID || list.NextCursor != nil {
			t.Errorf("second page %+v", list)
		}
	})
}

// TestIntervalUploadMultipart uploads the file as a form with its format
// named in a field.
func TestIntervalUploadMultipart(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	body, ct := multipartBody(t, "day.csv", dayCSV, "format", "plain-csv")
	var sum store.ImportSummary
	e.do("POST", "/api/v1/meters/"+itoa(e.meter1.ID)+"/intervals", body, e.manager, "Content-Type", ct).
		want(t, http.StatusCreated).decode(t, &sum)
	if sum.FileName != "day.csv" || sum.Added != 8 || len(sum.SHA256) != 64 || sum.MeterSerial != "M-0001" {
		t.Errorf("multipart import %+v", sum)
	}
	// A form whose format field is wrong names the field.
	body, ct = multipartBody(t, "day.csv", dayCSV, "format", "xls")
	p := e.do("POST", "/api/v1/meters/"+itoa(e.meter1.ID)+"/intervals", body, e.manager, "Content-Type", ct).
		want(t, http.StatusBadRequest).problem(t)
	wantField(t, p, "format")
}

// TestIntervalUploadAccess checks who may upload: admins, program
// managers and intervals:write clients; not analysts, customers, or
// clients with only registry scopes.
func TestIntervalUploadAccess(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	path := "/api/v1/meters/" + itoa(e.meter1.ID) + "/intervals"
	for name, who := range map[string]cred{"analyst": e.analyst, "portal customer": e.portal, "registry:read client": e.readClient,
		"registry:write client": e.writeClient} {
		t.Run(name, func(t *testing.T) {
			e.t = t
			e.do("POST", path, dayCSV, who, "Content-Type", "text/csv").want(t, http.StatusForbidden)
		})
	}
	e.t = t
	e.do("POST", path, dayCSV, e.intervalsClient(t), "Content-Type", "text/csv").want(t, http.StatusCreated)
	// Portal customers do not see import history either.
	e.do("GET", "/api/v1/meters/"+itoa(e.meter1.ID)+"/interval-imports", "", e.portal).want(t, http.StatusForbidden)
	// But they read their own meter's intervals.
	e.do("GET", path+"?from=2026-07-15T07:00:00Z&to=2026-07-15T08:00:00Z", "", e.portal).want(t, http.StatusOK)
}

// TestIntervalUploadRejects checks that bad uploads are problems naming
// the field, and store nothing.
func TestIntervalUploadRejects(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	path := "/api/v1/meters/" + itoa(e.meter1.ID) + "/intervals"
	quarter := "start,duration_s,delivered_wh,received_wh\n2026-07-15T07:00:00Z,900,5,\n2026-07-15T07:15:00Z,900,6,\n"
	noFile, noFileCT := multipartBody(t, "", "", "format", "plain-csv")
	tests := []struct {
		name, path, body, ct string
		status               int
		field, words         string
	}{
		{"JSON body", path, `{"a":1}`, "application/json", 400, "Content-Type", "multipart/form-data"},
		{"15-minute file for the hourly meter", path, quarter, "text/csv", 400, "interval_seconds", "3600-second intervals but the file's delivered readings"},
		{"not interval data", path, "hello\n", "text/csv", 400, "format", "not Green Button XML"},
		{"unknown format", path + "?format=xls", dayCSV, "text/csv", 400, "format", `not "xls"`},
		{"malformed XML", path, "<feed><entry>", "application/xml", 400, "file", "unexpected end of file"},
		{"form without a file", path, noFile, noFileCT, 400, "file", `form field "file"`},
		{"unknown query parameter", path + "?meter=2", dayCSV, "text/csv", 400, "meter", "not a known query parameter"},
		{"no such meter", "/api/v1/meters/999/intervals", dayCSV, "text/csv", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			p := e.do("POST", tt.path, tt.body, e.admin, "Content-Type", tt.ct).want(t, tt.status).problem(t)
			if tt.field != "" {
				wantField(t, p, tt.field)
			}
			if !strings.Contains(problemText(p), tt.words) {
				t.Errorf("problem %+v does not say %q", p, tt.words)
			}
		})
	}
	e.t = t
	// Over the size limit: 413 before anything is read.
	req := httptest.NewRequest("POST", path, strings.NewReader(dayCSV))
	req.Header.Set("Content-Type", "text/csv")
	req.ContentLength = maxIntervalUpload + 1
	e.admin(req)
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	res := result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	e.validate(req, res)
	res.want(t, http.StatusRequestEntityTooLarge)
	if n, err := e.db.IntervalImports(context.Background(), e.meter1.ID, 0, 10); err != nil || len(n) != 0 {
		t.Errorf("rejected uploads recorded %d imports (%v)", len(n), err)
	}
}

// TestIntervalUploadIdempotencyKey checks that a retried upload with the
// same Idempotency-Key replays the first answer without importing again,
// and that the key with another file is a conflict.
func TestIntervalUploadIdempotencyKey(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	path := "/api/v1/meters/" + itoa(e.meter1.ID) + "/intervals"
	first := e.do("POST", path, dayCSV, e.admin, "Content-Type", "text/csv", "Idempotency-Key", "upload-1").want(t, http.StatusCreated)
	again := e.do("POST", path, dayCSV, e.admin, "Content-Type", "text/csv", "Idempotency-Key", "upload-1").want(t, http.StatusCreated)
	if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry answered %s (replayed %q), want the first answer", again.body, again.header.Get("Idempotent-Replayed"))
	}
	if list, _ := e.db.IntervalImports(context.Background(), e.meter1.ID, 0, 10); len(list) != 1 {
		t.Errorf("%d imports after a replayed retry, want 1", len(list))
	}
	other := strings.Replace(dayCSV, ",500,", ",501,", 1)
	e.do("POST", path, other, e.admin, "Content-Type", "text/csv", "Idempotency-Key", "upload-1").want(t, http.StatusConflict)
}

func wantField(t *testing.T, p problem, field string) {
	t.Helper()
	for _, f := range p.Errors {
		if f.Field == field {
			return
		}
	}
	t.Errorf("problem %+v does not name field %q", p, field)
}

func problemText(p problem) string {
	s := p.Detail
	for _, f := range p.Errors {
		s += "\n" + f.Field + ": " + f.Msg
	}
	return s
}
