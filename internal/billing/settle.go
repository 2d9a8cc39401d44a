package billing

import (
	"fmt"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// deferrable reports whether l is a net-metering energy charge: under NEM
// the energy charges of the period are netted and carried to the true-up
// (or credited), while non-energy charges — and, under NEM 2.0, the
// non-bypassable charges on every imported kWh — are billed as usual
// (research/billing.md §4.1).
func (bc *billCtx) deferrable(l Line) bool {
	switch bc.t.Program {
	case NEM1:
		return l.Kind == EnergyLine || l.Kind == BaselineLine
	case NEM2:
		return (l.Kind == EnergyLine || l.Kind == BaselineLine) && l.Bucket != tariff.NBC
	}
	return false
}

// sideSum totals the lines of side that keep accepts.
func (bc *billCtx) sideSum(side Side, keep func(Line) bool) money.Cents {
	return bc.bill.Sum(func(l Line) bool { return l.Side == side && keep(l) })
}

// minimum adds the top-up to the tariff's minimum charge. A per-day
// minimum (SCE residential, $0.346/day) applies to delivery charges only
// (the tariff sheet: "applies when the delivery charges are below it"); a
// per-month minimum (URDB mincharge) floors all of the ledger's charges.
// Net-metering energy charges that are carried to the true-up do not count
// toward the month's minimum; the top-ups of a Relevant Period are
// credited against the true-up charge (trueUp).
func (bc *billCtx) minimum(side Side, ls *LedgerState) {
	mins := bc.pendingMinimums(side)
	for _, m := range mins {
		deliveryOnly := m.comp.Kind == tariff.MinimumDay
		charges := bc.sideSum(side, func(l Line) bool {
			switch l.Kind {
			case EnergyLine, FixedLine, BaselineLine, DemandLine:
			default:
				return false
			}
			if deliveryOnly && l.Bucket != tariff.Delivery && l.Bucket != tariff.NBC && l.Bucket != tariff.Bundled {
				return false
			}
			return !bc.deferrable(l)
		})
		floor := m.floor.Round()
		if top := floor - charges; top > 0 {
			bc.addCents(Line{Side: side, Kind: MinimumLine, Bucket: m.comp.Bucket,
				Label:    fmt.Sprintf("%s: %s minimum less %s of charges", m.comp.Name, floor, charges),
				Quantity: int64(m.days), Unit: "day", Rate: int64(m.comp.Price)}, top)
			if bc.t.Program == NEM1 || bc.t.Program == NEM2 {
				ls.MinimumPaid += top
			}
		}
	}
}

// pendingMinimum is a minimum charge of the period, summed over the
// segments of one kind.
type pendingMinimum struct {
	comp  tariff.Component
	days  int
	floor money.Nanos
}

// pendingMinimums returns the minimum-charge floors of side's schedule,
// one per kind, summed over the period's segments.
func (bc *billCtx) pendingMinimums(side Side) []pendingMinimum {
	var out []pendingMinimum
	for _, s := range bc.t.schedules() {
		if s.side != side || s.onlyEnergy {
			continue
		}
		for d := bc.p.Start; d.Before(bc.p.End); {
			v := versionOn(s.versions, d)
			end := bc.p.End
			if !v.To.IsZero() && v.To.Before(end) {
				end = v.To
			}
			days := d.DaysUntil(end)
			for _, comp := range v.ComponentsOf(tariff.MinimumDay) {
				n, _ := comp.Price.PerDay().Cost(days)
				out = addMinimum(out, comp, days, n)
			}
			for _, comp := range v.ComponentsOf(tariff.MinimumMonth) {
				n := money.Nanos(money.RoundDiv(int64(comp.Price)*1000*int64(days), int64(bc.bill.Days)))
				out = addMinimum(out, comp, days, n)
			}
			d = end
		}
	}
	return out
}

func addMinimum(list []pendingMinimum, comp tariff.Component, days int, n money.Nanos) []pendingMinimum {
	for i := range list {
		if list[i].comp.Kind == comp.Kind {
			list[i].days += days
			list[i].floor += n
			return list
		}
	}
	return append(list, pendingMinimum{comp: comp, days: days, floor: n})
}

// settleNEM carries the period's net energy charges per the ledger's
// settlement: annually, all of them go to the balance; monthly, positive
// charges are due now after any carried credit, and a net credit is
// carried.
func (bc *billCtx) settleNEM(side Side, pol Ledger, ls *LedgerState) {
	nem := bc.sideSum(side, bc.deferrable)
	if pol.Settlement == Monthly {
		switch {
		case nem > 0 && ls.Balance < 0:
			applied := min(nem, -ls.Balance)
			bc.addCents(Line{Side: side, Kind: CreditAppliedLine, Label: "Net-metering credit carried from earlier bills"}, -applied)
			ls.Balance += applied
		case nem < 0:
			bc.addCents(Line{Side: side, Kind: DeferredLine, Label: "Net-metering credit carried to later bills"}, -nem)
			ls.Balance += nem
		}
		return
	}
	if nem != 0 {
		label := "Net-metering energy charges deferred to the annual true-up"
		if nem < 0 {
			label = "Net-metering energy credit carried to the annual true-up"
		}
		bc.addCents(Line{Side: side, Kind: DeferredLine, Label: label}, -nem)
		ls.Balance += nem
	}
}

// applyExportCredits credits the period's Net Billing export value and
// applies carried and new credits to energy charges only — never to
// non-bypassable, fixed, minimum or demand charges — carrying what is
// left; then the ACC Plus adder, which may offset any charge and rolls
// over until used (research/billing.md §4.2).
func (bc *billCtx) applyExportCredits(side Side, earned money.Nanos, ls *LedgerState) {
	ls.ExportCredits += earned.Round()
	energyCharges := bc.sideSum(side, func(l Line) bool {
		return (l.Kind == EnergyLine || l.Kind == BaselineLine) && l.Bucket != tariff.NBC
	})
	if applied := min(max(energyCharges, 0), ls.ExportCredits); applied > 0 {
		bc.addCents(Line{Side: side, Kind: ExportCreditLine,
			Label: fmt.Sprintf("Energy export credits applied to energy charges (earned this period %s)", earned.Round())}, -applied)
		ls.ExportCredits -= applied
	}
	if side != Utility || bc.t.ACCPlus == 0 {
		return
	}
	n, _ := bc.t.ACCPlus.Cost(bc.bill.Received)
	ls.ACCPlus += n.Round()
	due := bc.sideSum(side, func(Line) bool { return true })
	if applied := min(max(due, 0), ls.ACCPlus); applied > 0 {
		bc.addCents(Line{Side: side, Kind: ACCPlusLine, Label: fmt.Sprintf("ACC Plus credits applied (%s kWh exported × %s)", kwh(int64(bc.bill.Received)), bc.t.ACCPlus),
			Quantity: int64(bc.bill.Received), Unit: "Wh", Rate: int64(bc.t.ACCPlus)}, -applied)
		ls.ACCPlus -= applied
	}
}

// endsRelevantPeriod reports whether this bill ends the ledger's Relevant
// Period: the bill whose last day is in the ledger's true-up month, or
// the twelfth bill since the period began.
func (bc *billCtx) endsRelevantPeriod(side Side, pol Ledger, ls *LedgerState) bool {
	if pol.TrueUpMonth != 0 {
		return bc.p.End.AddDays(-1).Month == pol.TrueUpMonth
	}
	return ls.Bills >= 12
}

// trueUp settles a ledger at the end of its Relevant Period: a positive
// NEM balance is billed less the minimum charges paid in the period, a
// negative one is zeroed, unused NBT export credits are forfeited or
// carried per policy, and net surplus energy (exports above imports over
// the period) earns net surplus compensation (AB 920; research/billing.md
// §4.1–4.2).
func (bc *billCtx) trueUp(side Side, pol Ledger, ls *LedgerState) {
	tu := TrueUp{Side: side, Span: calendar.Period{Start: ls.Start, End: bc.p.End}, Bills: ls.Bills,
		Delivered: ls.Delivered, Received: ls.Received, Balance: ls.Balance}
	if ls.Received > ls.Delivered {
		tu.NetSurplus = ls.Received - ls.Delivered
	}
	switch {
	case ls.Balance > 0:
		tu.Charged = max(ls.Balance-ls.MinimumPaid, 0)
		if tu.Charged > 0 {
			bc.addCents(Line{Side: side, Kind: TrueUpLine,
				Label: fmt.Sprintf("True-up: net energy charges %s of %s less minimum charges paid %s", ls.Balance, tu.Span, ls.MinimumPaid)}, tu.Charged)
		}
	case ls.Balance < 0:
		tu.Forfeited = -ls.Balance
	}
	if pol.UnusedCredits == Carry {
		tu.ExportCreditsCarried = ls.ExportCredits
	} else {
		tu.ExportCreditsForfeited = ls.ExportCredits
		ls.ExportCredits = 0
	}
	if rate := pol.nscRate(); rate > 0 && tu.NetSurplus > 0 {
		n, _ := rate.Cost(tu.NetSurplus)
		tu.NSC = -n.Round()
		bc.add(Line{Side: side, Kind: NSCLine, Label: fmt.Sprintf("Net surplus compensation: %s kWh × %s", kwh(int64(tu.NetSurplus)), rate),
			Quantity: int64(tu.NetSurplus), Unit: "Wh", Rate: int64(rate), Nanos: -n})
	}
	bc.bill.TrueUps = append(bc.bill.TrueUps, tu)
	*ls = LedgerState{Start: bc.p.End, ExportCredits: ls.ExportCredits, ACCPlus: ls.ACCPlus}
}

// discounts adds CARE or FERA discounts to each ledger's amount due and
// then Power Share's discount on the whole discounted bill, shown on the
// CCA's generation ledger (research/programs.md §4 and worked example 29:
// $200 → CARE 30% → $140 → Power Share 20% → $112). Discounts apply to
// what the bill charges after net-metering deferrals and export credits;
// a deferred NEM balance is discounted on the bill that charges it.
func (bc *billCtx) discounts(sides []Side) {
	d := bc.t.Discounts
	notNSC := func(l Line) bool { return l.Kind != NSCLine }
	name, bp := "CARE", d.CAREBP
	if d.FERABP > 0 {
		name, bp = "FERA", d.FERABP
	}
	if bp > 0 {
		for _, side := range sides {
			if base := bc.sideSum(side, notNSC); base > 0 {
				bc.addCents(Line{Side: side, Kind: DiscountLine, Label: fmt.Sprintf("%s discount (%s of %s)", name, percent(bp), base),
					Quantity: int64(base), Unit: "¢", Rate: bp}, -base.PercentBP(bp))
			}
		}
	}
	if d.PowerShareBP > 0 {
		if base := bc.bill.Sum(notNSC); base > 0 {
			bc.addCents(Line{Side: Generation, Kind: DiscountLine, Label: fmt.Sprintf("Power Share discount (%s of %s)", percent(d.PowerShareBP), base),
				Quantity: int64(base), Unit: "¢", Rate: d.PowerShareBP}, -base.PercentBP(d.PowerShareBP))
		}
	}
}

// percent formats basis points: 3000 → "30%", 3250 → "32.5%".
func percent(bp int64) string {
	s := fmt.Sprintf("%d.%02d", bp/100, bp%100)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return trimDot(s) + "%"
}

// rider adds the critical-peak-pricing lines: the surcharge on event-hour
// energy of event days, the credit on credit-hour energy of non-event,
// non-holiday weekdays in the credit months, and first-year bill
// protection.
func (bc *billCtx) rider(side Side, st *State) error {
	cpp := bc.t.CPP
	var eventWh, creditWh int64
	hol := calendar.UtilityHolidays()
	for d := bc.p.Start; d.Before(bc.p.End); d = d.Next() {
		isEvent := slices.Contains(cpp.EventDays, d)
		if isEvent {
			eventWh += bc.hoursWh(d, cpp.EventStart, cpp.EventEnd)
			continue
		}
		if cpp.CreditPrice == 0 || !slices.Contains(cpp.CreditMonths, d.Month) {
			continue
		}
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if _, ok := hol.Holiday(d); ok {
			continue
		}
		creditWh += bc.hoursWh(d, cpp.CreditStart, cpp.CreditEnd)
	}
	var net money.Cents
	if eventWh > 0 && cpp.EventPrice > 0 {
		n, _ := cpp.EventPrice.Cost(energy.Wh(eventWh))
		bc.add(Line{Side: side, Kind: CPPEventLine, Label: fmt.Sprintf("Peak event energy (%d–%d h on event days)", cpp.EventStart, cpp.EventEnd),
			Quantity: eventWh, Unit: "Wh", Rate: int64(cpp.EventPrice), Nanos: n})
		net += n.Round()
	}
	if creditWh > 0 {
		n, _ := cpp.CreditPrice.Cost(energy.Wh(creditWh))
		bc.add(Line{Side: side, Kind: CPPCreditLine, Label: fmt.Sprintf("Peak pricing credit (%d–%d h on non-event weekdays)", cpp.CreditStart, cpp.CreditEnd),
			Quantity: creditWh, Unit: "Wh", Rate: -int64(cpp.CreditPrice), Nanos: -n})
		net -= n.Round()
	}
	if pu := cpp.ProtectionUntil; !pu.IsZero() && bc.p.Start.Before(pu) {
		st.CPPNet += net
		if !bc.p.End.Before(pu) {
			if st.CPPNet > 0 {
				bc.addCents(Line{Side: side, Kind: ProtectionLine,
					Label: "First-year bill protection: peak pricing charges above its credits are returned"}, -st.CPPNet)
			}
			st.CPPNet = 0
		}
	}
	return nil
}

// hoursWh sums delivered energy of local hours [h0, h1) of day d.
func (bc *billCtx) hoursWh(d calendar.Date, h0, h1 int) int64 {
	t0 := time.Date(d.Year, d.Month, d.Day, h0, 0, 0, 0, calendar.Pacific)
	t1 := time.Date(d.Year, d.Month, d.Day, h1, 0, 0, 0, calendar.Pacific)
	i0 := min(max(bc.u.index(t0)-bc.a, 0), len(bc.del))
	i1 := min(max(bc.u.index(t1)-bc.a, 0), len(bc.del))
	return sumWh(bc.del[i0:i1])
}
