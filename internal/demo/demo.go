// Package demo fills a running vibereport service with a demo account and
// campaigns the way real data arrives. It creates the provider connection,
// messages and campaigns through the HTTP API and registers the deliveries
// there. The sandbox provider then posts signed status callbacks to the
// connection's webhook.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/sandbox"
	"github.com/vibereport/vibereport/internal/store"
)

// Demo account settings.
const (
	accountTimeZone = "Europe/Kyiv"
	accountCountry  = "UA"
	launchedBy      = "marketing@shop.example.com"
)

// DefaultTimeScale compresses the sandbox's simulated delays so that a day
// of campaign activity is posted in 12 seconds.
const DefaultTimeScale = 7200

// registrationChunk is how many deliveries one registration request carries.
const registrationChunk = 2000

// sendingSpread is how long each demo campaign takes to hand its messages
// to the provider.
const sendingSpread = 10 * time.Minute

// Config names the service to fill and sets how much data goes in.
type Config struct {
	// BaseURL is the root URL of the service's HTTP API and webhooks, such
	// as http://127.0.0.1:8080.
	BaseURL string
	// DB is the service's database. The demo writes the account, its API
	// key and the contacts there directly because the API has no endpoints
	// for them.
	DB *store.DB
	// Sandbox is the service's sandbox provider, which posts the callbacks
	// of the deliveries the demo registers; Run waits for it.
	Sandbox *sandbox.Simulator
	// CreateAccount stores an account with a new API key and returns the
	// key.
	CreateAccount func(ctx context.Context, account *domain.Account) (apiKey string, err error)

	// Contacts is the number of invented contacts (default 3000).
	Contacts int
	// Seed makes the contacts, audiences and outcomes reproducible.
	Seed uint64
	// TimeScale is the sandbox's time compression (default DefaultTimeScale).
	TimeScale float64

	HTTPClient *http.Client
	Log        *slog.Logger
}

// Result describes what Run created.
type Result struct {
	BaseURL    string
	AccountID  int64
	APIKey     string
	ProviderID int64
	Contacts   int
	Campaigns  []CampaignResult
	// Callbacks counts what the sandbox posted and the service accepted.
	Callbacks sandbox.Stats
	Duration  time.Duration
}

// CampaignResult is one demo campaign and its final report.
type CampaignResult struct {
	ID     int64
	Name   string
	Tags   []string
	Report report.Report
}

// Run creates a fresh demo account each time it is called, so running it
// again on the same database adds another account and changes nothing
// that exists. It returns once the sandbox has posted every callback and
// the reports have been read back.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	started := time.Now()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.Log.With("component", "demo")
	rng := mathrand.New(mathrand.NewPCG(cfg.Seed, 0x64656d6f))

	account := &domain.Account{
		TimeZone:       accountTimeZone,
		DefaultCountry: accountCountry,
		Settings:       domain.Settings{Norms: domain.DefaultNorms()},
	}
	account.Name = "Demo shop " + started.In(account.Location()).Format("2006-01-02 15:04:05")
	apiKey, err := cfg.CreateAccount(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("demo: create account: %w", err)
	}
	log.Info("demo account created", "account_id", account.ID, "name", account.Name)
	api := &apiClient{baseURL: cfg.BaseURL, apiKey: apiKey, http: cfg.HTTPClient}

	conn, webhookURL, err := createSandboxConnection(ctx, api, cfg.DB, cfg.TimeScale)
	if err != nil {
		return nil, err
	}
	log.Info("sandbox connection created", "account_id", account.ID, "provider_id", conn.ID, "webhook_url", webhookURL)

	sim := cfg.Sandbox

	contacts, err := createContacts(ctx, cfg, rng, account.ID)
	if err != nil {
		return nil, err
	}
	log.Info("demo contacts created", "account_id", account.ID, "contacts", len(contacts))

	f := &filler{cfg: cfg, api: api, rng: rng, account: account, conn: conn, log: log}
	var created []CampaignResult
	for i := range campaignSpecs {
		campaign, err := f.runCampaign(ctx, i, &campaignSpecs[i], contacts)
		if err != nil {
			return nil, err
		}
		created = append(created, campaign)
	}

	log.Info("waiting for sandbox callbacks", "account_id", account.ID)
	if err := sim.Wait(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	for i := range created {
		path := fmt.Sprintf("/api/v1/campaigns/%d/report", created[i].ID)
		if err := api.call(ctx, http.MethodGet, path, nil, &created[i].Report); err != nil {
			return nil, fmt.Errorf("demo: read report: %w", err)
		}
	}

	return &Result{
		BaseURL:    cfg.BaseURL,
		AccountID:  account.ID,
		APIKey:     apiKey,
		ProviderID: conn.ID,
		Contacts:   len(contacts),
		Campaigns:  created,
		Callbacks:  sim.Stats(),
		Duration:   time.Since(started),
	}, nil
}

func (cfg *Config) validate() error {
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	switch {
	case cfg.BaseURL == "":
		return errors.New("demo: missing BaseURL: pass the URL the service listens at")
	case cfg.DB == nil:
		return errors.New("demo: missing DB: pass the service's store")
	case cfg.Sandbox == nil:
		return errors.New("demo: missing Sandbox: start the service with its sandbox provider")
	case cfg.CreateAccount == nil:
		return errors.New("demo: missing CreateAccount")
	case cfg.Contacts < 0:
		return fmt.Errorf("demo: invalid contact count %d: use a positive number", cfg.Contacts)
	}
	if cfg.Contacts == 0 {
		cfg.Contacts = 3000
	}
	if cfg.TimeScale == 0 {
		cfg.TimeScale = DefaultTimeScale
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: time.Minute}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return nil
}

// createSandboxConnection creates a sandbox connection with a new random
// signing secret through the API and loads it back from the store.
func createSandboxConnection(ctx context.Context, api *apiClient, db *store.DB, timeScale float64) (*domain.ProviderConnection, string, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, "", fmt.Errorf("demo: generate sandbox secret: %w", err)
	}
	var created struct {
		ID         int64  `json:"id"`
		WebhookURL string `json:"webhook_url"`
	}
	err := api.call(ctx, http.MethodPost, "/api/v1/providers", map[string]any{
		"kind":   "sandbox",
		"name":   "Sandbox (demo)",
		"secret": hex.EncodeToString(secret),
		// The sandbox compresses its simulated delays by this factor, so
		// hours of campaign activity arrive within seconds.
		"settings": map[string]any{"time_scale": timeScale},
	}, &created)
	if err != nil {
		return nil, "", fmt.Errorf("demo: create sandbox connection: %w", err)
	}
	conn, err := db.ProviderConnection(ctx, created.ID)
	if err != nil {
		return nil, "", fmt.Errorf("demo: load sandbox connection: %w", err)
	}
	return conn, created.WebhookURL, nil
}

// createContacts stores the invented contacts with their names, emails and
// languages, so that registrations by phone find them.
func createContacts(ctx context.Context, cfg Config, rng *mathrand.Rand, accountID int64) ([]contactSpec, error) {
	contacts, err := newContacts(rng, cfg.Contacts)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	now := time.Now().UTC()
	for i := range contacts {
		c := &contacts[i].Contact
		c.AccountID = accountID
		if contacts[i].unsubscribed {
			c.UnsubscribedAt = now.AddDate(0, -1, 0)
		}
		if err := cfg.DB.CreateContact(ctx, c); err != nil {
			return nil, fmt.Errorf("demo: create contact %s: %w", c.Phone, err)
		}
	}
	return contacts, nil
}

// Print writes a summary of the demo data and the commands to look at it.
func (r *Result) Print(w io.Writer) {
	fmt.Fprintf(w, "Demo data ready in %s: %d campaigns to %d contacts, %d status events in %d signed sandbox callbacks.\n\n",
		r.Duration.Round(100*time.Millisecond), len(r.Campaigns), r.Contacts, r.Callbacks.Events, r.Callbacks.Requests)
	fmt.Fprintf(w, "  Service:     %s\n", r.BaseURL)
	fmt.Fprintf(w, "  Account id:  %d\n", r.AccountID)
	fmt.Fprintf(w, "  API key:     %s\n", r.APIKey)
	fmt.Fprintf(w, "  (The key is shown only now; the database keeps its hash.)\n\n")

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tcampaign\taudience\tsent\tdelivered\tread\tclicked\tundelivered\texpired\tunsubscribed\t")
	for _, c := range r.Campaigns {
		m := c.Report.Metrics
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n",
			c.ID, c.Name, m.Audience, m.Sent, m.Delivered, m.Read, m.Clicked, m.Undelivered, m.Expired, m.Unsubscribed)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nReports:")
	for _, c := range r.Campaigns {
		fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' %s/api/v1/campaigns/%d/report\n", r.APIKey, r.BaseURL, c.ID)
	}
	if len(r.Campaigns) > 0 {
		fmt.Fprintln(w, "\nContacts behind a metric, such as those who clicked:")
		fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' '%s/api/v1/campaigns/%d/contacts?metric=clicked'\n",
			r.APIKey, r.BaseURL, r.Campaigns[0].ID)
	}
}
