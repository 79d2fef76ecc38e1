package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/vibereport/vibereport/internal/cli"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

const (
	// callbackClients is the number of concurrent keep-alive clients that
	// post single callbacks.
	callbackClients = 64
	// batchClients is the number of concurrent clients that post batches.
	batchClients = 4
	// eventsPerBatch is the size of one events API batch: delivered and
	// read for 500 deliveries.
	eventsPerBatch = 1000
	// benchAuthToken is the bot auth token that signs benchmark callbacks.
	benchAuthToken = "bench-bot-token"
)

// BenchmarkViberCallback posts single signed Viber delivered callbacks, one
// event per request, from 64 concurrent keep-alive clients. The trivial
// sub-benchmark is the baseline: a handler on the same kind of loopback
// server that only reads the body and returns 200. The engine
// sub-benchmarks serve cli.App's handler, with every callback naming its
// own registered delivery, so each one is verified, stored raw, deduped,
// moves a delivery from sent to delivered and updates the rollups.
func BenchmarkViberCallback(b *testing.B) {
	b.Run("trivial", func(b *testing.B) {
		url := startTrivialServer(b)
		posts := viberPosts(b.N, url+"/webhooks/1")
		postConcurrently(b, posts, callbackClients, 1)
	})
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			api, app := startApp(b, engine)
			fx := createCampaign(b, api, benchAuthToken)
			registerDeliveries(b, api, fx.campaignID, 0, b.N, benchSentAt)
			posts := viberPosts(b.N, fx.webhookURL(api))
			before := readCommitStats(b, app)
			postConcurrently(b, posts, callbackClients, 1)
			reportCommitStats(b, before, readCommitStats(b, app))
		})
	}
}

// BenchmarkEventsBatch posts canonical batches of 1,000 events (delivered
// and read for 500 registered deliveries) to POST /api/v1/events from 4
// concurrent clients, against the same trivial baseline.
func BenchmarkEventsBatch(b *testing.B) {
	b.Run("trivial", func(b *testing.B) {
		url := startTrivialServer(b)
		posts := eventBatchPosts(b.N, url+"/api/v1/events", "vr_trivial", 1)
		postConcurrently(b, posts, batchClients, eventsPerBatch)
	})
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			api, app := startApp(b, engine)
			fx := createCampaign(b, api, benchAuthToken)
			registerDeliveries(b, api, fx.campaignID, 0, b.N*eventsPerBatch/2, benchSentAt)
			posts := eventBatchPosts(b.N, api.base+"/api/v1/events", api.key, fx.providerID)
			before := readCommitStats(b, app)
			postConcurrently(b, posts, batchClients, eventsPerBatch)
			reportCommitStats(b, before, readCommitStats(b, app))
		})
	}
}

// benchSentAt is the sent time of benchmark deliveries. Their TTL is 14
// days, so an expiry never interferes with a run.
var benchSentAt = time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)

// startTrivialServer serves a handler that reads the body and returns 200
// with the same JSON as the webhook, on a loopback listener.
func startTrivialServer(b *testing.B) string {
	b.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	}))
	b.Cleanup(ts.Close)
	return ts.URL
}

// startApp starts cli.App on a fresh store with its handler on a loopback
// listener, creates an account and returns a client with its API key, and
// the app. The
// expiry sweeper is off. Logs go to io.Discard at info level, so the
// request log is formatted as in production but not written.
func startApp(b *testing.B, engine string) (*apiClient, *cli.App) {
	b.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(b, engine)
	app, err := cli.NewApp(ctx, cli.Options{
		DSN:           dsn,
		Log:           slog.New(slog.NewTextHandler(io.Discard, nil)),
		SweepInterval: -1,
	})
	if err != nil {
		b.Fatalf("start app on %s: %v", engine, err)
	}
	// Cleanups run in reverse: the listener closes, then the app, then
	// DSN's cleanup removes the data.
	b.Cleanup(func() {
		if err := app.Shutdown(context.Background()); err != nil {
			b.Errorf("shut down app: %v", err)
		}
	})
	ts := httptest.NewServer(app.Handler())
	b.Cleanup(ts.Close)

	created, err := cli.CreateAccount(ctx, app.DB, &domain.Account{
		Name: "Bench", TimeZone: "UTC", DefaultCountry: "UA",
		Settings: domain.Settings{Norms: domain.DefaultNorms()},
	})
	if err != nil {
		b.Fatalf("create account: %v", err)
	}
	return newAPIClient(ts.URL, created.APIKey), app
}

// commitStats holds the ingest writer's totals: transactions, the requests
// they carried and the seconds they took.
type commitStats struct {
	commits, requests, seconds float64
}

func readCommitStats(b *testing.B, app *cli.App) commitStats {
	b.Helper()
	var size, latency dto.Metric
	if err := app.Metrics.CommitBatchSize.Write(&size); err != nil {
		b.Fatalf("read commit batch sizes: %v", err)
	}
	if err := app.Metrics.CommitLatency.Write(&latency); err != nil {
		b.Fatalf("read commit latencies: %v", err)
	}
	return commitStats{
		commits:  float64(size.GetHistogram().GetSampleCount()),
		requests: size.GetHistogram().GetSampleSum(),
		seconds:  latency.GetHistogram().GetSampleSum(),
	}
}

// reportCommitStats reports the mean requests per transaction and the mean
// transaction time, in milliseconds, between two readings.
func reportCommitStats(b *testing.B, before, after commitStats) {
	commits := after.commits - before.commits
	if commits == 0 {
		return
	}
	b.ReportMetric((after.requests-before.requests)/commits, "requests/commit")
	b.ReportMetric(1000*(after.seconds-before.seconds)/commits, "ms/commit")
}

// preparedPost is one request, built before the timer starts.
type preparedPost struct {
	url    string
	body   []byte
	header http.Header
}

// viberPosts returns n signed delivered callbacks for deliveries 0 ... n-1.
func viberPosts(n int, url string) []preparedPost {
	posts := make([]preparedPost, n)
	for i := range posts {
		body := viberBody("delivered", viberToken(i), benchSentAt.Add(time.Second), fmt.Sprintf("user-%d", i), "")
		header := http.Header{}
		header.Set("Content-Type", "application/json")
		header.Set("X-Viber-Content-Signature", provider.SignViber(benchAuthToken, body))
		posts[i] = preparedPost{url: url, body: body, header: header}
	}
	return posts
}

// eventBatchPosts returns n canonical batches; batch i holds delivered and
// read events for deliveries 500i ... 500i+499.
func eventBatchPosts(n int, url, apiKey string, providerID int64) []preparedPost {
	posts := make([]preparedPost, n)
	delivered := benchSentAt.Add(time.Second).UnixMilli()
	for i := range posts {
		var body bytes.Buffer
		body.WriteByte('[')
		for j := range eventsPerBatch / 2 {
			if j > 0 {
				body.WriteByte(',')
			}
			token := viberToken(i*eventsPerBatch/2 + j)
			fmt.Fprintf(&body, `{"provider_id":%d,"provider_message_id":"%s","status":"delivered","timestamp":%d},`,
				providerID, token, delivered)
			fmt.Fprintf(&body, `{"provider_id":%d,"provider_message_id":"%s","status":"read","timestamp":%d}`,
				providerID, token, delivered+60_000)
		}
		body.WriteByte(']')
		header := http.Header{}
		header.Set("Content-Type", "application/json")
		header.Set("Authorization", "Bearer "+apiKey)
		posts[i] = preparedPost{url: url, body: body.Bytes(), header: header}
	}
	return posts
}

// postConcurrently sends every post once from clients keep-alive clients,
// timing only the sending, and reports requests/s and, when each request
// carries eventsPerRequest > 1 events, events/s. Every response must be 200.
func postConcurrently(b *testing.B, posts []preparedPost, clients, eventsPerRequest int) {
	b.Helper()
	transport := newTransport(clients)
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}

	var (
		next     atomic.Int64
		failures atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	b.ResetTimer()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(posts) {
					return
				}
				if err := sendPost(client, &posts[i]); err != nil {
					failures.Add(1)
					errOnce.Do(func() { firstErr = err })
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()

	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed; first: %v", n, len(posts), firstErr)
	}
	seconds := b.Elapsed().Seconds()
	b.ReportMetric(float64(len(posts))/seconds, "requests/s")
	if eventsPerRequest > 1 {
		b.ReportMetric(float64(len(posts)*eventsPerRequest)/seconds, "events/s")
	}
}

// sendPost sends one prepared request and requires a 200.
func sendPost(client *http.Client, p *preparedPost) error {
	req, err := http.NewRequest(http.MethodPost, p.url, bytes.NewReader(p.body))
	if err != nil {
		return err
	}
	req.Header = p.header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("POST %s: status %d: %s", p.url, resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
