package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// NEMSystemForm is the system part of an interconnection application's
// forms — the installer's new application and revision of a draft, and
// staff filing for a customer — with the choices it offers (partial
// "nem_system_fields"). Virtual NEM and NEM Aggregation, which need their
// benefiting or aggregated accounts, are filed through the API or CLI.
type NEMSystemForm struct {
	Form       NEMApplyForm
	Variants   []Option
	Techs      []Option
	Metering   []Option
	Installers []Option // staff filing: the installer acting for the customer, if any
}

// newNEMSystemForm offers the form's choices around form's values
// (Standard NEM with solar PV when empty).
func newNEMSystemForm(form NEMApplyForm) *NEMSystemForm {
	f := &NEMSystemForm{Form: form}
	if f.Form.Variant == "" {
		f.Form.Variant, f.Form.Technology = string(nem.Standard), string(nem.SolarPV)
	}
	for _, v := range []nem.Variant{nem.Standard, nem.FuelCellNEM} {
		f.Variants = append(f.Variants, Option{Value: string(v), Label: v.Label()})
	}
	for _, t := range nem.Technologies {
		f.Techs = append(f.Techs, Option{Value: string(t), Label: strings.ReplaceAll(string(t), "_", " ")})
	}
	f.Techs = append(f.Techs, Option{Value: "other", Label: "other (not eligible)"})
	f.Metering = []Option{{"", "No paired storage"}, {"pcs_solar_only", "Power control system: solar-only charging"},
		{"pcs_no_export", "Power control system: no export from the battery"}, {"ngom", "Net generation output meter"},
		{"estimated", "Estimated (systems up to 10 kW)"}}
	return f
}

// kwhValue writes energy for an input: kWh without grouping or trailing
// zeros (7600 Wh → "7.6").
func kwhValue(wh energy.Wh) string {
	s, err := formatKWh(wh, 3)
	if err != nil {
		return ""
	}
	s = strings.ReplaceAll(s, ",", "")
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// nemFormOf fills the form from a stored system, for revising a draft.
func nemFormOf(s nem.System) NEMApplyForm {
	f := NEMApplyForm{Variant: string(s.Variant), Technology: string(s.Technology), KW: kwhValue(energy.Wh(s.CapacityW)),
		AnnualKWh: kwhValue(s.ExpectedAnnualWh), UseKWh: kwhValue(s.AnnualUseWh)}
	if s.NewService {
		f.NewService = "1"
	}
	if st := s.Storage; st != nil {
		f.Metering, f.StorageKWh, f.StorageKW = st.Metering, kwhValue(st.KWh), kwhValue(energy.Wh(st.KW))
		if st.GridCharging {
			f.GridCharging = "1"
		}
	}
	return f
}

// parseNEMForm reads the system fields of a posted application form (and
// the account, which only the filing forms have); problems are named by
// the form's inputs.
func parseNEMForm(r *http.Request) (NEMApplyForm, nem.System, apperr.Fields) {
	val := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	form := NEMApplyForm{Account: val("account"), Variant: val("variant"), Technology: val("technology"), KW: val("kw"),
		AnnualKWh: val("annual_kwh"), UseKWh: val("use_kwh"), NewService: val("new_service"), StorageKWh: val("storage_kwh"),
		StorageKW: val("storage_kw"), Metering: val("metering"), GridCharging: val("grid_charging"), Installer: val("installer_id")}
	var f apperr.Fields
	sys := nem.System{Variant: nem.Variant(form.Variant), Technology: nem.Technology(form.Technology), NewService: form.NewService != ""}
	kwh := func(field, s string) energy.Wh {
		if s == "" {
			f.Add(field, "is required")
			return 0
		}
		v, err := energy.ParseKWh(strings.ReplaceAll(s, ",", ""))
		if err != nil || v < 0 {
			f.Add(field, "must be a number with at most 3 decimals, such as 7.6")
		}
		return v
	}
	sys.CapacityW = energy.W(kwh("kw", form.KW))
	sys.ExpectedAnnualWh = kwh("annual_kwh", form.AnnualKWh)
	sys.AnnualUseWh = kwh("use_kwh", form.UseKWh)
	if form.Metering != "" {
		sys.Storage = &billing.Storage{KWh: kwh("storage_kwh", form.StorageKWh), KW: energy.W(kwh("storage_kw", form.StorageKW)),
			Metering: form.Metering, GridCharging: form.GridCharging != ""}
	}
	return form, sys, f
}

// nemFormError names a refusal's fields as the form does and words the
// form-level message.
func nemFormError(v *View, err error, what string) {
	v.SetError(renameWebFields(err, nemFormFields))
	if v.Message == "Please correct the fields marked below." || v.Message == "invalid input" {
		v.Message = what + " Each problem is shown by its field."
	}
}

// doNEMRevise replaces a draft's system from the revision form (POST
// …/applications/{id}/system) with the store's rules: the system is
// checked again and an ineligible one refused with each failed rule next
// to its field; nothing is stored then. render redisplays the page with
// the form as posted.
func (h *handler) doNEMRevise(w http.ResponseWriter, r *http.Request, base string,
	render func(http.ResponseWriter, *http.Request, int, *View, NEMStepForm)) {
	ctx := r.Context()
	a, err := h.nemFromPath(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	form, sys, f := parseNEMForm(r)
	form.Account, form.Installer = "", ""
	err = f.Err("web.nemRevise")
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ReviseNEMSystem(ctx, UserFromContext(ctx).Actor(), a.ID, sys, h.today())
			return err
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		v := &View{}
		nemFormError(v, err, "The draft was not revised.")
		render(w, r, StatusOf(err), v, NEMStepForm{System: &form})
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("%s revised and checked again.", a.Number)})
	Redirect(w, r, fmt.Sprintf("%s/%d", base, a.ID))
}

// installerRevise revises one of the installer's drafts.
func (h *handler) installerRevise(w http.ResponseWriter, r *http.Request, in store.Installer) {
	if _, err := h.installerApp(r, in); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.doNEMRevise(w, r, InstallerBase+"/applications", func(w http.ResponseWriter, r *http.Request, status int, v *View, form NEMStepForm) {
		h.renderInstallerApp(w, r, status, v, form, in)
	})
}

// nemRevise revises a draft from the console.
func (h *handler) nemRevise(w http.ResponseWriter, r *http.Request) {
	h.doNEMRevise(w, r, "/nem/applications", h.renderNEMApp)
}

// nemFile files an application for a customer from the console (POST
// /nem/applications: account, installer_id — optional, the installer acting
// for the customer — and the system; submit=1 submits it on today's
// date, otherwise it is saved as a draft). The store's eligibility rules
// refuse an ineligible system, each failed rule next to its field, and
// nothing is stored.
func (h *handler) nemFile(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	form, sys, f := parseNEMForm(r)
	if form.Account == "" {
		f.Add("account", "is required")
	}
	var installer int64
	if form.Installer != "" {
		var err error
		if installer, err = strconv.ParseInt(form.Installer, 10, 64); err != nil || installer <= 0 {
			f.Add("installer_id", "choose one of the listed installers")
		}
	}
	err := f.Err("web.nemFile")
	var app nem.Application
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			acct, err := tx.AccountByNumber(ctx, form.Account)
			if apperr.Is(err, apperr.NotFound) {
				var f apperr.Fields
				f.Add("account", "no service account numbered %s", form.Account)
				return f.Err("web.nemFile")
			} else if err != nil {
				return err
			}
			app = nem.Application{AccountID: acct.ID, InstallerID: installer, System: sys}
			_, err = tx.CreateNEMApplication(ctx, UserFromContext(ctx).Actor(), &app, r.PostFormValue("submit") != "", h.today())
			return err
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		v := &View{}
		nemFormError(v, err, "The application was not filed.")
		h.renderNEMQueue(w, r, StatusOf(err), v, &form)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Filed %s for account %s (%s).", app.Number, form.Account, app.Status.Label())})
	Redirect(w, r, fmt.Sprintf("/nem/applications/%d", app.ID))
}

// nemFormRoutes registers the application forms: staff filing for a
// customer and revising a draft, and an installer revising its draft.
func (h *handler) nemFormRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /nem/applications", h.writersOnly(h.nemFile))
	mux.HandleFunc("POST /nem/applications/{id}/system", h.writersOnly(h.nemRevise))
	mux.HandleFunc("POST /my/installer/applications/{id}/system", h.installersOnly(h.installerRevise))
}
