package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/auth"
	"github.com/vibereport/vibereport/internal/cli"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/ui"
)

// site is the real app on a loopback port with one account, a marketer
// and a viewer who can sign in, and a sandbox provider connection.
type site struct {
	t          *testing.T
	app        *cli.App
	url        string
	apiKey     string
	accountID  int64
	providerID int64

	email, password             string
	viewerEmail, viewerPassword string
	imageURL                    string
}

const sandboxSecret = "sandbox-signing-secret-for-tests"

func startSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := cli.NewApp(ctx, cli.Options{
		DSN:           filepath.Join(t.TempDir(), "vibereport.db"),
		Log:           log,
		SweepInterval: -1,
	})
	if err != nil {
		t.Fatalf("start app: %v", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	go app.Serve(listener)
	t.Cleanup(func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		app.Shutdown(shutdownCtx)
	})

	s := &site{t: t, app: app, url: "http://" + listener.Addr().String()}
	created, err := cli.CreateAccount(ctx, app.DB, &domain.Account{
		Name: "Shop UA", TimeZone: "Europe/Kyiv", DefaultCountry: "UA",
		Settings: domain.Settings{Norms: domain.DefaultNorms()},
	})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	s.apiKey, s.accountID = created.APIKey, created.AccountID

	s.email = "anna@shop.example"
	if s.password, err = ui.CreateUser(ctx, app.DB, s.accountID, s.email, auth.RoleAdmin); err != nil {
		t.Fatalf("create user: %v", err)
	}
	s.viewerEmail = "viktor@shop.example"
	if s.viewerPassword, err = ui.CreateUser(ctx, app.DB, s.accountID, s.viewerEmail, auth.RoleViewer); err != nil {
		t.Fatalf("create viewer: %v", err)
	}

	var conn struct {
		ID int64 `json:"id"`
	}
	s.call("POST", "/api/v1/providers", map[string]any{"kind": "sandbox", "name": "Sandbox", "secret": sandboxSecret}, &conn)
	s.providerID = conn.ID

	// The message image comes from a loopback server, so the browser
	// loads nothing from any other host.
	images := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		img := image.NewRGBA(image.Rect(0, 0, 320, 160))
		for x := range 320 {
			for y := range 160 {
				img.Set(x, y, color.RGBA{uint8(115 + x/8), uint8(96 + y/4), 242, 255})
			}
		}
		w.Header().Set("Content-Type", "image/png")
		png.Encode(w, img)
	}))
	t.Cleanup(images.Close)
	s.imageURL = images.URL + "/sale.png"
	return s
}

// call sends an authenticated JSON API request, fails the test unless it
// succeeds, and decodes the response into out when out is not nil.
func (s *site) call(method, path string, body, out any) {
	s.t.Helper()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+path, reader)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		s.t.Fatalf("%s %s: status %d: %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// callback posts a signed sandbox batch to the connection's webhook.
func (s *site) callback(events []map[string]any) {
	s.t.Helper()
	body, err := json.Marshal(events)
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/webhooks/%d", s.url, s.providerID), bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Vibereport-Signature", provider.SignSandbox(sandboxSecret, body, time.Now()))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("post callback: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		s.t.Fatalf("callback: status %d: %s", resp.StatusCode, raw)
	}
}

// campaignSpec describes a campaign for newCampaign: n sent deliveries and
// what happened to them.
type campaignSpec struct {
	name      string
	tags      []string
	sent      int
	delivered int
	read      int
	clicked   int
	// failed deliveries follow the delivered ones, each with a reason.
	failed       []string
	unsubscribed int
	notSent      map[string]int
}

// newCampaign creates a message with two language versions and a campaign
// through the API, registers its deliveries and posts signed callbacks.
// The campaign started two hours ago with a one-hour TTL, so deliveries
// left without a final status count as expired.
func (s *site) newCampaign(spec campaignSpec) int64 {
	s.t.Helper()
	var message, campaign struct {
		ID int64 `json:"id"`
	}
	s.call("POST", "/api/v1/messages", map[string]any{
		"name":            spec.name + " message",
		"text":            "Spring sale: -20% on everything until Sunday.\nShow this message at the till.",
		"image_url":       s.imageURL,
		"button_caption":  "Shop now",
		"button_url":      "https://shop.example/sale",
		"ios_expiry_text": "The spring sale has ended.",
		"ttl_seconds":     3600,
		"tags":            spec.tags,
		"versions": []map[string]any{
			{"language": "uk", "text": "Весняний розпродаж: -20% на все до неділі.", "image_url": s.imageURL,
				"button_caption": "До покупок", "button_url": "https://shop.example/uk/sale"},
			{"language": "en", "text": "Spring sale: -20% on everything until Sunday.", "button_caption": "Shop now",
				"button_url": "https://shop.example/sale"},
		},
	}, &message)

	start := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	s.call("POST", "/api/v1/campaigns", map[string]any{
		"name": spec.name, "message_id": message.ID, "provider_id": s.providerID, "tags": spec.tags,
		"ttl_seconds": 3600, "launched_by": "anna@shop.example", "started_at": start.Format(time.RFC3339),
	}, &campaign)

	languages := []string{"uk", "uk", "en", "uk", "en", ""}
	var deliveries []map[string]any
	for i := range spec.sent {
		deliveries = append(deliveries, map[string]any{
			"phone":               fmt.Sprintf("+38067%03d%04d", campaign.ID, i),
			"language":            languages[i%len(languages)],
			"provider_message_id": fmt.Sprintf("c%d-m%d", campaign.ID, i),
			"sent_at":             start.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
		})
	}
	n := spec.sent
	for reason, count := range spec.notSent {
		for range count {
			deliveries = append(deliveries, map[string]any{
				"phone": fmt.Sprintf("+38067%03d%04d", campaign.ID, n), "not_sent_reason": reason,
			})
			n++
		}
	}
	s.call("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", campaign.ID), map[string]any{"deliveries": deliveries}, nil)

	var events []map[string]any
	event := func(i int, status string, minutes int, extra map[string]any) {
		e := map[string]any{
			"provider_message_id": fmt.Sprintf("c%d-m%d", campaign.ID, i),
			"status":              status,
			"timestamp":           start.Add(time.Duration(minutes) * time.Minute).Format(time.RFC3339),
		}
		for k, v := range extra {
			e[k] = v
		}
		events = append(events, e)
	}
	links := []string{"https://shop.example/sale", "https://shop.example/new"}
	systems := []string{"android", "ios", "android"}
	for i := range spec.delivered {
		event(i, "delivered", 1+i%7, nil)
		if i < spec.read {
			event(i, "read", 9+i*3, nil)
		}
		if i < spec.clicked {
			event(i, "clicked", 30+i*5, map[string]any{"link": links[i%2], "device_os": systems[i%3]})
		}
		if i >= spec.delivered-spec.unsubscribed {
			event(i, "unsubscribed", 50, nil)
		}
	}
	for j, reason := range spec.failed {
		event(spec.delivered+j, "failed", 2, map[string]any{"reason": reason, "reason_detail": "provider code " + fmt.Sprint(100+j)})
	}
	s.callback(events)
	return campaign.ID
}
