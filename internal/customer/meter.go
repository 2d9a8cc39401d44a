package customer

import (
	"regexp"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Direction is the flow a channel measures. Delivered and received energy
// are kept apart; netting belongs to billing.
type Direction string

// Channel directions (Green Button ReadingType flowDirection 1 and 19).
const (
	Delivered Direction = "delivered"
	Received  Direction = "received"
)

// Meter measures one service account.
type Meter struct {
	ID              int64         `json:"id"`
	AccountID       int64         `json:"account_id"`
	Serial          string        `json:"serial"`
	IntervalSeconds int           `json:"interval_seconds"` // 900 (15 minutes) or 3600 (hourly)
	Installed       calendar.Date `json:"installed"`
	Removed         calendar.Date `json:"removed"` // zero while installed
	Channels        []Channel     `json:"channels"`
}

// Channel is one measured quantity of a meter.
type Channel struct {
	ID              int64     `json:"id"`
	MeterID         int64     `json:"meter_id"`
	Direction       Direction `json:"direction"`
	IntervalSeconds int       `json:"interval_seconds"`
	NetOnly         bool      `json:"net_only"` // the source gave only net values (marked, never mixed with gross)
}

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
var serialRE = regexp.MustCompile(`^[A-Za-z0-9\-]{3,32}$`)

// Validate checks the meter and its channels. A meter with no channels gets
// a delivered channel at its interval length.
func (m *Meter) Validate() error {
	var f apperr.Fields
	m.Serial = strings.TrimSpace(m.Serial)
	if m.AccountID <= 0 {
		f.Add("account_id", "is required")
	}
	if !serialRE.MatchString(m.Serial) {
		f.Add("serial", "must be 3 to 32 letters, digits or dashes")
	}
	if !validInterval(m.IntervalSeconds) {
		f.Add("interval_seconds", "must be 300, 900, 1800 or 3600")
	}
	if m.Installed.IsZero() {
		f.Add("installed", "is required")
	}
	if !m.Removed.IsZero() && !m.Removed.After(m.Installed) {
		f.Add("removed", "must be after installed")
	}
	if len(m.Channels) == 0 {
		m.Channels = []Channel{{Direction: Delivered, IntervalSeconds: m.IntervalSeconds}}
	}
	seen := map[Direction]bool{}
	for i := range m.Channels {
		c := &m.Channels[i]
		if c.IntervalSeconds == 0 {
			c.IntervalSeconds = m.IntervalSeconds
		}
		if c.Direction != Delivered && c.Direction != Received {
			f.Add("channels", "direction must be delivered or received")
		} else if seen[c.Direction] {
			f.Add("channels", "more than one %s channel", c.Direction)
		}
		seen[c.Direction] = true
		if !validInterval(c.IntervalSeconds) {
			f.Add("channels", "interval_seconds must be 300, 900, 1800 or 3600")
		}
	}
	return f.Err("customer.Meter")
}

func validInterval(s int) bool { return s == 300 || s == 900 || s == 1800 || s == 3600 }
