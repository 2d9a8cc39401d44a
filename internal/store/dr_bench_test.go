package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// drBenchDays are the weekdays the settlement benchmark holds events on,
// one per iteration: 2025-08-18 to 08-29 (no utility holiday), so each
// event's 45-day look-back and the day after it fall in July and August.
var drBenchDays = func() []calendar.Date {
	var ds []calendar.Date
	for d := (calendar.Date{Year: 2025, Month: time.August, Day: 18}); d.Day <= 29; d = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			ds = append(ds, d)
		}
	}
	return ds
}()

// drBenchLoad is a home's 15-minute delivered energy: a daily shape with
// an evening peak, varied by profile v, cut by 20% during the benchmark's
// 4–9 pm event hours on event days. The figures are synthetic; only the
// amount of data matters here.
func drBenchLoad(v int, t time.Time, event map[calendar.Date]bool) energy.Wh {
	l := t.In(calendar.Pacific)
	h := l.Hour()
	wh := 80 + 10*(v%7) + (l.Day()*13+v*7)%25
	if h >= 16 && h < 21 {
		wh += 150 + 5*(v%11)
		if event[calendar.DateOf(t)] {
			wh = wh * 8 / 10
		}
	} else if h >= 7 && h < 16 {
		wh += 40
	}
	return energy.Wh(wh)
}

// drBenchMonths packs July and August 2025 of profile v.
func drBenchMonths(b *testing.B, v int, event map[calendar.Date]bool) []store.PackedMonth {
	var out []store.PackedMonth
	for _, m := range []time.Month{time.July, time.August} {
		start := time.Date(2025, m, 1, 0, 0, 0, 0, calendar.Pacific)
		end := time.Date(2025, m+1, 1, 0, 0, 0, 0, calendar.Pacific)
		vals := make([]energy.Wh, int(end.Sub(start)/(15*time.Minute)))
		for i := range vals {
			vals[i] = drBenchLoad(v, start.Add(time.Duration(i)*15*time.Minute), event)
		}
		pm, err := store.PackMonth(2025, m, 15*time.Minute, vals)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, pm)
	}
	return out
}

// BenchmarkSettleEventStored measures dr.SettleEvent end to end on
// SQLite: the participants read from the store, each one's 46 days of
// 15-minute data read and unpacked, the CAISO 10-in-10 baseline and the
// settlement computed, and the outcomes saved (store.SaveOutcomes). The
// participant count is GRIDBOOK_BENCH_DR_PARTICIPANTS (default 2,000);
// the data set is built once with the bulk writers, and each iteration
// settles another event of the same participants (at most 10 iterations:
// run large counts with -benchtime=1x).
func BenchmarkSettleEventStored(b *testing.B) {
	n := 2000
	if s := os.Getenv("GRIDBOOK_BENCH_DR_PARTICIPANTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("GRIDBOOK_BENCH_DR_PARTICIPANTS=%q: want a positive count", s)
		}
		n = v
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "dr.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cat, err := dr.Shipped()
	if err != nil {
		b.Fatal(err)
	}
	pr, err := cat.Program("power_response")
	if err != nil {
		b.Fatal(err)
	}
	event := map[calendar.Date]bool{}
	for _, d := range drBenchDays {
		event[d] = true
	}
	const profiles = 16
	packed := make([][]store.PackedMonth, profiles)
	for v := range packed {
		packed[v] = drBenchMonths(b, v, event)
	}
	began := time.Now()
	const chunk = 5000
	for lo := 0; lo < n; lo += chunk {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			bk, err := tx.Bulk(ctx)
			if err != nil {
				return err
			}
			defer bk.Close()
			for i := lo; i < min(lo+chunk, n); i++ {
				c := customer.Customer{Kind: customer.Person, Name: fmt.Sprintf("Participant %d", i)}
				if err := bk.Customer(ctx, &c); err != nil {
					return err
				}
				p := customer.Premise{Address: fmt.Sprintf("%d Bench St", i+1), City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
				if err := bk.Premise(ctx, &p); err != nil {
					return err
				}
				a := customer.Account{Number: fmt.Sprintf("8%09d", i), CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
					RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
				if err := bk.Account(ctx, &a); err != nil {
					return err
				}
				m := customer.Meter{AccountID: a.ID, Serial: fmt.Sprintf("M-DR-%d", i), IntervalSeconds: 900, Installed: calendar.Date{Year: 2024, Month: 1, Day: 1},
					Channels: []customer.Channel{{Direction: customer.Delivered}}}
				if err := bk.Meter(ctx, &m); err != nil {
					return err
				}
				if err := bk.Enrollments(ctx, a, p, []customer.Enrollment{{AccountID: a.ID, Program: pr.Code, Track: "home",
					From: calendar.Date{Year: 2025, Month: time.January, Day: 1}, Source: "staff"}}); err != nil {
					return err
				}
				for _, pm := range packed[i%profiles] {
					if err := bk.Month(ctx, m.Channels[0].ID, pm); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	var events []int64
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, d := range drBenchDays {
			at := func(h int) time.Time { return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, calendar.Pacific).UTC() }
			e, err := tx.ScheduleEvent(ctx, benchActor, pr, dr.Proposal{Event: dr.Event{Start: at(16), End: at(21), Reason: "bench"}, Notice: at(9)})
			if err != nil {
				return err
			}
			for _, st := range []struct {
				to dr.Status
				at time.Time
			}{{dr.Notified, at(9)}, {dr.Active, at(16)}, {dr.Completed, at(21)}} {
				if _, err := tx.MoveEventAt(ctx, benchActor, e.ID, st.to, "bench", st.at); err != nil {
					return err
				}
			}
			events = append(events, e.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d participants: data set built in %s", n, time.Since(began).Round(time.Millisecond))
	hol := calendar.UtilityHolidays()
	i := 0
	for b.Loop() {
		if i == len(events) {
			b.Fatalf("only %d events to settle: run with -benchtime=%dx or fewer", len(events), len(events))
		}
		s, err := dr.SettleEvent(ctx, db, pr, events[i], dr.SettleOptions{Holidays: hol}, db.SaveOutcomes(benchActor, pr.Code))
		if err != nil {
			b.Fatal(err)
		}
		if s.Participants != n || s.Saved != n || s.Settled != n {
			b.Fatalf("event %d: %d participants, %d saved, %d settled; want %d each", events[i], s.Participants, s.Saved, s.Settled, n)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/participant")
}
