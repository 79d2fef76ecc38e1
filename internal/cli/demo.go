package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/vibereport/vibereport/internal/auth"
	"github.com/vibereport/vibereport/internal/demo"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ui"
)

// maxDemoContacts is the largest --contacts value accepted.
const maxDemoContacts = 100_000

// runDemo starts the service in-process, fills it with a fresh demo account
// through its HTTP API and the sandbox provider, prints how to look at the
// reports and, with --serve, keeps serving.
func runDemo(args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	addr := fs.String("addr", envDefault("VIBEREPORT_ADDR", "127.0.0.1:8080"),
		"host:port to listen on while filling and, with --serve, afterwards (env VIBEREPORT_ADDR)")
	serve := fs.Bool("serve", false, "keep serving after the demo data is in, until SIGINT or SIGTERM")
	contacts := fs.Int("contacts", 3000, "number of invented contacts")
	seed := fs.Uint64("seed", 1, "seed for contacts, audiences and sandbox outcomes; the same seed gives the same data")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *contacts < 1 || *contacts > maxDemoContacts {
		fmt.Fprintf(os.Stderr, "vibereport demo: invalid --contacts %d: use 1 to %d\n", *contacts, maxDemoContacts)
		return exitUsage
	}
	log, err := common.logger()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vibereport demo: %v\n", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("listen failed", "addr", *addr, "err", err)
		return exitError
	}
	baseURL := "http://" + listener.Addr().String()
	app, err := NewApp(ctx, Options{DSN: common.db, PublicURL: baseURL, Log: log, Sandbox: true, SandboxSeed: *seed})
	if err != nil {
		listener.Close()
		log.Error("start failed", "err", err)
		return exitError
	}
	served := make(chan error, 1)
	go func() { served <- app.Serve(listener) }()
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		app.Shutdown(shutdownCtx)
	}()

	result, err := demo.Run(ctx, demo.Config{
		BaseURL: baseURL,
		DB:      app.DB,
		Sandbox: app.Sandbox,
		CreateAccount: func(ctx context.Context, account *domain.Account) (string, error) {
			created, err := CreateAccount(ctx, app.DB, account)
			return created.APIKey, err
		},
		Contacts: *contacts,
		Seed:     *seed,
		Log:      log,
	})
	if err != nil {
		log.Error("demo failed", "err", err)
		return exitError
	}

	// Each run makes a new account, so the sign-in email carries its id
	// to stay unique in a database that several runs have filled.
	email := fmt.Sprintf("demo-%d@example.com", result.AccountID)
	password, err := ui.CreateUser(ctx, app.DB, result.AccountID, email, auth.RoleAdmin)
	if err != nil {
		log.Error("create demo user failed", "account_id", result.AccountID, "err", err)
		return exitError
	}

	fmt.Println()
	result.Print(os.Stdout)
	fmt.Printf("\nSign in to the browser report at %s/signin\n  email:    %s\n  password: %s\n", baseURL, email, password)
	if !*serve {
		fmt.Printf("\nThe service has stopped. To look at the data, run:\n  vibereport serve --db %s --addr %s\n", common.db, *addr)
		return exitOK
	}

	fmt.Printf("\nServing at %s; press Ctrl+C to stop.\n", baseURL)
	select {
	case <-ctx.Done():
		log.Info("signal received: stopping")
		return exitOK
	case err := <-served:
		log.Error("http server failed", "err", err)
		return exitError
	}
}
