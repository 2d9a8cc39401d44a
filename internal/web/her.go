package web

import (
	"fmt"
	"net/http"
	"regexp"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// HERPage is the Data of portal/her: a customer's home energy report.
type HERPage struct {
	AccountID int64
	Address   string
	Report    store.HERReport
	Headline  string // the standing in words
	Tips      []savings.Recommendation
	Chart     *Chart // you, average and efficient neighbors
	Problem   string // why there is no report
}

var cycleRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)

// portalHER shows an account's home energy report for a monthly cycle
// (?cycle=YYYY-MM, default the last whole month with use): the customer's use
// per day against similar homes nearby, frozen when first shown, and tips
// from their own load shape. The page prints as it is.
func (h *handler) portalHER(w http.ResponseWriter, r *http.Request) {
	u := UserFromContext(r.Context())
	id, err := pathID(r, "id")
	if err != nil || !u.Sees(id) {
		h.notFound(w, r)
		return
	}
	a, err := h.db.Account(r.Context(), id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	p, err := h.db.Premise(r.Context(), a.PremiseID)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := HERPage{AccountID: id, Address: p.Address}
	cycle := r.URL.Query().Get("cycle")
	if cycle == "" {
		today := h.today()
		current := fmt.Sprintf("%04d-%02d", today.Year, int(today.Month))
		if cycle, err = h.db.LastUsageCycle(r.Context(), id, current); err != nil {
			h.rd.Error(w, r, err)
			return
		}
	}
	switch {
	case cycle == "":
		page.Problem = "We have no meter readings for this account yet."
	case !cycleRE.MatchString(cycle):
		page.Problem = "Choose a month written YYYY-MM."
	default:
		page.Report, err = h.db.HERReport(r.Context(), id, cycle)
		if err != nil && apperr.KindOf(err) == apperr.Internal {
			h.rd.Error(w, r, err)
			return
		}
		if err != nil {
			page.Problem = apperr.MessageOf(err)
		}
	}
	if page.Problem == "" {
		rep := page.Report
		page.Tips = rep.Tips()
		page.Headline = map[string]string{
			savings.StandingGreat:        "Great: you used less than your efficient neighbors.",
			savings.StandingGood:         "Good: you used less than your average neighbor.",
			savings.StandingAboveAverage: "You used more than your average neighbor.",
			savings.StandingNone:         "There are not enough similar homes nearby to compare with this month.",
		}[rep.Standing]
		if rep.Standing != savings.StandingNone {
			kwh := func(wh int64) float64 { return float64(wh) / 1000 }
			page.Chart = &Chart{Title: "Electricity per day, " + rep.Cycle, Kind: ChartBars, Unit: "kWh/day",
				Labels: []string{"You", "All neighbors", "Efficient neighbors"},
				Series: []Series{{Label: "kWh per day", Values: []float64{kwh(int64(rep.Usage)), kwh(int64(rep.Average)), kwh(int64(rep.Efficient))}}}}
		}
	}
	h.rd.Render(w, r, http.StatusOK, "portal/her", &View{Title: "Home energy report", Nav: NavAccounts, Data: page})
}
