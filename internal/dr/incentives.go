package dr

import (
	"context"
	"fmt"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Device is a registered device of a participant: a thermostat, an EV
// charger, a battery, a light switch.
type Device struct {
	ID        int64         `json:"id"`
	AccountID int64         `json:"account_id"`
	Program   string        `json:"program"`
	Type      string        `json:"device_type"` // thermostat, ev_charger, battery, light_switch
	Brand     string        `json:"brand"`
	Serial    string        `json:"serial"`
	Enrolled  calendar.Date `json:"enrolled"`
	Removed   calendar.Date `json:"removed,omitzero"`
	// Extras are facts an incentive's extra may depend on ("socalgas").
	Extras []string `json:"extras,omitempty"`
	// For batteries: usable capacity, power and the share kept for the
	// site's backup (0: the program's default).
	CapacityWh int64 `json:"capacity_wh,omitempty"`
	MaxW       int64 `json:"max_w,omitempty"`
	ReservePct int   `json:"reserve_pct,omitempty"`
}

// Payment is an amount owed to a participant: a participation incentive
// or an event settlement. Key identifies it for idempotent payment.
type Payment struct {
	Key       string        `json:"key"`
	Program   string        `json:"program"`
	AccountID int64         `json:"account_id"`
	DeviceID  int64         `json:"device_id,omitempty"`
	EventID   int64         `json:"event_id,omitempty"`
	Kind      string        `json:"kind"` // enrollment, annual, event
	Due       calendar.Date `json:"due"`
	Amount    money.Cents   `json:"amount_cents"`
	PaidAs    string        `json:"paid_as"` // budget or bill_credit
	Source    string        `json:"source"`
}

// IncentivesDue lists the participation incentives device d has earned in
// program p by day through: the enrollment incentive on its enrollment day
// (plus the extra when the device's account has the fact it depends on),
// and the annual incentive on every anniversary while it stays enrolled
// (CPA: "$85 on enrollment, $40 each year after").
func IncentivesDue(p Program, d Device, through calendar.Date) []Payment {
	var out []Payment
	for _, in := range p.Incentives {
		if in.DeviceType != d.Type || (len(in.Brands) > 0 && !containsFold(in.Brands, d.Brand)) {
			continue
		}
		if d.Enrolled.After(through) {
			continue
		}
		amt := in.Enrollment
		if in.ExtraWhen != "" && containsFold(d.Extras, in.ExtraWhen) {
			amt += in.Extra
		}
		if amt > 0 {
			out = append(out, Payment{Key: fmt.Sprintf("dr:%s:device:%d:enrollment", p.Code, d.ID), Program: p.Code, AccountID: d.AccountID,
				DeviceID: d.ID, Kind: "enrollment", Due: d.Enrolled, Amount: amt, PaidAs: in.PaidAs, Source: in.Source})
		}
		if in.Annual <= 0 {
			continue
		}
		for n := 1; ; n++ {
			due := anniversary(d.Enrolled, n)
			if due.After(through) || (!d.Removed.IsZero() && !due.Before(d.Removed)) {
				break
			}
			out = append(out, Payment{Key: fmt.Sprintf("dr:%s:device:%d:annual:%d", p.Code, d.ID, n), Program: p.Code, AccountID: d.AccountID,
				DeviceID: d.ID, Kind: "annual", Due: due, Amount: in.Annual, PaidAs: in.PaidAs, Source: in.Source})
		}
	}
	return out
}

// anniversary is the n-th anniversary of d; February 29 falls on March 1
// in other years.
func anniversary(d calendar.Date, n int) calendar.Date {
	a, err := calendar.NewDate(d.Year+n, d.Month, d.Day)
	if err != nil {
		return calendar.Date{Year: d.Year + n, Month: 3, Day: 1}
	}
	return a
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if equalFold(x, s) {
			return true
		}
	}
	return false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// Payer pays what demand response owes out of the incentive engine's
// capped budgets (package incentive; *store.BudgetPayer implements it
// over the stored budgets and their ledger). It is defined here, by its
// consumer. Pay must be idempotent per Payment.Key (a payment paid before
// returns its first reference) and must refuse, never partly pay, an
// amount its budget cannot cover: the refusal is an apperr.Conflict
// naming the rule (Refusal, RefusalRule).
type Payer interface {
	Pay(ctx context.Context, p Payment) (reference string, err error)
}
