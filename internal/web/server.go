// Package web serves vibereport's JSON API under /api/v1, the provider
// webhooks under /webhooks, and the health and Prometheus endpoints.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/httplog"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/sandbox"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/telemetry"
)

// MaxAPIBodyBytes caps a JSON API request body. A registration of the
// maximum 10,000 deliveries is an estimated 2 MiB at 200 bytes per item.
const MaxAPIBodyBytes = 8 << 20

// Config is the dependencies and settings of a Server.
type Config struct {
	DB      *store.DB
	Writer  *ingest.Writer
	Metrics *telemetry.Metrics
	Log     *slog.Logger

	// PublicURL is the absolute URL providers reach this service at, such
	// as https://reports.example.com; webhook URLs are built on it. When it
	// is empty they are built from the scheme and Host of the request that
	// creates the connection.
	PublicURL string

	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// Sandbox simulates the outcomes of deliveries registered on sandbox
	// connections; nil leaves them without callbacks.
	Sandbox *sandbox.Simulator
}

// Server is the HTTP handler of the whole service.
type Server struct {
	db        *store.DB
	writer    *ingest.Writer
	metrics   *telemetry.Metrics
	log       *slog.Logger
	publicURL string
	now       func() time.Time
	sandbox   *sandbox.Simulator

	handler http.Handler
}

// New builds the handler with every route registered.
func New(cfg Config) *Server {
	s := &Server{
		db:        cfg.DB,
		writer:    cfg.Writer,
		metrics:   cfg.Metrics,
		log:       cfg.Log,
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/"),
		now:       cfg.Now,
		sandbox:   cfg.Sandbox,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.metrics == nil {
		s.metrics = telemetry.New()
	}
	if s.now == nil {
		s.now = time.Now
	}

	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, rt.handler)
	}
	s.handler = httplog.Handler(s.log, "request", mux)
	return s
}

// route is one pattern of the server's mux with its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routes returns every route of the server. New registers exactly these,
// and a test checks the OpenAPI document against their patterns.
func (s *Server) routes() []route {
	return []route{
		{"GET /healthz", http.HandlerFunc(s.healthz)},
		{"GET /metrics", promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{})},

		{"GET /api/v1/openapi.json", http.HandlerFunc(serveOpenAPI)},

		{"POST /api/v1/providers", s.api(s.createProvider)},
		{"GET /api/v1/providers", s.api(s.listProviders)},

		{"POST /api/v1/messages", s.api(s.createMessage)},
		{"GET /api/v1/messages/{id}", s.api(s.getMessage)},

		{"GET /api/v1/campaigns", s.api(s.listCampaigns)},
		{"POST /api/v1/campaigns", s.api(s.createCampaign)},
		{"GET /api/v1/campaigns/compare", s.api(s.compareCampaigns)},
		{"GET /api/v1/campaigns/export.csv", s.api(s.allow(canExport, s.exportCampaignsCSV))},
		{"GET /api/v1/campaigns/{id}", s.api(s.getCampaign)},
		{"DELETE /api/v1/campaigns/{id}", s.api(s.allow(canDelete, s.deleteCampaign))},
		{"POST /api/v1/campaigns/{id}/restore", s.api(s.allow(canDelete, s.restoreCampaign))},
		{"POST /api/v1/campaigns/{id}/deliveries", s.api(s.registerDeliveries)},
		{"GET /api/v1/campaigns/{id}/report", s.api(s.getReport)},
		{"GET /api/v1/campaigns/{id}/contacts", s.api(s.listMetricContacts)},
		{"GET /api/v1/campaigns/{id}/export.csv", s.api(s.allow(canExport, s.exportMetricCSV))},
		{"POST /api/v1/campaigns/{id}/export-to-list", s.api(s.allow(canExport, s.exportToList))},
		{"GET /api/v1/campaigns/{id}/breakdown", s.api(s.getBreakdown)},
		{"GET /api/v1/campaigns/{id}/activity", s.api(s.getActivity)},

		{"POST /api/v1/contact-lists", s.api(s.allow(canEdit, s.createContactList))},
		{"GET /api/v1/contact-lists", s.api(s.listContactLists)},
		{"GET /api/v1/contact-lists/{id}/contacts", s.api(s.listContactListMembers)},

		{"POST /api/v1/segments", s.api(s.allow(canEdit, s.createSegment))},
		{"GET /api/v1/segments/{id}", s.api(s.getSegment)},
		{"PUT /api/v1/segments/{id}", s.api(s.allow(canEdit, s.updateSegment))},

		{"GET /api/v1/settings", s.api(s.getSettings)},
		{"PUT /api/v1/settings", s.api(s.allow(canManageAccount, s.updateSettings))},

		{"POST /api/v1/events", s.api(s.ingestEvents)},

		{"POST /webhooks/{id}", s.webhook("")},
		{"POST /webhooks/{id}/seen", s.webhook("seen")},
		// Providers only POST; anything else gets a JSON 405 instead of the
		// mux's plain-text one.
		{"/webhooks/{id}", http.HandlerFunc(webhookMethodNotAllowed)},
		{"/webhooks/{id}/seen", http.HandlerFunc(webhookMethodNotAllowed)},
	}
}

// Patterns returns the ServeMux pattern of every route, such as
// "GET /api/v1/campaigns/{id}", in registration order.
func (s *Server) Patterns() []string {
	routes := s.routes()
	patterns := make([]string, len(routes))
	for i, rt := range routes {
		patterns[i] = rt.pattern
	}
	return patterns
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// apiHandler is an authenticated API endpoint. It writes its own success
// response and returns an error for writeError to map to a status.
type apiHandler func(w http.ResponseWriter, r *http.Request, account *domain.Account) error

// api authenticates the request with its Bearer API key, caps its body and
// maps the handler's error to a response.
func (s *Server) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		account, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if name := queryParameterWithNUL(r.URL.Query()); name != "" {
			s.writeError(w, r, badRequest("%s: invalid value: the NUL character \\u0000 is not allowed: remove it", name))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxAPIBodyBytes)
		if err := h(w, r, account); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (*domain.Account, error) {
	const fix = "send the header Authorization: Bearer <api key>; create a key with: vibereport account create"
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, unauthorized("missing Authorization header: " + fix)
	}
	scheme, key, ok := strings.Cut(header, " ")
	key = strings.TrimSpace(key)
	if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
		return nil, unauthorized("invalid Authorization header: " + fix)
	}

	accountID, err := s.db.AccountByAPIKey(r.Context(), key)
	if isNotFound(err) {
		return nil, unauthorized("invalid API key: check the key or create a new one with: vibereport account create")
	}
	if err != nil {
		return nil, err
	}
	return s.db.Account(r.Context(), accountID)
}

// healthz checks that the database responds to a query.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()

	if err := s.db.Ping(ctx); err != nil {
		s.log.Error("health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
