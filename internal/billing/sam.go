package billing

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// SAM-compatible billing reproduces the conventions of NREL SAM's
// utilityrate5 compute module (research/billing.md §2), so that bills can
// be compared with SAM's: calendar-month bills over a 365-day year that
// starts on a Monday, no holidays, no DST and no leap day, $/month fixed
// and minimum charges, and netting within each time step. The metering
// options are SAM's ur_metering_option:
//
//	0  net energy metering: net energy per TOU period each month; surplus
//	   kWh roll over to the next month's matching period (periods matched
//	   by the weekday schedule at 12 am, 6 am, 12 pm and 6 pm). Net
//	   surplus compensation is paid in December on the cumulative excess:
//	   a running sum of each whole month's net generation (all periods
//	   together), floored at zero every month — not on the per-period
//	   surplus left after the rollover (SAM's monthly cumulative excess
//	   energy, research/billing.md §2.2; ssc's residential TOU test pays
//	   $75.9 at $0.02789/kWh, testdata/ssc)
//	2  net billing: each step's net import at the buy rate, net export at
//	   the sell rate; a month may be negative; nothing carries
//	1  net energy metering with dollar credits: each month's surplus per
//	   period valued at the sell rate, carried in dollars against later
//	   energy charges, the remainder paid out in December
//	4  buy all, sell all: all load at buy rates, all generation at sell
//	   rates
//
// Sell rates are the tariff's export_credit component by period, or an
// 8,760-value time series (options 2 and 4 only, as in SAM).

// samMonthStarts are the first day-of-year of each month of SAM's
// non-leap year, and the year's end.
var samMonthStarts = [13]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}

// samMonth returns the month (0–11) of day-of-year d.
func samMonth(d int) int {
	m := 0
	for d >= samMonthStarts[m+1] {
		m++
	}
	return m
}

// calcSAM bills u on a single tariff version in SAM's conventions.
func calcSAM(versions []tariff.Version, u *Usage, files CalcFiles, o CalcOptions) (*CalcResult, error) {
	const op = "billing.Calc (sam)"
	var f apperr.Fields
	if len(versions) != 1 {
		f.Add("tariff", "SAM mode bills one tariff version; the file holds %d", len(versions))
	}
	switch o.Metering {
	case 0, 1, 2, 4:
	default:
		f.Add("metering", "SAM metering option %d: want 0, 1, 2 or 4 (option 3 has no meaning here)", o.Metering)
	}
	perHour := int(time.Hour / u.Step)
	if len(u.Delivered) != 8760*perHour {
		f.Add("intervals", "SAM mode takes one 365-day year: %d intervals of %v, not %d", 8760*perHour, u.Step, len(u.Delivered))
	}
	var sell []money.MicroPerKWh
	if len(files.SellRates) > 0 {
		if o.Metering != 2 && o.Metering != 4 {
			f.Add("sell_rates", "time-series sell rates apply to metering options 2 and 4 only (as in SAM)")
		}
		var err error
		if sell, err = parseSellRates(files.SellRates); err != nil {
			f.Add("sell_rates", "%s", err.Error())
		}
	}
	nsc := money.MicroPerKWh(0)
	if o.NSCRate != "" {
		r, err := money.ParseMicro(o.NSCRate)
		if err != nil || r < 0 {
			f.Add("nsc_rate", "want $/kWh such as 0.01786, not %q", o.NSCRate)
		}
		nsc = money.MicroPerKWh(r)
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	for _, v := range u.Delivered {
		if v == Missing {
			return nil, apperr.Invalidf(op, "the interval data have gaps; SAM mode needs a complete year")
		}
	}
	r, err := newSAMRate(&versions[0])
	if err != nil {
		return nil, err
	}
	s := &samRun{r: r, u: u, perHour: perHour, sell: sell, nsc: nsc, option: o.Metering, year: calendar.DateOf(u.Start).Year}
	bills := s.run()
	res := result(bills, State{})
	res.Notes = append(res.Notes, r.notes...)
	return res, nil
}

// samRate is a version flattened to SAM's inputs.
type samRate struct {
	v                *tariff.Version
	weekday, weekend [12][24]uint8
	periods          []string
	buy              []money.MicroPerKWh // tier-0 total by period
	sellTOU          []money.MicroPerKWh // by period (export_credit components)
	fixedMonth       int64               // µ$ per month
	minMonth         int64               // µ$ per month
	rollover         [12][4]uint8        // weekday periods at 0, 6, 12, 18 h
	notes            []string
}

func newSAMRate(v *tariff.Version) (*samRate, error) {
	r := &samRate{v: v}
	if m, ok := v.PeriodMap("energy"); ok {
		wd, we, err := m.Grid()
		if err != nil {
			return nil, err
		}
		r.weekday, r.weekend, r.periods = wd, we, m.Periods
	} else {
		r.periods = []string{"all hours"}
	}
	prices, err := v.EnergyPrices()
	if err != nil {
		return nil, err
	}
	r.buy = prices.ByPeriod()
	if prices.Tiers() > 1 {
		r.notes = append(r.notes, "SAM mode bills the first tier of tiered energy rates.")
	}
	r.sellTOU = make([]money.MicroPerKWh, len(r.periods))
	for _, c := range v.ComponentsOf(tariff.ExportCredit) {
		for p := range r.sellTOU {
			row := c.Rates[0]
			if c.Map != "" {
				row = c.Rates[p]
			}
			r.sellTOU[p] += row[0].Price.PerKWh()
		}
	}
	for _, c := range v.Components {
		switch c.Kind {
		case tariff.FixedMonth:
			r.fixedMonth += int64(c.Price)
		case tariff.MinimumMonth:
			r.minMonth += int64(c.Price)
		case tariff.FixedDay, tariff.MinimumDay, tariff.BaselineCredit, tariff.DemandTOU, tariff.DemandFlat:
			r.notes = appendUnique(r.notes, fmt.Sprintf("SAM mode ignores %s components (SAM takes $/month fixed and minimum charges; demand and baseline are not modelled here).", c.Kind))
		}
	}
	for m := range 12 {
		for k, h := range []int{0, 6, 12, 18} {
			r.rollover[m][k] = r.weekday[m][h]
		}
	}
	return r, nil
}

// parseSellRates reads one $/kWh value per line (8,760 lines).
func parseSellRates(b []byte) ([]money.MicroPerKWh, error) {
	var out []money.MicroPerKWh
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(strings.Split(sc.Text(), ",")[0])
		if s == "" || (line == 1 && !strings.ContainsAny(s[:1], "0123456789.-")) {
			continue // blank line or header
		}
		v, err := money.ParseMicro(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q is not a $/kWh price", line, s)
		}
		out = append(out, money.MicroPerKWh(v))
	}
	if len(out) != 8760 {
		return nil, fmt.Errorf("want 8,760 hourly sell rates, got %d", len(out))
	}
	return out, nil
}

// samRun is one SAM-mode year.
type samRun struct {
	r       *samRate
	u       *Usage
	perHour int
	sell    []money.MicroPerKWh
	nsc     money.MicroPerKWh
	option  int
	year    int
}

// step describes interval i in SAM's calendar: month and TOU period.
func (s *samRun) step(i int) (month int, period uint8) {
	h := i / s.perHour
	day := h / 24
	month = samMonth(day)
	if day%7 >= 5 { // day 0 is a Monday
		return month, s.r.weekend[month][h%24]
	}
	return month, s.r.weekday[month][h%24]
}

func (s *samRun) sellAt(i int, p uint8) money.MicroPerKWh {
	if s.sell != nil {
		return s.sell[i/s.perHour]
	}
	return s.r.sellTOU[p]
}

// run bills the twelve months.
func (s *samRun) run() []*Bill {
	np := len(s.r.periods)
	type monthSums struct {
		imp, exp []int64   // per period, Wh (net per step, split by sign)
		buyStep  int64     // option 2/4: Σ import × buy, n$
		sellStep int64     // option 2/4: Σ export × sell, n$
		del, rec energy.Wh // gross channels
		days     int
	}
	months := make([]monthSums, 12)
	for m := range months {
		months[m] = monthSums{imp: make([]int64, np), exp: make([]int64, np), days: samMonthStarts[m+1] - samMonthStarts[m]}
	}
	for i, d := range s.u.Delivered {
		var r energy.Wh
		if s.u.Received != nil {
			r = s.u.Received[i]
		}
		m, p := s.step(i)
		ms := &months[m]
		ms.del += d
		ms.rec += r
		switch s.option {
		case 4: // two meters: nothing nets
			ms.imp[p] += int64(d)
			ms.buyStep += int64(s.r.buy[p]) * int64(d)
			ms.sellStep += int64(s.sellAt(i, p)) * int64(r)
		default: // SAM nets within each time step
			net := int64(d) - int64(r)
			if net >= 0 {
				ms.imp[p] += net
				ms.buyStep += int64(s.r.buy[p]) * net
			} else {
				ms.exp[p] += -net
				ms.sellStep += int64(s.sellAt(i, p)) * -net
			}
		}
	}
	var bills []*Bill
	var yearDel, yearRec energy.Wh // totals of the months billed so far
	var surplusPrev []int64        // option 0: last month's surplus kWh per period
	var cumExcess int64            // option 0: cumulative monthly net excess, Wh (floored at 0 each month)
	var credit int64               // option 1: carried $ credit, n$
	for m := range 12 {
		ms := months[m]
		from := calendar.Date{Year: s.year, Month: time.Month(m + 1), Day: 1}
		b := &Bill{Period: calendar.Period{Start: from, End: from.AddDays(ms.days)}, Days: ms.days, Delivered: ms.del, Received: ms.rec,
			Versions: []string{fmt.Sprintf("%s %s@%s", s.r.v.Utility, s.r.v.Code, s.r.v.From)}}
		add := func(l Line) {
			l.Side = Utility
			l.Amount = l.Nanos.Round()
			b.Lines = append(b.Lines, l)
		}
		switch s.option {
		case 2, 4:
			for p := range np {
				if ms.imp[p] != 0 {
					add(Line{Kind: EnergyLine, Bucket: tariff.Bundled, Label: "Energy — " + s.r.periods[p], Period: s.r.periods[p], Quantity: ms.imp[p], Unit: "Wh", Rate: int64(s.r.buy[p]),
						Nanos: money.Nanos(int64(s.r.buy[p]) * ms.imp[p])})
				}
			}
			if ms.sellStep != 0 {
				var exp int64
				for _, x := range ms.exp {
					exp += x
				}
				if s.option == 4 {
					exp = int64(ms.rec)
				}
				add(Line{Kind: ExportCreditLine, Label: "Energy sold at the sell rates", Quantity: exp, Unit: "Wh", Nanos: money.Nanos(-ms.sellStep)})
			}
		case 0, 1:
			net := make([]int64, np) // SAM's sign: generation surplus positive
			var monthNet int64
			for p := range np {
				net[p] = ms.exp[p] - ms.imp[p]
				monthNet += net[p]
			}
			// The excess SAM pays at the true-up nets the whole month across
			// periods and never goes below zero (the year starts after
			// December's true-up, so at zero).
			cumExcess = max(cumExcess+monthNet, 0)
			if s.option == 0 && m > 0 && surplusPrev != nil {
				for p, sur := range surplusPrev {
					if sur <= 0 {
						continue
					}
					k := indexOf(s.r.rollover[m-1][:], uint8(p))
					if k < 0 {
						b.Notes = append(b.Notes, fmt.Sprintf("%s kWh of surplus in %s could not roll over: SAM matches periods by the weekday schedule at 12 am, 6 am, 12 pm and 6 pm.", kwh(sur), s.r.periods[p]))
						continue
					}
					target := s.r.rollover[m][k]
					net[target] += sur
				}
			}
			surplus := make([]int64, np)
			var value int64 // option 1: $ value of the surplus, n$
			for p := range np {
				if net[p] > 0 {
					surplus[p] = net[p]
					value += int64(s.r.sellTOU[p]) * net[p]
					continue
				}
				if use := -net[p]; use > 0 {
					add(Line{Kind: EnergyLine, Bucket: tariff.Bundled, Label: "Net energy — " + s.r.periods[p], Period: s.r.periods[p], Quantity: use, Unit: "Wh", Rate: int64(s.r.buy[p]),
						Nanos: money.Nanos(int64(s.r.buy[p]) * use)})
				}
			}
			if s.option == 1 {
				credit += value
				energy := int64(b.nanos())
				if applied := min(credit, energy); applied > 0 {
					add(Line{Kind: CreditAppliedLine, Label: "Net-metering dollar credit applied", Nanos: money.Nanos(-applied)})
					credit -= applied
				}
			}
			surplusPrev = surplus
		}
		if s.r.fixedMonth != 0 {
			add(Line{Kind: FixedLine, Bucket: tariff.Bundled, Label: "Fixed charge", Quantity: 1, Unit: "month", Rate: s.r.fixedMonth, Nanos: money.Nanos(s.r.fixedMonth * 1000)})
		}
		if s.r.minMonth != 0 {
			var sum money.Cents
			for _, l := range b.Lines {
				sum += l.Amount
			}
			floor := money.Nanos(s.r.minMonth * 1000).Round()
			if top := floor - max(sum, 0); top > 0 {
				add(Line{Kind: MinimumLine, Label: "Monthly minimum charge", Nanos: money.Nanos(int64(top) * 10_000_000)})
			}
		}
		if m == 11 { // December: SAM's default true-up month (ur_nm_credit_month = 11)
			// The Relevant Period is SAM's year: the twelve bills.
			tu := TrueUp{Side: Utility, Span: calendar.Period{Start: bills[0].Period.Start, End: b.Period.End}, Bills: 12, Delivered: yearDel + ms.del, Received: yearRec + ms.rec}
			switch s.option {
			case 0:
				// NetSurplus is SAM's cumulative excess, the kWh it pays.
				tu.NetSurplus = energy.Wh(cumExcess)
				if cumExcess > 0 && s.nsc > 0 {
					add(Line{Kind: NSCLine, Label: fmt.Sprintf("Net surplus compensation: %s kWh × %s", kwh(cumExcess), s.nsc), Quantity: cumExcess, Unit: "Wh", Rate: int64(s.nsc),
						Nanos: money.Nanos(-int64(s.nsc) * cumExcess)})
					tu.NSC = b.Lines[len(b.Lines)-1].Amount
				}
				b.TrueUps = append(b.TrueUps, tu)
			case 1:
				if credit > 0 {
					add(Line{Kind: TrueUpLine, Label: "Year-end payout of unused net-metering dollar credit", Nanos: money.Nanos(-credit)})
					tu.NSC = b.Lines[len(b.Lines)-1].Amount
					b.TrueUps = append(b.TrueUps, tu)
				}
			}
		}
		yearDel, yearRec = yearDel+ms.del, yearRec+ms.rec
		for _, l := range b.Lines {
			b.Total += l.Amount
		}
		b.Sides = []SideTotal{{Side: Utility, Total: b.Total}}
		bills = append(bills, b)
	}
	return bills
}

func indexOf(list []uint8, v uint8) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}
