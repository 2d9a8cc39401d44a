package billing

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

const opBill = "billing.Bill"

// schedule is the part of an account's rates that one ledger bills.
type schedule struct {
	side     Side
	versions []*tariff.Version
	// buckets filters components by bucket; nil takes every bucket.
	keep func(tariff.Bucket) bool
	// onlyEnergy drops non-energy components (a utility tariff's
	// generation bucket used as a CCA's proxy generation rate).
	onlyEnergy bool
}

// schedules splits t's rates into ledgers.
func (t *Terms) schedules() []schedule {
	if t.LSE != CCA {
		return []schedule{{side: Utility, versions: t.Tariff}}
	}
	notGen := func(b tariff.Bucket) bool { return b != tariff.Generation }
	out := []schedule{{side: Utility, versions: t.Tariff, keep: notGen}}
	if len(t.GenerationTariff) > 0 {
		out = append(out, schedule{side: Generation, versions: t.GenerationTariff})
	} else {
		out = append(out, schedule{side: Generation, versions: t.Tariff, onlyEnergy: true,
			keep: func(b tariff.Bucket) bool { return b == tariff.Generation }})
	}
	return out
}

// segment is the part of a billing period priced by one version.
type segment struct {
	cv       *compiled
	from, to calendar.Date
	days     int
	// del and rec are delivered and received energy per energy period.
	del, rec []int64
	// allowance is the baseline allowance of the segment's days.
	allowance energy.Wh
	// peaks are the demand peaks (W) per demand component and period, over
	// the whole billing period.
	peaks [][]int64
	// flatPeak is the highest demand of the billing period (W) for flat
	// demand components, by window length in minutes.
	flatPeak map[int]int64
}

// billCtx is the scratch of one bill.
type billCtx struct {
	c    *Calculator
	t    *Terms
	u    *Usage
	p    calendar.Period
	a    int         // usage index of the period's first interval
	del  []energy.Wh // delivered in the period (missing read as zero)
	rec  []energy.Wh // received, nil when none
	bill *Bill
}

// Bill computes the bill of period p for an account on terms t with usage
// u, given the State carried from the previous bill, and returns the bill
// and the State to carry to the next. t must have been validated
// (Terms.Validate); Run validates it once for many periods.
func (c *Calculator) Bill(t *Terms, p calendar.Period, u *Usage, st State) (*Bill, State, error) {
	if !u.prepared() {
		if err := u.Prepare(); err != nil {
			return nil, st, err
		}
	}
	if p.Days() <= 0 {
		return nil, st, apperr.Invalidf(opBill, "billing period %s is empty", p)
	}
	if !u.covers(p) {
		return nil, st, apperr.Invalidf(opBill, "the interval data cover %s to %s; the billing period %s needs intervals outside them",
			u.Start.In(calendar.Pacific).Format("2006-01-02 15:04"), u.End().In(calendar.Pacific).Format("2006-01-02 15:04"), p)
	}
	a, b := u.index(p.Start.Start()), u.index(p.End.Start())
	bc := &billCtx{c: c, t: t, u: u, p: p, a: a, del: u.Delivered[a:b]}
	if u.Received != nil {
		bc.rec = u.Received[a:b]
	}
	bill := &Bill{Period: p, Days: p.Days(), Estimated: countIn(u.Estimated, a, b), NetOnly: u.NetOnly}
	bc.bill = bill
	if n := countIn(u.missing, a, b); n > 0 {
		first := u.missing[sort.SearchInts(u.missing, a)]
		if !t.AllowIncomplete {
			return nil, st, apperr.Invalidf(opBill, "%d intervals of %s have no reading (the first at %s); bill incomplete data only with allow_incomplete",
				n, p, u.Start.Add(time.Duration(first)*u.Step).In(calendar.Pacific).Format("2006-01-02 15:04"))
		}
		bill.Missing = n
		bc.del, bc.rec = zeroMissing(bc.del), zeroMissing(bc.rec)
		bill.Notes = append(bill.Notes, fmt.Sprintf("%d intervals had no reading and were billed as zero.", n))
	}
	if bill.Estimated > 0 {
		bill.Notes = append(bill.Notes, fmt.Sprintf("%d intervals were estimated by the meter data source.", bill.Estimated))
	}
	if u.NetOnly && t.Program != NoProgram {
		bill.Notes = append(bill.Notes, "The interval data are net values only: gross imports and exports within an interval are unknown, so non-bypassable charges and export credits may be understated.")
	}
	if s := t.Storage; s != nil && s.GridCharging && bc.rec != nil {
		if err := bc.capStorageExports(b); err != nil {
			return nil, st, err
		}
	}
	for _, v := range bc.del {
		bill.Delivered += v
	}
	for _, v := range bc.rec {
		bill.Received += v
	}
	for _, e := range t.EstimatedExports {
		n := e.total()
		bill.EstimatedExport += n
		bill.Notes = append(bill.Notes, fmt.Sprintf("%s: %s kWh of estimated generation credited as exports.", e.Label, kwh(int64(n))))
	}

	var earned [2]money.Nanos // export value per side
	if t.Program == NBT {
		var err error
		if earned, err = bc.exportValue(); err != nil {
			return nil, st, err
		}
		bill.ExportCreditEarned = (earned[0] + earned[1]).Round()
	}
	for _, s := range t.schedules() {
		if err := bc.price(s); err != nil {
			return nil, st, err
		}
	}
	riderSide := Utility
	if t.LSE == CCA {
		riderSide = Generation
	}
	if t.CPP != nil {
		if err := bc.rider(riderSide, &st); err != nil {
			return nil, st, err
		}
	}
	sides := []Side{Utility}
	if t.LSE == CCA {
		sides = append(sides, Generation)
	}
	for i, side := range sides {
		ls := st.ledger(side)
		if ls.Start.IsZero() {
			ls.Start = p.Start
			if !t.RelevantStart.IsZero() && t.RelevantStart.Before(p.Start) {
				ls.Start = t.RelevantStart
			}
		}
		ls.Bills++
		ls.Delivered += bill.Delivered
		ls.Received += bill.Received + bill.EstimatedExport
		pol := t.UtilityLedger
		if side == Generation {
			pol = t.GenerationLedger
		}
		bc.minimum(side, ls)
		switch t.Program {
		case NEM1, NEM2:
			bc.settleNEM(side, pol, ls)
		case NBT:
			credit := earned[0]
			if t.LSE == CCA {
				credit = earned[i]
			} else {
				credit += earned[1]
			}
			bc.applyExportCredits(side, credit, ls)
		}
		if t.Program != NoProgram && bc.endsRelevantPeriod(side, pol, ls) {
			bc.trueUp(side, pol, ls)
		}
	}
	bc.discounts(sides)
	// One-off credits come after the discounts: a rebate paid on the bill
	// is not discounted.
	for _, c := range t.Credits {
		bc.addCents(Line{Side: c.Side, Kind: CreditLine, Label: c.Label}, -c.Cents)
	}
	bill.Total = 0
	for _, side := range sides {
		ls := st.ledger(side)
		tot := bill.Sum(func(l Line) bool { return l.Side == side })
		bill.Sides = append(bill.Sides, SideTotal{Side: side, Total: tot, Balance: ls.Balance,
			ExportCredits: ls.ExportCredits, ACCPlus: ls.ACCPlus})
		bill.Total += tot
	}
	return bill, st, nil
}

// capStorageExports limits each interval's credited export to the
// generator's output in it (Storage explains the rule) and notes the
// energy left uncredited.
func (bc *billCtx) capStorageExports(b int) error {
	gen := bc.u.Generated
	if gen == nil {
		return apperr.Invalidf(opBill, "paired storage that may charge from the grid needs the generator's output (a net generation output meter reading or an estimate) to limit export credit")
	}
	gen = gen[bc.a:b]
	capped := make([]energy.Wh, len(bc.rec))
	var cut energy.Wh
	for i, r := range bc.rec {
		g := gen[i]
		if g == Missing {
			return apperr.Invalidf(opBill, "the generator output at %s is missing; export credit for grid-charged storage cannot be limited",
				bc.u.Start.Add(time.Duration(bc.a+i)*bc.u.Step).In(calendar.Pacific).Format("2006-01-02 15:04"))
		}
		capped[i] = min(r, g)
		cut += r - capped[i]
	}
	bc.rec = capped
	if cut > 0 {
		bc.bill.Notes = append(bc.bill.Notes, fmt.Sprintf("%s kWh exported beyond the generator's output (battery energy that may have come from the grid) earned no credit.", kwh(int64(cut))))
	}
	return nil
}

func zeroMissing(vs []energy.Wh) []energy.Wh {
	if vs == nil {
		return nil
	}
	out := slices.Clone(vs)
	for i, v := range out {
		if v == Missing {
			out[i] = 0
		}
	}
	return out
}

// add appends a line, rounding its amount.
func (bc *billCtx) add(l Line) {
	l.Amount = l.Nanos.Round()
	bc.bill.Lines = append(bc.bill.Lines, l)
}

// addCents appends a line whose amount is already in cents.
func (bc *billCtx) addCents(l Line, c money.Cents) {
	l.Amount = c
	l.Nanos = money.Nanos(int64(c) * 10_000_000)
	bc.bill.Lines = append(bc.bill.Lines, l)
}

// pieces calls fn for each part of [from, to) within one calendar year.
func pieces(from, to calendar.Date, fn func(year int, from, to calendar.Date) error) error {
	for d := from; d.Before(to); {
		next := calendar.Date{Year: d.Year + 1, Month: time.January, Day: 1}
		end := to
		if next.Before(end) {
			end = next
		}
		if err := fn(d.Year, d, end); err != nil {
			return err
		}
		d = end
	}
	return nil
}

// yearRange returns the interval range [i0, i1) of [from, to) in an index
// starting at start, and the offset from index position to bill-local
// position.
func (bc *billCtx) yearRange(start time.Time, from, to calendar.Date) (i0, i1, off int) {
	step := bc.u.Step
	i0 = int(from.Start().Sub(start) / step)
	i1 = int(to.Start().Sub(start) / step)
	off = bc.u.index(start) - bc.a
	return i0, i1, off
}

// segments splits the period by the versions in force.
func (bc *billCtx) segments(s schedule) ([]*segment, error) {
	var out []*segment
	for d := bc.p.Start; d.Before(bc.p.End); {
		v := versionOn(s.versions, d)
		if v == nil {
			return nil, apperr.Invalidf(opBill, "no %s tariff version is in force on %s", s.side, d)
		}
		end := bc.p.End
		if !v.To.IsZero() && v.To.Before(end) {
			end = v.To
		}
		cv, err := bc.c.compile(v)
		if err != nil {
			return nil, err
		}
		out = append(out, &segment{cv: cv, from: d, to: end, days: d.DaysUntil(end)})
		d = end
	}
	return out, nil
}

// determinants fills a segment's energy by period, baseline allowance and
// demand peaks.
func (bc *billCtx) determinants(sg *segment, wantDemand bool) error {
	n := max(1, len(sg.cv.periods))
	sg.del, sg.rec = make([]int64, n), make([]int64, n)
	v := sg.cv.v
	err := pieces(sg.from, sg.to, func(year int, from, to calendar.Date) error {
		if sg.cv.periods == nil {
			i0, i1 := bc.u.index(from.Start())-bc.a, bc.u.index(to.Start())-bc.a
			sg.del[0] += sumWh(bc.del[i0:i1])
			if bc.rec != nil {
				sg.rec[0] += sumWh(bc.rec[i0:i1])
			}
			return nil
		}
		ix, err := bc.c.index(v, "energy", year, bc.u.Step)
		if err != nil {
			return err
		}
		i0, i1 := dayPos(ix, from), dayPos(ix, to)
		off := bc.u.index(ix.Start) - bc.a
		sumByPeriod(ix, i0, i1, off, bc.del, bc.rec, sg.del, sg.rec)
		if len(bc.t.Baseline) > 0 || bc.t.Discounts.MedicalBaselinePerDay > 0 {
			d0 := calendar.Date{Year: year, Month: time.January, Day: 1}.DaysUntil(from)
			for d := d0; d < d0+from.DaysUntil(to); d++ {
				name := ""
				if s := int(ix.Season[d]); s < len(sg.cv.seasons) {
					name = sg.cv.seasons[s]
				}
				sg.allowance += bc.t.Baseline[name] + bc.t.Discounts.MedicalBaselinePerDay
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if sg.from == bc.p.Start {
		if err := bc.estimatedByPeriod(sg); err != nil {
			return err
		}
	}
	if !wantDemand {
		return nil
	}
	// Demand peaks are taken over the whole billing period with this
	// version's demand map; the charges are then prorated by the
	// segment's days.
	sg.peaks = make([][]int64, len(sg.cv.demandTOU))
	for k, dc := range sg.cv.demandTOU {
		peaks := make([]int64, len(dc.periods))
		window := bc.window(dc.c.WindowMinutes)
		err := pieces(bc.p.Start, bc.p.End, func(year int, from, to calendar.Date) error {
			ix, err := bc.c.index(v, dc.c.Map, year, bc.u.Step)
			if err != nil {
				return err
			}
			i0, i1, off := bc.yearRange(ix.Start, from, to)
			for i := i0; i < i1; i += window {
				w := windowDemand(bc.del[i+off:min(i+window, i1)+off], bc.u.Step, window)
				if p := ix.Period[i]; w > peaks[p] {
					peaks[p] = w
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		sg.peaks[k] = peaks
	}
	sg.flatPeak = map[int]int64{}
	for _, dc := range sg.cv.demandFlt {
		window := bc.window(dc.WindowMinutes)
		if _, ok := sg.flatPeak[window]; ok {
			continue
		}
		var peak int64
		for i := 0; i < len(bc.del); i += window {
			if w := windowDemand(bc.del[i:min(i+window, len(bc.del))], bc.u.Step, window); w > peak {
				peak = w
			}
		}
		sg.flatPeak[window] = peak
	}
	return nil
}

// estimatedByPeriod adds the estimated exports to the first segment's
// received energy, each hour in the TOU period of the segment version's
// energy map at that hour (EstimatedExport explains the rule).
func (bc *billCtx) estimatedByPeriod(sg *segment) error {
	for _, e := range bc.t.EstimatedExports {
		for h, wh := range e.Wh {
			if sg.cv.periods == nil {
				sg.rec[0] += int64(wh)
				continue
			}
			at := e.Start.Add(time.Duration(h) * time.Hour)
			ix, err := bc.c.index(sg.cv.v, "energy", calendar.DateOf(at).Year, time.Hour)
			if err != nil {
				return err
			}
			sg.rec[ix.Period[int(at.Sub(ix.Start)/time.Hour)]] += int64(wh)
		}
	}
	return nil
}

// window returns a demand window of minutes as a count of intervals (at
// least one: hourly data cannot show a 15-minute peak, so it is billed on
// the hourly average).
func (bc *billCtx) window(minutes int) int {
	if minutes <= 0 {
		return 1
	}
	return max(1, int(time.Duration(minutes)*time.Minute/bc.u.Step))
}

// windowDemand is the average power (W) over a window of n intervals.
func windowDemand(vs []energy.Wh, step time.Duration, n int) int64 {
	secs := int64(time.Duration(n) * step / time.Second)
	return sumWh(vs) * 3600 / secs
}

func sumWh(vs []energy.Wh) int64 {
	var s int64
	for _, v := range vs {
		s += int64(v)
	}
	return s
}

// dayPos is the index position of the first interval of day d, which
// must be in the index's year or be the next year's January 1.
func dayPos(ix *tariff.Index, d calendar.Date) int {
	if d.Year != ix.Year {
		return len(ix.Period)
	}
	return int(ix.DayStart[calendar.Date{Year: ix.Year, Month: time.January, Day: 1}.DaysUntil(d)])
}

// sumByPeriod adds the energy of index positions [i0, i1) to del and rec
// by period, walking the index's same-period runs. Bill-local position
// is index position + off.
func sumByPeriod(ix *tariff.Index, i0, i1, off int, delivered, received []energy.Wh, del, rec []int64) {
	runs := ix.Runs
	k := sort.Search(len(runs), func(j int) bool { return int(runs[j].End) > i0 })
	for ; k < len(runs) && int(runs[k].Start) < i1; k++ {
		r := runs[k]
		s, e := max(int(r.Start), i0)+off, min(int(r.End), i1)+off
		if received == nil {
			del[r.Period] += sumWh(delivered[s:e])
			continue
		}
		d, q := delivered[s:e], received[s:e]
		q = q[:len(d)]
		var sd, sr int64
		for i, v := range d {
			sd += int64(v)
			sr += int64(q[i])
		}
		del[r.Period] += sd
		rec[r.Period] += sr
	}
}

// exportValue prices the period's received energy, and any estimated
// exports, at the NBT export prices, hour by hour: delivery and
// generation components.
func (bc *billCtx) exportValue() ([2]money.Nanos, error) {
	var out [2]money.Nanos
	for _, e := range bc.t.EstimatedExports {
		for h, wh := range e.Wh {
			at := e.Start.Add(time.Duration(h) * time.Hour)
			ev, err := bc.c.exportPrices(bc.t.ExportPrices, calendar.DateOf(at).Year, time.Hour)
			if err != nil {
				return out, err
			}
			i := int(at.Sub(ev.start) / time.Hour)
			out[0] += money.Nanos(int64(ev.delivery[i]) * int64(wh))
			out[1] += money.Nanos(int64(ev.generation[i]) * int64(wh))
		}
	}
	if bc.rec == nil {
		return out, nil
	}
	err := pieces(bc.p.Start, bc.p.End, func(year int, from, to calendar.Date) error {
		ev, err := bc.c.exportPrices(bc.t.ExportPrices, year, bc.u.Step)
		if err != nil {
			return err
		}
		i0, i1, off := bc.yearRange(ev.start, from, to)
		var d, g int64
		rec := bc.rec[i0+off : i1+off]
		dp, gp := ev.delivery[i0:i1], ev.generation[i0:i1]
		for i, r := range rec {
			d += int64(dp[i]) * int64(r)
			g += int64(gp[i]) * int64(r)
		}
		out[0] += money.Nanos(d)
		out[1] += money.Nanos(g)
		return nil
	})
	return out, err
}

func missingExportYear(t *tariff.ExportTable, year int) error {
	return apperr.Invalidf(opBill, "the %s export-price table of vintage %d has no prices for %d", t.Utility, t.Vintage, year)
}

// suffix labels a segment's lines when a period has several.
func suffix(sgs []*segment, sg *segment) string {
	if len(sgs) < 2 {
		return ""
	}
	return fmt.Sprintf(" (%s–%s)", sg.from, sg.to.AddDays(-1))
}

// price adds the charge lines of one ledger's schedule.
func (bc *billCtx) price(s schedule) error {
	sgs, err := bc.segments(s)
	if err != nil {
		return err
	}
	keep := func(b tariff.Bucket) bool { return s.keep == nil || s.keep(b) }
	for _, sg := range sgs {
		bc.bill.Versions = appendUnique(bc.bill.Versions, fmt.Sprintf("%s %s@%s", sg.cv.v.Utility, sg.cv.v.Code, sg.cv.v.From))
		wantDemand := !s.onlyEnergy && (len(sg.cv.demandTOU) > 0 || len(sg.cv.demandFlt) > 0)
		if err := bc.determinants(sg, wantDemand); err != nil {
			return err
		}
		sfx := suffix(sgs, sg)
		bc.energyLines(s, sg, keep, sfx)
		if s.onlyEnergy {
			continue
		}
		for _, comp := range sg.cv.fixed {
			if !keep(comp.Bucket) {
				continue
			}
			l := Line{Side: s.side, Kind: FixedLine, Bucket: comp.Bucket, Label: comp.Name + sfx, Rate: int64(comp.Price)}
			switch comp.Kind {
			case tariff.FixedDay:
				l.Quantity, l.Unit = int64(sg.days), "day"
				l.Nanos, _ = comp.Price.PerDay().Cost(sg.days)
			case tariff.FixedMonth:
				// A monthly charge is prorated by the segment's share of the
				// billing period's days.
				l.Quantity, l.Unit = 1, "month"
				l.Nanos = money.Nanos(money.RoundDiv(int64(comp.Price)*1000*int64(sg.days), int64(bc.bill.Days)))
			}
			bc.add(l)
		}
		bc.demandLines(s, sg, keep, sfx)
	}
	return nil
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// quantities returns the energy billed per period for a component of
// bucket b under the account's program: imports, or imports net of exports
// (NEM 1.0 everything; NEM 2.0 everything but non-bypassable charges).
func (bc *billCtx) quantities(sg *segment, b tariff.Bucket) []int64 {
	switch bc.t.Program {
	case NEM1:
		return netOf(sg)
	case NEM2:
		if b != tariff.NBC {
			return netOf(sg)
		}
	}
	return sg.del
}

func netOf(sg *segment) []int64 {
	out := make([]int64, len(sg.del))
	for p := range out {
		out[p] = sg.del[p] - sg.rec[p]
	}
	return out
}

// energyLines adds the energy and baseline-credit lines of a segment.
func (bc *billCtx) energyLines(s schedule, sg *segment, keep func(tariff.Bucket) bool, sfx string) {
	var basis int64 // usage the baseline credit applies to
	basisSet := false
	for _, ec := range sg.cv.energy {
		if !keep(ec.c.Bucket) || slices.Contains(bc.t.Exempt, ec.c.Name) {
			continue
		}
		q := bc.quantities(sg, ec.c.Bucket)
		if !basisSet && ec.c.Bucket != tariff.NBC {
			for _, x := range q {
				basis += x
			}
			basisSet = true
		}
		if ec.flat {
			var total int64
			for _, x := range q {
				total += x
			}
			bc.energyLine(s.side, ec, 0, total, tierTotal(q), sg, sfx)
			continue
		}
		for p, x := range q {
			if x == 0 && sg.del[p] == 0 && sg.rec[p] == 0 {
				continue
			}
			bc.energyLine(s.side, ec, p, x, tierTotal(q), sg, sfx)
		}
	}
	if bl := sg.cv.baseline; bl != nil && keep(bl.Bucket) && sg.allowance > 0 {
		qty := min(max(basis, 0), int64(sg.allowance))
		if qty > 0 {
			n, _ := bl.Price.PerKWh().Cost(energy.Wh(qty))
			bc.add(Line{Side: s.side, Kind: BaselineLine, Bucket: bl.Bucket, Label: fmt.Sprintf("%s (allowance %s kWh)%s", bl.Name, kwh(int64(sg.allowance)), sfx),
				Quantity: qty, Unit: "Wh", Rate: int64(bl.Price), Nanos: n})
		}
	}
}

// tierTotal is the usage that tiers are applied to: the positive
// quantities of every period.
func tierTotal(q []int64) int64 {
	var t int64
	for _, x := range q {
		t += max(x, 0)
	}
	return t
}

// energyLine prices qty Wh of period p of an energy component. With tiers,
// the period's share of each tier follows its share of the billing
// period's usage (tiers are cumulative over the period; research/billing.md
// §2.2: tiers apply pro rata across periods); negative quantities
// (net exports) are credited at the first tier's price.
func (bc *billCtx) energyLine(side Side, ec energyComp, p int, qty, total int64, sg *segment, sfx string) {
	prices := ec.prices[p]
	l := Line{Side: side, Kind: EnergyLine, Bucket: ec.c.Bucket, Label: ec.labels[p] + sfx, Quantity: qty, Unit: "Wh", Rate: int64(prices[0])}
	if !ec.flat && p < len(sg.cv.periods) {
		l.Period = sg.cv.periods[p]
	}
	bounds := ec.bounds[p]
	if bounds == nil || qty <= 0 || total <= 0 {
		l.Nanos, _ = prices[0].Cost(energy.Wh(qty))
		bc.add(l)
		return
	}
	var prev, n int64
	for t := range prices {
		hi := total
		if t < len(bounds)-1 {
			hi = min(total, tierBound(bounds[t], sg))
		}
		if hi <= prev {
			break
		}
		share := money.RoundDiv((hi-prev)*qty, total)
		c, _ := prices[t].Cost(energy.Wh(share))
		n += int64(c)
		prev = hi
	}
	l.Nanos = money.Nanos(n)
	bc.add(l)
}

// tierBound is a tier's upper bound in Wh for the segment: kWh as is,
// kWh per day times the segment's days. (kWh per kW hours-use tiers are
// rejected by the tariff validation for billing.)
func tierBound(t tariff.Tier, sg *segment) int64 {
	if t.Unit == tariff.KWhPerDay {
		return int64(t.Max) * int64(sg.days)
	}
	return int64(t.Max)
}

// demandLines adds TOU and flat demand charges, prorated by the segment's
// share of the billing period.
func (bc *billCtx) demandLines(s schedule, sg *segment, keep func(tariff.Bucket) bool, sfx string) {
	prorate := func(n money.Nanos) money.Nanos {
		return money.Nanos(money.RoundDiv(int64(n)*int64(sg.days), int64(bc.bill.Days)))
	}
	for k, dc := range sg.cv.demandTOU {
		if !keep(dc.c.Bucket) {
			continue
		}
		for p, peak := range sg.peaks[k] {
			price := dc.c.Rates[p][0].Price.PerKW()
			if peak == 0 || price == 0 {
				continue
			}
			n, _ := price.Cost(energy.W(peak))
			bc.add(Line{Side: s.side, Kind: DemandLine, Bucket: dc.c.Bucket, Label: fmt.Sprintf("%s — %s%s", dc.c.Name, dc.periods[p], sfx),
				Period: dc.periods[p], Quantity: peak, Unit: "W", Rate: int64(price), Nanos: prorate(n)})
		}
	}
	for _, dc := range sg.cv.demandFlt {
		if !keep(dc.Bucket) {
			continue
		}
		row := dc.Rates[dc.Months[sg.from.Month-1]]
		price := row[0].Price.PerKW()
		peak := sg.flatPeak[bc.window(dc.WindowMinutes)]
		if peak == 0 || price == 0 {
			continue
		}
		n, _ := price.Cost(energy.W(peak))
		bc.add(Line{Side: s.side, Kind: DemandLine, Bucket: dc.Bucket, Label: dc.Name + sfx, Quantity: peak, Unit: "W", Rate: int64(price), Nanos: prorate(n)})
	}
}

// kwh formats Wh as kWh with up to three decimals.
func kwh(wh int64) string {
	s := fmt.Sprintf("%d.%03d", wh/1000, abs(wh%1000))
	if wh < 0 && wh > -1000 {
		s = "-" + s
	}
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return trimDot(s)
}

func trimDot(s string) string {
	if s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
