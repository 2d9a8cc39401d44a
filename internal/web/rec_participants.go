package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// ParticipantForm is the new participant sign-in as typed (never the
// password, which is not shown again).
type ParticipantForm struct {
	Email, Name, Org string
}

// ParticipantsPage is the Data of console/rec_participants.
type ParticipantsPage struct {
	Members []store.RecMember
	Orgs    []Option // organizations holding registry accounts
	Form    ParticipantForm
	Client  ClientLinkForm
}

// ClientLinkForm links an existing API client to an organization, as
// typed.
type ClientLinkForm struct {
	ClientID, Org string
}

// registryAdmins lets administrators through: they decide who signs in
// for which organization of the registry.
func (h *handler) registryAdmins(next http.HandlerFunc) http.HandlerFunc {
	return h.staffOnly(func(w http.ResponseWriter, r *http.Request) {
		if UserFromContext(r.Context()).Access != auth.Admin {
			h.rd.Error(w, r, apperr.Forbiddenf("web", "Only administrators add registry participants."))
			return
		}
		next(w, r)
	})
}

// participantsPage lists who acts for which organization and the
// organizations a new participant may act for.
func (h *handler) participantsPage(r *http.Request) (ParticipantsPage, error) {
	ctx := r.Context()
	var page ParticipantsPage
	var err error
	if page.Members, err = h.db.RecMembers(ctx); err != nil {
		return page, err
	}
	accts, err := h.db.RecAccounts(ctx)
	if err != nil {
		return page, err
	}
	page.Orgs = []Option{{"", "Choose an organization…"}}
	for _, a := range accts {
		if !slices.ContainsFunc(page.Orgs, func(o Option) bool { return o.Value == a.Org }) {
			page.Orgs = append(page.Orgs, Option{Value: a.Org, Label: a.Org})
		}
	}
	slices.SortFunc(page.Orgs[1:], func(a, b Option) int { return strings.Compare(a.Label, b.Label) })
	return page, nil
}

// recParticipants shows the registry's participants and the form that
// adds one.
func (h *handler) recParticipants(w http.ResponseWriter, r *http.Request) {
	page, err := h.participantsPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/rec_participants", &View{Title: "Registry participants", Nav: NavRPS, Data: page})
}

// recParticipantAdd creates a participant user acting for an organization
// holding registry accounts (POST /rec/participants). Every input is
// checked and all problems shown at once next to their inputs; the user
// and its link are written together or not at all, each audited.
func (h *handler) recParticipantAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	const op = "web.recParticipantAdd"
	form := ParticipantForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Org: strings.TrimSpace(r.PostFormValue("org"))}
	page, err := h.participantsPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	u := auth.User{Email: form.Email, Name: form.Name, Role: auth.Participant}
	f := apperr.Fields(apperr.FieldsOf(u.Validate()))
	if form.Org == "" {
		f.Add("org", "is required: the organization this user acts for")
	} else if !slices.ContainsFunc(page.Orgs, func(o Option) bool { return o.Value == form.Org }) {
		f.Add("org", "%q holds no registry account", form.Org)
	}
	hash, perr := auth.HashPassword(r.PostFormValue("password"), 0)
	f = append(f, apperr.FieldsOf(perr)...)
	u.PasswordHash = hash
	err = f.Err(op)
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			actor := UserFromContext(ctx).Actor()
			if err := tx.CreateUser(ctx, actor, &u); apperr.Is(err, apperr.Conflict) {
				var f apperr.Fields
				f.Add("email", "%s", apperr.MessageOf(err))
				return f.Err(op)
			} else if err != nil {
				return err
			}
			_, err := tx.LinkRecUser(ctx, actor, form.Org, u.ID)
			return err
		})
	}
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			h.rd.Error(w, r, err)
			return
		}
		page.Form = form
		v := &View{Title: "Registry participants", Nav: NavRPS, Data: page}
		v.SetError(err)
		h.rd.Render(w, r, http.StatusBadRequest, "console/rec_participants", v)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("%s can now sign in and acts for %s in the registry.", u.Email, form.Org)})
	Redirect(w, r, "/rec/participants")
}

// recClientLink makes an existing rec:write API client act for an
// organization (POST /rec/participants/clients): from then on it reaches
// only that organization's accounts. Problems are shown next to the
// inputs (client_id, client_org); nothing is written on refusal.
func (h *handler) recClientLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	const op = "web.recClientLink"
	form := ClientLinkForm{ClientID: strings.TrimSpace(r.PostFormValue("client_id")), Org: strings.TrimSpace(r.PostFormValue("client_org"))}
	page, err := h.participantsPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var f apperr.Fields
	required(&f, "client_id", form.ClientID, "client_org", form.Org)
	id := formNum(&f, "client_id", form.ClientID)
	err = f.Err(op)
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.LinkRecClient(ctx, UserFromContext(ctx).Actor(), form.Org, id)
			var out apperr.Fields
			switch {
			case apperr.Is(err, apperr.NotFound):
				out.Add("client_id", "no API client %d", id)
			case apperr.Is(err, apperr.Invalid):
				for _, fe := range apperr.FieldsOf(err) {
					out.Add(map[string]string{"client": "client_id", "org": "client_org"}[fe.Field], "%s", fe.Msg)
				}
			default:
				return err
			}
			return out.Err(op)
		})
	}
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			h.rd.Error(w, r, err)
			return
		}
		page.Client = form
		v := &View{Title: "Registry participants", Nav: NavRPS, Data: page}
		v.SetError(err)
		h.rd.Render(w, r, http.StatusBadRequest, "console/rec_participants", v)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("API client %d now acts for %s in the registry.", id, form.Org)})
	Redirect(w, r, "/rec/participants")
}
