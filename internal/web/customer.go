package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// CustomerPage is the Data of console/customer.
type CustomerPage struct {
	Customer customer.Customer
	Accounts []AccountFacts
	Audit    []AuditRow // the customer's, its premises', accounts', enrollments' and meters', newest first
}

// auditTrailLimit is how many audit records a record's page shows.
const auditTrailLimit = 100

// customerDetail shows a customer with every service account, premise,
// enrollment and meter, and the audit trail of all of them.
func (h *handler) customerDetail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	c, err := h.db.Customer(ctx, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	accounts, err := h.db.Accounts(ctx, store.AccountFilter{CustomerID: id, Limit: 500})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := CustomerPage{Customer: c}
	today := h.today()
	refs := []auditRef{{"customer", c.ID}}
	for _, a := range accounts {
		f, err := h.accountFacts(ctx, a, today)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		page.Accounts = append(page.Accounts, f)
		refs = append(refs, factsAuditRefs(f)...)
	}
	if page.Audit, err = h.auditTrail(ctx, refs); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/customer", &View{Title: c.Name, Nav: NavCustomers, Data: page})
}

// auditRef names one audited record.
type auditRef struct {
	entity string
	id     int64
}

// factsAuditRefs lists the records of an account whose changes belong in
// its audit trail: the account, its premise, enrollments and meters.
func factsAuditRefs(f AccountFacts) []auditRef {
	refs := []auditRef{{"account", f.Account.ID}, {"premise", f.Premise.ID}}
	for _, e := range f.Enrollments {
		refs = append(refs, auditRef{"enrollment", e.ID})
	}
	for _, m := range f.Meters {
		refs = append(refs, auditRef{"meter", m.ID})
	}
	return refs
}

// auditTrail merges the audit records of several records, newest first,
// at most auditTrailLimit of them. A record listed twice (a premise shared
// by two accounts) is read once.
func (h *handler) auditTrail(ctx context.Context, refs []auditRef) ([]AuditRow, error) {
	seen := map[auditRef]bool{}
	var rows []AuditRow
	for _, ref := range refs {
		if seen[ref] {
			continue
		}
		seen[ref] = true
		recs, err := h.db.AuditLog(ctx, store.AuditFilter{Entity: ref.entity, EntityID: strconv.FormatInt(ref.id, 10), Limit: auditTrailLimit})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			rows = append(rows, newAuditRow(rec))
		}
	}
	slices.SortFunc(rows, func(a, b AuditRow) int { return cmp.Compare(b.ID, a.ID) })
	if len(rows) > auditTrailLimit {
		rows = rows[:auditTrailLimit]
	}
	return rows, nil
}
