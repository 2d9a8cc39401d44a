package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// customerJSON is a customer as the API shows it.
type customerJSON struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	MailingAddress string `json:"mailing_address"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

func customerOut(c customer.Customer) customerJSON {
	return customerJSON{ID: c.ID, Kind: string(c.Kind), Name: c.Name, Email: c.Email, Phone: c.Phone,
		MailingAddress: c.MailingAddress, CreatedAt: instant(c.Created), UpdatedAt: instant(c.Updated)}
}

// customerRequest is the body of POST /customers and PUT /customers/{id}.
type customerRequest struct {
	Kind           string `json:"kind"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	MailingAddress string `json:"mailing_address"`
}

func (q customerRequest) customer(id int64) customer.Customer {
	return customer.Customer{ID: id, Kind: customer.Kind(q.Kind), Name: q.Name, Email: q.Email, Phone: q.Phone,
		MailingAddress: q.MailingAddress}
}

func (h *handler) listCustomers(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "q", "kind", "after", "limit")
	f := store.CustomerFilter{Query: ps.str("q"), Kind: customer.Kind(ps.str("kind"))}
	f.After, f.Limit = ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit := f.Limit
	f.Limit++
	var rows []customer.Customer
	var err error
	if p.portal() {
		rows, err = h.portalCustomers(r.Context(), p, f)
	} else {
		rows, err = h.db.Customers(r.Context(), f)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, func(c customer.Customer) int64 { return c.ID }, customerOut))
}

// portalCustomers lists the customers of a portal user's accounts that
// match f (kind exactly; q as a case-insensitive substring of name, email
// or phone).
func (h *handler) portalCustomers(ctx context.Context, p *principal, f store.CustomerFilter) ([]customer.Customer, error) {
	accts, err := h.portalAccounts(ctx, p)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(accts))
	for _, a := range accts {
		ids = append(ids, a.CustomerID)
	}
	q := strings.ToLower(f.Query)
	return portalRows(ids, f.After, f.Limit, func(id int64) (customer.Customer, error) { return h.db.Customer(ctx, id) },
		func(c customer.Customer) bool {
			return (f.Kind == "" || c.Kind == f.Kind) && (q == "" || strings.Contains(strings.ToLower(c.Name), q) ||
				strings.Contains(strings.ToLower(c.Email), q) || strings.Contains(c.Phone, q))
		})
}

func (h *handler) getCustomer(w http.ResponseWriter, r *http.Request, p *principal) {
	c, err := h.visibleCustomer(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, customerOut(c))
}

// visibleCustomer loads the customer named in the path, answering
// NotFound when a portal user holds none of its accounts.
func (h *handler) visibleCustomer(r *http.Request, p *principal) (customer.Customer, error) {
	id, err := pathID(r, "id", "customer")
	if err != nil {
		return customer.Customer{}, err
	}
	if p.portal() {
		ok, err := h.portalSees(r.Context(), p, id, func(a customer.Account) int64 { return a.CustomerID })
		if err != nil {
			return customer.Customer{}, err
		}
		if !ok {
			return customer.Customer{}, apperr.NotFoundf("api", "customer %d not found", id)
		}
	}
	return h.db.Customer(r.Context(), id)
}

func (h *handler) createCustomer(w http.ResponseWriter, r *http.Request, p *principal) {
	var req customerRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		c := req.customer(0)
		if err := tx.CreateCustomer(ctx, p.actor, &c); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, customerOut(c), nil
	})
}

func (h *handler) putCustomer(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "customer")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req customerRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		c := req.customer(id)
		if err := tx.UpdateCustomer(ctx, p.actor, &c); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, customerOut(c), nil
	})
}
