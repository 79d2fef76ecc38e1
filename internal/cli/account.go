package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// apiKeyPrefix marks vibereport API keys, so that secret scanners and
// people can recognise one.
const apiKeyPrefix = "vr_"

func runAccount(args []string) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(os.Stderr, "Usage: vibereport account create --name N [--time-zone Z] [--country CC] [--db DSN]")
		return exitUsage
	}
	return runAccountCreate(args[1:], os.Stdout)
}

// AccountCreated is the output of account create: the new account's id
// and its API key.
type AccountCreated struct {
	AccountID int64  `json:"account_id"`
	APIKey    string `json:"api_key"`
}

func runAccountCreate(args []string, stdout io.Writer) int {
	fs := flag.NewFlagSet("account create", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	name := fs.String("name", "", "account name (required)")
	timeZone := fs.String("time-zone", envDefault("VIBEREPORT_TIME_ZONE", "UTC"),
		"IANA time zone that reports use for days and hours, such as Europe/Kyiv (env VIBEREPORT_TIME_ZONE)")
	country := fs.String("country", envDefault("VIBEREPORT_COUNTRY", "UA"),
		"ISO 3166-1 alpha-2 region for reading phone numbers written without a country code (env VIBEREPORT_COUNTRY)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}

	account, err := accountFromFlags(*name, *timeZone, *country)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vibereport account create: %v\n", err)
		return exitUsage
	}
	log, err := common.logger()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vibereport account create: %v\n", err)
		return exitUsage
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, common.db, log)
	if err != nil {
		log.Error("open store", "err", err)
		return exitError
	}
	defer db.Close()

	created, err := CreateAccount(ctx, db, account)
	if err != nil {
		log.Error("create account", "err", err)
		return exitError
	}
	log.Info("account created", "account_id", created.AccountID)

	out, _ := json.Marshal(created)
	fmt.Fprintln(stdout, string(out))
	return exitOK
}

// accountFromFlags validates the account's settings.
func accountFromFlags(name, timeZone, country string) (*domain.Account, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, fmt.Errorf("missing --name: name the account, such as --name \"Shop UA\"")
	}
	if _, err := time.LoadLocation(timeZone); err != nil || timeZone == "" || strings.EqualFold(timeZone, "local") {
		return nil, fmt.Errorf("invalid --time-zone %q: use an IANA time zone name such as Europe/Kyiv or UTC", timeZone)
	}
	region := strings.ToUpper(strings.TrimSpace(country))
	if !phonenumbers.GetSupportedRegions()[region] {
		return nil, fmt.Errorf("invalid --country %q: use an ISO 3166-1 alpha-2 region code such as UA, PL or VN", country)
	}
	return &domain.Account{
		Name:           name,
		TimeZone:       timeZone,
		DefaultCountry: region,
		Settings:       domain.Settings{Norms: domain.DefaultNorms()},
	}, nil
}

// CreateAccount stores the account with a new API key and returns the key,
// which is shown only here: the store keeps its hash.
func CreateAccount(ctx context.Context, db *store.DB, account *domain.Account) (AccountCreated, error) {
	key, err := NewAPIKey()
	if err != nil {
		return AccountCreated{}, err
	}
	if err := db.CreateAccount(ctx, account); err != nil {
		return AccountCreated{}, err
	}
	if _, err := db.CreateAPIKey(ctx, account.ID, "default", key); err != nil {
		return AccountCreated{}, err
	}
	return AccountCreated{AccountID: account.ID, APIKey: key}, nil
}

// NewAPIKey returns "vr_" followed by 32 random bytes in unpadded base64url.
func NewAPIKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate api key: %w", err)
	}
	return apiKeyPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}
