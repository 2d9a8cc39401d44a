package openadr

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// benchEnvInt reads a positive whole number from the environment, or def.
func benchEnvInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		b.Fatalf("%s=%q: want a positive whole number", name, s)
	}
	return v
}

// BenchmarkPollingVENs is issue 6's VTN load: GRIDBOOK_BENCH_VENS VENs
// (default 500), each with its own client and token, poll
// GET /openadr3/events?programID=power_response (20 events) once a second
// over loopback HTTP for GRIDBOOK_BENCH_VTN_SECONDS (default 10), their
// first polls spread over the first second. Each iteration is one such
// window; the latencies of all polls (request written to body read) give
// the reported p50-ms, p99-ms and max-ms, and polls/s what was served.
// A VEN that falls behind polls again at once rather than skipping. Run
// with -benchtime 1x: an iteration takes the window's length by design.
func BenchmarkPollingVENs(b *testing.B) {
	vens := benchEnvInt(b, "GRIDBOOK_BENCH_VENS", 500)
	window := time.Duration(benchEnvInt(b, "GRIDBOOK_BENCH_VTN_SECONDS", 10)) * time.Second
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "load.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cat, err := dr.Shipped()
	if err != nil {
		b.Fatal(err)
	}
	p, err := cat.Program("power_response")
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, vens)
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for i := range 20 {
			d := calendar.Date{Year: 2026, Month: 7, Day: 1}.AddDays(i * 4)
			for wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || isHoliday(d); wd = d.Weekday() {
				d = d.Next()
			}
			start := time.Date(d.Year, d.Month, d.Day, 17, 0, 0, 0, calendar.Pacific).UTC()
			if _, err := tx.ScheduleEvent(ctx, auth.System, p, dr.Proposal{Event: dr.Event{Start: start, End: start.Add(2 * time.Hour)}}); err != nil {
				return err
			}
		}
		for i := range tokens {
			c := store.OADRClient{ClientID: fmt.Sprintf("ven-load-%d", i), Role: "ven", Name: fmt.Sprintf("load %d", i), Scopes: ScopesFor("ven")}
			secret, err := tx.CreateOADRClient(ctx, auth.System, &c)
			if err != nil {
				return err
			}
			if tokens[i], _, err = tx.IssueOADRToken(ctx, c.ClientID, secret, 24*time.Hour); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(New(db, Options{}).Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: vens, MaxIdleConnsPerHost: vens}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	url := srv.URL + Prefix + "/events?programID=power_response"
	var all []time.Duration
	polls := 0
	var elapsed time.Duration
	for b.Loop() {
		lat := make([][]time.Duration, vens)
		errs := make([]error, vens)
		began := time.Now()
		end := began.Add(window)
		var wg sync.WaitGroup
		for i := range vens {
			wg.Go(func() {
				next := began.Add(time.Duration(i) * time.Second / time.Duration(vens))
				for next.Before(end) {
					time.Sleep(time.Until(next))
					t0 := time.Now()
					req, err := http.NewRequest("GET", url, nil)
					if err != nil {
						errs[i] = err
						return
					}
					req.Header.Set("Authorization", "Bearer "+tokens[i])
					res, err := client.Do(req)
					if err != nil {
						errs[i] = err
						return
					}
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err != nil || res.StatusCode != http.StatusOK {
						errs[i] = fmt.Errorf("VEN %d: status %d, %v", i, res.StatusCode, err)
						return
					}
					lat[i] = append(lat[i], time.Since(t0))
					next = next.Add(time.Second)
				}
			})
		}
		wg.Wait()
		elapsed += time.Since(began)
		for i, err := range errs {
			if err != nil {
				b.Fatalf("VEN %d: %v", i, err)
			}
			all = append(all, lat[i]...)
			polls += len(lat[i])
		}
	}
	slices.Sort(all)
	at := func(q float64) float64 { // nearest rank
		k := int(q*float64(len(all))+0.999999) - 1
		return float64(all[max(0, min(k, len(all)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1), "max-ms")
	b.ReportMetric(float64(polls)/elapsed.Seconds(), "polls/s")
	b.ReportMetric(0, "ns/op") // an iteration lasts the window by design
}
