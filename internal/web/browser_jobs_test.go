package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gridbook/gridbook/internal/job"
)

// TestBrowserJobsPageShowsARunningJobsProgressAndItsEnd runs a real job on
// the durable queue beside the seeded site's SQLite file: the job reports 3
// of 10 and waits; the jobs page, opened by an analyst, shows that progress
// and then, polling on its own, the job's completion at 10 of 10.
func TestBrowserJobsPageShowsARunningJobsProgressAndItsEnd(t *testing.T) {
	site := newTestSite(t)
	ctx := context.Background()
	h, err := job.OpenSQLite(site.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	q, err := job.NewSQLite(ctx, h, job.Options{FetchPollInterval: 50 * time.Millisecond, Logger: discardLog()})
	if err != nil {
		t.Fatal(err)
	}
	reported, release := make(chan struct{}), make(chan struct{})
	err = q.Register("test.steps", job.Decode(func(ctx context.Context, a struct {
		Steps int `json:"steps"`
	}, p *job.Progress) error {
		p.Report(3, int64(a.Steps), "steps done")
		close(reported)
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		p.Report(int64(a.Steps), int64(a.Steps), "all steps done")
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx, 1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(sctx)
	})
	id, err := q.Enqueue(ctx, "test.steps", map[string]int{"steps": 10})
	if err != nil {
		t.Fatal(err)
	}
	<-reported
	if site.h, err = NewHandler(Config{Log: discardLog(), DB: site.db, Jobs: q}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.h)
	defer srv.Close()

	bctx := newBrowser(t)
	ce := watchConsole(t, bctx)
	browse(t, bctx, chromedp.EmulateViewport(1280, 900))
	signIn(t, bctx, srv.URL, "/jobs", analystEmail, "#jobs")
	row := fmt.Sprintf("#job-%d", id)
	// The progress is written within a second of the report (job.Progress).
	browse(t, bctx, waitFor(fmt.Sprintf(`(r => r && r.textContent.includes("3 of 10"))(document.querySelector(%q))`, row)))
	if got := text(t, bctx, row); !strings.Contains(got, "test.steps") || !strings.Contains(got, "running") ||
		!strings.Contains(got, "3 of 10 (30%) · steps done") {
		t.Errorf("running job row = %q", got)
	}
	if v := eval[string](t, bctx, fmt.Sprintf(`document.querySelector("%s progress").value + "/" + document.querySelector("%s progress").max`, row, row)); v != "3/10" {
		t.Errorf("progress bar = %s, want 3/10", v)
	}
	screenshot(t, bctx, "console_jobs_running")

	// Released, the job completes; the page notices by itself.
	close(release)
	browse(t, bctx, waitFor(fmt.Sprintf(`(r => r && r.textContent.includes("completed"))(document.querySelector(%q))`, row)))
	if got := text(t, bctx, row); !strings.Contains(got, "10 of 10 (100%) · all steps done") || !strings.Contains(got, "1 of 5") {
		t.Errorf("completed job row = %q", got)
	}
	if eval[bool](t, bctx, `document.querySelector("#jobs").hasAttribute("hx-trigger")`) {
		t.Error("the jobs table still polls with every job finished")
	}

	// The job's own page shows its arguments.
	browse(t, bctx,
		chromedp.Click(chromedp.CSS(row+" a")),
		chromedp.WaitVisible(chromedp.CSS("#job")),
	)
	var args map[string]string
	raw := eval[string](t, bctx, `JSON.stringify(Object.fromEntries(Array.from(document.querySelectorAll("#job dt.mono")).map(d => [d.textContent, d.nextElementSibling.textContent])))`)
	if err := json.Unmarshal([]byte(raw), &args); err != nil || args["steps"] != "10" {
		t.Errorf("job page arguments = %s (%v), want steps 10", raw, err)
	}
	for _, m := range ce.take() {
		t.Errorf("browser console: %s", m)
	}
}
