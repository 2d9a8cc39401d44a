package incentive

import (
	"fmt"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// LedgerKind is the kind of a budget ledger entry. Every money-moving
// transition writes one in the same transaction as the state change
// (research/programs.md §4.4).
type LedgerKind string

// Ledger entry kinds and what each moves.
const (
	Allocate LedgerKind = "allocate" // allocated += amount (the opening allocation)
	Reserve  LedgerKind = "reserve"  // reserved += amount (encumbered for an application)
	Release  LedgerKind = "release"  // reserved −= amount (withdrawn, expired, rejected, or approved for less)
	Commit   LedgerKind = "commit"   // reserved −= amount, committed += amount (approved)
	Pay      LedgerKind = "pay"      // committed −= amount, paid += amount (payment confirmed)
	Recover  LedgerKind = "recover"  // paid −= amount (a clawback recovered)
	Adjust   LedgerKind = "adjust"   // allocated += amount (signed; staff adjustment with a note)
)

// LedgerKinds lists every kind.
var LedgerKinds = []LedgerKind{Allocate, Reserve, Release, Commit, Pay, Recover, Adjust}

// Budget is a program's fund over a period with its running balances.
// Available = Allocated − Reserved − Committed − Paid, and no entry may
// make it negative: a budget is never overspent.
type Budget struct {
	ID                 int64         `json:"id"`
	Slug               string        `json:"slug"`
	ProgramID          string        `json:"program"`
	Measure            string        `json:"measure"` // only this measure's applications draw on it; "" for any
	Name               string        `json:"name"`
	From               calendar.Date `json:"period_from"`
	To                 calendar.Date `json:"period_to,omitzero"`
	AllocatedCents     money.Cents   `json:"allocated_cents"`
	ReservedCents      money.Cents   `json:"reserved_cents"`
	CommittedCents     money.Cents   `json:"committed_cents"`
	PaidCents          money.Cents   `json:"paid_cents"`
	MinReservableCents money.Cents   `json:"min_reservable_cents"`
	SetAside           string        `json:"set_aside"`
	Closed             bool          `json:"closed"` // closed by staff: no new reservations
	Source             string        `json:"source"`
}

// Available is what is left to reserve.
func (b Budget) Available() money.Cents {
	return b.AllocatedCents - b.ReservedCents - b.CommittedCents - b.PaidCents
}

// Open reports whether the budget takes new reservations of at least its
// minimum: not closed and with at least MinReservableCents available (a
// program shows "funds exhausted" otherwise; research/programs.md §4.4).
func (b Budget) Open() bool { return !b.Closed && b.Available() >= max(b.MinReservableCents, 1) }

// Covers reports whether d falls in the budget's period.
func (b Budget) Covers(d calendar.Date) bool {
	return !d.Before(b.From) && (b.To.IsZero() || d.Before(b.To))
}

// Qualifier says which set-asides an application may draw on.
type Qualifier struct {
	IncomeQualified bool // CARE or FERA
	DAC             bool
}

// Qualifies reports whether an application with q may draw on b.
func (b Budget) Qualifies(q Qualifier) bool {
	switch b.SetAside {
	case "income_qualified":
		return q.IncomeQualified
	case "dac":
		return q.DAC
	case "income_qualified_or_dac":
		return q.IncomeQualified || q.DAC
	}
	return true
}

// Entry is one ledger entry.
type Entry struct {
	Kind          LedgerKind  `json:"kind"`
	AmountCents   money.Cents `json:"amount_cents"`
	ApplicationID int64       `json:"application_id,omitempty"`
	Note          string      `json:"note,omitempty"`
}

// Apply posts e to the balances, refusing any entry that would overspend
// the budget or move more than a balance holds. Errors: Invalid naming
// amount_cents; Conflict for a reservation on a closed budget or one
// larger than what is available.
func (b *Budget) Apply(e Entry) error {
	const op = "incentive.Budget.Apply"
	amt := e.AmountCents
	if amt <= 0 && e.Kind != Adjust {
		var f apperr.Fields
		f.Add("amount_cents", "a %s entry must be positive, got %s", e.Kind, amt)
		return f.Err(op)
	}
	nb := *b
	switch e.Kind {
	case Allocate:
		nb.AllocatedCents += amt
	case Adjust:
		nb.AllocatedCents += amt
	case Reserve:
		if b.Closed {
			return apperr.Conflictf(op, "budget %s is closed: no new reservations", b.Name)
		}
		nb.ReservedCents += amt
	case Release:
		if amt > b.ReservedCents {
			return apperr.Conflictf(op, "cannot release %s: only %s is reserved", amt, b.ReservedCents)
		}
		nb.ReservedCents -= amt
	case Commit:
		if amt > b.ReservedCents {
			return apperr.Conflictf(op, "cannot commit %s: only %s is reserved", amt, b.ReservedCents)
		}
		nb.ReservedCents -= amt
		nb.CommittedCents += amt
	case Pay:
		if amt > b.CommittedCents {
			return apperr.Conflictf(op, "cannot pay %s: only %s is committed", amt, b.CommittedCents)
		}
		nb.CommittedCents -= amt
		nb.PaidCents += amt
	case Recover:
		if amt > b.PaidCents {
			return apperr.Conflictf(op, "cannot recover %s: only %s was paid", amt, b.PaidCents)
		}
		nb.PaidCents -= amt
	default:
		var f apperr.Fields
		f.Add("kind", "unknown ledger kind %q", e.Kind)
		return f.Err(op)
	}
	if nb.Available() < 0 {
		return apperr.Conflictf(op, "%s %s would overspend budget %s (available %s)", e.Kind, amt, b.Name, b.Available())
	}
	*b = nb
	return nil
}

// PickBudget chooses the budget a new reservation of amount draws on
// for an application of measure dated on with qualifier q: among the
// budgets of the program in force on that date, for that measure (or any
// measure) and open to q, set-asides first (so an
// equity share is used by those it is for), then in the given order, the
// first with enough available. It returns the index, or -1 when the
// application must wait (every fitting budget is short of funds). A
// program whose budgets in force are all closed by staff is a Conflict.
func PickBudget(budgets []Budget, on calendar.Date, q Qualifier, measure string, amount money.Cents) (int, error) {
	inForce, closed := 0, 0
	pick := -1
	for pass := 0; pass < 2 && pick < 0; pass++ {
		for i, b := range budgets {
			setAside := b.SetAside != ""
			if !b.Covers(on) || !b.Qualifies(q) || setAside != (pass == 0) || b.Measure != "" && b.Measure != measure {
				continue
			}
			inForce++
			if b.Closed {
				closed++
				continue
			}
			if b.Available() >= amount {
				pick = i
				break
			}
		}
	}
	if pick >= 0 {
		return pick, nil
	}
	if inForce == 0 {
		return -1, apperr.Conflictf("incentive.PickBudget", "no budget of the program is in force on %s", on)
	}
	if closed == inForce {
		return -1, apperr.Conflictf("incentive.PickBudget", "the program's budget is closed: no new reservations")
	}
	return -1, nil
}

// Waiting is an application on the waitlist.
type Waiting struct {
	ApplicationID int64
	AmountCents   money.Cents
}

// Promotions returns, in order, the waitlisted applications that
// available funds now cover: the waitlist is walked in submission order
// and each application that fits is reserved (first come, first served
// among those the remaining funds can cover — the same rule a new
// application meets, research/programs.md §7 scenario 23).
func Promotions(available money.Cents, waitlist []Waiting) []Waiting {
	var out []Waiting
	for _, w := range waitlist {
		if w.AmountCents <= available {
			out = append(out, w)
			available -= w.AmountCents
		}
	}
	return out
}

// Fund is a budget with its reservations and waitlist held in memory: the
// first-come-first-served rules of research/programs.md §4.4 as a pure
// value, for tests and what-if tools. The store applies the same rules
// (PickBudget, Apply, Promotions) inside database transactions.
type Fund struct {
	Budget   Budget
	Reserved map[int64]money.Cents
	Waitlist []Waiting
	Ledger   []Entry
}

// NewFund opens a fund with the budget's allocation.
func NewFund(b Budget) *Fund {
	return &Fund{Budget: b, Reserved: map[int64]money.Cents{}}
}

func (f *Fund) post(e Entry) error {
	if err := f.Budget.Apply(e); err != nil {
		return err
	}
	f.Ledger = append(f.Ledger, e)
	return nil
}

// Submit reserves amount for application id, or waitlists it when the
// budget is short; it reports whether it was reserved.
func (f *Fund) Submit(id int64, amount money.Cents) (bool, error) {
	if f.Budget.Closed {
		return false, apperr.Conflictf("incentive.Fund.Submit", "budget %s is closed", f.Budget.Name)
	}
	if f.Budget.Available() < amount {
		f.Waitlist = append(f.Waitlist, Waiting{id, amount})
		return false, nil
	}
	if err := f.post(Entry{Kind: Reserve, AmountCents: amount, ApplicationID: id}); err != nil {
		return false, err
	}
	f.Reserved[id] = amount
	return true, nil
}

// Withdraw releases application id's reservation (or drops it from the
// waitlist) and promotes what the freed funds cover.
func (f *Fund) Withdraw(id int64) error {
	amt, ok := f.Reserved[id]
	if !ok {
		for i, w := range f.Waitlist {
			if w.ApplicationID == id {
				f.Waitlist = append(f.Waitlist[:i], f.Waitlist[i+1:]...)
				return nil
			}
		}
		return apperr.NotFoundf("incentive.Fund.Withdraw", "application %d holds no reservation", id)
	}
	if err := f.post(Entry{Kind: Release, AmountCents: amt, ApplicationID: id}); err != nil {
		return err
	}
	delete(f.Reserved, id)
	return f.promote()
}

func (f *Fund) promote() error {
	for _, w := range Promotions(f.Budget.Available(), f.Waitlist) {
		if err := f.post(Entry{Kind: Reserve, AmountCents: w.AmountCents, ApplicationID: w.ApplicationID}); err != nil {
			return err
		}
		f.Reserved[w.ApplicationID] = w.AmountCents
		for i, x := range f.Waitlist {
			if x.ApplicationID == w.ApplicationID {
				f.Waitlist = append(f.Waitlist[:i], f.Waitlist[i+1:]...)
				break
			}
		}
	}
	return nil
}

// String summarises the balances.
func (b Budget) String() string {
	return fmt.Sprintf("%s: allocated %s, reserved %s, committed %s, paid %s, available %s",
		b.Name, b.AllocatedCents, b.ReservedCents, b.CommittedCents, b.PaidCents, b.Available())
}
