package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// flashCookie carries one Flash from a POST to the page it redirects to.
// The message is text our own handlers chose and is HTML-escaped when shown;
// a client that edits the cookie can only mislead itself.
const flashCookie = "gridbook_flash"

// SetFlash stores f for the next full page this browser loads, typically
// right before Redirect.
func SetFlash(w http.ResponseWriter, r *http.Request, f Flash) {
	b, err := json.Marshal(f)
	if err != nil {
		return // a struct of two strings always marshals
	}
	http.SetCookie(w, &http.Cookie{
		Name:     flashCookie,
		Value:    base64.RawURLEncoding.EncodeToString(b),
		Path:     "/",
		MaxAge:   60,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash returns the pending flash, if any, and clears the cookie.
func takeFlash(w http.ResponseWriter, r *http.Request) *Flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	var f Flash
	if json.Unmarshal(b, &f) != nil || f.Msg == "" {
		return nil
	}
	switch f.Kind {
	case FlashSuccess, FlashInfo, FlashError:
	default:
		f.Kind = FlashInfo
	}
	return &f
}
