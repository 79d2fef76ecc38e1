package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// shutdownTimeout bounds how long serve waits for in-flight requests after
// SIGINT or SIGTERM.
const shutdownTimeout = 30 * time.Second

func runServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	addr := fs.String("addr", envDefault("VIBEREPORT_ADDR", "127.0.0.1:8080"),
		"host:port to listen on (env VIBEREPORT_ADDR)")
	publicURL := fs.String("public-url", envDefault("VIBEREPORT_PUBLIC_URL", ""),
		"absolute URL providers reach this server at, used in webhook URLs; default http://<addr> (env VIBEREPORT_PUBLIC_URL)")
	withSandbox := fs.Bool("sandbox", envBool("VIBEREPORT_SANDBOX", true),
		"run the built-in sandbox provider, which posts simulated callbacks for sandbox connections (env VIBEREPORT_SANDBOX)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	log, err := common.logger()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vibereport serve: %v\n", err)
		return exitUsage
	}
	if *publicURL == "" {
		*publicURL = "http://" + *addr
	}
	if !strings.HasPrefix(*publicURL, "http://") && !strings.HasPrefix(*publicURL, "https://") {
		fmt.Fprintf(os.Stderr, "vibereport serve: invalid --public-url %q: use an absolute http:// or https:// URL\n", *publicURL)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	log.Info("starting vibereport", "addr", *addr, "public_url", *publicURL)
	app, err := NewApp(ctx, Options{DSN: common.db, PublicURL: *publicURL, Log: log, Sandbox: *withSandbox})
	if err != nil {
		log.Error("start failed", "err", err)
		return exitError
	}

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("listen failed", "addr", *addr, "err", err)
		app.Shutdown(context.Background())
		return exitError
	}

	served := make(chan error, 1)
	go func() { served <- app.Serve(listener) }()

	code := exitOK
	select {
	case <-ctx.Done():
		log.Info("signal received: stopping")
	case err := <-served:
		log.Error("http server failed", "err", err)
		code = exitError
	}
	stop()

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := app.Shutdown(shutdownCtx); err != nil {
		code = exitError
	}
	log.Info("vibereport stopped")
	return code
}
