package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// CustomersPage is the Data of console/customers.
type CustomersPage struct {
	Query     string
	Customers []customer.Customer
	First     bool   // this is the first page of results
	NextURL   string // the next page, or "" on the last page
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
	if len(list) > customersPageSize {
		list = list[:customersPageSize]
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		v.Set("after", strconv.FormatInt(list[len(list)-1].ID, 10))
		page.NextURL = "/customers?" + v.Encode()
	}
	page.Customers = list
	v := &View{Title: "Customers", Nav: NavCustomers, Data: page}
	if isPartial(r) && r.Header.Get("HX-Target") == "results" {
		h.rd.RenderBlock(w, r, http.StatusOK, "console/customers", "results", v)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/customers", v)
}
