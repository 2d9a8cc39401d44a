package web

import (
	"fmt"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// NavInstaller is the portal nav key of an installer's applications, and
// NavSolar that of a customer's.
const (
	NavInstaller = "installer"
	NavSolar     = "solar"
)

// InstallerBase is where an installer's pages live: under the portal,
// whose sign-in and layout installers share with customers.
const InstallerBase = "/my/installer"

// IsInstaller reports whether the user signs in for a solar installer.
func (u *User) IsInstaller() bool { return u != nil && u.Access == auth.Installer }

// installersOnly lets installer users through, with the installer they
// act for in the request. Others are sent to their own start page.
func (h *handler) installersOnly(next func(http.ResponseWriter, *http.Request, store.Installer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := UserFromContext(r.Context())
		switch {
		case u == nil:
			redirectToLogin(w, r, "/my/login")
			return
		case !u.IsInstaller():
			h.rd.Error(w, r, apperr.Forbiddenf("web", "These pages are for solar installers."))
			return
		}
		in, err := h.db.InstallerOfUser(r.Context(), u.ID)
		if apperr.Is(err, apperr.NotFound) {
			err = apperr.Forbiddenf("web", "Your sign-in is not linked to an installer yet; ask the utility to link it.")
		}
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		next(w, r, in)
	}
}

// InstallerPage is the Data of portal/nem_installer: the installer's
// applications and the form for a new one.
type InstallerPage struct {
	Installer  store.Installer
	Rows       []NEMRow
	SystemForm *NEMSystemForm
}

// NEMApplyForm is an application form's values (nem_forms.go): the
// account and installer of the filing forms and the system.
type NEMApplyForm struct {
	Account, Installer, Variant, Technology, KW, AnnualKWh, UseKWh, NewService string
	StorageKWh, StorageKW, Metering, GridCharging                              string
}

func (h *handler) installerPage(r *http.Request, in store.Installer, form NEMApplyForm) (InstallerPage, error) {
	rows, err := h.nemRows(r.Context(), store.NEMFilter{InstallerID: in.ID})
	if err != nil {
		return InstallerPage{}, err
	}
	return InstallerPage{Installer: in, Rows: rows, SystemForm: newNEMSystemForm(form)}, nil
}

// installerHome lists the installer's applications with the form for a
// new one.
func (h *handler) installerHome(w http.ResponseWriter, r *http.Request, in store.Installer) {
	h.renderInstallerHome(w, r, http.StatusOK, &View{}, in, NEMApplyForm{})
}

func (h *handler) renderInstallerHome(w http.ResponseWriter, r *http.Request, status int, v *View, in store.Installer, form NEMApplyForm) {
	page, err := h.installerPage(r, in, form)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	v.Title, v.Nav, v.Data = in.Name+": interconnection applications", NavInstaller, page
	h.rd.Render(w, r, status, "portal/nem_installer", v)
}

// nemFormFields maps the store's field names to the form's.
var nemFormFields = map[string]string{"capacity_w": "kw", "expected_annual_wh": "annual_kwh", "annual_use_wh": "use_kwh",
	"account": "account", "account_id": "account", "storage": "metering", "technology": "technology", "variant": "variant"}

// installerApply files an application from the form (POST
// /my/installer/applications): saved as a draft, or submitted with
// submit=1. The store's eligibility rules refuse an ineligible system and
// the form comes back with each failed rule next to its field.
func (h *handler) installerApply(w http.ResponseWriter, r *http.Request, in store.Installer) {
	ctx := r.Context()
	form, sys, f := parseNEMForm(r)
	form.Installer = ""
	if form.Account == "" {
		f.Add("account", "is required")
	}
	err := f.Err("web.installerApply")
	var app nem.Application
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			a, err := tx.AccountByNumber(ctx, form.Account)
			if apperr.Is(err, apperr.NotFound) {
				var f apperr.Fields
				f.Add("account", "no service account numbered %s", form.Account)
				return f.Err("web.installerApply")
			} else if err != nil {
				return err
			}
			app = nem.Application{AccountID: a.ID, InstallerID: in.ID, System: sys}
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
		h.renderInstallerHome(w, r, StatusOf(err), v, in, form)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Filed %s (%s).", app.Number, app.Status.Label())})
	Redirect(w, r, fmt.Sprintf("%s/applications/%d", InstallerBase, app.ID))
}

// renameWebFields names fields as the form does, keeping the message;
// errors with no fields pass through.
func renameWebFields(err error, names map[string]string) error {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return err
	}
	var out apperr.Fields
	for _, fe := range fs {
		if n, ok := names[fe.Field]; ok {
			fe.Field = n
		}
		out = append(out, fe)
	}
	return out.Err("web")
}

// installerApplication shows one of the installer's applications: submit
// and withdraw, documents.
func (h *handler) installerApplication(w http.ResponseWriter, r *http.Request, in store.Installer) {
	h.renderInstallerApp(w, r, http.StatusOK, nil, NEMStepForm{}, in)
}

// installerSteps are the steps an installer may take.
var installerSteps = []nem.Status{nem.Submitted, nem.Withdrawn}

func (h *handler) renderInstallerApp(w http.ResponseWriter, r *http.Request, status int, v *View, form NEMStepForm, in store.Installer) {
	a, err := h.installerApp(r, in)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.nemAppPage(r.Context(), a, InstallerBase+"/applications", installerSteps)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.CanStep = len(page.Next) > 0
	if form.To != "" {
		page.Step = form
	}
	if form.System != nil && page.SystemForm != nil {
		page.SystemForm = newNEMSystemForm(*form.System)
	}
	if v == nil {
		v = &View{}
	}
	v.Title, v.Nav, v.Data = a.Number, NavInstaller, page
	h.rd.Render(w, r, status, "portal/nem_installer_application", v)
}

// installerApp reads the application of the path for its installer; one
// filed by another installer answers like one that does not exist.
func (h *handler) installerApp(r *http.Request, in store.Installer) (nem.Application, error) {
	a, err := h.nemFromPath(r)
	if err == nil && a.InstallerID != in.ID {
		err = apperr.NotFoundf("web", "There is no such application.")
	}
	return a, err
}

func (h *handler) installerStep(w http.ResponseWriter, r *http.Request, in store.Installer) {
	if _, err := h.installerApp(r, in); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.doNEMStep(w, r, InstallerBase+"/applications", installerSteps, func(w http.ResponseWriter, r *http.Request, status int, v *View, form NEMStepForm) {
		h.renderInstallerApp(w, r, status, v, form, in)
	})
}

func (h *handler) installerUpload(w http.ResponseWriter, r *http.Request, in store.Installer) {
	if _, err := h.installerApp(r, in); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.doNEMUpload(w, r, InstallerBase+"/applications", func(w http.ResponseWriter, r *http.Request, status int, v *View, form NEMStepForm) {
		h.renderInstallerApp(w, r, status, v, form, in)
	})
}

func (h *handler) installerDocument(w http.ResponseWriter, r *http.Request, in store.Installer) {
	a, err := h.installerApp(r, in)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.sendNEMDocument(w, r, a)
}

// SolarPage is the Data of portal/nem_solar: the customer's
// interconnection applications.
type SolarPage struct {
	Rows []NEMRow
}

// portalSolar shows a customer the interconnection applications of the
// accounts linked to their sign-in.
func (h *handler) portalSolar(w http.ResponseWriter, r *http.Request) {
	u := UserFromContext(r.Context())
	var page SolarPage
	for _, id := range u.AccountIDs {
		rows, err := h.nemRows(r.Context(), store.NEMFilter{AccountID: id})
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		page.Rows = append(page.Rows, rows...)
	}
	h.rd.Render(w, r, http.StatusOK, "portal/nem_solar", &View{Title: "My solar", Nav: NavSolar, Data: page})
}

// Steps are the milestones of an application as a customer follows them.
func (r NEMRow) Steps() []Line {
	m := r.App.Milestones
	d := func(x interface{ IsZero() bool }, s string) string {
		if x.IsZero() {
			return ""
		}
		return s
	}
	return []Line{
		{"Application submitted", d(m.Submitted, m.Submitted.String()), ""},
		{"Application complete", d(m.Complete, m.Complete.String()), ""},
		{"Approved", d(m.Approved, m.Approved.String()), ""},
		{"Interconnection agreement signed", d(m.Agreement, m.Agreement.String()), ""},
		{"Meter ready", d(m.Meter, m.Meter.String()), ""},
		{"Permission to operate", d(m.PTO, m.PTO.String()), ""},
	}
}
