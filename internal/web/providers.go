package web

import (
	"encoding/json"
	"fmt"
	"github.com/vibereport/vibereport/internal/sandbox"
	"net/http"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/provider"
)

type providerRequest struct {
	Kind     string          `json:"kind"`
	Name     string          `json:"name"`
	Secret   string          `json:"secret"`
	Settings json.RawMessage `json:"settings"`
}

// providerResponse never carries the secret, stored or configured.
type providerResponse struct {
	ID             int64           `json:"id"`
	Kind           string          `json:"kind"`
	Name           string          `json:"name"`
	Settings       json.RawMessage `json:"settings"`
	WebhookURL     string          `json:"webhook_url"`
	SeenWebhookURL string          `json:"seen_webhook_url,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
}

func (s *Server) createProvider(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	var req providerRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}

	kind, err := provider.ParseKind(req.Kind)
	if err != nil {
		return badRequest("kind: %v", err)
	}
	adapter, ok := provider.Lookup(kind)
	if !ok {
		return badRequest("kind: provider kind %q has no adapter in this build", kind)
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return badRequest("name: missing: name the connection, such as \"Main bot\"")
	}
	stored, err := adapter.StoredSecret(req.Secret)
	if err != nil {
		return badRequest("secret: %v", err)
	}
	settings := "{}"
	if len(req.Settings) > 0 && string(req.Settings) != "null" {
		var object map[string]any
		if json.Unmarshal(req.Settings, &object) != nil {
			return badRequest("settings: invalid value %s: use a JSON object", truncate(string(req.Settings)))
		}
		settings = string(req.Settings)
	}
	if kind == provider.KindSandbox {
		if _, err := sandbox.ParseProfile([]byte(settings)); err != nil {
			return badRequest("settings: %v", err)
		}
	}

	conn := &domain.ProviderConnection{
		AccountID: account.ID,
		Kind:      string(kind),
		Name:      name,
		Secret:    stored,
		Settings:  settings,
	}
	if err := s.db.CreateProviderConnection(r.Context(), conn); err != nil {
		return err
	}
	s.log.Info("provider connection created", "account_id", account.ID, "provider_id", conn.ID, "kind", conn.Kind)
	writeJSON(w, http.StatusCreated, s.providerJSON(r, conn))
	return nil
}

func (s *Server) listProviders(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	conns, err := s.db.ProviderConnections(r.Context(), account.ID)
	if err != nil {
		return err
	}
	list := make([]providerResponse, len(conns))
	for i := range conns {
		list[i] = s.providerJSON(r, &conns[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"providers": list})
	return nil
}

func (s *Server) providerJSON(r *http.Request, conn *domain.ProviderConnection) providerResponse {
	webhook := fmt.Sprintf("%s/webhooks/%d", s.baseURL(r), conn.ID)
	settings := conn.Settings
	if settings == "" {
		settings = "{}"
	}
	resp := providerResponse{
		ID:         conn.ID,
		Kind:       conn.Kind,
		Name:       conn.Name,
		Settings:   json.RawMessage(settings),
		WebhookURL: webhook,
		CreatedAt:  conn.CreatedAt.Truncate(time.Millisecond),
	}
	if hasSeenWebhook(provider.Kind(conn.Kind)) {
		resp.SeenWebhookURL = webhook + "/seen"
	}
	return resp
}

// hasSeenWebhook reports whether the kind posts seen reports to a URL of
// their own. Infobip does, and every other provider sends them with the rest.
func hasSeenWebhook(kind provider.Kind) bool {
	return kind == provider.KindInfobip
}

// baseURL returns the configured public URL, or one built from the request
// when none is configured.
func (s *Server) baseURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
