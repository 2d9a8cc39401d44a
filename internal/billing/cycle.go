package billing

import (
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Cycles returns the billing periods covering [from, to) for meter reads
// on day readDay of each month (1–28; 1 gives calendar months). The first
// period runs from from to the first read after it and the last from the
// last read before to until to, so they may be short.
func Cycles(from, to calendar.Date, readDay int) ([]calendar.Period, error) {
	const op = "billing.Cycles"
	if readDay < 1 || readDay > 28 {
		return nil, apperr.Invalidf(op, "read day %d: want 1–28 (every month has it)", readDay)
	}
	if !to.After(from) {
		return nil, apperr.Invalidf(op, "end %s must be after start %s", to, from)
	}
	reads := []calendar.Date{from}
	d := calendar.Date{Year: from.Year, Month: from.Month, Day: readDay}
	if !d.After(from) {
		d = nextMonth(d)
	}
	for ; d.Before(to); d = nextMonth(d) {
		reads = append(reads, d)
	}
	return ReadPeriods(append(reads, to))
}

func nextMonth(d calendar.Date) calendar.Date {
	if d.Month == time.December {
		return calendar.Date{Year: d.Year + 1, Month: time.January, Day: d.Day}
	}
	return calendar.Date{Year: d.Year, Month: d.Month + 1, Day: d.Day}
}

// ReadPeriods returns the billing periods between consecutive meter-read
// dates (each read ends one period and starts the next). Reads must
// increase and periods may not exceed 45 days.
func ReadPeriods(reads []calendar.Date) ([]calendar.Period, error) {
	const op = "billing.ReadPeriods"
	if len(reads) < 2 {
		return nil, apperr.Invalidf(op, "need at least two read dates")
	}
	out := make([]calendar.Period, 0, len(reads)-1)
	for i := 1; i < len(reads); i++ {
		p, err := calendar.NewPeriod(reads[i-1], reads[i])
		if err != nil {
			return nil, apperr.Invalidf(op, "read dates %s and %s: %s", reads[i-1], reads[i], reason(err))
		}
		if p.Days() > 45 {
			return nil, apperr.Invalidf(op, "billing period %s is %d days; a period is at most 45", p, p.Days())
		}
		out = append(out, p)
	}
	return out, nil
}

// Run validates t, prepares u if it has not been prepared, and bills each
// period in order, carrying the State from bill to bill. Several
// goroutines may bill the same Usage at once once it is prepared. It returns the bills and the State after the
// last one.
func (c *Calculator) Run(t *Terms, periods []calendar.Period, u *Usage, st State) ([]*Bill, State, error) {
	if err := c.Validate(t); err != nil {
		return nil, st, err
	}
	if !u.prepared() {
		if err := u.Prepare(); err != nil {
			return nil, st, err
		}
	}
	bills := make([]*Bill, 0, len(periods))
	for i, p := range periods {
		if i > 0 && p.Start != periods[i-1].End {
			return nil, st, apperr.Invalidf("billing.Run", "billing periods must be consecutive: %s does not start where %s ends", p, periods[i-1])
		}
		b, next, err := c.Bill(t, p, u, st)
		if err != nil {
			return nil, st, err
		}
		bills = append(bills, b)
		st = next
	}
	return bills, st, nil
}
