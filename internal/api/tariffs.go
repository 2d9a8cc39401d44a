package api

import (
	"context"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// tariffRoutes registers the tariff and export-price endpoints.
func (h *handler) tariffRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /tariffs", tariffRead, h.listTariffs)
	h.handle(mux, "POST /tariffs", tariffAdmin, h.importTariffs)
	h.handle(mux, "GET /tariffs/{id}", tariffRead, h.getTariff)
	h.handle(mux, "GET /export-prices", tariffRead, h.listExportTables)
	h.handle(mux, "GET /export-prices/{id}", tariffRead, h.getExportTable)
}

// TariffSummary is a stored tariff version as lists show it: in the API's
// GET /tariffs and in `gridbook tariff list --json`.
type TariffSummary struct {
	ID             int64   `json:"id"`
	Utility        string  `json:"utility"`
	Code           string  `json:"code"`
	Name           string  `json:"name"`
	Sector         string  `json:"sector"`
	Service        string  `json:"service"`
	EffectiveFrom  string  `json:"effective_from"`
	EffectiveTo    *string `json:"effective_to"`
	Holidays       string  `json:"holidays"`
	SourceCitation string  `json:"source_citation"`
	SourceURL      string  `json:"source_url"`
	SHA256         string  `json:"sha256"`
	ImportedAt     string  `json:"imported_at"`
}

// NewTariffSummary describes a stored version.
func NewTariffSummary(r store.TariffRecord) TariffSummary {
	v := &r.Version
	return TariffSummary{ID: r.ID, Utility: v.Utility, Code: v.Code, Name: v.Name, Sector: v.Sector, Service: v.Service,
		EffectiveFrom: v.From.String(), EffectiveTo: optDate(v.To), Holidays: v.Holidays,
		SourceCitation: v.Source.Citation, SourceURL: v.Source.URL, SHA256: r.SHA256, ImportedAt: instant(r.Imported)}
}

// tariffDetailJSON is one version: its summary, the version in the native
// tariff format and each period map as 12×24 month × hour grids.
type tariffDetailJSON struct {
	TariffSummary
	Version     tariff.Version   `json:"version"`
	PeriodGrids []periodGridJSON `json:"period_grids"`
}

// periodGridJSON is a period map as URDB-style matrices: weekday[m][h] is
// the period of hour beginning h on weekdays of month m+1, taken from the
// season in force on the first of the month.
type periodGridJSON struct {
	Map     string   `json:"map"`
	Periods []string `json:"periods"`
	Weekday [][]int  `json:"weekday"`
	Weekend [][]int  `json:"weekend_holiday"`
}

func tariffDetail(r store.TariffRecord) (tariffDetailJSON, error) {
	out := tariffDetailJSON{TariffSummary: NewTariffSummary(r), Version: r.Version, PeriodGrids: []periodGridJSON{}}
	for i := range r.Version.Maps {
		m := &r.Version.Maps[i]
		wd, we, err := m.Grid()
		if err != nil {
			return out, err
		}
		out.PeriodGrids = append(out.PeriodGrids, periodGridJSON{Map: m.Name, Periods: m.Periods, Weekday: gridRows(wd), Weekend: gridRows(we)})
	}
	return out, nil
}

func gridRows(g [12][24]uint8) [][]int {
	out := make([][]int, 12)
	for m := range g {
		out[m] = make([]int, 24)
		for h, p := range g[m] {
			out[m][h] = int(p)
		}
	}
	return out
}

// writePage answers one cursor page of a list: it reads ?after= and
// ?limit=, refuses the request if any parameter read from ps so far is
// bad, and calls fetch for up to limit+1 rows (the extra one only tells
// that another page exists).
func writePage[R, T any](h *handler, w http.ResponseWriter, r *http.Request, ps *params,
	fetch func(after int64, limit int) ([]R, error), id func(R) int64, out func(R) T) {
	after, limit := ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	rows, err := fetch(after, limit+1)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, id, out))
}

func (h *handler) listTariffs(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "utility", "code", "on", "sector", "after", "limit")
	f := store.TariffFilter{Utility: ps.str("utility"), Code: ps.str("code"), On: ps.date("on"), Sector: ps.str("sector")}
	writePage(h, w, r, ps, func(after int64, limit int) ([]store.TariffRecord, error) {
		f.After, f.Limit = after, limit
		return h.db.TariffVersions(r.Context(), f)
	}, func(t store.TariffRecord) int64 { return t.ID }, NewTariffSummary)
}

func (h *handler) getTariff(w http.ResponseWriter, r *http.Request, _ *principal) {
	id, err := pathID(r, "id", "tariff version")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rec, err := h.db.TariffVersion(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := tariffDetail(rec)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// tariffImportJSON answers an import: how many versions were added and
// how many were already stored with the same content, and every version
// of the document as now stored.
type tariffImportJSON struct {
	Added     int             `json:"added"`
	Unchanged int             `json:"unchanged"`
	Versions  []TariffSummary `json:"versions"`
}

// importTariffs stores the versions of a URDB or native JSON body in one
// transaction: a document with any invalid version stores nothing, and
// importing the same versions again changes nothing (200 instead of 201).
// ?format= (urdb or native) overrides detection; ?code= and ?holidays=
// apply to URDB documents as in `gridbook tariff import`.
func (h *handler) importTariffs(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "format", "code", "holidays")
	format, opt := ps.str("format"), tariff.URDBOptions{Code: ps.str("code"), Holidays: ps.str("holidays"), DataSource: "POST " + Prefix + "/tariffs"}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	versions, err := tariff.Parse(body, format, opt)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// The query string shapes the result (a URDB code), so it is part of
	// what an Idempotency-Key stands for.
	keyed := append([]byte(r.URL.RawQuery+"\n"), body...)
	h.commit(w, r, p, keyed, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		res, err := tx.ImportTariffs(ctx, p.actor, versions, nil)
		if err != nil {
			return 0, nil, err
		}
		out := tariffImportJSON{Added: res.Added, Unchanged: res.Unchanged, Versions: make([]TariffSummary, 0, len(res.IDs))}
		for _, id := range res.IDs {
			rec, err := tx.TariffVersion(ctx, id)
			if err != nil {
				return 0, nil, err
			}
			out.Versions = append(out.Versions, NewTariffSummary(rec))
		}
		status := http.StatusOK
		if res.Added > 0 {
			status = http.StatusCreated
		}
		return status, out, nil
	})
}

// exportTableJSON describes a stored export-price table without prices.
type exportTableJSON struct {
	ID         int64  `json:"id"`
	Utility    string `json:"utility"`
	Vintage    int    `json:"vintage"`
	Years      []int  `json:"years"`
	Source     string `json:"source"`
	SHA256     string `json:"sha256"`
	ImportedAt string `json:"imported_at"`
}

func exportTableOut(s store.ExportTableSummary) exportTableJSON {
	out := exportTableJSON{ID: s.ID, Utility: s.Utility, Vintage: s.Vintage, Years: []int{}, Source: s.Source, SHA256: s.SHA256,
		ImportedAt: instant(s.Imported)}
	for y := s.FirstYear; y <= s.LastYear; y++ { // tables hold consecutive years (tariff.ExportTable.Validate)
		out.Years = append(out.Years, y)
	}
	return out
}

func (h *handler) listExportTables(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "utility", "vintage", "after", "limit")
	f := store.ExportTableFilter{Utility: ps.str("utility")}
	if v := ps.optInt("vintage"); v != nil {
		f.Vintage = *v
	}
	writePage(h, w, r, ps, func(after int64, limit int) ([]store.ExportTableSummary, error) {
		f.After, f.Limit = after, limit
		return h.db.ExportTableList(r.Context(), f)
	}, func(s store.ExportTableSummary) int64 { return s.ID }, exportTableOut)
}

// exportYearJSON is one year of an export-price table: for each month,
// the 24 hourly prices (hour beginning 0–23, local time) of weekdays and
// of weekends and holidays.
type exportYearJSON struct {
	exportTableJSON
	Holidays string            `json:"holidays"`
	Year     int               `json:"year"`
	Months   []exportMonthJSON `json:"months"`
	Units    string            `json:"units"`
	Note     string            `json:"note"`
}

// exportMonthJSON is one month of prices.
type exportMonthJSON struct {
	Month   int               `json:"month"`
	Weekday []exportPriceJSON `json:"weekday"`
	Weekend []exportPriceJSON `json:"weekend_holiday"`
}

// exportPriceJSON is one hour's price in $/kWh, as decimal strings.
type exportPriceJSON struct {
	Delivery   string `json:"delivery"`
	Generation string `json:"generation"`
	Total      string `json:"total"`
}

func (h *handler) getExportTable(w http.ResponseWriter, r *http.Request, _ *principal) {
	id, err := pathID(r, "id", "export-price table")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ps := newParams(r, "year")
	year := ps.optInt("year")
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	rec, err := h.db.ExportTableByID(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	t := &rec.Table
	first, last := t.Years[0].Year, t.Years[len(t.Years)-1].Year
	y := t.ClosestYear(calendar.DateOf(h.db.Now()).Year)
	if year != nil {
		if *year < first || *year > last {
			var f apperr.Fields
			f.Add("year", "the table has years %d to %d, not %d", first, last, *year)
			h.writeError(w, r, f.Err("api.getExportTable"))
			return
		}
		y = *year
	}
	out := exportYearJSON{
		exportTableJSON: exportTableOut(store.ExportTableSummary{ID: rec.ID, Utility: t.Utility, Vintage: t.Vintage,
			FirstYear: first, LastYear: last, Source: t.Source, SHA256: rec.SHA256, Imported: rec.Imported}),
		Holidays: t.Holidays, Year: y, Units: "$/kWh exported",
		Note: "hour beginning 0-23, local time; weekend_holiday prices apply on weekends and on the table's holidays",
	}
	yr := t.Years[y-first]
	for m := range 12 {
		mo := exportMonthJSON{Month: m + 1}
		for h := range 24 {
			mo.Weekday = append(mo.Weekday, exportPriceOut(yr.Prices[m][0][h]))
			mo.Weekend = append(mo.Weekend, exportPriceOut(yr.Prices[m][1][h]))
		}
		out.Months = append(out.Months, mo)
	}
	writeJSON(w, http.StatusOK, out)
}

func exportPriceOut(p tariff.ExportPrice) exportPriceJSON {
	return exportPriceJSON{Delivery: tariff.Price(p.Delivery).String(), Generation: tariff.Price(p.Generation).String(),
		Total: tariff.Price(p.Total()).String()}
}
