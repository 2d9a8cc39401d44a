package api

import (
	"encoding/json"
	"net/http"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// auditJSON is one audit-log entry: who did what to which entity, and the
// entity before and after (null for a create's before).
type auditJSON struct {
	ID       int64           `json:"id"`
	At       string          `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

func auditOut(a auth.AuditRecord) auditJSON {
	out := auditJSON{ID: a.ID, At: instant(a.At), Actor: a.Actor, Action: a.Action, Entity: a.Entity, EntityID: a.EntityID,
		Before: a.Before, After: a.After}
	if out.Before == nil {
		out.Before = json.RawMessage("null")
	}
	if out.After == nil {
		out.After = json.RawMessage("null")
	}
	return out
}

// listAudit pages through the audit log newest first; the cursor is the
// last entry's id and the next page holds older entries.
func (h *handler) listAudit(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "entity", "entity_id", "after", "limit")
	f := store.AuditFilter{Entity: ps.str("entity"), EntityID: ps.str("entity_id")}
	f.Before, f.Limit = ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit := f.Limit
	f.Limit++
	rows, err := h.db.AuditLog(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, func(a auth.AuditRecord) int64 { return a.ID }, auditOut))
}
