package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestCursorPagination walks customers two at a time: every customer is
// seen once, in id order, and the last page has no cursor.
func TestCursorPagination(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		for i := range 3 {
			e.do("POST", "/api/v1/customers", fmt.Sprintf(`{"kind":"organization","name":"Org %d"}`, i), e.admin).want(t, http.StatusCreated)
		}
		// 2 seeded + 3 created = 5 customers: pages of 2, 2, 1.
		var names []string
		pages := 0
		path := "/api/v1/customers?limit=2"
		for {
			var page list[customerJSON]
			e.do("GET", path, "", e.admin).want(t, http.StatusOK).decode(t, &page)
			pages++
			for _, c := range page.Data {
				names = append(names, c.Name)
			}
			if page.NextCursor == nil {
				break
			}
			path = "/api/v1/customers?limit=2&after=" + *page.NextCursor
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		want := []string{"Ana Reyes", "Bo's Bakery", "Org 0", "Org 1", "Org 2"}
		if fmt.Sprint(names) != fmt.Sprint(want) || pages != 3 {
			t.Errorf("walked %d pages: %q, want 3 pages: %q", pages, names, want)
		}
	})
}

// TestListFilters checks each list's filters against the seeded registry:
// account 1 is residential CCA with CARE from 2025-01-01 at a non-DAC
// premise; account 2 is commercial bundled at a DAC premise (tract
// 06037102105).
func TestListFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		a1, a2 := e.acct1.Number, e.acct2.Number
		tests := []struct {
			path string
			want []string // account numbers, customer names, premise addresses or meter serials
		}{
			{"/api/v1/accounts", []string{a1, a2}},
			{"/api/v1/accounts?class=commercial", []string{a2}},
			{"/api/v1/accounts?lse=cca", []string{a1}},
			{"/api/v1/accounts?rate_schedule=tou-gs-1-d", []string{a2}},
			{"/api/v1/accounts?member_agency=Unincorporated+Los+Angeles+County", []string{a1}},
			{"/api/v1/accounts?dac=true", []string{a2}},
			{"/api/v1/accounts?program=care&on=2025-06-01", []string{a1}},
			{"/api/v1/accounts?program=care&on=2024-12-31", nil},
			{"/api/v1/accounts?customer_id=" + itoa(e.cust2.ID), []string{a2}},
			{"/api/v1/accounts?number=70000000", []string{a1, a2}},
			{"/api/v1/accounts?number=7000000002", []string{a2}},
			{"/api/v1/accounts?after=" + itoa(e.acct1.ID), []string{a2}},
			{"/api/v1/customers?kind=organization", []string{"Bo's Bakery"}},
			{"/api/v1/customers?q=ANA", []string{"Ana Reyes"}},
			{"/api/v1/customers?q=7000000002", []string{"Bo's Bakery"}},
			{"/api/v1/premises?zip=91505", []string{"200 Olive Ave"}},
			{"/api/v1/premises?dac=false", []string{"100 Main St"}},
			{"/api/v1/premises?hftd_tier=0", []string{"100 Main St", "200 Olive Ave"}},
			{"/api/v1/meters?account_id=" + itoa(e.acct1.ID), []string{"M-0001"}},
			{"/api/v1/meters?account_id=" + itoa(e.acct2.ID), nil},
			{"/api/v1/meters?serial=M-0001", []string{"M-0001"}},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				e.t = t
				var page struct {
					Data []struct {
						Number, Name, Address, Serial string
					} `json:"data"`
				}
				e.do("GET", tt.path, "", e.admin).want(t, http.StatusOK).decode(t, &page)
				var got []string
				for _, d := range page.Data {
					got = append(got, d.Number+d.Name+d.Address+d.Serial)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			})
		}
	})
}
