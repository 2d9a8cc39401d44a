package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// accountBillsShown is how many bills the account pages list: a year
// and a month, newest first.
const accountBillsShown = 13

// BillRow is one bill in an account's list.
type BillRow struct {
	billrun.Bill
}

// Days is the length of the billing period.
func (r BillRow) Days() int { return r.Period.Days() }

// Last is the period's last day (the period ends the day after it).
func (r BillRow) Last() string { return longDate(r.Period.End.AddDays(-1)) }

// First is the period's first day.
func (r BillRow) First() string { return longDate(r.Period.Start) }

// accountBills lists an account's current bills, newest first.
func (h *handler) accountBills(ctx context.Context, accountID int64) ([]BillRow, error) {
	bills, err := h.db.Bills(ctx, store.BillFilter{AccountID: accountID, Limit: accountBillsShown})
	if err != nil {
		return nil, err
	}
	out := make([]BillRow, len(bills))
	for i, b := range bills {
		out[i] = BillRow{b}
	}
	return out, nil
}

// BillsTable is the "bills_table" partial's data: an account's bills
// and where each links (the console's /bills/ or the portal's /my/bills/).
type BillsTable struct {
	Rows   []BillRow
	Base   string
	Portal bool
}

// BillPage is the Data of console/bill and portal/bill: a stored bill
// with its lines by ledger and bucket, carried balances, true-ups,
// notes, the hourly usage chart and (console) its versions and inputs.
type BillPage struct {
	Row       BillRow
	Doc       *billing.Bill
	Utility   string // the utility's name, from the tariff priced ("SCE")
	Ledgers   []BillLedger
	TrueUps   []billing.TrueUp
	Estimated bool // estimated or missing intervals were billed
	Chart     *Chart
	Versions  []BillRow // every version of this bill, oldest first (console)
	Tariffs   []billrun.VersionRef
	Current   int64 // the current version's id when this one is superseded
}

// BillLedger is one side of a bill: its line groups, total and carried
// balances.
type BillLedger struct {
	Side    billing.Side
	Name    string // "SCE — delivery", "Community choice — generation"
	Groups  []BillGroup
	Total   money.Cents
	Balance billing.SideTotal
}

// BillGroup is the lines of one bucket of a ledger.
type BillGroup struct {
	Name     string
	Lines    []billing.Line
	Subtotal money.Cents
}

// bucketNames orders and names a ledger's groups; lines without a bucket
// (deferrals, credits, discounts, true-ups) come last.
var bucketNames = []struct {
	b    tariff.Bucket
	name string
}{
	{tariff.Delivery, "Delivery"}, {tariff.Generation, "Generation"}, {tariff.Bundled, "Energy (bundled price)"},
	{tariff.NBC, "Non-bypassable charges"}, {tariff.PCIA, "Cost responsibility (PCIA, MCAM)"}, {tariff.Tax, "Taxes"},
	{"", "Credits, discounts and adjustments"},
}

// Cards are the bill's headline figures.
func (p BillPage) Cards() []Card {
	b := p.Row
	used, _ := formatKWh(b.Delivered, 0)
	cards := []Card{{Label: "Total due", Value: b.Total.String()}, {Label: "Energy used", Value: used + " kWh"}}
	if b.Received > 0 {
		sent, _ := formatKWh(b.Received, 0)
		cards = append(cards, Card{Label: "Energy sent to the grid", Value: sent + " kWh"})
	}
	for _, l := range p.Ledgers {
		if len(p.Ledgers) > 1 {
			cards = append(cards, Card{Label: l.Name, Value: l.Total.String()})
		}
	}
	if b.NEMBalance != 0 {
		cards = append(cards, Card{Label: "Net-metering balance carried", Value: b.NEMBalance.String(), Note: "settled at the annual true-up"})
	}
	return cards
}

// billPage gathers what a bill's page shows. With staff set it also
// lists the bill's versions.
func (h *handler) billPage(ctx context.Context, b billrun.Bill, staff bool) (BillPage, error) {
	doc, err := b.Decode()
	if err != nil {
		return BillPage{}, err
	}
	p := BillPage{Row: BillRow{b}, Doc: doc, TrueUps: doc.TrueUps, Estimated: doc.Estimated > 0 || doc.Missing > 0,
		Tariffs: b.Inputs.Tariffs, Utility: "Utility"}
	if len(b.Inputs.Tariffs) > 0 {
		p.Utility = b.Inputs.Tariffs[0].Utility
	}
	for _, st := range doc.Sides {
		l := BillLedger{Side: st.Side, Total: st.Total, Balance: st}
		l.Name = p.Utility + " — delivery and other charges"
		if len(doc.Sides) == 1 {
			l.Name = p.Utility
		}
		if st.Side == billing.Generation {
			l.Name = "Community choice aggregator — generation"
		}
		for _, bn := range bucketNames {
			g := BillGroup{Name: bn.name}
			for _, line := range doc.Lines {
				if line.Side == st.Side && line.Bucket == bn.b {
					g.Lines = append(g.Lines, line)
					g.Subtotal += line.Amount
				}
			}
			if len(g.Lines) > 0 {
				l.Groups = append(l.Groups, g)
			}
		}
		p.Ledgers = append(p.Ledgers, l)
	}
	if p.Chart, err = h.billChart(ctx, &b); err != nil {
		return p, err
	}
	if staff {
		versions, err := h.db.BillVersions(ctx, b.AccountID, b.Period.Start)
		if err != nil {
			return p, err
		}
		for _, v := range versions {
			p.Versions = append(p.Versions, BillRow{v})
			if v.SupersededBy == 0 && v.ID != b.ID {
				p.Current = v.ID
			}
		}
	}
	return p, nil
}

// billChart draws the bill period's usage by hour: energy delivered
// stacked by TOU period (each hour lies in one period, so each hour's bar
// has one colour) above the axis, energy received below it. nil when the
// readings are no longer stored.
func (h *handler) billChart(ctx context.Context, b *billrun.Bill) (*Chart, error) {
	in := &b.Inputs
	series, err := h.db.BillRunIntervals(ctx, append(slices.Clone(in.Delivered), in.Received...), b.Period.Start.Start(), b.Period.End.Start())
	if err != nil {
		return nil, err
	}
	u, err := billrun.BillUsage(b, series)
	if err != nil {
		return nil, nil // the readings changed shape since: no chart rather than a wrong one
	}
	var versions []*tariff.Version
	for _, ref := range in.Tariffs {
		rec, err := h.db.TariffVersion(ctx, ref.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		versions = append(versions, &rec.Version)
	}
	hours := billrun.Hourly(u, billrun.PeriodNamer(versions))
	c := &Chart{Title: fmt.Sprintf("Energy by hour, %s – %s (kWh): delivered by time-of-use period above, received below",
		longDate(b.Period.Start), longDate(b.Period.End.AddDays(-1))), Kind: ChartBars, Unit: "kWh", Height: 280}
	var periods []string
	for _, hp := range hours {
		c.Times = append(c.Times, hp.Start)
		name := hp.Period
		if name == "" {
			name = "Delivered"
		}
		if !slices.Contains(periods, name) {
			periods = append(periods, name)
		}
	}
	for _, name := range periods {
		s := Series{Label: name, Values: make([]float64, len(hours))}
		for i, hp := range hours {
			s.Values[i] = math.NaN()
			if hp.Period == name || hp.Period == "" && name == "Delivered" {
				s.Values[i] = kwhFloat(hp.Delivered)
			}
		}
		c.Series = append(c.Series, s)
	}
	if in.Received != nil {
		s := Series{Label: "Received", Values: make([]float64, len(hours))}
		for i, hp := range hours {
			s.Values[i] = -kwhFloat(hp.Received)
		}
		c.Series = append(c.Series, s)
	}
	return c, nil
}

// billDetail shows one stored bill in the console (/bills/{id}).
func (h *handler) billDetail(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	b, err := h.db.Bill(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		err = apperr.NotFoundf("web", "There is no bill %d.", id)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.billPage(r.Context(), b, true)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/bill", &View{Title: "Bill " + strconv.FormatInt(id, 10), Nav: NavCustomers, Data: page})
}

// portalBillDetail shows a customer one of their own bills
// (/my/bills/{id}); any other bill answers like a missing one.
func (h *handler) portalBillDetail(w http.ResponseWriter, r *http.Request) {
	u := UserFromContext(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		h.notFound(w, r)
		return
	}
	b, err := h.db.Bill(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) || err == nil && !u.Sees(b.AccountID) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.billPage(r.Context(), b, false)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	title := "Your bill for " + b.Period.Start.Month.String() + " " + strconv.Itoa(b.Period.Start.Year)
	h.rd.Render(w, r, http.StatusOK, "portal/bill", &View{Title: title, Nav: NavAccounts, Data: page})
}

// BillRunsPage is the Data of console/billruns.
type BillRunsPage struct {
	Runs    []BillRunRow
	First   bool
	NextURL string
	Polling bool // a listed run is unfinished: the table refreshes itself
	// CanStart shows the "Run bills" form: the server has a job queue
	// (writers only; the template checks the role).
	CanStart bool
	Form     BillRunForm
}

// PollSeconds is how often the bill-run pages refresh unfinished runs.
func (BillRunsPage) PollSeconds() int { return jobPollSeconds }

// BillRunRow is a run as the console shows it.
type BillRunRow struct {
	billrun.Run
}

// Done is how many accounts have an outcome.
func (r BillRunRow) Done() int { return r.Counts.Done() }

// Percent is the share of accounts with an outcome, 0–100.
func (r BillRunRow) Percent() int {
	if r.Accounts == 0 {
		return 0
	}
	return min(100, r.Done()*100/r.Accounts)
}

// Unfinished reports whether the run is queued or running.
func (r BillRunRow) Unfinished() bool {
	return r.Status == billrun.RunQueued || r.Status == billrun.RunRunning
}

// Took is how long the run has run so far (or took), "" before it starts.
func (r BillRunRow) Took() string {
	if r.Started.IsZero() {
		return ""
	}
	end := r.Finished
	if end.IsZero() || r.Unfinished() {
		return "running"
	}
	return end.Sub(r.Started).Round(time.Second).String()
}

// billRunsPageSize is how many runs one page lists.
const billRunsPageSize = 25

// billRuns lists the bill runs, newest first, with their progress; while
// one is unfinished the table polls itself (HX-Target "bill-runs").
func (h *handler) billRuns(w http.ResponseWriter, r *http.Request) {
	if isPartial(r) && r.Header.Get("HX-Target") == "bill-runs" {
		h.renderBillRunsBlock(w, r)
		return
	}
	next := h.today().AddDays(-h.today().Day + 1)
	h.renderBillRuns(w, r, http.StatusOK, &View{}, BillRunForm{Cycle: fmt.Sprintf("%d-%02d", next.AddDays(-1).Year, next.AddDays(-1).Month), ReadDay: "1"})
}

// billRunsPage lists the runs of the page the request asks for.
func (h *handler) billRunsPage(r *http.Request) (BillRunsPage, error) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	runs, err := h.db.BillRuns(r.Context(), max(before, 0), billRunsPageSize+1)
	if err != nil {
		return BillRunsPage{}, err
	}
	page := BillRunsPage{First: before <= 0}
	_, page.CanStart = h.enqueuer()
	runs, page.NextURL = cutPage(runs, billRunsPageSize, func(r billrun.Run) int64 { return r.ID }, "/bill-runs", "before")
	for _, run := range runs {
		row := BillRunRow{run}
		page.Runs = append(page.Runs, row)
		page.Polling = page.Polling || row.Unfinished()
	}
	return page, nil
}

// renderBillRunsBlock answers the table's own refresh.
func (h *handler) renderBillRunsBlock(w http.ResponseWriter, r *http.Request) {
	page, err := h.billRunsPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.RenderBlock(w, r, http.StatusOK, "console/billruns", "bill_runs", &View{Title: "Bill runs", Nav: NavBillRuns, Data: page})
}

// renderBillRuns renders the page with the "Run bills" form's values and
// v's errors.
func (h *handler) renderBillRuns(w http.ResponseWriter, r *http.Request, status int, v *View, form BillRunForm) {
	page, err := h.billRunsPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Form = form
	v.Title, v.Nav, v.Data = "Bill runs", NavBillRuns, page
	h.rd.Render(w, r, status, "console/billruns", v)
}

// BillRunPage is the Data of console/billrun.
type BillRunPage struct {
	Run      BillRunRow
	Failed   []store.Count // failure reasons, commonest first
	Skipped  []store.Count // reasons accounts were not billable
	Status   string        // the outcome filter of the account list
	Outcomes []store.BillRunOutcome
	NextURL  string
}

// PollSeconds is how often the run page refreshes an unfinished run.
func (BillRunPage) PollSeconds() int { return jobPollSeconds }

// StatusChoices are the outcomes the account list can show, failures
// first.
func (BillRunPage) StatusChoices() []string {
	return []string{string(billrun.Failed), string(billrun.Skipped), string(billrun.Billed), string(billrun.Unchanged)}
}

// billRunOutcomesShown is how many account outcomes one page lists.
const billRunOutcomesShown = 50

// billRunDetail shows one run: its progress and counts, why accounts
// failed or were skipped, and the accounts of one outcome (?status=,
// failed by default) a page at a time (?after=).
func (h *handler) billRunDetail(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	ctx := r.Context()
	run, err := h.db.BillRun(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		err = apperr.NotFoundf("web", "There is no bill run %d.", id)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	page := BillRunPage{Run: BillRunRow{run}, Status: string(billrun.Failed)}
	if s := billrun.Status(q.Get("status")); slices.Contains(billrun.Statuses, s) {
		page.Status = string(s)
	}
	if page.Failed, err = h.db.BillReasons(ctx, id, billrun.Failed, 20); err == nil {
		page.Skipped, err = h.db.BillReasons(ctx, id, billrun.Skipped, 20)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	outs, err := h.db.BillRunOutcomes(ctx, id, billrun.Status(page.Status), max(after, 0), billRunOutcomesShown+1)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Outcomes, page.NextURL = cutPage(outs, billRunOutcomesShown, func(o store.BillRunOutcome) int64 { return o.AccountID },
		"/bill-runs/"+strconv.FormatInt(id, 10), "after", "status", page.Status)
	v := &View{Title: "Bill run " + strconv.FormatInt(id, 10), Nav: NavBillRuns, Data: page}
	if isPartial(r) && r.Header.Get("HX-Target") == "bill-run" {
		h.rd.RenderBlock(w, r, http.StatusOK, "console/billrun", "bill_run", v)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/billrun", v)
}

// lineQuantity is the template func "lineqty": what a line prices, in its
// unit.
func lineQuantity(l billing.Line) string {
	switch l.Unit {
	case "Wh":
		s, _ := formatKWh(energy.Wh(l.Quantity), 1)
		return s + " kWh"
	case "W":
		s, _ := formatKWh(energy.Wh(l.Quantity), 1)
		return s + " kW"
	case "day":
		if l.Quantity == 1 {
			return "1 day"
		}
		return strconv.FormatInt(l.Quantity, 10) + " days"
	case "month":
		return strconv.FormatInt(l.Quantity, 10) + " month"
	}
	return ""
}

// lineRate is the template func "linerate": a line's price per unit, or
// its percentage for a discount.
func lineRate(l billing.Line) string {
	if l.Rate == 0 {
		return ""
	}
	switch l.Unit {
	case "¢":
		return formatBasisPoints(l.Rate)
	case "Wh":
		return money.MicroPerKWh(l.Rate).String()
	case "W":
		return money.MicroPerKW(l.Rate).String()
	case "day":
		return money.MicroPerDay(l.Rate).String()
	case "month":
		return strings.TrimSuffix(money.MicroPerDay(l.Rate).String(), "/day") + "/month"
	}
	return ""
}
