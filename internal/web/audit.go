package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// AuditPage is the Data of console/audit.
type AuditPage struct {
	Entity   string
	Entities []Option
	Rows     []AuditRow
	First    bool
	NextURL  string
}

// auditEntities are the record kinds the audit log can be filtered by.
var auditEntities = []string{"customer", "premise", "account", "enrollment", "meter", "user", "api_client", "tariff_version", "export_price_table"}

// auditPageSize is how many audit records one page lists.
const auditPageSize = 50

// auditLog lists the whole audit log, newest first, optionally for one
// kind of record (?entity=), a page at a time with the cursor ?before=.
func (h *handler) auditLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	entity := q.Get("entity")
	if !slices.Contains(auditEntities, entity) {
		entity = ""
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	recs, err := h.db.AuditLog(r.Context(), store.AuditFilter{Entity: entity, Before: before, Limit: auditPageSize + 1})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := AuditPage{Entity: entity, First: before <= 0, Entities: []Option{{Value: "", Label: "All records"}}}
	for _, e := range auditEntities {
		page.Entities = append(page.Entities, Option{Value: e, Label: e})
	}
	recs, page.NextURL = cutPage(recs, auditPageSize, func(r auth.AuditRecord) int64 { return r.ID }, "/audit", "before", "entity", entity)
	for _, rec := range recs {
		page.Rows = append(page.Rows, newAuditRow(rec))
	}
	h.rd.Render(w, r, http.StatusOK, "console/audit", &View{Title: "Audit log", Nav: NavAudit, Data: page})
}
