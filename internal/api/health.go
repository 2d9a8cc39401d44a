package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gridbook/gridbook/internal/store"
)

// healthTimeout bounds the database check of /healthz.
const healthTimeout = 2 * time.Second

// Health returns the /healthz handler: 200 "ok" when the database answers
// a query within two seconds, 503 otherwise. It needs no credentials and
// reveals nothing beyond up or down.
func Health(db *store.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := db.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n")) // a failed write means the client left
			return
		}
		_, _ = w.Write([]byte("ok\n")) // a failed write means the client left
	})
}
