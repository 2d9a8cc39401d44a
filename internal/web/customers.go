package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// CustomersPage is the Data of console/customers.
type CustomersPage struct {
	Query     string
	Customers []customer.Customer
	Since     map[int64]calendar.Date // earliest service start of each customer's accounts
	First     bool                    // this is the first page of results
	NextURL   string                  // the next page, or "" on the last page
}

// customersPageSize is how many customers one page lists.
const customersPageSize = 50

// customers lists customers matching ?q= (name, email, phone, account
// number or service address) in ID order, a page at a time with the cursor
// ?after=. The search box asks again as the user types (htmx) and only the
// "results" block is sent back.
func (h *handler) customers(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	list, err := h.db.Customers(r.Context(), store.CustomerFilter{Query: q, After: max(after, 0), Limit: customersPageSize + 1})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := CustomersPage{Query: q, First: after <= 0}
	list, page.NextURL = cutPage(list, customersPageSize, func(c customer.Customer) int64 { return c.ID }, "/customers", "after", "q", q)
	page.Customers = list
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	if page.Since, err = h.db.FirstServiceStarts(r.Context(), ids); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	v := &View{Title: "Customers", Nav: NavCustomers, Data: page}
	if isPartial(r) && r.Header.Get("HX-Target") == "results" {
		h.rd.RenderBlock(w, r, http.StatusOK, "console/customers", "results", v)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/customers", v)
}
