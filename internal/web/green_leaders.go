package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// Green Leader enrolments: program "green_leader"; track "listed" is the
// business's opt-in to the public directory (seed 000: commercial
// customers on 100% Green Power, listed in CPA's online directory).
const (
	ProgramGreenLeader = "green_leader"
	TrackListed        = "listed"
)

// GreenLeader is one business in the public directory.
type GreenLeader struct {
	Name, City, Agency string
	Since              string
}

// greenLeaders is the public Green Leader directory (GET /green-leaders,
// no sign-in): the commercial accounts enrolled today that opted in to the
// listing, by name. Nothing else about the account is shown.
func (h *handler) greenLeaders(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	today := h.today()
	var out []GreenLeader
	seen := map[int64]bool{}
	f := store.AccountFilter{Program: ProgramGreenLeader, On: today, Class: customer.Commercial, Limit: 200}
	for {
		accts, err := h.db.Accounts(ctx, f)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		for _, a := range accts {
			es, err := h.db.Enrollments(ctx, a.ID)
			if err != nil {
				h.rd.Error(w, r, err)
				return
			}
			i := slices.IndexFunc(es, func(e customer.Enrollment) bool {
				return e.Program == ProgramGreenLeader && e.Track == TrackListed && e.ActiveOn(today)
			})
			if i < 0 || seen[a.CustomerID] {
				continue
			}
			seen[a.CustomerID] = true
			c, err := h.db.Customer(ctx, a.CustomerID)
			if err != nil {
				h.rd.Error(w, r, err)
				return
			}
			p, err := h.db.Premise(ctx, a.PremiseID)
			if err != nil {
				h.rd.Error(w, r, err)
				return
			}
			out = append(out, GreenLeader{Name: c.Name, City: p.City, Agency: p.MemberAgency, Since: longDate(es[i].From)})
		}
		if len(accts) < f.Limit {
			break
		}
		f.After = accts[len(accts)-1].ID
	}
	slices.SortFunc(out, func(a, b GreenLeader) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	h.rd.Render(w, r, http.StatusOK, "green_leaders", &View{Title: "Green Leaders", Area: Portal, Data: out})
}
