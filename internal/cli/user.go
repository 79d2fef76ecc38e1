package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/auth"
	"github.com/vibereport/vibereport/internal/store"
)

// maxPasswordInput bounds how much of standard input user create reads, so
// a file piped in by mistake fails fast instead of filling memory.
const maxPasswordInput = 4096

const userUsage = "Usage: vibereport user create --account ID --email E --role admin|marketer|viewer [--db DSN]\n" +
	"The password is read from standard input when it is not a terminal; otherwise one is generated and printed."

func runUser(args []string) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(os.Stderr, userUsage)
		return exitUsage
	}
	return runUserCreate(args[1:], os.Stdin, os.Stdout)
}

// UserCreated is the output of user create. Password is set only when the
// command generated it, because that is the only time it can be shown.
type UserCreated struct {
	UserID   int64  `json:"user_id"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Password string `json:"password,omitempty"`
}

func runUserCreate(args []string, stdin *os.File, stdout io.Writer) int {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	accountID := fs.Int64("account", 0, "id of the account the user belongs to (required)")
	email := fs.String("email", "", "email address the user signs in with, stored lowercased (required)")
	roleName := fs.String("role", "", "role: admin, marketer or viewer (required)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}

	fail := func(code int, err error) int {
		fmt.Fprintf(os.Stderr, "vibereport user create: %v\n", err)
		return code
	}
	if *accountID <= 0 {
		return fail(exitUsage, errors.New("missing --account: pass the id that account create printed"))
	}
	address, err := parseEmail(*email)
	if err != nil {
		return fail(exitUsage, err)
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("--role: %w", err))
	}

	password, err := readPassword(stdin)
	if err != nil {
		return fail(exitUsage, err)
	}
	generated := password == ""
	if generated {
		password = auth.GeneratePassword()
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("password from standard input: %w", err))
	}

	log, err := common.logger()
	if err != nil {
		return fail(exitUsage, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, common.db, log)
	if err != nil {
		log.Error("open store", "err", err)
		return exitError
	}
	defer db.Close()

	if _, err := db.Account(ctx, *accountID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fail(exitError, fmt.Errorf("account %d not found: create it with vibereport account create", *accountID))
		}
		log.Error("load account", "account_id", *accountID, "err", err)
		return exitError
	}

	user := &store.User{AccountID: *accountID, Email: address, Role: string(role), PasswordHash: hash}
	if err := db.CreateUser(ctx, user); err != nil {
		if errors.Is(err, store.ErrEmailTaken) {
			return fail(exitError, fmt.Errorf("email %s is already in use: choose another address", user.Email))
		}
		log.Error("create user", "account_id", *accountID, "err", err)
		return exitError
	}
	log.Info("user created", "account_id", user.AccountID, "user_id", user.ID, "role", user.Role)

	created := UserCreated{UserID: user.ID, Email: user.Email, Role: user.Role}
	if generated {
		created.Password = password
	}
	out, _ := json.Marshal(created)
	fmt.Fprintln(stdout, string(out))
	return exitOK
}

// parseEmail accepts a bare address such as olena@example.com and returns
// it trimmed. Display names and angle brackets are rejected.
func parseEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", errors.New("missing --email: pass the address the user signs in with")
	}
	parsed, err := mail.ParseAddress(email)
	if err != nil || parsed.Address != email {
		return "", fmt.Errorf("invalid --email %q: pass a bare address such as olena@example.com", email)
	}
	return email, nil
}

// readPassword returns the password piped to standard input, without its
// final line break, or "" when standard input is empty or a character
// device such as a terminal or /dev/null. A terminal is not read, so an
// interactive run generates a password instead of waiting without a prompt.
func readPassword(stdin *os.File) (string, error) {
	if stdin == nil {
		return "", nil
	}
	info, err := stdin.Stat()
	if err != nil {
		return "", fmt.Errorf("inspect standard input: %w", err)
	}
	if info.Mode()&os.ModeCharDevice != 0 {
		return "", nil
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxPasswordInput+1))
	if err != nil {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	if len(data) > maxPasswordInput {
		return "", fmt.Errorf("standard input is longer than %d bytes: pipe only the password", maxPasswordInput)
	}
	password := strings.TrimSuffix(string(data), "\n")
	password = strings.TrimSuffix(password, "\r")
	return password, nil
}
