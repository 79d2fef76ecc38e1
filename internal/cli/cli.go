// Package cli implements the vibereport command: its subcommands, their
// flags and the in-process App that serve and other commands run.
package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string) int
}

// commands is the dispatch table. It is filled in init because help refers
// to it.
var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":   {"run the HTTP API, the provider webhooks and the expiry sweeper", runServe},
		"account": {"manage accounts: account create --name N", runAccount},
		"user":    {"manage users who sign in to the web interface: user create --account ID --email E --role R", runUser},
		"demo":    {"run a demonstration campaign through the sandbox provider", runDemo},
		"help":    {"show this help", runHelp},
	}
}

// Main runs the command named by args[0] and returns the process exit code.
func Main(args []string) int {
	if len(args) == 0 {
		usage(os.Stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "vibereport: unknown command %q\n\n", name)
		usage(os.Stderr)
		return exitUsage
	}
	return cmd.run(args[1:])
}

func runHelp(args []string) int {
	usage(os.Stdout)
	return exitOK
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: vibereport <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'vibereport <command> -h' for a command's flags. Every flag defaults")
	fmt.Fprintln(w, "from the VIBEREPORT_* environment variable named in its help.")
}

// envDefault returns the environment variable's value, or fallback when it
// is unset or empty.
func envDefault(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// envBool returns the boolean environment variable name, or fallback when
// it is unset or not a boolean strconv.ParseBool accepts.
func envBool(name string, fallback bool) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	if err != nil {
		return fallback
	}
	return v
}

// commonFlags are the flags every command that opens the store takes.
type commonFlags struct {
	db        string
	logLevel  string
	logFormat string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", envDefault("VIBEREPORT_DB", "vibereport.db"),
		"SQLite file path, or a postgres:// URL (env VIBEREPORT_DB)")
	fs.StringVar(&c.logLevel, "log-level", envDefault("VIBEREPORT_LOG_LEVEL", "info"),
		"minimum log level: debug, info, warn or error (env VIBEREPORT_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", envDefault("VIBEREPORT_LOG_FORMAT", "text"),
		"log format on stderr: text or json (env VIBEREPORT_LOG_FORMAT)")
}

// logger builds the stderr logger the flags describe.
func (c *commonFlags) logger() (*slog.Logger, error) {
	return NewLogger(os.Stderr, c.logLevel, c.logFormat)
}

// NewLogger returns a slog logger writing to w at the named level ("debug",
// "info", "warn", "error") in the named format ("text" or "json").
func NewLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("invalid log level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid log format %q: use text or json", format)
}

// parseFlags parses args and reports usage errors on stderr. It returns
// false with the exit code when the command must stop.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "vibereport %s: unexpected argument %q: every option is a flag\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return exitUsage, false
	}
	return exitOK, true
}
