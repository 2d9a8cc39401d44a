package reference

import (
	"strconv"

	"github.com/gridbook/gridbook/internal/money"
)

// dollars formats an amount for decision reasons: "$64,300", or "$64,300.01"
// when there are cents.
func dollars(c money.Cents) string {
	neg := c < 0
	if neg {
		c = -c
	}
	whole, cents := int64(c)/100, int64(c)%100
	s := strconv.FormatInt(whole, 10)
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	out := "$" + string(b)
	if cents != 0 {
		out += "." + strconv.FormatInt(100+cents, 10)[1:]
	}
	if neg {
		out = "-" + out
	}
	return out
}

// persons formats a household size: "1 person", "4 persons".
func persons(n int) string {
	if n == 1 {
		return "1 person"
	}
	return strconv.Itoa(n) + " persons"
}
