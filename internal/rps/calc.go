package rps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// CalcInput is the document of the stateless calculator (`gridbook rps
// calc`, POST /api/v1/rps/calc); docs/rps.md describes it.
type CalcInput struct {
	Jurisdiction Jurisdiction     `json:"jurisdiction"`
	Period       string           `json:"period"`
	RetailSales  map[string]int64 `json:"retail_sales_mwh"`
	Claims       []Claim          `json:"claims"`
	Bank         int64            `json:"banked_excess_mwh"`
	Settings     *Settings        `json:"settings,omitempty"`
}

// CalcOutput is the calculator's answer. Shares are decimals with six
// places; MWh are whole certificates except the *_exact strings.
type CalcOutput struct {
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	Period       string       `json:"period"`
	Years        []CalcYear   `json:"years"`
	PQRMWh       int64        `json:"pqr_mwh"`
	PQRExact     string       `json:"pqr_exact"`
	Available    CalcByPCC    `json:"available_mwh"`
	Applied      CalcApplied  `json:"applied_mwh"`
	PCC1Share    json.Number  `json:"pcc1_share"`
	PCC3Share    json.Number  `json:"pcc3_share"`
	PCC1Min      Percent      `json:"pcc1_min"`
	PCC3Max      Percent      `json:"pcc3_max"`
	Excess       int64        `json:"excess_mwh"`
	ExcessEra    ExcessEra    `json:"excess_era"`
	BankIn       int64        `json:"banked_excess_in_mwh"`
	BankOut      int64        `json:"banked_excess_out_mwh"`
	Shortfall    int64        `json:"shortfall_mwh"`
	LTRequired   int64        `json:"long_term_required_mwh"`
	LTExact      string       `json:"long_term_required_exact"`
	LTApplied    int64        `json:"long_term_applied_mwh"`
	LTShortfall  int64        `json:"long_term_shortfall_mwh"`
	Complies     bool         `json:"complies"`
	Violations   []Violation  `json:"violations"`
	Excluded     []Excluded   `json:"excluded"`
	Sources      []Source     `json:"sources"`
}

// CalcYear is one year of the requirement.
type CalcYear struct {
	Year        int     `json:"year"`
	RetailSales int64   `json:"retail_sales_mwh"`
	Percent     Percent `json:"percent"`
	MWh         string  `json:"requirement_mwh"`
}

// CalcByPCC is a quantity per category.
type CalcByPCC struct {
	PCC0 int64 `json:"pcc0"`
	PCC1 int64 `json:"pcc1"`
	PCC2 int64 `json:"pcc2"`
	PCC3 int64 `json:"pcc3"`
}

// CalcApplied is what is applied: per category, banked excess and total.
type CalcApplied struct {
	Total int64 `json:"total"`
	CalcByPCC
	Banked int64 `json:"banked"`
}

// maxCalcInput bounds a calculator document (a million claims fit).
const maxCalcInput = 256 << 20

// ParseCalcInput strictly decodes a calculator document: unknown fields,
// wrong types and malformed JSON are Invalid errors naming the field.
func ParseCalcInput(r io.Reader) (CalcInput, error) {
	const op = "rps.ParseCalcInput"
	var in CalcInput
	dec := json.NewDecoder(io.LimitReader(r, maxCalcInput))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var f apperr.Fields
		var typ *json.UnmarshalTypeError
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			f.Add(typ.Field, "must be %s, not %s", kindName(typ.Type.Kind()), typ.Value)
		case errors.As(err, &syn):
			f.Add("body", "is not valid JSON (at byte %d)", syn.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			f.Add(name, "is not a known field")
		case apperr.KindOf(err) == apperr.Invalid: // a bad date or month
			f.Add("body", "%s", apperr.MessageOf(err))
		default:
			f.Add("body", "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return in, f.Err(op)
	}
	if dec.More() {
		var f apperr.Fields
		f.Add("body", "must hold exactly one JSON object")
		return in, f.Err(op)
	}
	return in, nil
}

// kindName names the JSON value a Go kind decodes from.
func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array"
	}
	return "an object"
}

// Calc computes the position a calculator document describes, under the
// given rules (DefaultRules when nil).
func Calc(rules *Rules, in CalcInput) (CalcOutput, error) {
	const op = "rps.Calc"
	var f apperr.Fields
	if in.Jurisdiction == "" {
		f.Add("jurisdiction", "is required (%s, %s, %s or %s)", CPUCRetailSeller, CPUCESP, CPUCSMJU, CECPOU)
	}
	if in.Period == "" {
		f.Add("period", "is required (CP1 … CP8)")
	}
	sales := map[int]int64{}
	for k, v := range in.RetailSales {
		y, err := strconv.Atoi(k)
		if err != nil || len(k) != 4 {
			f.Add("retail_sales_mwh."+k, "is not a year")
			continue
		}
		sales[y] = v
	}
	if err := f.Err(op); err != nil {
		return CalcOutput{}, err
	}
	if rules == nil {
		var err error
		if rules, err = DefaultRules(); err != nil {
			return CalcOutput{}, err
		}
	}
	rs, err := rules.Lookup(in.Jurisdiction, in.Period)
	if err != nil {
		f.Add("period", "%s", apperr.MessageOf(err))
		return CalcOutput{}, f.Err(op)
	}
	settings := DefaultSettings()
	if in.Settings != nil {
		settings = *in.Settings
	}
	res, err := Compute(Input{Rules: rs, Settings: settings, RetailSales: sales, Claims: in.Claims, Bank: in.Bank})
	if err != nil {
		return CalcOutput{}, err
	}
	return NewCalcOutput(&rs, res, in.Bank), nil
}

// NewCalcOutput renders a position in the calculator's layout.
func NewCalcOutput(rs *RuleSet, res *Result, bankIn int64) CalcOutput {
	out := CalcOutput{Jurisdiction: res.Jurisdiction, Period: res.Period, PQRMWh: res.PQRMWh, PQRExact: RatString(res.PQR, 4),
		Available: byPCC(res.Available),
		Applied:   CalcApplied{Total: res.AppliedTotal, CalcByPCC: byPCC(res.Applied), Banked: res.BankApplied},
		PCC1Share: share(res.PCC1Share), PCC3Share: share(res.PCC3Share), PCC1Min: rs.PCC1Min, PCC3Max: rs.PCC3Max,
		Excess: res.Excess, ExcessEra: res.Era, BankIn: bankIn, BankOut: res.BankOut, Shortfall: res.Shortfall,
		LTRequired: ceilRat(res.LongTermRequired), LTExact: RatString(res.LongTermRequired, 4), LTApplied: res.LongTermApplied,
		LTShortfall: res.LongTermShortfall, Complies: res.Complies(), Violations: res.Violations, Excluded: res.Excluded, Sources: rs.Sources}
	for _, y := range res.Years {
		out.Years = append(out.Years, CalcYear{Year: y.Year, RetailSales: y.RetailSales, Percent: y.Percent, MWh: RatString(y.MWh, 4)})
	}
	return out
}

func byPCC(v [4]int64) CalcByPCC { return CalcByPCC{v[0], v[1], v[2], v[3]} }

// share writes a fraction as a decimal with six places.
func share(r *big.Rat) json.Number {
	if r == nil {
		r = new(big.Rat)
	}
	return json.Number(r.FloatString(6))
}

// Describe summarizes a position in one line, for logs and the CLI.
func (o *CalcOutput) Describe() string {
	status := "complies"
	if !o.Complies {
		status = fmt.Sprintf("%d violation(s)", len(o.Violations))
	}
	return fmt.Sprintf("%s %s: requirement %d MWh, applied %d MWh, excess %d MWh, shortfall %d MWh — %s",
		o.Jurisdiction, o.Period, o.PQRMWh, o.Applied.Total, o.Excess, o.Shortfall, status)
}

// EncodeCalcOutput writes o as indented JSON.
func EncodeCalcOutput(w io.Writer, o CalcOutput) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
