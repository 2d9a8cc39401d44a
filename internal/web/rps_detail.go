package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// procurementDetail reads the claims, contracts and facilities behind the
// annual report's procurement detail for year (rps.ProcurementDetail).
func procurementDetail(ctx context.Context, db *store.DB, year int) ([]rps.DetailRow, error) {
	claims, err := db.Claims(ctx, store.ClaimFilter{})
	if err != nil {
		return nil, err
	}
	cons, err := db.Contracts(ctx)
	if err != nil {
		return nil, err
	}
	facs, err := db.RecFacilities(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int64]rps.Contract{}
	for _, c := range cons {
		byID[c.ID] = c
	}
	fs := map[int64]rps.Facility{}
	for _, f := range facs {
		fs[f.ID] = f.Facility
	}
	in := make([]rps.DetailClaim, 0, len(claims))
	for _, c := range claims {
		in = append(in, rps.DetailClaim{ContractID: c.ContractID, PCC: c.PCC, MWh: c.MWh, LongTerm: c.LongTerm, Vintage: c.Vintage,
			RetiredOn: c.RetiredOn, Period: c.Period})
	}
	return rps.ProcurementDetail(year, in, byID, fs), nil
}

// rpsProcurementCSV downloads the annual report's procurement detail: one
// row per contract, category, vintage and retirement month of the year's
// claims, the CPUC template's procurement tab (GET
// /rps/report/procurement.csv?year=).
func (h *handler) rpsProcurementCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	year, _, err := h.reportYear(ctx, r)
	var rows []rps.DetailRow
	if err == nil {
		rows, err = procurementDetail(ctx, h.db, year)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rps-procurement-%d.csv"`, year))
	_ = rps.WriteProcurementCSV(w, rows) // a failed write means the client left
}
