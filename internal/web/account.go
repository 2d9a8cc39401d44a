package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
)

// AccountPage is the Data of console/account.
type AccountPage struct {
	Customer customer.Customer
	Facts    AccountFacts
	Today    calendar.Date

	// Usage of the current meter; nil charts when there are no readings.
	Meter      *customer.Meter
	Monthly    *Chart
	Day        calendar.Date // the day of the profile
	PrevDay    calendar.Date
	NextDay    calendar.Date // zero when Day is today or later
	Profile    *Chart
	NoReadings bool // the meter has readings, but none on Day

	Bills BillsTable // current bills, newest first

	Evidence Evidence
	Enroll   EnrollForm
	Zone     ZoneForm
	Audit    []AuditRow
}

// EnrollForm is the "Add enrollment" form as typed, for redisplay.
type EnrollForm struct {
	Program string // care, fera, medical_baseline or "other"
	Other   string // the program code when Program is "other"
	Track   string
	Start   string // YYYY-MM-DD
	End     string
	Source  string
	Note    string
}

// ZoneForm is the "Override climate zone" form as typed.
type ZoneForm struct {
	Zone   string
	Reason string
}

// enrollSources are who may be recorded as having enrolled an account
// (customer.Enrollment.Source).
var enrollSources = []string{"staff", "utility", "auto", "portal"}

// EnrollSources lists the choices of the enrollment form's source select.
func (AccountPage) EnrollSources() []string { return enrollSources }

// accountDetail shows one service account: its customer, premise and
// program attributes, monthly usage and a day's load profile (?day=), the
// CARE/FERA evidence for an enrollment starting on ?start_date= (today by
// default), and for writers the forms that change it.
//
// htmx asks for parts of the page: HX-Target "profile" (another day) and
// "eligibility" (another start date) get only that block.
func (h *handler) accountDetail(w http.ResponseWriter, r *http.Request) {
	a, ok := h.accountFromPath(w, r)
	if !ok {
		return
	}
	today := h.today()
	v := &View{Nav: NavCustomers}
	form := EnrollForm{Program: "care", Start: today.String(), Source: "staff"}
	if s := r.URL.Query().Get("start_date"); s != "" {
		form.Start = s
	}
	day := calendar.Date{}
	if s := r.URL.Query().Get("day"); s != "" {
		d, err := calendar.ParseDate(s)
		if err != nil {
			v.Fields = map[string]string{"day": "must be a date such as 2026-03-08"}
		} else {
			day = d
		}
	}
	page, err := h.accountPage(r.Context(), a, day, form, ZoneForm{})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	v.Title, v.Data = "Account "+a.Number, page
	if isPartial(r) {
		switch target := r.Header.Get("HX-Target"); target {
		case "profile", "eligibility":
			h.rd.RenderBlock(w, r, http.StatusOK, "console/account", target, v)
			return
		}
	}
	h.rd.Render(w, r, http.StatusOK, "console/account", v)
}

// renderAccountForm redisplays the account page after a failed write with
// the view's errors and the forms as typed.
func (h *handler) renderAccountForm(w http.ResponseWriter, r *http.Request, status int, a customer.Account, v *View, form EnrollForm, zone ZoneForm) {
	if form.Start == "" && form.Program == "" {
		form = EnrollForm{Program: "care", Start: h.today().String(), Source: "staff"}
	}
	page, err := h.accountPage(r.Context(), a, calendar.Date{}, form, zone)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	v.Title, v.Nav, v.Data = "Account "+a.Number, NavCustomers, page
	h.rd.Render(w, r, status, "console/account", v)
}

// accountPage gathers everything the account page shows. A zero day means
// the newest day with readings.
func (h *handler) accountPage(ctx context.Context, a customer.Account, day calendar.Date, form EnrollForm, zone ZoneForm) (AccountPage, error) {
	today := h.today()
	page := AccountPage{Today: today, Enroll: form, Zone: zone}
	var err error
	if page.Customer, err = h.db.Customer(ctx, a.CustomerID); err != nil {
		return page, err
	}
	if page.Facts, err = h.accountFacts(ctx, a, today); err != nil {
		return page, err
	}
	if page.Audit, err = h.auditTrail(ctx, factsAuditRefs(page.Facts)); err != nil {
		return page, err
	}
	on, err := calendar.ParseDate(strings.TrimSpace(form.Start))
	if err != nil {
		on = today
	}
	page.Evidence = h.eligibility(a, page.Facts.Premise, on)
	rows, err := h.accountBills(ctx, a.ID)
	if err != nil {
		return page, err
	}
	page.Bills = BillsTable{Rows: rows, Base: "/bills/"}

	m, ok := currentMeter(page.Facts.Meters)
	if !ok {
		return page, nil
	}
	page.Meter = &m
	monthly, ok, err := h.monthlyUsage(ctx, m, "Energy by month (kWh), meter "+m.Serial, false)
	if err != nil || !ok {
		return page, err
	}
	page.Monthly = &monthly
	if day.IsZero() {
		if day, ok, err = h.lastDayWithData(ctx, m, today); err != nil {
			return page, err
		}
		if !ok {
			day = today
		}
	}
	page.Day, page.PrevDay = day, day.AddDays(-1)
	if day.Before(today) {
		page.NextDay = day.Next()
	}
	profile, ok, err := h.dayProfile(ctx, m, day)
	if err != nil {
		return page, err
	}
	page.Profile, page.NoReadings = &profile, !ok
	return page, nil
}

// accountFromPath loads the account named by the {id} path value, or
// answers the error page and returns false.
func (h *handler) accountFromPath(w http.ResponseWriter, r *http.Request) (customer.Account, bool) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return customer.Account{}, false
	}
	a, err := h.db.Account(r.Context(), id)
	if err != nil {
		h.rd.Error(w, r, err)
		return customer.Account{}, false
	}
	return a, true
}
