// Package sandbox is the built-in sandbox provider. It simulates the
// outcome of each message handed to it: not a Viber user, no device,
// blocked, expired, delivered, read, clicked or unsubscribed. Like a real
// provider, it posts each outcome to the connection's webhook as a signed
// callback in the canonical batch format. Scheduled callbacks are River
// jobs in the service's own database, so they survive a restart.
package sandbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/store"
)

// Queue is the River queue that holds the sandbox's callback jobs.
const Queue = "sandbox_callbacks"

// Config configures a Simulator. Zero numeric fields take the defaults
// named on them.
type Config struct {
	// DSN names the service's database, as for store.Open: the callback
	// jobs live in River's tables beside the service's own.
	DSN string
	// LoadConnection returns a provider connection by id; store.DB's
	// ProviderConnection fits. Callbacks load the connection when they are
	// posted, so they sign with its current secret and the secret is never
	// copied into the job table.
	LoadConnection func(ctx context.Context, id int64) (*domain.ProviderConnection, error)

	Profile Profile
	// Seed makes outcomes reproducible: the same seed and provider message
	// id always give the same events and timestamps.
	Seed uint64

	// Workers is the maximum number of callbacks posted at once (default 8).
	Workers int
	// BatchWindow groups callbacks due within this wall-clock window into
	// one request (default 1s). MaxBatch caps a request's events (default
	// 500).
	BatchWindow time.Duration
	MaxBatch    int
	// MaxAttempts bounds the posts of one callback before it is discarded
	// (default 20). Retries back off exponentially from RetryBase (default
	// 500ms) up to RetryMax (default 5m) with ±20% jitter.
	MaxAttempts int
	RetryBase   time.Duration
	RetryMax    time.Duration
	// PollInterval is how often idle workers look for callbacks that have
	// fallen due (default 200ms).
	PollInterval time.Duration

	// HTTPClient posts the callbacks (default: a client with a 15 s timeout).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

func (c *Config) setDefaults() {
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.BatchWindow <= 0 {
		c.BatchWindow = time.Second
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 500
	}
	c.MaxBatch = min(c.MaxBatch, provider.MaxCanonicalItems)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 20
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 500 * time.Millisecond
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 5 * time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 200 * time.Millisecond
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// jobQueue is the part of a river.Client the simulator uses; it does not
// depend on the driver's transaction type.
type jobQueue interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Simulator schedules and posts sandbox callbacks.
type Simulator struct {
	cfg Config
	log *slog.Logger
	// instance marks this process's jobs, to tell them apart from jobs left by an earlier
	// run, which are posted too but not counted by Wait.
	instance string

	queue   jobQueue
	migrate func(ctx context.Context) error
	closeDB func()

	mu          sync.Mutex
	started     bool
	outstanding int
	idle        chan struct{} // closed whenever outstanding drops to 0
	discarded   int
	lastFailure error

	posted       atomic.Int64
	postedEvents atomic.Int64
	failedPosts  atomic.Int64
}

// Stats counts the callback requests this Simulator has posted since New.
type Stats struct {
	// Requests counts requests that received a 2xx response, and Events
	// the events in them.
	Requests int64
	Events   int64
	// FailedPosts counts posts that received another status or no response.
	FailedPosts int64
}

// Stats returns the counts so far.
func (s *Simulator) Stats() Stats {
	return Stats{Requests: s.posted.Load(), Events: s.postedEvents.Load(), FailedPosts: s.failedPosts.Load()}
}

// New opens the job queue on cfg.DSN. Call Start before Schedule.
func New(cfg Config) (*Simulator, error) {
	cfg.setDefaults()
	if cfg.LoadConnection == nil {
		return nil, errors.New("sandbox: missing Config.LoadConnection: pass the store's ProviderConnection method")
	}
	if err := cfg.Profile.Validate(); err != nil {
		return nil, err
	}

	s := &Simulator{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "sandbox"),
		instance: randomInstance(),
		idle:     make(chan struct{}),
	}
	close(s.idle)

	workers := river.NewWorkers()
	river.AddWorker(workers, &callbackWorker{sim: s})
	riverConfig := &river.Config{
		FetchCooldown:     min(river.FetchCooldownDefault, cfg.PollInterval),
		FetchPollInterval: cfg.PollInterval,
		JobInsertMiddleware: []rivertype.JobInsertMiddleware{
			river.JobInsertMiddlewareFunc(insertAvailable),
		},
		Logger:      cfg.Logger.With("component", "river"),
		MaxAttempts: cfg.MaxAttempts,
		Queues:      map[string]river.QueueConfig{Queue: {MaxWorkers: cfg.Workers}},
		RetryPolicy: &backoff{base: cfg.RetryBase, max: cfg.RetryMax},
		Workers:     workers,
	}

	var err error
	if store.DialectOf(cfg.DSN) == store.Postgres {
		err = s.openPostgres(riverConfig)
	} else {
		err = s.openSQLite(riverConfig)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Simulator) openPostgres(riverConfig *river.Config) error {
	pool, err := pgxpool.New(context.Background(), s.cfg.DSN)
	if err != nil {
		return fmt.Errorf("sandbox: open postgres job pool: %w", err)
	}
	driver := riverpgxv5.New(pool)
	client, err := river.NewClient[pgx.Tx](driver, riverConfig)
	if err != nil {
		pool.Close()
		return fmt.Errorf("sandbox: create job queue: %w", err)
	}
	s.queue = client
	s.migrate = func(ctx context.Context) error { return migrate(ctx, driver, s.log) }
	s.closeDB = pool.Close
	return nil
}

func (s *Simulator) openSQLite(riverConfig *river.Config) error {
	pool, err := store.OpenSQLiteJobPool(s.cfg.DSN)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	// SQLite has no LISTEN/NOTIFY, so River polls for new jobs.
	riverConfig.PollOnly = true
	driver := riversqlite.New(pool)
	client, err := river.NewClient[*sql.Tx](driver, riverConfig)
	if err != nil {
		pool.Close()
		return fmt.Errorf("sandbox: create job queue: %w", err)
	}
	s.queue = client
	s.migrate = func(ctx context.Context) error { return migrate(ctx, driver, s.log) }
	s.closeDB = func() { pool.Close() }
	return nil
}

// migrate applies River's pending migrations and logs each one.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], log *slog.Logger) error {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("sandbox: job queue migrations: %w", err)
	}
	result, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("sandbox: apply job queue migrations: %w", err)
	}
	for _, v := range result.Versions {
		log.Info("job queue migration applied", "version", v.Version, "name", v.Name, "duration", v.Duration)
	}
	log.Info("job queue ready", "engine", driver.DatabaseName(), "migrations_applied", len(result.Versions))
	return nil
}

// Start applies River's migrations and starts posting callbacks, including
// those left scheduled by an earlier run. River keeps working until Stop
// or until ctx is cancelled, so ctx should live as long as the service.
func (s *Simulator) Start(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if err := s.queue.Start(ctx); err != nil {
		return fmt.Errorf("sandbox: start job queue: %w", err)
	}
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	s.log.Info("sandbox provider started", "workers", s.cfg.Workers, "time_scale", s.cfg.Profile.TimeScale, "seed", s.cfg.Seed)
	return nil
}

// Stop waits for callbacks being posted to finish, until ctx ends, and
// closes the job queue's connections. Scheduled callbacks stay in the
// database for the next Start.
func (s *Simulator) Stop(ctx context.Context) error {
	s.mu.Lock()
	started := s.started
	s.started = false
	s.mu.Unlock()

	var err error
	if started {
		err = s.queue.Stop(ctx)
		if err != nil {
			err = fmt.Errorf("sandbox: stop job queue: %w", err)
		}
	}
	s.closeDB()
	s.log.Info("sandbox provider stopped")
	return err
}

// Schedule simulates the outcome of each delivery and schedules its
// callbacks to conn's webhook at webhookURL. campaign.TTL, or message.TTL
// when the campaign has none, bounds delivery and dates explicit expiries;
// clicks report the button URL of the delivery's language version.
// Deliveries without a provider message id are skipped, and a zero SentAt
// means now.
//
// Event timestamps are SentAt plus the simulated delay, while callbacks are
// posted that delay divided by Profile.TimeScale after this call. With a
// time scale above 1, register sends in the past so that timestamps do not
// lie in the future.
func (s *Simulator) Schedule(ctx context.Context, conn domain.ProviderConnection, webhookURL string,
	campaign domain.Campaign, message domain.Message, deliveries []Delivery) error {
	if err := s.checkSchedule(conn, webhookURL); err != nil {
		return err
	}

	profile, err := s.connectionProfile(conn)
	if err != nil {
		return err
	}
	ttl := firstPositive(campaign.TTL, message.TTL, domain.MaxTTL)
	p := &planner{profile: &profile, seed: s.cfg.Seed, ttl: ttl}
	now := time.Now()
	var events []plannedEvent
	for _, d := range deliveries {
		if d.ProviderMessageID == "" {
			continue
		}
		if d.SentAt.IsZero() {
			d.SentAt = now
		}
		events = append(events, p.plan(d, buttonURL(&message, d.Language))...)
	}

	params := s.batches(events, now, profile.TimeScale, callbackArgs{
		Instance:     s.instance,
		ConnectionID: conn.ID,
		AccountID:    conn.AccountID,
		CampaignID:   campaign.ID,
		WebhookURL:   webhookURL,
	})
	if len(params) == 0 {
		return nil
	}

	s.addOutstanding(len(params))
	if _, err := s.queue.InsertMany(ctx, params); err != nil {
		s.addOutstanding(-len(params))
		return fmt.Errorf("sandbox: schedule %d callbacks for campaign %d: %w", len(params), campaign.ID, err)
	}
	last := params[len(params)-1].InsertOpts.ScheduledAt
	s.log.Info("sandbox callbacks scheduled", "account_id", conn.AccountID, "campaign_id", campaign.ID,
		"connection_id", conn.ID, "deliveries", len(deliveries), "events", len(events), "requests", len(params),
		"last_post_at", last.UTC().Format(time.RFC3339))
	return nil
}

// connectionProfile returns the profile a connection's settings give, over
// the defaults, or the simulator's own profile when the settings are empty.
func (s *Simulator) connectionProfile(conn domain.ProviderConnection) (Profile, error) {
	settings := strings.TrimSpace(conn.Settings)
	if settings == "" || settings == "{}" {
		return s.cfg.Profile, nil
	}
	profile, err := ParseProfile([]byte(settings))
	if err != nil {
		return Profile{}, fmt.Errorf("sandbox connection %d settings: %w", conn.ID, err)
	}
	return profile, nil
}

func (s *Simulator) checkSchedule(conn domain.ProviderConnection, webhookURL string) error {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		return errors.New("sandbox: simulator not started: call Start before Schedule")
	}
	if conn.Kind != string(provider.KindSandbox) {
		return fmt.Errorf("sandbox: connection %d is of kind %q: only %q connections can be scheduled", conn.ID, conn.Kind, provider.KindSandbox)
	}
	if conn.ID <= 0 {
		return errors.New("sandbox: connection has no id: schedule only stored connections")
	}
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("sandbox: invalid webhook URL %q: use an absolute http or https URL", webhookURL)
	}
	return nil
}

// batches groups events by the wall-clock window in which they fall due and
// returns one job per group of at most MaxBatch events, in posting order.
// A job is due when its latest event is.
func (s *Simulator) batches(events []plannedEvent, now time.Time, scale float64, template callbackArgs) []river.InsertManyParams {
	wall := func(e plannedEvent) time.Duration { return time.Duration(float64(e.postAt) / scale) }
	slices.SortStableFunc(events, func(a, b plannedEvent) int { return int(wall(a) - wall(b)) })

	var params []river.InsertManyParams
	for start := 0; start < len(events); {
		window := wall(events[start]) / s.cfg.BatchWindow
		end := start
		for end < len(events) && end-start < s.cfg.MaxBatch && wall(events[end])/s.cfg.BatchWindow == window {
			end++
		}

		args := template
		args.Items = make([]callbackItem, 0, end-start)
		for _, e := range events[start:end] {
			args.Items = append(args.Items, e.item)
		}
		params = append(params, river.InsertManyParams{
			Args: args,
			InsertOpts: &river.InsertOpts{
				Queue:       Queue,
				ScheduledAt: now.Add(wall(events[end-1])),
			},
		})
		start = end
	}
	return params
}

// Wait returns when every callback scheduled through this Simulator has
// received a 2xx response or has been discarded, or when ctx ends. It
// returns an error when any callback was discarded after MaxAttempts posts
// or because its connection no longer exists.
//
// NOTE: Wait counts callbacks in this process only. When several processes
// share a PostgreSQL database, one of them may post a callback that another
// scheduled, and that scheduler's Wait then blocks until ctx ends.
func (s *Simulator) Wait(ctx context.Context) error {
	for {
		s.mu.Lock()
		idle := s.idle
		s.mu.Unlock()

		select {
		case <-ctx.Done():
			s.mu.Lock()
			outstanding := s.outstanding
			s.mu.Unlock()
			return fmt.Errorf("sandbox: %d callback requests still pending: %w", outstanding, ctx.Err())
		case <-idle:
		}

		s.mu.Lock()
		done := s.outstanding == 0
		discarded, last := s.discarded, s.lastFailure
		s.mu.Unlock()
		if !done {
			continue
		}
		if discarded > 0 {
			return fmt.Errorf("sandbox: %d callback requests were discarded; last error: %w", discarded, last)
		}
		return nil
	}
}

func (s *Simulator) addOutstanding(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wasIdle := s.outstanding == 0
	s.outstanding += n
	switch {
	case wasIdle && s.outstanding > 0:
		s.idle = make(chan struct{})
	case !wasIdle && s.outstanding == 0:
		close(s.idle)
	}
}

// finish records the end of a job: posted with 2xx when err is nil,
// discarded otherwise.
func (s *Simulator) finish(args callbackArgs, err error) {
	if args.Instance != s.instance {
		return
	}
	if err != nil {
		s.mu.Lock()
		s.discarded++
		s.lastFailure = err
		s.mu.Unlock()
	}
	s.addOutstanding(-1)
}

// insertAvailable makes callback jobs available at once instead of
// scheduled. River's scheduler moves scheduled jobs to available only every
// few seconds, while an available job with a future scheduled_at is fetched
// as soon as that time passes: River itself handles short retries this way.
func insertAvailable(ctx context.Context, params []*rivertype.JobInsertParams,
	doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	for _, p := range params {
		if p.Kind == (callbackArgs{}).Kind() && p.State == rivertype.JobStateScheduled {
			p.State = rivertype.JobStateAvailable
		}
	}
	return doInner(ctx)
}

// firstPositive returns the first positive duration, or 0.
func firstPositive(durations ...time.Duration) time.Duration {
	for _, d := range durations {
		if d > 0 {
			return d
		}
	}
	return 0
}

func randomInstance() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
