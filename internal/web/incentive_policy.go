package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// incentivePolicySet chooses the reading of a program's policy (POST
// /incentives/programs/{pid}/policies/{policy}, field "choice"), for
// administrators: it changes who qualifies. A refusal names the field and
// changes nothing; the change is audited.
func (h *handler) incentivePolicySet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := UserFromContext(ctx)
	if u.Access != auth.Admin {
		h.rd.Error(w, r, apperr.Forbiddenf("web", "Only administrators change a program's policies: they decide who qualifies."))
		return
	}
	pid, policy, choice := r.PathValue("pid"), r.PathValue("policy"), r.PostFormValue("choice")
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.SetProgramPolicy(ctx, u.Actor(), pid, policy, choice)
		return err
	})
	if err != nil {
		if k := apperr.KindOf(err); k == apperr.Invalid {
			SetFlash(w, r, Flash{Kind: FlashError, Msg: "The policy was not changed: " + problemText(err)})
			Redirect(w, r, "/incentives/programs/"+url.PathEscape(pid)+"#policies")
			return
		}
		h.rd.Error(w, r, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("%s: %s is now %s.", pid, policy, choice)})
	Redirect(w, r, "/incentives/programs/"+url.PathEscape(pid)+"#policies")
}
