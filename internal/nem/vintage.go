package nem

import (
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
)

// Program codes of the net-metering tariffs, as the billing engine reads
// them from a "nem" enrollment's track (billing.NEM1, NEM2, NBT).
const (
	NEM1 = "nem1"
	NEM2 = "nem2"
	NBT  = "nbt"
)

// EnrollmentProgram is the program code of the enrollment an application
// creates at PTO; its track is the vintage's program and its start the
// PTO date (the billing engine reads both).
const EnrollmentProgram = "nem"

// VintageRules dates a utility's successive net-metering tariffs.
type VintageRules struct {
	Utility string
	// NEM2From is the first application date under NEM 2.0. SCE reached
	// its NEM 1.0 cap about 2017-07-01 (research/billing.md §4.1, "SCE ~Jul
	// 1 2017", a secondary source to verify against Schedule NEM-ST).
	NEM2From calendar.Date
	// NBTFrom is the first application date under the Net Billing Tariff:
	// "Applies to interconnection applications from Apr 15 2023"
	// (D.22-12-056; research/billing.md §4.2).
	NBTFrom calendar.Date
	// LegacyYears is the NEM 1.0 and 2.0 legacy period from PTO (20 years,
	// research/billing.md §4.1).
	LegacyYears int
	// LockYears is how long an NBT customer keeps the export prices of its
	// PTO-year vintage (9 years), for PTO dates from NBTFrom to LockPTOUntil
	// (2027-12-31) (research/billing.md §4.2, "Lock-in").
	LockYears    int
	LockPTOUntil calendar.Date
	Source       string
}

// SCEVintages are SCE's dates; Clean Power Alliance's customers are SCE's.
var SCEVintages = VintageRules{
	Utility:      "SCE",
	NEM2From:     calendar.Date{Year: 2017, Month: time.July, Day: 1},
	NBTFrom:      calendar.Date{Year: 2023, Month: time.April, Day: 15},
	LegacyYears:  20,
	LockYears:    9,
	LockPTOUntil: calendar.Date{Year: 2027, Month: time.December, Day: 31},
	Source:       "research/billing.md §4.1–4.2 (D.16-01-044, D.22-12-056, D.23-11-068)",
}

// Vintage is the tariff an application falls under, fixed by its
// application date.
type Vintage struct {
	Program     string        `json:"program"` // nem1, nem2 or nbt: the enrollment track the billing engine reads
	Label       string        `json:"label"`   // "NEM 1.0", "NEM 2.0", "Net Billing Tariff", "NBT-A", …
	Aggregation bool          `json:"aggregation"`
	AppliedOn   calendar.Date `json:"applied_on"`
}

// VintageOf is the vintage of an application dated applied. NEM
// Aggregation under the Net Billing Tariff is NBT-A (D.23-11-068); under
// NEM 1.0 and 2.0 it is NEM-A of that vintage.
func (r VintageRules) VintageOf(applied calendar.Date, aggregation bool) Vintage {
	v := Vintage{AppliedOn: applied, Aggregation: aggregation}
	switch {
	case applied.Before(r.NEM2From):
		v.Program, v.Label = NEM1, "NEM 1.0"
	case applied.Before(r.NBTFrom):
		v.Program, v.Label = NEM2, "NEM 2.0"
	default:
		v.Program, v.Label = NBT, "Net Billing Tariff"
	}
	if aggregation {
		if v.Program == NBT {
			v.Label = "NBT-A"
		} else {
			v.Label = "NEM-A (" + v.Label + ")"
		}
	}
	return v
}

// Terms are the dated consequences of a vintage for an interconnection
// with PTO on a given day.
type Terms struct {
	// LegacyEnd is the first day after the 20-year legacy period of NEM
	// 1.0 and 2.0; zero for the Net Billing Tariff.
	LegacyEnd calendar.Date `json:"legacy_end"`
	// ExportVintage is the year of the export-price table an NBT customer
	// is credited with while locked (the PTO year); zero when not locked.
	ExportVintage int `json:"export_vintage"`
	// LockEnd is the first day the export prices follow the ACC of the
	// year billed instead; zero when not locked.
	LockEnd calendar.Date `json:"export_lock_end"`
}

// TermsAt returns the legacy period or export-price lock of vintage v for
// PTO on pto. An NBT customer with PTO from NBTFrom through LockPTOUntil
// keeps its PTO-year vintage for LockYears; a later one is never locked.
func (r VintageRules) TermsAt(v Vintage, pto calendar.Date) Terms {
	if pto.IsZero() {
		return Terms{}
	}
	switch v.Program {
	case NEM1, NEM2:
		return Terms{LegacyEnd: AddYears(pto, r.LegacyYears)}
	case NBT:
		if !pto.Before(r.NBTFrom) && !pto.After(r.LockPTOUntil) {
			return Terms{ExportVintage: pto.Year, LockEnd: AddYears(pto, r.LockYears)}
		}
	}
	return Terms{}
}

// ExportVintageOn is the export-price vintage an NBT account with PTO on
// pto is credited with on day d: the PTO year while locked, otherwise the
// year of d (prices "follow the ACC of the calendar year being billed").
func (r VintageRules) ExportVintageOn(pto, d calendar.Date) int {
	t := r.TermsAt(Vintage{Program: NBT}, pto)
	if t.ExportVintage != 0 && d.Before(t.LockEnd) {
		return t.ExportVintage
	}
	return d.Year
}

// AddYears returns d n years later; 29 February becomes 28 February in a
// common year (as the billing engine's anniversaries do).
func AddYears(d calendar.Date, n int) calendar.Date {
	out := calendar.Date{Year: d.Year + n, Month: d.Month, Day: d.Day}
	if d.Month == time.February && d.Day == 29 {
		if _, err := calendar.NewDate(out.Year, out.Month, out.Day); err != nil {
			out.Day = 28
		}
	}
	return out
}

// Successor is the tariff a NEM 1.0 or NEM 2.0 interconnection takes when
// its 20-year legacy period ends: the Net Billing Tariff, the successor
// D.22-12-056 adopted for the NEM tariffs (research/billing.md §4.2; the
// legacy period itself, 20 years from PTO, is §4.1). An aggregation
// arrangement moves to NBT-A (D.23-11-068).
const Successor = NBT

// TransitionSource is the source of the enrollment a legacy transition
// writes (customer.SourceLegacyTransition): the billing engine reads it to
// credit exports at the ACC of the year billed, never locked, and without
// the ACC Plus adder, which is "not for NEM-transition customers"
// (research/billing.md §4.2, "Lock-in" and "ACC Plus adder": the lock-in
// and the adder belong to customers with a new PTO from 2023-04-15 to
// 2027-12-31).
const TransitionSource = customer.SourceLegacyTransition

// Transition is the end of one interconnection's legacy period: from On,
// the first day after the 20 years from PTO, the account's "nem"
// enrollment takes the successor tariff instead of its vintage's.
type Transition struct {
	ApplicationID int64         `json:"application_id"`
	Number        string        `json:"number"`
	AccountID     int64         `json:"account_id"`
	From          Vintage       `json:"from"` // the vintage whose legacy period ended
	To            Vintage       `json:"to"`   // the successor (Net Billing Tariff or NBT-A)
	PTO           calendar.Date `json:"pto_on"`
	On            calendar.Date `json:"on"` // Terms.LegacyEnd: the first day on the successor
}

// TransitionOf reports whether application a is due to move to the
// successor tariff on today, and the transition: an interconnection with
// PTO issued (PTO issued or active, not terminated) under NEM 1.0 or NEM
// 2.0 whose legacy end is today or earlier. The application keeps the
// vintage of its application date; the store records the transition once
// and leaves out applications already moved.
func (r VintageRules) TransitionOf(a Application, today calendar.Date) (Transition, bool) {
	if a.Status != PTOIssued && a.Status != Active {
		return Transition{}, false
	}
	terms := r.TermsAt(a.Vintage, a.PTO)
	if terms.LegacyEnd.IsZero() || today.Before(terms.LegacyEnd) {
		return Transition{}, false
	}
	to := Vintage{Program: Successor, Label: "Net Billing Tariff", Aggregation: a.Vintage.Aggregation, AppliedOn: a.Vintage.AppliedOn}
	if to.Aggregation {
		to.Label = "NBT-A"
	}
	return Transition{ApplicationID: a.ID, Number: a.Number, AccountID: a.AccountID, From: a.Vintage, To: to, PTO: a.PTO, On: terms.LegacyEnd}, true
}
