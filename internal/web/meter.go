package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// MeterPage is the Data of console/meter.
type MeterPage struct {
	Meter   customer.Meter
	Account customer.Account
	// Imports are the meter's interval imports, newest first (at most
	// meterImportsShown); Shown is the one whose summary is displayed
	// (?import=ID), nil for none.
	Imports []ImportRow
	Shown   *ImportRow
	Format  string     // the import form's format choice
	Audit   []AuditRow // the meter's, its channels' and its imports', newest first
}

// ImportRow is one interval import as the meter page shows it.
type ImportRow struct {
	store.ImportSummary
	Who    string // the importer's name, e.g. "pat@cpa.example"
	WhoKey string // the importer's kind and id, e.g. "user:2"
}

// meterImportsShown is how many imports the meter page lists.
const meterImportsShown = 50

// maxIntervalUpload bounds an uploaded interval file (a year of 15-minute
// two-channel Green Button XML is about 15 MB); multipartMemory is how
// much of it is held in memory, the rest in a temporary file.
const (
	maxIntervalUpload = 256 << 20
	multipartMemory   = 32 << 20
)

// meterDetail shows a meter: its channels, its interval imports (the
// summary of ?import=ID) and, for writers, the form that imports a file.
func (h *handler) meterDetail(w http.ResponseWriter, r *http.Request) {
	page, err := h.meterPage(r, "auto")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if s := r.URL.Query().Get("import"); s != "" {
		id, _ := strconv.ParseInt(s, 10, 64)
		for i := range page.Imports {
			if page.Imports[i].ID == id {
				page.Shown = &page.Imports[i]
			}
		}
	}
	h.rd.Render(w, r, http.StatusOK, "console/meter", &View{Title: "Meter " + page.Meter.Serial, Nav: NavCustomers, Data: page})
}

// meterPage loads the meter named by the path and its imports.
func (h *handler) meterPage(r *http.Request, format string) (MeterPage, error) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return MeterPage{}, err
	}
	page := MeterPage{Format: format}
	if page.Meter, err = h.db.Meter(ctx, id); err != nil {
		return page, err
	}
	if page.Account, err = h.db.Account(ctx, page.Meter.AccountID); err != nil {
		return page, err
	}
	imports, err := h.db.IntervalImports(ctx, id, 0, meterImportsShown)
	if err != nil {
		return page, err
	}
	refs := []auditRef{{"meter", id}}
	for _, c := range page.Meter.Channels {
		refs = append(refs, auditRef{"channel", c.ID})
	}
	for _, s := range imports {
		row := ImportRow{ImportSummary: s}
		row.WhoKey, row.Who, _ = strings.Cut(s.Actor, " ")
		if row.Who == "" {
			row.Who, row.WhoKey = row.WhoKey, ""
		}
		page.Imports = append(page.Imports, row)
		refs = append(refs, auditRef{"interval_import", s.ID})
	}
	page.Audit, err = h.auditTrail(ctx, refs)
	return page, err
}

// intervalImport stores an uploaded interval file for the meter (POST
// /meters/{id}/intervals, multipart: file, format) and shows its summary;
// a rejected file stores nothing and is explained on the form.
func (h *handler) intervalImport(w http.ResponseWriter, r *http.Request) {
	format := strings.TrimSpace(r.FormValue("format"))
	page, err := h.meterPage(r, format)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	sum, err := h.importUpload(w, r, page.Meter.ID)
	if err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			h.rd.Error(w, r, err)
			return
		}
		v := &View{Title: "Meter " + page.Meter.Serial, Nav: NavCustomers, Data: page}
		v.SetError(err)
		v.Message = "The file was not imported; nothing was stored. " + apperr.Detail(err)
		h.rd.Render(w, r, http.StatusBadRequest, "console/meter", v)
		return
	}
	msg := fmt.Sprintf("Imported %s: %d intervals changed (%d added, %d replaced), %d unchanged.", sum.FileName, sum.Changed(), sum.Added, sum.Replaced, sum.Unchanged)
	if sum.PreviousImportID != 0 {
		msg += fmt.Sprintf(" The file is identical to import %d.", sum.PreviousImportID)
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: msg})
	Redirect(w, r, fmt.Sprintf("/meters/%d?import=%d", page.Meter.ID, sum.ID))
}

// importUpload reads the form's file and imports it in one transaction.
func (h *handler) importUpload(w http.ResponseWriter, r *http.Request, meterID int64) (store.ImportSummary, error) {
	const op = "web.intervalImport"
	var f apperr.Fields
	format, err := meterdata.ParseFormat(r.FormValue("format"))
	if err != nil {
		return store.ImportSummary{}, err
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			f.Add("file", "is larger than %d MB", maxIntervalUpload>>20)
		} else {
			f.Add("file", "choose an interval file to upload")
		}
		return store.ImportSummary{}, f.Err(op)
	}
	defer file.Close()
	parsed, dg, err := meterdata.Read(file, meterdata.Options{Format: format})
	if err != nil {
		return store.ImportSummary{}, err
	}
	var sum store.ImportSummary
	ctx := r.Context()
	err = h.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		sum, err = tx.ImportIntervals(ctx, UserFromContext(ctx).Actor(), store.IntervalImport{MeterID: meterID, FileName: hdr.Filename, Digest: dg, File: parsed})
		return err
	})
	return sum, err
}

// limitUpload caps the request body of an interval upload and parses the
// multipart form before the handler reads its fields.
func limitUpload(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxIntervalUpload)
		if err := r.ParseMultipartForm(multipartMemory); err == nil {
			defer r.MultipartForm.RemoveAll()
		}
		next(w, r)
	}
}
