package web

import (
	"fmt"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// openADRClientRevoke revokes every bearer token of an OpenADR client
// (gridbook's own operation: OpenADR 3.1 defines none), or, with the
// form field disable=1, disables the client so it gets no new token.
// Administrators only: it cuts a VEN off the VTN. The VTN refuses the
// tokens at once and this process's MQTT broker drops their connections
// at their next packet (store.DB.OADRRevocations).
func (h *handler) openADRClientRevoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := UserFromContext(ctx)
	if u.Access != auth.Admin {
		h.rd.Error(w, r, apperr.Forbiddenf("web", "Only administrators revoke OpenADR clients' tokens."))
		return
	}
	id := r.PathValue("id")
	disable := r.FormValue("disable") == "1"
	var msg string
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		if disable {
			_, err := tx.DisableOADRClient(ctx, u.Actor(), id)
			msg = fmt.Sprintf("OpenADR client %s disabled: its tokens are revoked and it gets no new one.", id)
			return err
		}
		n, err := tx.RevokeOADRTokens(ctx, u.Actor(), id, "")
		msg = fmt.Sprintf("OpenADR client %s: %d token(s) revoked.", id, n)
		return err
	})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: msg})
	Redirect(w, r, "/openadr/vens")
}
