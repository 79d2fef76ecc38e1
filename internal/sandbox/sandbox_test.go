package sandbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

const testSecret = "sandbox-test-secret"

var testSentAt = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// webhook is a callback receiver that verifies every request the way the
// service does and records the events of the verified ones.
type webhook struct {
	t      *testing.T
	server *httptest.Server

	mu       sync.Mutex
	requests int
	// failFirst is the number of requests rejected with 500 before any
	// is accepted.
	failFirst int
	events    []domain.Event
}

func newWebhook(t *testing.T, failFirst int) *webhook {
	w := &webhook{t: t, failFirst: failFirst}
	w.server = httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.server.Close)
	return w
}

func (w *webhook) serve(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.t.Errorf("read callback body: %v", err)
		http.Error(rw, "unreadable body", http.StatusBadRequest)
		return
	}
	adapter, _ := provider.Lookup(provider.KindSandbox)
	req := provider.Request{Header: r.Header, Body: body, ReceivedAt: time.Now()}
	if err := adapter.Verify(testSecret, req); err != nil {
		w.t.Errorf("callback signature: %v", err)
		http.Error(rw, err.Error(), http.StatusUnauthorized)
		return
	}
	events, err := adapter.Parse(req)
	if err != nil {
		w.t.Errorf("callback body: %v", err)
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	w.requests++
	if w.requests <= w.failFirst {
		http.Error(rw, "temporary failure", http.StatusInternalServerError)
		return
	}
	w.events = append(w.events, events...)
	rw.WriteHeader(http.StatusNoContent)
}

func (w *webhook) snapshot() (requests int, events []domain.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.requests, append([]domain.Event(nil), w.events...)
}

func testConnection() domain.ProviderConnection {
	return domain.ProviderConnection{ID: 7, AccountID: 3, Kind: string(provider.KindSandbox), Name: "sandbox", Secret: testSecret}
}

func testMessage() domain.Message {
	return domain.Message{
		ID:      11,
		Content: domain.Content{Text: "Spring sale", ButtonCaption: "Shop", ButtonURL: "https://shop.example/sale"},
		TTL:     24 * time.Hour,
		Versions: []domain.MessageVersion{
			{Language: "uk", Content: domain.Content{Text: "Весняний розпродаж", ButtonCaption: "До магазину", ButtonURL: "https://shop.example/uk/sale"}},
		},
	}
}

// fastProfile compresses the default delays so that every callback of a
// 24-hour TTL falls due within about 10 ms.
func fastProfile() Profile {
	p := DefaultProfile()
	p.TimeScale = 1e7
	return p
}

func startSimulator(t *testing.T, dsn string, profile Profile, configure func(*Config)) *Simulator {
	t.Helper()
	conn := testConnection()
	cfg := Config{
		DSN:     dsn,
		Profile: profile,
		Seed:    1,
		LoadConnection: func(ctx context.Context, id int64) (*domain.ProviderConnection, error) {
			if id != conn.ID {
				return nil, fmt.Errorf("unexpected connection %d", id)
			}
			return &conn, nil
		},
		RetryBase:    20 * time.Millisecond,
		PollInterval: 20 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if configure != nil {
		configure(&cfg)
	}
	sim, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := sim.Start(ctx); err != nil {
		cancel()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		stopCtx, stopCancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer stopCancel()
		if err := sim.Stop(stopCtx); err != nil {
			t.Errorf("Stop: %v", err)
		}
		cancel()
	})
	return sim
}

func testDeliveries(n int) []Delivery {
	ds := make([]Delivery, n)
	for i := range ds {
		ds[i] = Delivery{ProviderMessageID: fmt.Sprintf("sbx-%05d", i), SentAt: testSentAt}
		if i%2 == 0 {
			ds[i].Language = "uk"
		}
	}
	return ds
}

func waitFor(t *testing.T, sim *Simulator, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := sim.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

// outcomes applies the received events to one delivery per message and
// counts the final states, as the service would.
type outcomes struct {
	byState      map[string]int
	clicksTotal  int
	unsubscribed int
	duplicates   int
	outOfOrder   int
	osCounts     map[string]int
}

func tally(deliveries []Delivery, events []domain.Event, ttl time.Duration) outcomes {
	states := make(map[string]*domain.Delivery, len(deliveries))
	for _, d := range deliveries {
		states[d.ProviderMessageID] = &domain.Delivery{Status: domain.StatusSent, SentAt: d.SentAt, ExpiresAt: d.SentAt.Add(ttl)}
	}
	seen := make(map[string]bool)
	readSeen := make(map[string]bool)
	o := outcomes{byState: make(map[string]int), osCounts: make(map[string]int)}
	for _, e := range events {
		key := fmt.Sprintf("%s|%s|%s|%s", e.ProviderMessageID, e.Kind, e.OccurredAt.Format(time.RFC3339Nano), e.Link)
		if seen[key] {
			o.duplicates++
		}
		seen[key] = true
		switch e.Kind {
		case domain.EventRead:
			readSeen[e.ProviderMessageID] = true
		case domain.EventDelivered:
			if readSeen[e.ProviderMessageID] {
				o.outOfOrder++
			}
		}
		if !seen[key+"|applied"] {
			seen[key+"|applied"] = true
			states[e.ProviderMessageID].Apply(e)
		}
	}

	for _, d := range states {
		state := d.Status.String()
		switch {
		case d.Status == domain.StatusFailed:
			state = "failed." + string(d.FailureReason)
		case d.Status == domain.StatusSent:
			// No final callback: the service derives the expiry.
			state = "silent"
		}
		o.byState[state]++
		o.clicksTotal += int(d.ClicksTotal)
		if !d.UnsubscribedAt.IsZero() {
			o.unsubscribed++
		}
		if d.ClickOS != "" {
			o.osCounts[d.ClickOS]++
		}
	}
	return o
}

func TestScheduleOutcomeShares(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			hook := newWebhook(t, 0)
			sim := startSimulator(t, storetest.DSN(t, engine), fastProfile(), nil)
			deliveries := testDeliveries(3000)
			msg := testMessage()

			err := sim.Schedule(context.Background(), testConnection(), hook.server.URL, domain.Campaign{ID: 5}, msg, deliveries)
			if err != nil {
				t.Fatalf("Schedule: %v", err)
			}
			waitFor(t, sim, time.Minute)

			_, events := hook.snapshot()
			got := tally(deliveries, events, msg.TTL)
			checkShares(t, got, len(deliveries))

			// Seed 1 gives these exact counts on every engine and run.
			want := map[string]int{
				"failed.not_viber_user": 178,
				"failed.no_device":      59,
				"failed.blocked":        32,
				"failed.expired":        48,
				"silent":                45,
				"delivered":             1056,
				"read":                  1471,
				"clicked":               111,
			}
			for state, n := range want {
				if got.byState[state] != n {
					t.Errorf("state %s: got %d deliveries, want %d", state, got.byState[state], n)
				}
			}
			if got.clicksTotal != 129 {
				t.Errorf("clicks total: got %d, want 129", got.clicksTotal)
			}
			if got.unsubscribed != 15 {
				t.Errorf("unsubscribed: got %d, want 15", got.unsubscribed)
			}
			if got.duplicates != 59 {
				t.Errorf("duplicate callbacks: got %d, want 59", got.duplicates)
			}
			if got.outOfOrder == 0 {
				t.Error("no delivered callback arrived after its read callback")
			}
			for _, os := range []string{"android", "ios", "desktop"} {
				if got.osCounts[os] == 0 {
					t.Errorf("no click from %s", os)
				}
			}
			checkLinks(t, events, deliveries)
		})
	}
}

// checkShares compares each outcome with the default profile, within four
// standard deviations of a binomial count.
func checkShares(t *testing.T, got outcomes, n int) {
	t.Helper()
	p := DefaultProfile()
	delivered := float64(n) * (1 - p.NotViberUser - p.NoDevice - p.Blocked - p.Expired)
	read := delivered * p.Read
	clicked := read * p.Click
	expectations := []struct {
		name     string
		got      int
		want, of float64
	}{
		{"failed.not_viber_user", got.byState["failed.not_viber_user"], float64(n) * p.NotViberUser, float64(n)},
		{"failed.no_device", got.byState["failed.no_device"], float64(n) * p.NoDevice, float64(n)},
		{"failed.blocked", got.byState["failed.blocked"], float64(n) * p.Blocked, float64(n)},
		{"expired (reported or silent)", got.byState["failed.expired"] + got.byState["silent"], float64(n) * p.Expired, float64(n)},
		{"delivered or beyond", got.byState["delivered"] + got.byState["read"] + got.byState["clicked"], delivered, float64(n)},
		{"read or beyond", got.byState["read"] + got.byState["clicked"], read, delivered},
		{"clicked", got.byState["clicked"], clicked, read},
	}
	for _, e := range expectations {
		share := e.want / e.of
		sigma := math.Sqrt(e.of * share * (1 - share))
		if math.Abs(float64(e.got)-e.want) > 4*sigma+1 {
			t.Errorf("%s: got %d of %d, want about %.0f (±%.0f)", e.name, e.got, int(e.of), e.want, 4*sigma)
		}
	}
}

// checkLinks checks that every click reports the button URL of the
// delivery's language version.
func checkLinks(t *testing.T, events []domain.Event, deliveries []Delivery) {
	t.Helper()
	language := make(map[string]string, len(deliveries))
	for _, d := range deliveries {
		language[d.ProviderMessageID] = d.Language
	}
	for _, e := range events {
		if e.Kind != domain.EventClicked {
			continue
		}
		want := "https://shop.example/sale"
		if language[e.ProviderMessageID] == "uk" {
			want = "https://shop.example/uk/sale"
		}
		if e.Link != want {
			t.Errorf("click on %s: link %q, want %q", e.ProviderMessageID, e.Link, want)
			return
		}
	}
}

// oneEventProfile makes every message fail at once as not a Viber user, so
// each delivery gets exactly one callback.
func oneEventProfile() Profile {
	p := fastProfile()
	p.NotViberUser, p.NoDevice, p.Blocked, p.Expired = 1, 0, 0, 0
	p.Duplicate, p.OutOfOrder = 0, 0
	return p
}

func TestScheduleRetriesAfterServerError(t *testing.T) {
	hook := newWebhook(t, 2)
	sim := startSimulator(t, storetest.DSN(t, "sqlite"), oneEventProfile(), nil)

	err := sim.Schedule(context.Background(), testConnection(), hook.server.URL, domain.Campaign{ID: 5}, testMessage(), testDeliveries(1))
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	waitFor(t, sim, 30*time.Second)

	requests, events := hook.snapshot()
	if requests != 3 {
		t.Errorf("requests: got %d, want 3 (two rejected with 500, then one accepted)", requests)
	}
	if len(events) != 1 {
		t.Fatalf("accepted events: got %d, want 1", len(events))
	}
	if events[0].Kind != domain.EventFailed || events[0].Reason != domain.ReasonNotViberUser {
		t.Errorf("event: got %s %s, want failed not_viber_user", events[0].Kind, events[0].Reason)
	}
	if stats := sim.Stats(); stats != (Stats{Requests: 1, Events: 1, FailedPosts: 2}) {
		t.Errorf("stats: got %+v, want 1 request with 1 event after 2 failed posts", stats)
	}
}

func TestWaitReportsDiscardedCallbacks(t *testing.T) {
	hook := newWebhook(t, 1_000_000)
	sim := startSimulator(t, storetest.DSN(t, "sqlite"), oneEventProfile(), func(c *Config) { c.MaxAttempts = 2 })

	err := sim.Schedule(context.Background(), testConnection(), hook.server.URL, domain.Campaign{ID: 5}, testMessage(), testDeliveries(1))
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sim.Wait(ctx); err == nil {
		t.Fatal("Wait: got nil, want an error for the discarded callback")
	}
	if requests, _ := hook.snapshot(); requests != 2 {
		t.Errorf("requests: got %d, want 2 (MaxAttempts)", requests)
	}
}

func TestScheduleSendsDuplicates(t *testing.T) {
	profile := oneEventProfile()
	profile.Duplicate = 1
	hook := newWebhook(t, 0)
	sim := startSimulator(t, storetest.DSN(t, "sqlite"), profile, nil)
	deliveries := testDeliveries(10)

	err := sim.Schedule(context.Background(), testConnection(), hook.server.URL, domain.Campaign{ID: 5}, testMessage(), deliveries)
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	waitFor(t, sim, 30*time.Second)

	_, events := hook.snapshot()
	if len(events) != 2*len(deliveries) {
		t.Fatalf("events: got %d, want %d (each posted twice)", len(events), 2*len(deliveries))
	}
	copies := make(map[domain.Event]int)
	for _, e := range events {
		copies[e]++
	}
	for e, n := range copies {
		if n != 2 {
			t.Errorf("event %s %s: received %d times, want 2 identical copies", e.ProviderMessageID, e.Kind, n)
		}
	}
}

func TestScheduledCallbacksSurviveRestart(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	hook := newWebhook(t, 0)
	profile := oneEventProfile()
	// The failure callbacks fall due between 1 and 20 simulated seconds
	// after sending, which is 0.1 to 2 s of wall time at this scale.
	profile.TimeScale = 10
	first := startSimulator(t, dsn, profile, nil)
	deliveries := testDeliveries(20)

	err := first.Schedule(context.Background(), testConnection(), hook.server.URL, domain.Campaign{ID: 5}, testMessage(), deliveries)
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := first.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, events := hook.snapshot(); len(events) == len(deliveries) {
		t.Fatal("every callback was posted before Stop; the test needs some left scheduled")
	}

	startSimulator(t, dsn, profile, nil)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, events := hook.snapshot(); len(events) >= len(deliveries) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, events := hook.snapshot()
	if len(events) != len(deliveries) {
		t.Errorf("events after restart: got %d, want %d", len(events), len(deliveries))
	}
}

func TestPlanIsReproducible(t *testing.T) {
	profile := DefaultProfile()
	plan := func(seed uint64) []plannedEvent {
		p := &planner{profile: &profile, seed: seed, ttl: 24 * time.Hour}
		var events []plannedEvent
		for _, d := range testDeliveries(200) {
			events = append(events, p.plan(d, "https://shop.example/sale")...)
		}
		return events
	}

	a, b := plan(1), plan(1)
	if len(a) != len(b) {
		t.Fatalf("same seed: %d and %d events", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed: event %d differs: %+v and %+v", i, a[i], b[i])
		}
	}

	c := plan(2)
	same := len(a) == len(c)
	for i := 0; same && i < len(a); i++ {
		same = a[i] == c[i]
	}
	if same {
		t.Error("seeds 1 and 2 gave identical plans")
	}
}

func TestPlanKeepsDeliveryWithinTTL(t *testing.T) {
	profile := DefaultProfile()
	ttl := time.Minute
	p := &planner{profile: &profile, seed: 1, ttl: ttl}
	for _, d := range testDeliveries(500) {
		for _, e := range p.plan(d, "") {
			at, err := time.Parse(time.RFC3339Nano, e.item.Timestamp)
			if err != nil {
				t.Fatalf("timestamp %q: %v", e.item.Timestamp, err)
			}
			if e.item.Status == "delivered" && at.Sub(d.SentAt) >= ttl {
				t.Errorf("%s delivered %s after sending, past the TTL of %s", d.ProviderMessageID, at.Sub(d.SentAt), ttl)
			}
			if e.item.Status == "clicked" {
				t.Errorf("%s clicked although the message has no button", d.ProviderMessageID)
			}
		}
	}
}

func TestParseProfile(t *testing.T) {
	p, err := ParseProfile([]byte(`{"read": 0.5, "read_delay": {"min": "1m", "max": "2h"}, "time_scale": 60}`))
	if err != nil {
		t.Fatalf("ParseProfile: %v", err)
	}
	if p.Read != 0.5 || time.Duration(p.ReadDelay.Max) != 2*time.Hour || p.TimeScale != 60 {
		t.Errorf("parsed profile: read %v, read_delay.max %s, time_scale %v", p.Read, time.Duration(p.ReadDelay.Max), p.TimeScale)
	}
	if p.NotViberUser != DefaultProfile().NotViberUser {
		t.Errorf("not_viber_user: got %v, want the default %v", p.NotViberUser, DefaultProfile().NotViberUser)
	}

	for _, bad := range []string{
		`{"read": 1.5}`,
		`{"not_viber_user": 0.6, "expired": 0.6}`,
		`{"read_delay": {"min": "2h", "max": "1h"}}`,
		`{"read_delay": {"min": "soon", "max": "1h"}}`,
		`{"time_scale": 0.5}`,
	} {
		if _, err := ParseProfile([]byte(bad)); err == nil {
			t.Errorf("ParseProfile(%s): got nil error, want one", bad)
		}
	}
}

func TestFromRegistrationKeepsCreatedSends(t *testing.T) {
	deliveries := []ingest.NewDelivery{
		{ProviderMessageID: "a", SentAt: testSentAt, Language: "uk"},
		{ProviderMessageID: "b", SentAt: testSentAt},
		{NotSentReason: domain.NotSentInaccessible},
		{ProviderMessageID: "d", SentAt: testSentAt},
	}
	registered := []ingest.Registered{{Outcome: "created"}, {Outcome: "existing"}, {Outcome: "created"}, {Outcome: "duplicate"}}

	got := FromRegistration(deliveries, registered)
	want := []Delivery{{ProviderMessageID: "a", SentAt: testSentAt, Language: "uk"}}
	if len(got) != len(want) || got[0] != want[0] {
		t.Errorf("FromRegistration: got %+v, want %+v", got, want)
	}
}
