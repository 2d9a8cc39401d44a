package billing

import (
	"bytes"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// CalcOptions are the settings of a stateless bill calculation: what
// `gridbook bill calc` takes as flags and POST /api/v1/bills/calc as
// fields. Zero values take the defaults documented per field.
type CalcOptions struct {
	// Program: none (default), nem1, nem2 or nbt.
	Program string `json:"program,omitempty"`
	// Start and End bound the bills (End exclusive); by default the whole
	// local days the interval data cover.
	Start calendar.Date `json:"start,omitzero"`
	End   calendar.Date `json:"end,omitzero"`
	// CycleDay is the meter-read day of the month (1–28; default 1,
	// calendar months).
	CycleDay int `json:"cycle_day,omitempty"`
	// LSE: bundled (default) or cca.
	LSE string `json:"lse,omitempty"`
	// Vintage and Utility describe an export-price CSV (default: from
	// its file name).
	Vintage int    `json:"vintage,omitempty"`
	Utility string `json:"utility,omitempty"`
	// CARE and FERA apply those discounts at CAREBP (default 3000, the
	// 30% floor of PU Code §739.1) and FERABP (default 1800, 18%).
	CARE   bool  `json:"care,omitempty"`
	FERA   bool  `json:"fera,omitempty"`
	CAREBP int64 `json:"care_bp,omitempty"`
	FERABP int64 `json:"fera_bp,omitempty"`
	// PowerShare applies CPA's 20% Power Share discount (CCA only).
	PowerShare bool `json:"power_share,omitempty"`
	// NSCRate is the net surplus compensation rate in $/kWh ("0.01786").
	NSCRate string `json:"nsc_rate,omitempty"`
	// ACCPlus is the NBT ACC Plus adder in $/kWh.
	ACCPlus string `json:"acc_plus,omitempty"`
	// UnusedCredits is forfeit (default) or carry.
	UnusedCredits string `json:"unused_credits,omitempty"`
	// BaselineSummer and BaselineWinter are daily baseline allowances in
	// kWh ("14.2"), for tariffs with a baseline credit.
	BaselineSummer string `json:"baseline_summer_kwh,omitempty"`
	BaselineWinter string `json:"baseline_winter_kwh,omitempty"`
	// NetHourly sums the data to clock hours and nets each hour first
	// (how SAM sees hourly data), for comparison.
	NetHourly bool `json:"net_hourly,omitempty"`
	// AllowIncomplete bills periods with missing intervals as zero.
	AllowIncomplete bool `json:"allow_incomplete,omitempty"`
	// Calendar is real (default) or sam; Metering is SAM's
	// ur_metering_option (0, 1, 2 or 4) in sam mode; SellRates in sam mode
	// is an 8,760-line file of $/kWh sell prices.
	Calendar string `json:"calendar,omitempty"`
	Metering int    `json:"metering,omitempty"`
}

// CalcFiles are the documents of a calculation.
type CalcFiles struct {
	Tariff       []byte // URDB or native JSON
	Intervals    []byte // Green Button ESPI XML, SCE/PG&E CSV or plain CSV
	ExportPrices []byte // utility export-price CSV (NBT)
	ExportName   string // its file name, for its utility and vintage
	SellRates    []byte // SAM mode: 8,760 $/kWh values
}

// CalcResult is a stateless calculation's answer. Its JSON is the
// documented output of `gridbook bill calc --json`.
type CalcResult struct {
	Total  money.Cents `json:"total_cents"`
	Months []Summary   `json:"months"`
	// TrueUp is the first true-up in range (nil when none); TrueUps lists
	// them all.
	TrueUp    *TrueUp    `json:"true_up,omitempty"`
	TrueUps   []TrueUp   `json:"true_ups,omitempty"`
	LineItems []CalcLine `json:"line_items"`
	Bills     []*Bill    `json:"-"`
	Final     State      `json:"final_state"`
	Notes     []string   `json:"notes,omitempty"`
}

// CalcLine is a line item with the billing period it belongs to.
type CalcLine struct {
	Start calendar.Date `json:"period_start"`
	Line
}

// Calc reads the documents, applies the options and bills every period.
// It touches no database: analysts use it to check a bill or compare
// rates, and tests use it against published figures.
func Calc(files CalcFiles, o CalcOptions) (*CalcResult, error) {
	const op = "billing.Calc"
	var f apperr.Fields
	if len(files.Tariff) == 0 {
		f.Add("tariff", "a tariff file is required")
	}
	if len(files.Intervals) == 0 {
		f.Add("intervals", "an interval file is required")
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	versions, err := tariff.Parse(files.Tariff, "", tariff.URDBOptions{})
	if err != nil {
		return nil, prefix("tariff", err)
	}
	mf, err := meterdata.Parse(bytes.NewReader(files.Intervals), meterdata.FormatAuto)
	if err != nil {
		return nil, prefix("intervals", err)
	}
	u, err := UsageFromFile(mf)
	if err != nil {
		return nil, prefix("intervals", err)
	}
	if o.Calendar == "sam" {
		return calcSAM(versions, u, files, o)
	}
	if o.Calendar != "" && o.Calendar != "real" {
		return nil, apperr.Invalidf(op, "calendar %q: want real or sam", o.Calendar)
	}
	if o.NetHourly {
		if u, err = NetHourly(u); err != nil {
			return nil, err
		}
	}
	terms, err := o.terms(versions, files)
	if err != nil {
		return nil, err
	}
	periods, err := o.periods(u)
	if err != nil {
		return nil, err
	}
	bills, st, err := NewCalculator().Run(terms, periods, u, State{})
	if err != nil {
		return nil, err
	}
	return result(bills, st), nil
}

// result assembles a CalcResult from bills.
func result(bills []*Bill, st State) *CalcResult {
	r := &CalcResult{Bills: bills, Final: st, Months: []Summary{}, LineItems: []CalcLine{}}
	for _, b := range bills {
		r.Total += b.Total
		r.Months = append(r.Months, b.Summarize())
		for _, l := range b.Lines {
			r.LineItems = append(r.LineItems, CalcLine{Start: b.Period.Start, Line: l})
		}
		r.TrueUps = append(r.TrueUps, b.TrueUps...)
		for _, n := range b.Notes {
			r.Notes = appendUnique(r.Notes, n)
		}
	}
	if len(r.TrueUps) > 0 {
		r.TrueUp = &r.TrueUps[0]
	}
	return r
}

// prefix names the document an error came from.
func prefix(doc string, err error) error {
	if !apperr.Is(err, apperr.Invalid) {
		return err
	}
	var f apperr.Fields
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		f.Add(doc, "%s", apperr.MessageOf(err))
	}
	for _, fe := range fields {
		f.Add(doc+"."+fe.Field, "%s", fe.Msg)
	}
	return f.Err("billing.Calc")
}

// terms builds Terms from the options.
func (o CalcOptions) terms(versions []tariff.Version, files CalcFiles) (*Terms, error) {
	const op = "billing.Calc"
	var f apperr.Fields
	t := &Terms{LSE: Bundled, Program: NoProgram, AllowIncomplete: o.AllowIncomplete}
	for i := range versions {
		t.Tariff = append(t.Tariff, &versions[i])
	}
	if o.Program != "" {
		p, err := ParseProgram(o.Program)
		if err != nil {
			f.Add("program", "%s", reason(err))
		}
		t.Program = p
	}
	switch o.LSE {
	case "", string(Bundled):
	case string(CCA):
		t.LSE = CCA
	default:
		f.Add("lse", "must be bundled or cca, not %q", o.LSE)
	}
	pol := Ledger{Settlement: Annual, UnusedCredits: Forfeit}
	if o.NSCRate != "" {
		r, err := money.ParseMicro(o.NSCRate)
		if err != nil || r < 0 {
			f.Add("nsc_rate", "want $/kWh such as 0.01786, not %q", o.NSCRate)
		}
		pol.NSCRate = money.MicroPerKWh(r)
	}
	switch o.UnusedCredits {
	case "", string(Forfeit):
	case string(Carry):
		pol.UnusedCredits = Carry
	default:
		f.Add("unused_credits", "must be forfeit or carry, not %q", o.UnusedCredits)
	}
	t.UtilityLedger, t.GenerationLedger = pol, pol
	if t.LSE == CCA {
		// The CCA layer as Clean Power Alliance runs it: monthly payment of
		// generation charges, one true-up every April, NSC at the
		// utility's rate + 10% (research/billing.md §4.1).
		t.GenerationLedger.Settlement, t.GenerationLedger.TrueUpMonth, t.GenerationLedger.NSCMarkupBP = Monthly, time.April, 1000
	}
	if o.ACCPlus != "" {
		r, err := money.ParseMicro(o.ACCPlus)
		if err != nil || r < 0 {
			f.Add("acc_plus", "want $/kWh such as 0.024, not %q", o.ACCPlus)
		}
		t.ACCPlus = money.MicroPerKWh(r)
	}
	for _, b := range []struct{ field, season, v string }{{"baseline_summer_kwh", "summer", o.BaselineSummer}, {"baseline_winter_kwh", "winter", o.BaselineWinter}} {
		if b.v == "" {
			continue
		}
		wh, err := energy.ParseKWh(b.v)
		if err != nil || wh < 0 {
			f.Add(b.field, "want kWh per day such as 14.2, not %q", b.v)
			continue
		}
		if t.Baseline == nil {
			t.Baseline = map[string]energy.Wh{}
		}
		t.Baseline[b.season] = wh
	}
	if o.CARE {
		t.Discounts.CAREBP = 3000
		if o.CAREBP != 0 {
			t.Discounts.CAREBP = o.CAREBP
		}
	}
	if o.FERA {
		t.Discounts.FERABP = 1800
		if o.FERABP != 0 {
			t.Discounts.FERABP = o.FERABP
		}
	}
	if o.PowerShare {
		t.Discounts.PowerShareBP = 2000
	}
	if len(files.ExportPrices) > 0 {
		opt, _ := tariff.ExportOptionsFromName(files.ExportName)
		if o.Utility != "" {
			opt.Utility = o.Utility
		}
		if o.Vintage != 0 {
			opt.Vintage = o.Vintage
		}
		opt.Source = files.ExportName
		et, err := tariff.ParseExportCSV(bytes.NewReader(files.ExportPrices), opt)
		if err != nil {
			return nil, prefix("export_prices", err)
		}
		t.ExportPrices = et
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// periods returns the billing periods of the options over u's data.
func (o CalcOptions) periods(u *Usage) ([]calendar.Period, error) {
	start, end := o.Start, o.End
	if start.IsZero() {
		start = calendar.DateOf(u.Start)
		if start.Start().Before(u.Start) {
			start = start.Next()
		}
	}
	if end.IsZero() {
		end = calendar.DateOf(u.End())
		if end.Start().After(u.End()) {
			end = end.AddDays(-1)
		}
	}
	if !end.After(start) {
		return nil, apperr.Invalidf("billing.Calc", "the interval data hold no whole day to bill between %s and %s", start, end)
	}
	day := o.CycleDay
	if day == 0 {
		day = 1
	}
	return Cycles(start, end, day)
}
