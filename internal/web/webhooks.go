package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/provider"
)

// Reasons for rejecting a callback, as labels of CallbacksRejected.
const (
	rejectUnknownConnection = "unknown_connection"
	rejectTooLarge          = "too_large"
	rejectUnauthenticated   = "unauthenticated"
	rejectInvalid           = "invalid"
	rejectStoreError        = "store_error"
)

// webhook returns the handler for one provider connection's callbacks;
// variant is "" for the main URL and "seen" for the seen-report URL.
//
// A callback gets 200 only after its raw body and events have been
// committed, so a provider that gets no 2xx can retry without losing it.
// Verification runs on the exact bytes received, before any decoding.
func (s *Server) webhook(variant string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		receivedAt := s.now().UTC()

		id, err := pathID(r, "provider connection")
		if err != nil {
			s.rejectCallback(w, r, 0, "", rejectUnknownConnection, err, err)
			return
		}
		conn, err := s.db.ProviderConnection(r.Context(), id)
		if isNotFound(err) {
			s.rejectCallback(w, r, id, "", rejectUnknownConnection, err,
				notFound("provider connection %d: not found: check the webhook URL", id))
			return
		}
		if err != nil {
			s.rejectCallback(w, r, id, "", rejectStoreError, err, errStoreUnavailable)
			return
		}
		kind := provider.Kind(conn.Kind)
		adapter, ok := provider.Lookup(kind)
		if !ok || (variant == "seen" && !hasSeenWebhook(kind)) {
			err := notFound("provider connection %d (%s) has no %q webhook: check the webhook URL", id, conn.Kind, r.URL.Path)
			s.rejectCallback(w, r, id, conn.Kind, rejectUnknownConnection, err, err)
			return
		}
		s.metrics.CallbacksReceived.WithLabelValues(conn.Kind).Inc()

		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, provider.MaxCallbackBytes))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.rejectCallback(w, r, id, conn.Kind, rejectTooLarge, err, err)
			return
		}
		if err != nil {
			s.rejectCallback(w, r, id, conn.Kind, rejectInvalid, err, badRequest("could not read the request body: %v", err))
			return
		}

		req := provider.Request{Header: r.Header, Body: body, Variant: variant, ReceivedAt: receivedAt}
		if err := adapter.Verify(conn.Secret, req); err != nil {
			s.rejectCallback(w, r, id, conn.Kind, rejectUnauthenticated, err,
				unauthorized("callback not authenticated: check the secret configured for this connection"))
			return
		}

		events, err := adapter.Parse(req)
		if err != nil {
			s.rejectCallback(w, r, id, conn.Kind, rejectInvalid, err, badRequest("%v", err))
			return
		}

		items := make([]ingest.Item, len(events))
		for i, e := range events {
			if field := eventFieldWithNUL(e); field != "" {
				err := badRequest("invalid callback: the %s value %s", field, nulFix)
				s.rejectCallback(w, r, id, conn.Kind, rejectInvalid, err, err)
				return
			}
			items[i] = ingest.Item{ProviderID: conn.ID, Event: e}
		}
		_, err = s.writer.Ingest(r.Context(), &ingest.Batch{
			AccountID:  conn.AccountID,
			ProviderID: conn.ID,
			Kind:       conn.Kind,
			Variant:    variant,
			ReceivedAt: receivedAt,
			Body:       body,
			Events:     items,
		})
		if err != nil {
			s.rejectCallback(w, r, id, conn.Kind, rejectStoreError, err, errStoreUnavailable)
			return
		}
		s.metrics.IngestLatency.WithLabelValues(conn.Kind).Observe(s.now().Sub(receivedAt).Seconds())
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// errStoreUnavailable is the response to a callback that could not be
// stored. Providers retry on any non-2xx, so 503 loses nothing.
var errStoreUnavailable = &apiError{http.StatusServiceUnavailable, "the callback could not be stored: retry it later"}

// rejectCallback counts and logs a rejected callback, then writes response.
// cause is logged and may contain more detail than the response. Adapters' Verify
// errors name the check that failed, never the secret.
func (s *Server) rejectCallback(w http.ResponseWriter, r *http.Request, providerID int64, kind, reason string, cause, response error) {
	s.metrics.CallbacksRejected.WithLabelValues(kind, reason).Inc()

	level := slog.LevelWarn
	if reason == rejectStoreError {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "callback rejected",
		"provider_id", providerID, "kind", kind, "reason", reason, "err", cause.Error())

	s.writeError(w, r, response)
}

// webhookMethodNotAllowed responds 405 to every method except POST on
// webhook paths. Some providers probe a URL with GET when it is configured,
// so this must never be a 5xx.
func webhookMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{"method " + r.Method + " not allowed: providers POST callbacks to this URL"})
}
