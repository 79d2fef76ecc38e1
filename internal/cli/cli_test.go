package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func eachEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) { fn(t, storetest.DSN(t, engine)) })
	}
}

func TestAccountCreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		var out bytes.Buffer
		code := runAccountCreate([]string{"--name", "Shop", "--time-zone", "Europe/Kyiv", "--country", "pl",
			"--db", dsn, "--log-level", "error"}, &out)
		if code != exitOK {
			t.Fatalf("exit code = %d, want 0", code)
		}
		var created AccountCreated
		if err := json.Unmarshal(out.Bytes(), &created); err != nil {
			t.Fatalf("decode %q: %v", out.String(), err)
		}
		if !strings.HasPrefix(created.APIKey, "vr_") {
			t.Errorf("api_key = %q, want the vr_ prefix", created.APIKey)
		}
		if len(created.APIKey) != len("vr_")+43 {
			t.Errorf("api_key length = %d, want %d", len(created.APIKey), len("vr_")+43)
		}

		ctx := context.Background()
		db, err := store.Open(ctx, dsn, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		accountID, err := db.AccountByAPIKey(ctx, created.APIKey)
		if err != nil {
			t.Fatalf("look up the printed key: %v", err)
		}
		if accountID != created.AccountID {
			t.Errorf("key belongs to account %d, want %d", accountID, created.AccountID)
		}
		account, err := db.Account(ctx, accountID)
		if err != nil {
			t.Fatal(err)
		}
		if account.TimeZone != "Europe/Kyiv" {
			t.Errorf("time zone = %q, want Europe/Kyiv", account.TimeZone)
		}
		if account.DefaultCountry != "PL" {
			t.Errorf("default country = %q, want PL", account.DefaultCountry)
		}
	})
}

func TestAccountCreateUsageErrors(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	cases := []struct {
		name string
		args []string
	}{
		{"missing name", []string{"--db", dsn}},
		{"bad time zone", []string{"--name", "Shop", "--time-zone", "Mars/Olympus", "--db", dsn}},
		{"bad country", []string{"--name", "Shop", "--country", "ZZ", "--db", dsn}},
		{"unknown flag", []string{"--name", "Shop", "--colour", "red", "--db", dsn}},
		{"stray argument", []string{"--name", "Shop", "--db", dsn, "extra"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := runAccountCreate(c.args, &out); code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}

func TestAccountCreateDBFromEnvironment(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	t.Setenv("VIBEREPORT_DB", dsn)
	var out bytes.Buffer
	if code := runAccountCreate([]string{"--name", "Shop", "--log-level", "error"}, &out); code != exitOK {
		t.Fatalf("exit code = %d, want 0", code)
	}

	db, err := store.Open(context.Background(), dsn, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Account(context.Background(), 1); err != nil {
		t.Errorf("account 1 in the VIBEREPORT_DB store: %v", err)
	}
}

func TestMainExitCodes(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, exitUsage},
		{"unknown command", []string{"launch"}, exitUsage},
		{"help", []string{"help"}, exitOK},
		{"account without create", []string{"account"}, exitUsage},
		{"serve with bad log level", []string{"serve", "--log-level", "loud"}, exitUsage},
		{"serve with relative public url", []string{"serve", "--public-url", "reports.example"}, exitUsage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Main(c.args); got != c.want {
				t.Errorf("exit code = %d, want %d", got, c.want)
			}
		})
	}
}

func TestAppHandler(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		app, err := NewApp(ctx, Options{DSN: dsn, Log: quietLog(), SweepInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { app.Shutdown(context.Background()) })
		ts := httptest.NewServer(app.Handler())
		t.Cleanup(ts.Close)

		created, err := CreateAccount(ctx, app.DB, mustAccount(t))
		if err != nil {
			t.Fatal(err)
		}

		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/providers",
			strings.NewReader(`{"kind":"infobip","name":"Infobip","secret":"user:password"}`))
		req.Header.Set("Authorization", "Bearer "+created.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create provider: status %d", resp.StatusCode)
		}
		var conn struct {
			ID             int64  `json:"id"`
			WebhookURL     string `json:"webhook_url"`
			SeenWebhookURL string `json:"seen_webhook_url"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&conn); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%s/webhooks/%d", ts.URL, conn.ID); conn.WebhookURL != want {
			t.Errorf("webhook_url = %q, want %q", conn.WebhookURL, want)
		}
		if want := fmt.Sprintf("%s/webhooks/%d/seen", ts.URL, conn.ID); conn.SeenWebhookURL != want {
			t.Errorf("seen_webhook_url = %q, want %q", conn.SeenWebhookURL, want)
		}

		for path, want := range map[string]string{"/healthz": "ok", "/metrics": "vibereport_commit_batch_requests_count"} {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: status %d, want 200", path, resp.StatusCode)
			}
			if !strings.Contains(string(body), want) {
				t.Errorf("GET %s: body lacks %q", path, want)
			}
		}
	})
}

func TestAppServeAndShutdown(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		app, err := NewApp(context.Background(), Options{DSN: dsn, PublicURL: "https://reports.example", Log: quietLog(),
			SweepInterval: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- app.Serve(listener) }()

		resp, err := http.Get("http://" + listener.Addr().String() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("healthz status = %d, want 200", resp.StatusCode)
		}
		// Let the sweeper run a few times.
		time.Sleep(50 * time.Millisecond)

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("serve returned %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("serve did not return after shutdown")
		}
		if _, err := http.Get("http://" + listener.Addr().String() + "/healthz"); err == nil {
			t.Error("server still answers after shutdown")
		}
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("second shutdown: %v", err)
		}
	})
}

func mustAccount(t *testing.T) *domain.Account {
	t.Helper()
	account, err := accountFromFlags("Shop", "UTC", "UA")
	if err != nil {
		t.Fatal(err)
	}
	return account
}
