package web

import (
	"fmt"
	"net/http"

	"github.com/gridbook/gridbook/internal/rps"
)

// rpsProcurementCSV downloads the annual report's procurement detail: one
// row per contract, category, vintage and retirement month of the year's
// claims, the CPUC template's procurement tab (GET
// /rps/report/procurement.csv?year=).
func (h *handler) rpsProcurementCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	year, _, err := h.reportYear(ctx, r)
	var rows []rps.DetailRow
	if err == nil {
		rows, err = h.db.ProcurementDetail(ctx, year)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rps-procurement-%d.csv"`, year))
	_ = rps.WriteProcurementCSV(w, rows) // a failed write means the client left
}
