package nem

import "github.com/gridbook/gridbook/internal/calendar"

// MeterServiceDays is the meter service level: the utility "reprograms a
// smart meter or swaps the meter free of charge within 30 business days of
// a complete NEM application, or else credits the customer for estimated
// production during any delay" (seed 002; spec/nem.md). Business days
// skip weekends and the utility holidays (calendar.UtilityHolidays).
const MeterServiceDays = 30

// MeterService is where an application stands against the meter service
// level.
type MeterService struct {
	Complete calendar.Date `json:"complete_on"` // the application was complete; zero if not yet
	Due      calendar.Date `json:"due_on"`      // the 30th business day after Complete
	Done     calendar.Date `json:"done_on"`     // the meter was reprogrammed or swapped; zero if not yet
	// Late: done after Due, or not done and today is after Due.
	Late bool `json:"late"`
	// DelayDays are the calendar days after Due until the meter was done
	// (inclusive) or, while not done, until today.
	DelayDays int `json:"delay_days"`
	// Credit is the delay, as the days [Due+1, Done] the customer is
	// credited estimated production for; set only once the meter is done
	// late (the days are then final).
	Credit *calendar.Period `json:"credit_period"`
}

// MeterServiceLevel measures an application against the meter service
// level on today's date. complete is when the application was complete
// and done when the meter was reprogrammed or swapped (zero if not yet).
func MeterServiceLevel(complete, done, today calendar.Date, h calendar.Holidays) MeterService {
	ms := MeterService{Complete: complete, Done: done}
	if complete.IsZero() {
		return ms
	}
	ms.Due = h.AddBusinessDays(complete, MeterServiceDays)
	end := done
	if end.IsZero() {
		end = today
	}
	if end.After(ms.Due) {
		ms.Late, ms.DelayDays = true, ms.Due.DaysUntil(end)
		if !done.IsZero() {
			ms.Credit = &calendar.Period{Start: ms.Due.Next(), End: done.Next()}
		}
	}
	return ms
}

// EstimatedCredit is a run of days for which a customer is credited with
// estimated generation because the meter was late: the record the billing
// engine reads.
type EstimatedCredit struct {
	ID            int64           `json:"id"`
	ApplicationID int64           `json:"application_id"`
	AccountID     int64           `json:"account_id"`
	Period        calendar.Period `json:"period"`
	Days          int             `json:"days"`
	Reason        string          `json:"reason"`
}

// Ageing is how long an application has been in process, in business
// days of the utility calendar: since submission, and in its current
// stage.
type Ageing struct {
	Total   int `json:"business_days_open"`
	InStage int `json:"business_days_in_stage"`
}

// AgeOf measures an application's age on today: from its submission (or
// creation for a draft) and from its last step.
func AgeOf(submitted, lastStep, today calendar.Date, h calendar.Holidays) Ageing {
	var a Ageing
	if !submitted.IsZero() {
		a.Total = max(0, h.BusinessDaysBetween(submitted, today))
	}
	if !lastStep.IsZero() {
		a.InStage = max(0, h.BusinessDaysBetween(lastStep, today))
	}
	return a
}

// Snapshot is what an application's dates mean on a day: its meter service
// level, its age in business days while in process, and its vintage's
// legacy period or export-price lock.
type Snapshot struct {
	Meter MeterService
	Age   Ageing
	Terms Terms
}

// SnapshotOf describes a on today with the utility's vintage rules and
// holiday calendar. The age counts only while the application is in
// process (Status.Open).
func (r VintageRules) SnapshotOf(a Application, today calendar.Date, h calendar.Holidays) Snapshot {
	s := Snapshot{Meter: MeterServiceLevel(a.Complete, a.Meter, today, h)}
	if a.Status.Open() {
		s.Age = AgeOf(a.Submitted, a.LastStep(), today, h)
	}
	if a.Vintage.Program != "" {
		s.Terms = r.TermsAt(a.Vintage, a.PTO)
	}
	return s
}
