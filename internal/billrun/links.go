package billrun

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/solar"
	"github.com/gridbook/gridbook/internal/tariff"
)

// ProgramPMP is Clean Power Alliance's Peak Management Pricing, the
// demand-response rate whose event days the DR capability schedules
// (internal/dr, program "pmp"; docs/dr.md, "Peak Management Pricing →
// billing").
const ProgramPMP = "pmp"

// PMPCalendar is the Peak Management Pricing event-day calendar of a
// run's period as the DR capability keeps it: the local days of events
// not cancelled, and the event hours of the program's rules (16–21 for
// 4–9 pm).
type PMPCalendar struct {
	Days               []calendar.Date
	StartHour, EndHour int
}

// Credit kinds: where a one-off credit on a bill comes from. With its
// Ref, a kind names the credit at its source, and a credit is applied to
// one bill period only (a new version of that bill carries it again).
const (
	// CreditIncentive is an incentive payment by bill credit: a pending
	// line of a bill_credit payment batch (docs/incentives.md, "Payments
	// and the bill-credit interface"); Ref is the payment id.
	CreditIncentive = "incentive_payment"
	// CreditLateMeter is a late meter's estimated-generation credit
	// (internal/nem, nem_estimated_credits); Ref is its id.
	CreditLateMeter = "nem_estimated_credit"
)

// BillCredit is an incentive payment by bill credit for the account:
// pending since its bill-credit file was exported, or already on the
// bill of the period starting AppliedTo.
type BillCredit struct {
	PaymentID int64
	Credit    billing.Credit
	Exported  time.Time
	AppliedTo calendar.Date
}

// LateMeterCredit is a late meter's run of credit days for the account
// (nem.EstimatedCredit) with what its estimate needs from the NEM
// application: pending, or already on the bill of the period starting
// AppliedTo.
type LateMeterCredit struct {
	ID          int64
	Application string // the NEM application number
	Days        calendar.Period
	// ExpectedAnnualWh is the application's expected annual production,
	// which the estimate spreads over the year's hours.
	ExpectedAnnualWh energy.Wh
	AppliedTo        calendar.Date
	// Applied is the estimate as the bill of AppliedTo credited it; a new
	// version of that bill credits it again unchanged.
	Applied *billing.EstimatedExport
}

// CreditUse records a one-off credit a bill applies, stored with the bill
// so that the credit is applied to one bill period only: Kind and Ref
// name it at its source, Doc is what was applied.
type CreditUse struct {
	Kind string          `json:"kind"`
	Ref  string          `json:"ref"`
	Doc  json.RawMessage `json:"applied"`
}

// canTakePending reports whether the account's bill of period p may take
// credits that are still pending: it is the account's latest bill (no
// current bill starts after p), so a re-bill of an older period after a
// correction does not pick up credits meant for the next bill.
func canTakePending(a *Account, p calendar.Period) bool {
	return a.LastBill.IsZero() || !a.LastBill.After(p.Start)
}

// planCredits puts the account's incentive bill credits on the plan:
// those already on this period's bill, and — on the latest bill — the
// pending ones whose bill-credit file was exported before the period
// ended (a credit goes on the next bill after billing receives it). A
// CCA program's credit on a bundled account goes to the utility ledger
// (the bill has no other).
func (pl *Plan) planCredits(a *Account) {
	t := &pl.Terms
	for _, c := range a.Credits {
		pending := c.AppliedTo.IsZero()
		if pending && (!canTakePending(a, pl.Period) || !c.Exported.Before(pl.Period.End.Start())) || !pending && c.AppliedTo != pl.Period.Start {
			continue
		}
		cr := c.Credit
		if cr.Side == billing.Generation && t.LSE != billing.CCA {
			cr.Side = billing.Utility
		}
		t.Credits = append(t.Credits, cr)
		pl.use(CreditIncentive, strconv.FormatInt(c.PaymentID, 10), cr)
	}
}

// planLateMeter credits the account's late-meter estimated generation on
// the first bill under a net-metering program whose period ends on or
// after the credit's last day (the utility "credits the customer for
// estimated production during any delay", seed 002). Credits whose days
// ended before the account's first bill in gridbook are left to the
// opening balance of a migrated account (gridbook bill seed-balance).
func (c *Catalog) planLateMeter(pl *Plan, a *Account, pol *Policy) {
	t := &pl.Terms
	p := pl.Period
	first := a.FirstBill
	if first.IsZero() || p.Start.Before(first) {
		first = p.Start
	}
	for _, lm := range a.LateMeter {
		switch {
		case !lm.AppliedTo.IsZero() && lm.AppliedTo != p.Start:
			continue
		case lm.AppliedTo.IsZero() && (!canTakePending(a, p) || t.Program == billing.NoProgram || lm.Days.End.After(p.End)):
			continue
		case lm.AppliedTo.IsZero() && !lm.Days.End.After(first):
			if p.Start == first {
				pl.note("Estimated generation for the late meter of %s (%s) predates the account's first bill in gridbook; it belongs in the opening balance and is not credited here.",
					lm.Application, lm.Days)
			}
			continue
		case lm.Applied == nil && lm.ExpectedAnnualWh <= 0:
			pl.note("Estimated generation for the late meter of %s (%s) is not credited: the application states no expected annual production to estimate it from.",
				lm.Application, lm.Days)
			continue
		}
		if lm.Applied == nil && t.Program == billing.NBT && !coversYears(t.ExportPrices, lm.Days) {
			pl.note("Estimated generation for the late meter of %s (%s) is not credited: the export-price table of vintage %d has no prices for those days.",
				lm.Application, lm.Days, t.ExportPrices.Vintage)
			continue
		}
		var est billing.EstimatedExport
		if lm.Applied != nil {
			est = *lm.Applied
		} else {
			est = EstimateGeneration(lm, pol.EstimateSite.Value)
		}
		t.EstimatedExports = append(t.EstimatedExports, est)
		pl.use(CreditLateMeter, strconv.FormatInt(lm.ID, 10), est)
	}
}

// EstimateGeneration estimates the generation of a late meter's credit
// days, hour by hour: the application's expected annual production
// spread over the hours of the credit days' year in proportion to the
// clear-sky output of an array at site (solar.HourlyShare), each hour
// rounded to the Wh. The shape follows the sun's path through the year
// and day; the year's total is what the installer expected the system
// to produce, which the standard-NEM sizing rule reads (seed 002), so
// no capacity factor is assumed.
func EstimateGeneration(lm LateMeterCredit, site solar.Site) billing.EstimatedExport {
	from, to := lm.Days.Start.Start(), lm.Days.End.Start()
	year := lm.Days.Start.Year
	shares := solar.HourlyShare(from, to, year, calendar.Pacific, site)
	wh := make([]energy.Wh, len(shares))
	for i, s := range shares {
		wh[i] = energy.Wh(float64(lm.ExpectedAnnualWh)*s + 0.5)
	}
	return billing.EstimatedExport{Label: fmt.Sprintf("Late meter, application %s, %s–%s", lm.Application, lm.Days.Start, lm.Days.End.AddDays(-1)),
		Start: from, Wh: wh}
}

// coversYears reports whether the export-price table has prices for
// every year of days.
func coversYears(t *tariff.ExportTable, days calendar.Period) bool {
	for y := days.Start.Year; y <= days.End.AddDays(-1).Year; y++ {
		if _, ok := t.Price(y, time.January, tariff.Weekday, 0); !ok {
			return false
		}
	}
	return true
}

// planPMP adds the Peak Management Pricing rider for an account enrolled
// in PMP on the period's last day: the event days of the DR calendar
// within the period and the enrollment, the event hours of the program,
// the surcharge and summer credit of the policy, and first-year bill
// protection from the enrollment's start. PMP is a CCA program: a bundled
// account's enrollment is noted and not applied.
func (c *Catalog) planPMP(pl *Plan, a *Account, pol *Policy) error {
	p := pl.Period
	last := p.End.AddDays(-1)
	e, ok := activeOn(a.Enrollments, ProgramPMP, last)
	if !ok {
		return nil
	}
	if pl.Terms.LSE != billing.CCA {
		pl.note("Peak Management Pricing is a CCA program; this account takes bundled service, so the rider is not applied.")
		return nil
	}
	cal := c.PMP
	if cal == nil {
		return notBillable("the account is enrolled in Peak Management Pricing but the run has no PMP event calendar")
	}
	from, to := p.Start, p.End
	if e.From.After(from) {
		from = e.From
		pl.note("Peak Management Pricing began on %s, within this period; its summer credit applies to the whole period, its event surcharge from that day.", e.From)
	}
	if !e.To.IsZero() && e.To.Before(to) {
		to = e.To
	}
	days := []calendar.Date{}
	for _, d := range cal.Days {
		if !d.Before(from) && d.Before(to) {
			days = append(days, d)
		}
	}
	cpp := &billing.CPP{EventDays: days, EventStart: cal.StartHour, EventEnd: cal.EndHour, EventPrice: pol.pmpEvent,
		CreditPrice: pol.pmpCredit, CreditMonths: slices.Clone(pol.PMPCreditMonths.Value), CreditStart: cal.StartHour, CreditEnd: cal.EndHour}
	if n := pol.PMPProtectionMo.Value; n > 0 {
		cpp.ProtectionUntil = addMonths(e.From, n)
	}
	pl.Terms.CPP = cpp
	return nil
}

// addMonths returns d plus n months, on the last day of a shorter month.
func addMonths(d calendar.Date, n int) calendar.Date {
	m := int(d.Month) - 1 + n
	y, mon := d.Year+m/12, time.Month(m%12+1)
	for day := d.Day; ; day-- {
		if out, err := calendar.NewDate(y, mon, day); err == nil {
			return out
		}
	}
}

// use records a credit the plan applies.
func (pl *Plan) use(kind, ref string, v any) {
	doc, err := json.Marshal(v)
	if err != nil { // credits hold only marshalable values
		panic(err)
	}
	pl.Uses = append(pl.Uses, CreditUse{Kind: kind, Ref: ref, Doc: doc})
}

// pmpCalendar reads the Peak Management Pricing event days of the period
// from the DR calendar, with the event hours of the shipped program's
// rules (docs/dr.md: window_start and window_end, 16:00 and 21:00).
func (r *Runner) pmpCalendar(ctx context.Context, p calendar.Period) (*PMPCalendar, error) {
	cat, err := dr.Shipped()
	if err != nil {
		return nil, err
	}
	prog, err := cat.Program(ProgramPMP)
	if err != nil {
		return nil, err
	}
	rules := prog.Rules
	if rules == nil || rules.WindowStart%60 != 0 || rules.WindowEnd%60 != 0 {
		return nil, apperr.Invalidf("billrun.Run", "the %s program's event window must be whole hours for the billing rider", ProgramPMP)
	}
	days, err := r.Store.EventDays(ctx, ProgramPMP, p.Start, p.End)
	if err != nil {
		return nil, err
	}
	return &PMPCalendar{Days: days, StartHour: int(rules.WindowStart) / 60, EndHour: int(rules.WindowEnd) / 60}, nil
}
