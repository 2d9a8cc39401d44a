package web

import (
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/reference"
	"github.com/gridbook/gridbook/internal/store"
)

// DashboardPage is the Data of console/dashboard.
type DashboardPage struct {
	On       calendar.Date
	Cards    []Card
	ByClass  Chart
	ByLSE    []store.Count
	Agencies []ShareRow // top agencies, then "Other"
	HFTD     []ShareRow
	Accounts int64
	Versions []reference.TableInfo
}

// ShareRow is one line of a breakdown table with its share of the total,
// drawn as a <meter> (no inline styles under the page's CSP).
type ShareRow struct {
	Label string
	N     int64
	Of    int64 // the total the share is of
}

// topAgencies is how many member agencies the dashboard lists by name
// before lumping the rest into "Other".
const topAgencies = 15

// dashboard shows the portfolio in service today (Pacific date).
func (h *handler) dashboard(w http.ResponseWriter, r *http.Request) {
	on := h.today()
	p, err := h.db.Portfolio(r.Context(), on)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	program := map[string]int64{}
	for _, c := range p.ByProgram {
		program[c.Label] = c.N
	}
	share := func(n int64) string {
		if p.Accounts == 0 {
			return ""
		}
		return sharePercent(n, p.Accounts) + " of accounts"
	}
	page := DashboardPage{
		On:       on,
		Accounts: p.Accounts,
		ByLSE:    p.ByLSE,
		Versions: inForce(h.db.Reference().Versions(), on),
		Cards: []Card{
			{Label: "Customers", Value: mustInt(p.Customers), Href: "/customers"},
			{Label: "Accounts in service", Value: mustInt(p.Accounts), Note: mustInt(p.Meters) + " meters installed"},
			{Label: "CARE", Value: mustInt(program[customer.ProgramCARE]), Note: share(program[customer.ProgramCARE])},
			{Label: "FERA", Value: mustInt(program[customer.ProgramFERA]), Note: share(program[customer.ProgramFERA])},
			{Label: "Medical baseline", Value: mustInt(program[customer.ProgramMedicalBaseline]), Note: share(program[customer.ProgramMedicalBaseline])},
			{Label: "In a DAC (SB 535)", Value: mustInt(p.DAC), Note: share(p.DAC)},
			{Label: "Solar (received channel)", Value: mustInt(p.SolarAccounts), Note: share(p.SolarAccounts)},
		},
		ByClass: Chart{Title: "Accounts in service by class", Kind: ChartBars, Unit: "accounts",
			Series: []Series{{Label: "Accounts"}}, Height: 220},
	}
	for _, c := range p.ByClass {
		page.ByClass.Labels = append(page.ByClass.Labels, classLabel(c.Label))
		page.ByClass.Series[0].Values = append(page.ByClass.Series[0].Values, float64(c.N))
	}
	var other int64
	for i, c := range p.ByAgency {
		if i < topAgencies {
			label := c.Label
			if label == "" {
				label = "(none recorded)"
			}
			page.Agencies = append(page.Agencies, ShareRow{Label: label, N: c.N, Of: p.Accounts})
		} else {
			other += c.N
		}
	}
	if other > 0 {
		page.Agencies = append(page.Agencies, ShareRow{Label: "Other", N: other, Of: p.Accounts})
	}
	for _, c := range p.ByHFTD {
		page.HFTD = append(page.HFTD, ShareRow{Label: c.Label, N: c.N, Of: p.Accounts})
	}
	h.rd.Render(w, r, http.StatusOK, "console/dashboard", &View{Title: "Dashboard", Nav: NavDashboard, Data: page})
}

// mustInt formats a count with thousands separators; formatInt only fails
// for non-integers.
func mustInt(n int64) string {
	s, _ := formatInt(n)
	return s
}

// classLabel capitalizes a customer class code for a chart axis.
func classLabel(c string) string {
	if c == "" {
		return c
	}
	return strings.ToUpper(c[:1]) + c[1:]
}

// inForce keeps the tables in effect on d; undated tables always are.
func inForce(tables []reference.TableInfo, d calendar.Date) []reference.TableInfo {
	var out []reference.TableInfo
	for _, t := range tables {
		if (t.From.IsZero() || !d.Before(t.From)) && (t.To.IsZero() || !d.After(t.To)) {
			out = append(out, t)
		}
	}
	return out
}
