package web

import (
	"errors"
	"io"
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
// A callback is answered 200 only after its raw body and events have been
// committed, so a provider that gets no 2xx retries and nothing is lost.
// Verification runs on the exact bytes received, before any decoding.
func (s *Server) webhook(variant string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		receivedAt := s.now().UTC()

		id, err := pathID(r, "provider connection")
		if err != nil {
			s.rejectCallback(w, r, "", rejectUnknownConnection, err)
			return
		}
		conn, err := s.db.ProviderConnection(r.Context(), id)
		if err != nil {
			if isNotFound(err) {
				err = notFound("provider connection %d: not found: check the webhook URL", id)
			}
			s.rejectCallback(w, r, "", rejectUnknownConnection, err)
			return
		}
		kind := provider.Kind(conn.Kind)
		adapter, ok := provider.Lookup(kind)
		if !ok || (variant == "seen" && !hasSeenWebhook(kind)) {
			s.rejectCallback(w, r, conn.Kind, rejectUnknownConnection,
				notFound("provider connection %d (%s) has no %q webhook: check the webhook URL", id, conn.Kind, r.URL.Path))
			return
		}
		s.metrics.CallbacksReceived.WithLabelValues(conn.Kind).Inc()

		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, provider.MaxCallbackBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				s.rejectCallback(w, r, conn.Kind, rejectTooLarge, err)
				return
			}
			s.rejectCallback(w, r, conn.Kind, rejectInvalid, badRequest("could not read the request body: %v", err))
			return
		}

		req := provider.Request{Header: r.Header, Body: body, Variant: variant, ReceivedAt: receivedAt}
		if err := adapter.Verify(conn.Secret, req); err != nil {
			s.log.Warn("callback rejected", "provider_id", conn.ID, "kind", conn.Kind, "reason", err.Error())
			s.rejectCallback(w, r, conn.Kind, rejectUnauthenticated,
				unauthorized("callback not authenticated: check the secret configured for this connection"))
			return
		}

		events, err := adapter.Parse(req)
		if err != nil {
			s.log.Warn("callback rejected", "provider_id", conn.ID, "kind", conn.Kind, "reason", err.Error())
			s.rejectCallback(w, r, conn.Kind, rejectInvalid, badRequest("%v", err))
			return
		}

		items := make([]ingest.Item, len(events))
		for i, e := range events {
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
			s.log.Error("callback not stored", "provider_id", conn.ID, "kind", conn.Kind, "err", err)
			s.rejectCallback(w, r, conn.Kind, rejectStoreError, &apiError{http.StatusServiceUnavailable,
				"the callback could not be stored: retry it later"})
			return
		}
		s.metrics.IngestLatency.WithLabelValues(conn.Kind).Observe(s.now().Sub(receivedAt).Seconds())
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// rejectCallback counts a rejected callback and writes the error.
func (s *Server) rejectCallback(w http.ResponseWriter, r *http.Request, kind, reason string, err error) {
	s.metrics.CallbacksRejected.WithLabelValues(kind, reason).Inc()
	s.writeError(w, r, err)
}

// webhookMethodNotAllowed answers every method but POST on webhook paths.
// Some providers probe a URL with GET when it is configured, so this must
// never be a 5xx.
func webhookMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{"method " + r.Method + " not allowed: providers POST callbacks to this URL"})
}
