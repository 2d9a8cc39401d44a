package api

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gridbook/gridbook/internal/store"
)

// Metrics counts HTTP requests by route pattern and status class, times
// them, and reports the registry's size, in the Prometheus text
// exposition format (version 0.0.4). Wrap puts it around a handler and
// ServeHTTP answers the scrape. It keeps its counters in itself, not in a
// process-wide registry.
type Metrics struct {
	db     *store.DB
	mu     sync.Mutex
	routes map[string]*routeStats
}

// durationBuckets are the histogram's upper bounds in seconds: the
// Prometheus client libraries' default buckets (client_golang
// prometheus.DefBuckets).
var durationBuckets = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// routeStats are the figures of one route pattern.
type routeStats struct {
	byClass [6]uint64                        // index status/100; 0 unused
	buckets [len(durationBuckets) + 1]uint64 // per bucket, not cumulative; the last is +Inf
	count   uint64
	sum     float64 // seconds
}

// NewMetrics returns a Metrics that reads registry sizes from db.
func NewMetrics(db *store.DB) *Metrics {
	return &Metrics{db: db, routes: map[string]*routeStats{}}
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Wrap counts and times every request next serves. The route label is the
// ServeMux pattern that matched (read from the request after next
// returns, so next must pass the same *http.Request to its mux: do not put
// http.StripPrefix or anything that clones the request in between).
func (m *Metrics) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		m.observe(r.Pattern, rec.status, time.Since(start))
	})
}

func (m *Metrics) observe(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	if status == 0 {
		status = http.StatusOK
	}
	secs := d.Seconds()
	i, _ := slices.BinarySearch(durationBuckets[:], secs)
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.routes[route]
	if s == nil {
		s = &routeStats{}
		m.routes[route] = s
	}
	if c := status / 100; c >= 1 && c <= 5 {
		s.byClass[c]++
	}
	s.buckets[i]++
	s.count++
	s.sum += secs
}

// ServeHTTP answers a Prometheus scrape.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	size, sizeErr := m.db.RegistrySize(ctx)

	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	b := bufio.NewWriter(w)
	m.write(b)
	gauge := func(name, help string, v int64) {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	if sizeErr == nil {
		gauge("gridbook_customers", "Customers in the registry.", size.Customers)
		gauge("gridbook_premises", "Premises in the registry.", size.Premises)
		gauge("gridbook_accounts", "Service accounts in the registry.", size.Accounts)
		gauge("gridbook_meters", "Meters in the registry.", size.Meters)
	}
	up := int64(1)
	if sizeErr != nil {
		up = 0
	}
	gauge("gridbook_database_up", "1 when the registry counts could be read from the database, else 0.", up)
	_ = b.Flush() // a failed write means the scraper left
}

// write renders the request counters and the duration histogram.
func (m *Metrics) write(b *bufio.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.routes))
	for k := range m.routes {
		names = append(names, k)
	}
	slices.Sort(names)
	b.WriteString("# HELP gridbook_http_requests_total HTTP requests served, by route pattern and status class.\n")
	b.WriteString("# TYPE gridbook_http_requests_total counter\n")
	for _, name := range names {
		for c, n := range m.routes[name].byClass {
			if n > 0 {
				fmt.Fprintf(b, "gridbook_http_requests_total{route=%s,code=\"%dxx\"} %d\n", labelValue(name), c, n)
			}
		}
	}
	b.WriteString("# HELP gridbook_http_request_duration_seconds Time taken to serve HTTP requests, by route pattern.\n")
	b.WriteString("# TYPE gridbook_http_request_duration_seconds histogram\n")
	for _, name := range names {
		s, l := m.routes[name], labelValue(name)
		var cum uint64
		for i, n := range s.buckets {
			cum += n
			le := "+Inf"
			if i < len(durationBuckets) {
				le = strconv.FormatFloat(durationBuckets[i], 'g', -1, 64)
			}
			fmt.Fprintf(b, "gridbook_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", l, le, cum)
		}
		fmt.Fprintf(b, "gridbook_http_request_duration_seconds_sum{route=%s} %s\n", l, strconv.FormatFloat(s.sum, 'g', -1, 64))
		fmt.Fprintf(b, "gridbook_http_request_duration_seconds_count{route=%s} %d\n", l, s.count)
	}
}

// labelValue quotes a label value, escaping backslash, double quote and
// newline as the text exposition format requires.
func labelValue(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
