package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// NavTariffs is the nav key of the tariff and export-price pages.
const NavTariffs = "tariffs"

// TariffsPage is the Data of console/tariffs.
type TariffsPage struct {
	Utility, Code string
	Utilities     []Option // the utility filter's choices
	Tariffs       []store.TariffRecord
	First         bool
	NextURL       string
	CanImport     bool // the user is an admin: the upload form is shown
	Import        TariffImportForm
	// Problems lists every problem of a refused upload by field (a JSON
	// path such as period_maps[0].seasons[0].weekday), since the fields
	// of a tariff document are not inputs of the form.
	Problems []apperr.FieldError
}

// TariffImportForm is the upload form's values.
type TariffImportForm struct {
	Format, Code, Holidays string
}

// tariffsPageSize is how many versions one page lists.
const tariffsPageSize = 50

// maxTariffUpload bounds an uploaded tariff document (the API's body
// limit).
const maxTariffUpload = 1 << 20

// tariffs lists tariff versions, filtered by ?utility= and ?code=, a page
// at a time (?after=). Admins also get the upload form.
func (h *handler) tariffs(w http.ResponseWriter, r *http.Request) {
	page, err := h.tariffsPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/tariffs", &View{Title: "Tariffs", Nav: NavTariffs, Data: page})
}

func (h *handler) tariffsPage(r *http.Request) (TariffsPage, error) {
	q := r.URL.Query()
	page := TariffsPage{Utility: strings.TrimSpace(q.Get("utility")), Code: strings.TrimSpace(q.Get("code"))}
	if u := UserFromContext(r.Context()); u != nil && u.Access == auth.Admin {
		page.CanImport = true
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	page.First = after <= 0
	list, err := h.db.TariffVersions(r.Context(), store.TariffFilter{Utility: page.Utility, Code: page.Code,
		After: max(after, 0), Limit: tariffsPageSize + 1})
	if err != nil {
		return page, err
	}
	if len(list) > tariffsPageSize {
		list = list[:tariffsPageSize]
		v := url.Values{}
		if page.Utility != "" {
			v.Set("utility", page.Utility)
		}
		if page.Code != "" {
			v.Set("code", page.Code)
		}
		v.Set("after", strconv.FormatInt(list[len(list)-1].ID, 10))
		page.NextURL = "/tariffs?" + v.Encode()
	}
	page.Tariffs = list
	// The utility filter offers every utility with a stored version.
	all, err := h.db.TariffVersions(r.Context(), store.TariffFilter{})
	if err != nil {
		return page, err
	}
	var utilities []string
	for _, t := range all {
		utilities = append(utilities, t.Version.Utility)
	}
	slices.Sort(utilities)
	page.Utilities = []Option{{Value: "", Label: "All utilities"}}
	for _, u := range slices.Compact(utilities) {
		page.Utilities = append(page.Utilities, Option{Value: u, Label: u})
	}
	return page, nil
}

// adminsOnly lets through administrators only: importing tariffs changes
// the prices every bill is computed from.
func (h *handler) adminsOnly(next http.HandlerFunc) http.HandlerFunc {
	return h.staffOnly(func(w http.ResponseWriter, r *http.Request) {
		if UserFromContext(r.Context()).Access != auth.Admin {
			h.rd.Error(w, r, apperr.Forbiddenf("web", "Only administrators import tariffs."))
			return
		}
		next(w, r)
	})
}

// tariffImport stores the versions of an uploaded URDB or native JSON
// document (POST /tariffs, multipart field "file"), read and validated as
// the API and CLI do (tariff.Parse). A refused document stores nothing and
// the page comes back with each problem by field; importing versions
// already stored changes nothing and says so.
func (h *handler) tariffImport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	form := TariffImportForm{}
	doc, err := readTariffUpload(w, r, &form)
	var versions []tariff.Version
	if err == nil {
		opt := tariff.URDBOptions{Code: form.Code, Holidays: form.Holidays, DataSource: "console upload"}
		versions, err = tariff.Parse(doc, form.Format, opt)
	}
	var res store.TariffImport
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			res, err = tx.ImportTariffs(ctx, UserFromContext(ctx).Actor(), versions, nil)
			return err
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		page, perr := h.tariffsPage(r)
		if perr != nil {
			h.rd.Error(w, r, perr)
			return
		}
		page.Import = form
		v := &View{Title: "Tariffs", Nav: NavTariffs}
		v.SetError(err)
		for _, f := range apperr.FieldsOf(err) {
			if f.Field != "file" && f.Field != "format" && f.Field != "code" && f.Field != "holidays" {
				page.Problems = append(page.Problems, f)
			}
		}
		if len(page.Problems) > 0 {
			v.Message = fmt.Sprintf("The document was not imported: %s, listed below. Nothing was stored.",
				countOf(len(page.Problems), "problem"))
		}
		v.Data = page
		h.rd.Render(w, r, StatusOf(err), "console/tariffs", v)
		return
	}
	msg := fmt.Sprintf("Imported %s.", countOf(res.Added, "tariff version"))
	if res.Added == 0 {
		msg = "Nothing changed: every version in the document is already stored."
	} else if res.Unchanged > 0 {
		msg += fmt.Sprintf(" %d already stored.", res.Unchanged)
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: msg})
	if len(res.IDs) == 1 {
		Redirect(w, r, fmt.Sprintf("/tariffs/%d", res.IDs[0]))
		return
	}
	Redirect(w, r, "/tariffs")
}

// countOf writes a count with its noun, plural unless n is 1: "1
// problem", "3 problems".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// readTariffUpload reads the upload form: the file, and the format, code
// and holidays fields into form.
func readTariffUpload(w http.ResponseWriter, r *http.Request, form *TariffImportForm) ([]byte, error) {
	const op = "web.tariffImport"
	var f apperr.Fields
	r.Body = http.MaxBytesReader(w, r.Body, maxTariffUpload+64<<10)
	if err := r.ParseMultipartForm(maxTariffUpload); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			f.Add("file", "is larger than 1 MiB")
		} else {
			f.Add("file", "choose a URDB or native JSON file to upload")
		}
		return nil, f.Err(op)
	}
	form.Format = strings.TrimSpace(r.PostFormValue("format"))
	form.Code = strings.TrimSpace(r.PostFormValue("code"))
	form.Holidays = strings.TrimSpace(r.PostFormValue("holidays"))
	file, _, err := r.FormFile("file")
	if err != nil {
		f.Add("file", "choose a URDB or native JSON file to upload")
		return nil, f.Err(op)
	}
	defer file.Close()
	b, err := io.ReadAll(file)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		f.Add("file", "the file is empty or could not be read")
		return nil, f.Err(op)
	}
	return b, nil
}
