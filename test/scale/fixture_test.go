package scale_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/auth"
	"github.com/vibereport/vibereport/internal/cli"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
	"github.com/vibereport/vibereport/internal/ui"
)

const (
	// registerChunk is the number of deliveries per Register call.
	registerChunk = 5000
	// ingestBatch is the number of events per Ingest call.
	ingestBatch = 1000
	// activitySpan is how long every fixture campaign's deliveries take
	// to arrive, whatever its size, so campaigns of every size chart the
	// same number of activity points.
	activitySpan = time.Hour
)

// fixtureSentAt is the send time of every fixture campaign. Every delivery
// ends delivered, so the expiry that each request applies finds nothing.
var fixtureSentAt = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// site is cli.App serving on a loopback listener, with one account, an API
// key for the export route and a signed-in session for the report page.
type site struct {
	app        *cli.App
	url        string
	client     *http.Client
	apiKey     string
	session    *http.Cookie
	accountID  int64
	providerID int64
	messageID  int64

	// campaigns caches campaign ids by delivery count, so sub-benchmarks
	// of one engine share each campaign.
	campaigns map[int]int64
}

// startSite starts the app on a fresh store of the engine. The app stops
// and the store is removed when b ends.
func startSite(b *testing.B, engine string) *site {
	b.Helper()
	ctx := context.Background()
	app, err := cli.NewApp(ctx, cli.Options{
		DSN:           storetest.DSN(b, engine),
		Log:           slog.New(slog.NewTextHandler(io.Discard, nil)),
		SweepInterval: -1,
	})
	if err != nil {
		b.Fatalf("start app on %s: %v", engine, err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("listen on loopback: %v", err)
	}
	go app.Serve(listener)
	b.Cleanup(func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := app.Shutdown(shutdownCtx); err != nil {
			b.Errorf("shut down app: %v", err)
		}
	})

	s := &site{
		app:       app,
		url:       "http://" + listener.Addr().String(),
		client:    &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}},
		campaigns: map[int]int64{},
	}
	b.Cleanup(s.client.CloseIdleConnections)

	created, err := cli.CreateAccount(ctx, app.DB, &domain.Account{
		Name: "Scale", TimeZone: "Europe/Kyiv", DefaultCountry: "UA",
		Settings: domain.Settings{Norms: domain.DefaultNorms()},
	})
	if err != nil {
		b.Fatalf("create account: %v", err)
	}
	s.apiKey, s.accountID = created.APIKey, created.AccountID
	s.session = signIn(b, app.DB, s.accountID)

	conn := &domain.ProviderConnection{AccountID: s.accountID, Kind: "sandbox", Name: "Sandbox", Secret: "scale-secret"}
	mustDo(b, "create provider connection", app.DB.CreateProviderConnection(ctx, conn))
	s.providerID = conn.ID

	msg := &domain.Message{
		AccountID: s.accountID, Name: "Spring sale",
		Content: domain.Content{Text: "Spring sale: -20% on everything until Sunday.", ButtonCaption: "Shop now",
			ButtonURL: "https://shop.example/sale"},
		TTL: 24 * time.Hour,
	}
	mustDo(b, "create message", app.DB.CreateMessage(ctx, msg))
	s.messageID = msg.ID
	return s
}

// signIn creates an admin user and a session for it in the store, and
// returns the session cookie the browser would hold after signing in.
func signIn(b *testing.B, db *store.DB, accountID int64) *http.Cookie {
	b.Helper()
	ctx := context.Background()
	const email = "anna@shop.example"
	if _, err := ui.CreateUser(ctx, db, accountID, email, auth.RoleAdmin); err != nil {
		b.Fatalf("create user: %v", err)
	}
	user, err := db.UserByEmail(ctx, email)
	if err != nil {
		b.Fatalf("look up user %s: %v", email, err)
	}
	expires := time.Now().Add(ui.SessionLifetime)
	token, err := db.CreateSession(ctx, &store.Session{
		AccountID: accountID, UserID: user.ID, CSRFToken: auth.NewCSRFToken(), ExpiresAt: expires,
	})
	if err != nil {
		b.Fatalf("create session: %v", err)
	}
	return auth.SessionCookie(token, expires, "")
}

// campaign returns the id of a campaign with n sent deliveries, building
// it on first use. Every delivery is delivered, three in five are read
// and one in five is clicked, so the delivered metric contains all n.
func (s *site) campaign(b *testing.B, n int) int64 {
	b.Helper()
	if id, ok := s.campaigns[n]; ok {
		return id
	}
	ctx := context.Background()
	start := time.Now()
	c := &domain.Campaign{
		AccountID: s.accountID, Name: fmt.Sprintf("Spring sale, %d deliveries", n), MessageID: s.messageID,
		ProviderID: s.providerID, TTL: 24 * time.Hour, StartedAt: fixtureSentAt,
	}
	mustDo(b, "create campaign", s.app.DB.CreateCampaign(ctx, c))

	prefix := "c" + strconv.FormatInt(c.ID, 10)
	languages := []string{"uk", "uk", "en", "uk", "en", ""}
	for first := 0; first < n; first += registerChunk {
		reg := &ingest.Registration{AccountID: s.accountID, CampaignID: c.ID, ProviderID: s.providerID, TTL: c.TTL}
		for i := first; i < min(first+registerChunk, n); i++ {
			reg.Deliveries = append(reg.Deliveries, ingest.NewDelivery{
				Contact:           store.ContactRef{Phone: fmt.Sprintf("+38067%07d", i)},
				Language:          languages[i%len(languages)],
				ProviderMessageID: prefix + "-" + strconv.Itoa(i),
				SentAt:            fixtureSentAt,
			})
		}
		if _, err := s.app.Writer.Register(ctx, reg); err != nil {
			b.Fatalf("register deliveries %d to %d of campaign %d: %v", first, first+len(reg.Deliveries), c.ID, err)
		}
	}

	s.analyze(b)

	events := 0
	batch := make([]ingest.Item, 0, ingestBatch+2)
	flush := func() {
		if _, err := s.app.Writer.Ingest(ctx, &ingest.Batch{
			AccountID: s.accountID, ProviderID: s.providerID, Kind: "sandbox", ReceivedAt: time.Now(), Events: batch,
		}); err != nil {
			b.Fatalf("ingest events of campaign %d: %v", c.ID, err)
		}
		events += len(batch)
		batch = batch[:0]
	}
	links := []string{"https://shop.example/sale", "https://shop.example/new"}
	systems := []string{"android", "ios", "android"}
	for i := range n {
		id := prefix + "-" + strconv.Itoa(i)
		delivered := fixtureSentAt.Add(activitySpan * time.Duration(i) / time.Duration(n))
		batch = append(batch, s.item(domain.Event{ProviderMessageID: id, Kind: domain.EventDelivered, OccurredAt: delivered}))
		if i%5 < 3 {
			batch = append(batch, s.item(domain.Event{ProviderMessageID: id, Kind: domain.EventRead,
				OccurredAt: delivered.Add(5 * time.Minute)}))
		}
		if i%5 == 0 {
			batch = append(batch, s.item(domain.Event{ProviderMessageID: id, Kind: domain.EventClicked,
				OccurredAt: delivered.Add(10 * time.Minute), Link: links[i%2], DeviceOS: systems[i%3]}))
		}
		if len(batch) >= ingestBatch {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	s.analyze(b)
	b.Logf("built campaign %d: %d deliveries, %d events in %s", c.ID, n, events, time.Since(start).Round(time.Second))
	s.campaigns[n] = c.ID
	return c.ID
}

// analyze refreshes PostgreSQL's planner statistics of the tables that
// ingest and the export read, as autovacuum's autoanalyze would. Without
// them, on a test server with autovacuum off, building a 1,000,000-delivery
// campaign did not finish in 10 minutes. SQLite stores are left as they are.
func (s *site) analyze(b *testing.B) {
	b.Helper()
	if s.app.DB.Dialect() != store.Postgres {
		return
	}
	ctx := context.Background()
	err := s.app.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "ANALYZE contacts, deliveries, events")
		return err
	})
	mustDo(b, "analyze tables", err)
}

func (s *site) item(e domain.Event) ingest.Item {
	return ingest.Item{ProviderID: s.providerID, Event: e}
}

// getAPI sends a GET with the account's API key, as an API client does,
// and fails b unless the status is 200. The caller closes the body.
func (s *site) getAPI(b *testing.B, path string) *http.Response {
	b.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.apiKey)
	return s.do(b, req)
}

// getPage sends a GET with the session cookie, as a signed-in browser
// does, and fails b unless the status is 200. The caller closes the body.
func (s *site) getPage(b *testing.B, path string) *http.Response {
	b.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.AddCookie(s.session)
	return s.do(b, req)
}

func (s *site) do(b *testing.B, req *http.Request) *http.Response {
	b.Helper()
	path := req.URL.RequestURI()
	resp, err := s.client.Do(req)
	if err != nil {
		b.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		b.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, raw)
	}
	return resp
}

func mustDo(b *testing.B, step string, err error) {
	b.Helper()
	if err != nil {
		b.Fatalf("%s: %v", step, err)
	}
}
