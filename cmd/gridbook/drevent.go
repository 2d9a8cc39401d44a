package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/openadr"
	"github.com/gridbook/gridbook/internal/store"
)

// *store.DB is what settling an event reads.
var _ dr.SettleSource = (*store.DB)(nil)

// Job kinds of demand response.
const (
	kindDRSettle   = "dr.settle"   // settle every participant of a completed event
	kindDRDispatch = "dr.dispatch" // notify participants and send the outbox
)

// drEventArgs are the arguments of the dr jobs.
type drEventArgs struct {
	EventID int64 `json:"event_id"`
}

// registerDR binds the demand-response job kinds.
func registerDR(q *job.Queue, db *store.DB, log *slog.Logger) error {
	err := q.Register(kindDRSettle, job.Decode(func(ctx context.Context, a drEventArgs, p *job.Progress) error {
		sum, err := drSettle(ctx, db, a.EventID, func(done, total int) { p.Report(int64(done), int64(total), "participants settled") })
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.Invalid) {
			return job.Permanent(err)
		}
		if err == nil {
			p.Report(int64(sum.Participants), int64(sum.Participants), settleText(sum))
		}
		return err
	}))
	if err != nil {
		return err
	}
	if err := registerDRPay(q, db); err != nil {
		return err
	}
	// OpenADR webhook notifications, when gridbook serve queues them.
	err = q.Register(openadr.WebhookJobKind, job.Decode(func(ctx context.Context, w openadr.Webhook, _ *job.Progress) error {
		permanent, err := openadr.DeliverWebhook(ctx, nil, w)
		if permanent {
			return job.Permanent(err)
		}
		return err
	}))
	if err != nil {
		return err
	}
	return q.Register(kindDRDispatch, job.Decode(func(ctx context.Context, a drEventArgs, p *job.Progress) error {
		n, err := drDispatch(ctx, db, auth.System, a.EventID, logSender{log})
		if apperr.Is(err, apperr.NotFound) {
			return job.Permanent(err)
		}
		if err == nil {
			p.Report(int64(n), int64(n), fmt.Sprintf("%d notices sent", n))
		}
		return err
	}))
}

// drCatalog is the shipped program catalog.
func drCatalog() (*dr.Catalog, error) { return dr.Shipped() }

// drSettle settles a completed event, storing each participant once.
func drSettle(ctx context.Context, db *store.DB, eventID int64, progress func(done, total int)) (dr.SettleSummary, error) {
	e, err := db.DREvent(ctx, eventID)
	if err != nil {
		return dr.SettleSummary{}, err
	}
	cat, err := drCatalog()
	if err != nil {
		return dr.SettleSummary{}, err
	}
	p, err := cat.Program(e.Program)
	if err != nil {
		return dr.SettleSummary{}, err
	}
	payer, err := drPayer(db, auth.System)
	if err != nil {
		return dr.SettleSummary{}, err
	}
	return dr.SettleEvent(ctx, db, p, eventID, dr.SettleOptions{Holidays: calendar.UtilityHolidays(), Progress: progress, Payer: payer},
		db.SaveOutcomes(auth.System, p.Code))
}

// Sender delivers one notice (e-mail, SMS or a device message).
type Sender interface {
	Send(ctx context.Context, n store.Notification) error
}

// logSender is the default adapter: it writes each notice to the log.
type logSender struct{ log *slog.Logger }

func (s logSender) Send(_ context.Context, n store.Notification) error {
	s.log.Info("dr notice", "event", n.EventID, "account", n.AccountID, "channel", n.Channel, "address", n.Address, "body", n.Body)
	return nil
}

// drDispatch notifies an event's participants: a scheduled event becomes
// notified and every participant gets a notice in the outbox (e-mail when
// the customer has an address, SMS when a phone, a device message on
// automated tracks, else the log); a cancelled event gets cancellation
// notices for those already told. Then the outbox is sent. It returns the
// notices sent.
func drDispatch(ctx context.Context, db *store.DB, actor auth.Actor, eventID int64, s Sender) (int, error) {
	e, err := db.DREvent(ctx, eventID)
	if err != nil {
		return 0, err
	}
	cat, err := drCatalog()
	if err != nil {
		return 0, err
	}
	p, err := cat.Program(e.Program)
	if err != nil {
		return 0, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		kind, body := "notice", ""
		switch e.Status {
		case dr.Scheduled:
			if e, err = tx.MoveEvent(ctx, actor, eventID, dr.Notified, "participants notified"); err != nil {
				return err
			}
			body = dr.NoticeText(p, e)
		case dr.Cancelled:
			kind, body = "cancel", dr.CancelText(p, e)
		default:
			return nil // already notified: only the outbox is sent
		}
		parts, err := tx.DRParticipants(ctx, p.Code, e.Track, e.Day())
		if err != nil {
			return err
		}
		var ns []store.Notification
		for _, x := range parts {
			add := func(ch, addr string) {
				ns = append(ns, store.Notification{EventID: e.ID, AccountID: x.AccountID, Channel: ch, Address: addr, Kind: kind, Body: body})
			}
			switch {
			case x.Email != "":
				add("email", x.Email)
			case x.Phone != "":
				add("sms", x.Phone)
			default:
				add("log", "")
			}
			if t, ok := p.Track(x.Track); ok && t.Automated {
				add("device", fmt.Sprintf("account:%d", x.AccountID))
			}
		}
		_, err = tx.QueueNotifications(ctx, ns)
		return err
	})
	if err != nil {
		return 0, err
	}
	pending, err := db.Notifications(ctx, eventID, "pending", 10000)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, n := range pending {
		serr := s.Send(ctx, n)
		errText := ""
		if serr != nil {
			errText = serr.Error()
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.MarkNotification(ctx, n.ID, serr == nil, errText) }); err != nil {
			return sent, err
		}
		if serr == nil {
			sent++
		}
	}
	return sent, nil
}

func settleText(s dr.SettleSummary) string {
	out := fmt.Sprintf("%d participants: %d settled (%d newly), %d without a baseline, %d missing data; %s kWh reduced (portfolio delta %s kWh), %s owed",
		s.Participants, s.Settled, s.Saved, s.NoBaseline, s.MissingData, s.ReductionWh.KWhString(), s.DeltaWh.KWhString(), s.Amount)
	if p := s.Payments; p.Paid+p.Refused > 0 {
		out += "; payments " + p.String()
	}
	return out
}

// runDRPrograms lists the demand-response programs and their rules.
func runDRPrograms(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr programs")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	cat, err := drCatalog()
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, cat.Programs())
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "code\tname\tkind\ttracks\tevents")
	for _, p := range cat.Programs() {
		var tracks string
		for i, t := range p.Tracks {
			if i > 0 {
				tracks += ","
			}
			tracks += t.Code
		}
		rules := "-"
		if r := p.Rules; r != nil {
			rules = fmt.Sprintf("%s–%s", r.WindowStart, r.WindowEnd)
			if r.MaxPerYear > 0 {
				rules += fmt.Sprintf(", ≤%d/yr", r.MaxPerYear)
			}
			if r.MaxPerWeek > 0 {
				rules += fmt.Sprintf(", ≤%d/wk", r.MaxPerWeek)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Code, p.Name, p.Kind, tracks, rules)
	}
	return tw.Flush()
}

// runDREventSchedule schedules an event after checking every rule of its
// program.
func runDREventSchedule(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr event schedule")
	dsn := dbFlag(e, fs, "gridbook.db")
	program := fs.String("program", "", "program code, e.g. pmp or power_response (required)")
	track := fs.String("track", "", "limit the event to one track")
	start := fs.String("start", "", "event start, RFC 3339 or Pacific YYYY-MM-DDTHH:MM (required)")
	end := fs.String("end", "", "event end (required)")
	notice := fs.String("notice", "", "when participants will be told (default: now)")
	level := fs.Int("level", 1, "OpenADR SIMPLE level 1–3")
	offset := fs.Int("offset-f", 0, "thermostat setpoint offset, °F")
	reason := fs.String("reason", "", "why the event is called (CAISO EEA watch, extreme heat …)")
	targetKW := fs.String("target-kw", "", "storage programs: dispatch the battery fleet at this many kW (see dr fleet dispatch)")
	soc := fs.Int("soc", dr.DefaultSOCPct, "storage programs: state of charge assumed at the event's start for a battery without a recent reported charge, percent")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var f apperr.Fields
	targetW := fleetTarget(&f, *targetKW, *soc, false)
	var prop dr.Proposal
	instantFlag(&f, "start", *start, &prop.Start)
	instantFlag(&f, "end", *end, &prop.End)
	if *notice != "" {
		instantFlag(&f, "notice", *notice, &prop.Notice)
	}
	cat, err := drCatalog()
	if err != nil {
		return err
	}
	p, err := cat.Program(*program)
	if err != nil {
		f.Add("program", "%s", apperr.MessageOf(err))
	} else if targetW > 0 && p.Kind != dr.Storage {
		f.Add("target-kw", "only a storage program's event dispatches a battery fleet; %s is not one", p.Name)
	}
	if err := f.Err("dr event schedule"); err != nil {
		return err
	}
	prop.Track, prop.Level, prop.OffsetF, prop.Reason = *track, *level, *offset, *reason
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if prop.Notice.IsZero() {
		prop.Notice = db.Now()
	}
	var ev dr.Event
	var plan *store.FleetRecord
	err = db.InTx(ctx, func(tx *store.Tx) error {
		ev, err = tx.ScheduleEvent(ctx, cliActor(e), p, prop)
		if err != nil || targetW == 0 {
			return err
		}
		// The event and its fleet plan are stored together or not at all.
		rec, _, err := tx.DispatchFleet(ctx, cliActor(e), p, ev.ID, targetW, *soc)
		plan = &rec
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		if plan != nil {
			return printJSON(e.stdout, map[string]any{"event": ev, "fleet_plan": plan})
		}
		return printJSON(e.stdout, ev)
	}
	fmt.Fprintf(e.stdout, "event %d scheduled: %s\n", ev.ID, dr.NoticeText(p, ev))
	if plan != nil {
		return printFleetPlan(e.stdout, *plan, nil)
	}
	return nil
}

// runDREventList lists events.
func runDREventList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr event list")
	dsn := dbFlag(e, fs, "gridbook.db")
	program := fs.String("program", "", "only this program")
	status := fs.String("status", "", "only this status")
	from := fs.String("from", "", "first event day, YYYY-MM-DD")
	to := fs.String("to", "", "day after the last, YYYY-MM-DD")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	filter := store.DREventFilter{Program: *program, Status: dr.Status(*status), Limit: 10000}
	var f apperr.Fields
	for _, d := range []struct {
		name, v string
		into    *calendar.Date
	}{{"from", *from, &filter.From}, {"to", *to, &filter.To}} {
		if d.v == "" {
			continue
		}
		v, err := calendar.ParseDate(d.v)
		if err != nil {
			f.Add(d.name, "want YYYY-MM-DD, not %q", d.v)
		}
		*d.into = v
	}
	if err := f.Err("dr event list"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	evs, err := db.DREvents(ctx, filter)
	if err != nil {
		return err
	}
	if *asJSON {
		if evs == nil {
			evs = []dr.Event{}
		}
		return printJSON(e.stdout, evs)
	}
	return printEvents(e.stdout, evs)
}

func printEvents(w io.Writer, evs []dr.Event) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tprogram\ttrack\tday\thours\tstatus\treason")
	for _, ev := range evs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s–%s\t%s\t%s\n", ev.ID, ev.Program, ev.Track, ev.Day(), ev.Start.In(calendar.Pacific).Format("15:04"),
			ev.End.In(calendar.Pacific).Format("15:04"), ev.Status, ev.Reason)
	}
	return tw.Flush()
}

// runDREventMove notifies, cancels or advances events.
func runDREventMove(verb string) func(ctx context.Context, e *env, args []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		fs := newFlags(e, "dr event "+verb)
		dsn := dbFlag(e, fs, "gridbook.db")
		note := fs.String("note", "", "why (kept in the event's history)")
		asJSON := fs.Bool("json", false, "print JSON")
		id, err := parseWithID(fs, args)
		if err != nil {
			return err
		}
		db, err := openDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		actor := cliActor(e)
		switch verb {
		case "notify":
			n, err := drDispatch(ctx, db, actor, id, logSender{slog.New(slog.NewTextHandler(e.stderr, nil))})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "event %d: %d notices sent\n", id, n)
		case "cancel":
			ev, err := moveEvent(ctx, db, actor, id, dr.Cancelled, *note)
			if err != nil {
				return err
			}
			if ev.NotifiedAt.IsZero() {
				fmt.Fprintf(e.stdout, "event %d cancelled\n", id)
				break
			}
			n, err := drDispatch(ctx, db, actor, id, logSender{slog.New(slog.NewTextHandler(e.stderr, nil))})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "event %d cancelled; %d cancellation notices sent\n", id, n)
		}
		ev, err := db.DREvent(ctx, id)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, ev)
		}
		return nil
	}
}

func moveEvent(ctx context.Context, db *store.DB, actor auth.Actor, id int64, to dr.Status, note string) (dr.Event, error) {
	var ev dr.Event
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		ev, err = tx.MoveEvent(ctx, actor, id, to, note)
		return err
	})
	return ev, err
}

// runDREventAdvance moves notified and active events along by the clock:
// active from their start, completed from their end.
func runDREventAdvance(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr event advance")
	dsn := dbFlag(e, fs, "gridbook.db")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := advanceEvents(ctx, db, cliActor(e))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d events moved\n", n)
	return nil
}

// advanceEvents applies dr.Due to every notified and active event.
func advanceEvents(ctx context.Context, db *store.DB, actor auth.Actor) (int, error) {
	moved := 0
	for _, st := range []dr.Status{dr.Notified, dr.Active} {
		evs, err := db.DREvents(ctx, store.DREventFilter{Status: st, Limit: 10000})
		if err != nil {
			return moved, err
		}
		for _, ev := range evs {
			for due := dr.Due(ev, db.Now()); due != ev.Status; due = dr.Due(ev, db.Now()) {
				if ev, err = moveEvent(ctx, db, actor, ev.ID, due, "by the clock"); err != nil {
					return moved, err
				}
				moved++
			}
		}
	}
	return moved, nil
}

// runDREventShow prints an event with its history and settlement totals.
func runDREventShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr event show")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ev, err := db.DREvent(ctx, id)
	if err != nil {
		return err
	}
	hist, err := db.EventHistory(ctx, id)
	if err != nil {
		return err
	}
	ss, err := db.Settlements(ctx, id, false)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"event": ev, "history": hist, "settlements": ss})
	}
	if err := printEvents(e.stdout, []dr.Event{ev}); err != nil {
		return err
	}
	for _, h := range hist {
		from := string(h.From)
		if from == "" {
			from = "-"
		}
		fmt.Fprintf(e.stdout, "  %s  %s → %s  %s %s\n", h.At.In(calendar.Pacific).Format("2006-01-02 15:04 MST"), from, h.To, h.Actor, h.Note)
	}
	var settled int
	var red int64
	for _, s := range ss {
		if s.Status == dr.Settled {
			settled++
			red += int64(s.ReductionWh)
		}
	}
	fmt.Fprintf(e.stdout, "settlements: %d (%d settled, %s kWh reduced)\n", len(ss), settled, strconv.FormatFloat(float64(red)/1000, 'f', 3, 64))
	return nil
}

// runDRSettle settles a completed event as a durable job (in this process
// unless --enqueue).
func runDRSettle(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr settle")
	dsn := dbFlag(e, fs, "gridbook.db")
	event := fs.Int64("event", 0, "event id (required)")
	enqueue := fs.Bool("enqueue", false, "only enqueue the job for a running server's workers")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *event <= 0 {
		var f apperr.Fields
		f.Add("event", "is required")
		return f.Err("dr settle")
	}
	db, q, err := openWithQueue(ctx, e, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.DREvent(ctx, *event); err != nil {
		return err
	}
	if *enqueue {
		jid, err := q.Enqueue(ctx, kindDRSettle, drEventArgs{EventID: *event})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "job %d enqueued\n", jid)
		return nil
	}
	sum, err := drSettle(ctx, db.DB, *event, nil)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, sum)
	}
	fmt.Fprintf(e.stdout, "event %d: %s\n", *event, settleText(sum))
	return nil
}

// runDRDays prints a program's event-day calendar (the PMP days billing
// applies its rider on).
func runDRDays(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr days")
	dsn := dbFlag(e, fs, "gridbook.db")
	program := fs.String("program", "pmp", "program code")
	from := fs.String("from", "", "first day, YYYY-MM-DD (required)")
	to := fs.String("to", "", "day after the last (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	fd, err := calendar.ParseDate(*from)
	if err != nil {
		f.Add("from", "want YYYY-MM-DD, not %q", *from)
	}
	td, err := calendar.ParseDate(*to)
	if err != nil {
		f.Add("to", "want YYYY-MM-DD, not %q", *to)
	}
	if err := f.Err("dr days"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	days, err := db.EventDays(ctx, *program, fd, td)
	if err != nil {
		return err
	}
	if *asJSON {
		if days == nil {
			days = []calendar.Date{}
		}
		return printJSON(e.stdout, days)
	}
	for _, d := range days {
		fmt.Fprintln(e.stdout, d)
	}
	return nil
}
