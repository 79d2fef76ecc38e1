package cli

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/sandbox"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/telemetry"
	"github.com/vibereport/vibereport/internal/ui"
	"github.com/vibereport/vibereport/internal/web"
)

// DefaultSweepInterval is how often the expiry sweeper fails, as expired,
// deliveries whose TTL ran out with no final status.
const DefaultSweepInterval = 30 * time.Second

// Options configure an App.
type Options struct {
	// DSN is a SQLite file path or a postgres:// URL.
	DSN string
	// PublicURL is the absolute URL providers reach the service at; webhook
	// URLs are built on it. Empty builds them from each request's Host.
	PublicURL string
	// Log receives every log line; nil means slog.Default().
	Log *slog.Logger
	// SweepInterval is the expiry sweeper's period: 0 means
	// DefaultSweepInterval and a negative value disables the sweeper.
	SweepInterval time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Sandbox starts the built-in sandbox provider, which posts simulated
	// callbacks for deliveries registered on sandbox connections.
	Sandbox bool
	// SandboxSeed makes the sandbox's simulated outcomes reproducible.
	SandboxSeed uint64
}

// App is the whole service in one process: the store, the ingest writer,
// the expiry sweeper and the HTTP handler. serve runs one, and tests and
// other commands start the same thing in-process.
type App struct {
	DB      *store.DB
	Writer  *ingest.Writer
	Metrics *telemetry.Metrics
	Log     *slog.Logger
	// Sandbox is nil unless Options.Sandbox is set.
	Sandbox *sandbox.Simulator

	handler http.Handler
	server  *http.Server
	now     func() time.Time

	stopSweeper  context.CancelFunc
	sweeperDone  chan struct{}
	shutdownOnce sync.Once
	shutdownErr  error
}

// NewApp opens the store (applying migrations), starts the ingest writer
// and the expiry sweeper, and builds the HTTP handler. Call Shutdown to
// release them.
func NewApp(ctx context.Context, opts Options) (*App, error) {
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}

	db, err := store.Open(ctx, opts.DSN, log)
	if err != nil {
		return nil, err
	}
	metrics := telemetry.New()
	writer := ingest.NewWriter(db, log, metrics)

	var sim *sandbox.Simulator
	if opts.Sandbox {
		sim, err = startSandbox(ctx, opts, db, log)
		if err != nil {
			writer.Close()
			db.Close()
			return nil, err
		}
	}

	api := web.New(web.Config{
		DB:        db,
		Writer:    writer,
		Metrics:   metrics,
		Log:       log,
		PublicURL: opts.PublicURL,
		Now:       now,
		Sandbox:   sim,
	})
	pages, err := ui.New(ui.Config{DB: db, Writer: writer, Log: log, PublicURL: opts.PublicURL, Now: now})
	if err != nil {
		if sim != nil {
			sim.Stop(ctx)
		}
		writer.Close()
		db.Close()
		return nil, err
	}
	a := &App{
		DB:          db,
		Writer:      writer,
		Metrics:     metrics,
		Log:         log,
		Sandbox:     sim,
		now:         now,
		handler:     withPages(api, pages),
		sweeperDone: make(chan struct{}),
	}
	a.server = &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	interval := opts.SweepInterval
	if interval == 0 {
		interval = DefaultSweepInterval
	}
	sweepCtx, stop := context.WithCancel(context.Background())
	a.stopSweeper = stop
	if interval > 0 {
		go a.sweep(sweepCtx, interval)
	} else {
		close(a.sweeperDone)
	}
	return a, nil
}

// startSandbox starts the sandbox provider on the app's database. Its
// callbacks are jobs in that database, so they survive restarts.
func startSandbox(ctx context.Context, opts Options, db *store.DB, log *slog.Logger) (*sandbox.Simulator, error) {
	sim, err := sandbox.New(sandbox.Config{
		DSN:            opts.DSN,
		LoadConnection: db.ProviderConnection,
		Profile:        sandbox.DefaultProfile(),
		Seed:           opts.SandboxSeed,
		Logger:         log,
	})
	if err != nil {
		return nil, err
	}
	// River keeps working until Stop, so it must not inherit a context that
	// ends before the app does.
	if err := sim.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return sim, nil
}

// Handler returns the HTTP handler of the API, webhooks, metrics and the
// browser report.
func (a *App) Handler() http.Handler { return a.handler }

// withPages routes the JSON API, the provider webhooks and the health and
// metrics endpoints to api, and every other path to the browser report.
func withPages(api, pages http.Handler) http.Handler {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/api/", "/webhooks/", "/healthz", "/metrics"} {
		mux.Handle(prefix, api)
	}
	mux.Handle("/", pages)
	return mux
}

// Serve handles HTTP requests on l until Shutdown. It returns nil after a
// Shutdown and the server's error otherwise.
func (a *App) Serve(l net.Listener) error {
	a.Log.Info("http server listening", "addr", l.Addr().String())
	err := a.server.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops in order: the HTTP server stops accepting requests and
// finishes those in flight (until ctx ends), the sweeper stops, the writer
// commits what is queued, and the store closes. Later calls return the
// first call's result.
func (a *App) Shutdown(ctx context.Context) error {
	a.shutdownOnce.Do(func() {
		var err error
		if a.Sandbox != nil {
			// The sandbox posts to this server, so it stops first; its
			// scheduled callbacks wait in the database for the next start.
			if stopErr := a.Sandbox.Stop(ctx); stopErr != nil {
				a.Log.Error("sandbox stop incomplete", "err", stopErr)
			}
		}

		a.Log.Info("shutting down: finishing in-flight requests")
		if err = a.server.Shutdown(ctx); err != nil {
			a.Log.Error("http server shutdown incomplete", "err", err)
		}

		a.stopSweeper()
		<-a.sweeperDone

		a.Writer.Close()
		a.Log.Info("ingest writer closed: queued requests committed")

		if closeErr := a.DB.Close(); closeErr != nil {
			a.Log.Error("close store", "err", closeErr)
			err = errors.Join(err, closeErr)
		}
		a.shutdownErr = err
	})
	return a.shutdownErr
}

// sweep fails expired deliveries every interval until ctx ends, so contact
// lists stay current even when no report is requested.
func (a *App) sweep(ctx context.Context, interval time.Duration) {
	defer close(a.sweeperDone)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}

		expired, err := a.Writer.ExpireDue(ctx, a.now())
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Error("expiry sweep failed", "err", err)
		case expired > 0:
			a.Log.Info("expiry sweep", "expired", expired)
		}
	}
}
