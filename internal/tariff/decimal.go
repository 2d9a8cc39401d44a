package tariff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/money"
)

// Price is a price in micro-dollars per the component's unit (per kWh,
// per kW, per day or per month). In JSON it is a decimal dollar string,
// "0.58522", so that a tariff file never passes a price through float64;
// a bare JSON number is accepted on input and read by its digits.
type Price int64

// PerKWh returns p as an energy price.
func (p Price) PerKWh() money.MicroPerKWh { return money.MicroPerKWh(p) }

// PerKW returns p as a demand price.
func (p Price) PerKW() money.MicroPerKW { return money.MicroPerKW(p) }

// PerDay returns p as a daily charge.
func (p Price) PerDay() money.MicroPerDay { return money.MicroPerDay(p) }

// String formats p as dollars with at least two decimals: "0.58522".
func (p Price) String() string { return formatScaled(int64(p), 6, 2) }

// Decimals formats p as dollars with at least minFrac decimals, for
// aligned columns: Price(533400).Decimals(5) is "0.53340".
func (p Price) Decimals(minFrac int) string { return formatScaled(int64(p), 6, minFrac) }

// MarshalJSON writes p as a decimal string.
func (p Price) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(p.String())), nil }

// UnmarshalJSON reads a decimal string or number with at most six
// decimals.
func (p *Price) UnmarshalJSON(b []byte) error {
	v, err := parseScaled(jsonDecimal(b), 6)
	if err != nil {
		return fmt.Errorf("price %s: %w", b, err)
	}
	*p = Price(v)
	return nil
}

// Quantity is a tier bound in thousandths of its unit (Wh for a kWh
// bound, W for a kW bound). In JSON it is a decimal string, "500.5".
type Quantity int64

// String formats q in its unit: "500.5".
func (q Quantity) String() string { return formatScaled(int64(q), 3, 0) }

// MarshalJSON writes q as a decimal string.
func (q Quantity) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(q.String())), nil }

// UnmarshalJSON reads a decimal string or number with at most three
// decimals.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	v, err := parseScaled(jsonDecimal(b), 3)
	if err != nil {
		return fmt.Errorf("quantity %s: %w", b, err)
	}
	*q = Quantity(v)
	return nil
}

// jsonDecimal returns the text of a JSON number or string.
func jsonDecimal(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) == nil {
			return strings.TrimSpace(s)
		}
	}
	return string(b)
}

// parseScaled parses a decimal such as "-0.0925", "12", "1.5e-3" or
// "4.7E+2" into an integer scaled by 10^scale. Digits beyond scale must be
// zeros: a published price is never rounded on import.
func parseScaled(s string, scale int) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 30 || e < -30 {
			return 0, fmt.Errorf("bad exponent in %q", s)
		}
		mant, exp = s[:i], e
	}
	whole, frac, _ := strings.Cut(mant, ".")
	if whole == "" && frac == "" || !digitsOnly(whole) || !digitsOnly(frac) {
		return 0, fmt.Errorf("not a decimal number: %q", s)
	}
	digits := strings.TrimLeft(whole+frac, "0")
	point := len(whole) - (len(whole+frac) - len(digits)) + exp // digits before the decimal point
	// value = 0.digits × 10^point; scaled = digits × 10^(point+scale-len(digits))
	shift := point + scale - len(digits)
	if digits == "" {
		return 0, nil
	}
	if shift < 0 {
		cut := len(digits) + shift
		if cut < 0 {
			cut = 0
		}
		if strings.Trim(digits[cut:], "0") != "" {
			return 0, fmt.Errorf("%q has more than %d decimals", s, scale)
		}
		digits, shift = digits[:cut], 0
		if digits == "" {
			return 0, nil
		}
	}
	if len(digits)+shift > 18 {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	v, err := strconv.ParseInt(digits+strings.Repeat("0", shift), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	if neg {
		v = -v
	}
	return v, nil
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatScaled formats v / 10^scale with at least minFrac decimals and no
// trailing zeros beyond them.
func formatScaled(v int64, scale, minFrac int) string {
	neg := v < 0
	mag := uint64(v)
	if neg {
		mag = -mag
	}
	pow := uint64(1)
	for range scale {
		pow *= 10
	}
	frac := strconv.FormatUint(mag%pow+pow, 10)[1:]
	frac = strings.TrimRight(frac, "0")
	for len(frac) < minFrac {
		frac += "0"
	}
	s := strconv.FormatUint(mag/pow, 10)
	if frac != "" {
		s += "." + frac
	}
	if neg {
		s = "-" + s
	}
	return s
}
