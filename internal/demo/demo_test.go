package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/vibereport/vibereport/internal/cli"
	"github.com/vibereport/vibereport/internal/demo"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

// startApp runs the whole service on a loopback port, as the demo command
// does, and stops it when the test ends.
func startApp(t *testing.T, dsn string) (*cli.App, string) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	baseURL := "http://" + listener.Addr().String()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	app, err := cli.NewApp(context.Background(), cli.Options{DSN: dsn, PublicURL: baseURL, Log: log, Sandbox: true, SandboxSeed: 1})
	if err != nil {
		listener.Close()
		t.Fatalf("NewApp: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Serve(listener) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return app, baseURL
}

func runDemo(t *testing.T, engine string, contacts int) (*cli.App, *demo.Result) {
	t.Helper()
	dsn := storetest.DSN(t, engine)
	app, baseURL := startApp(t, dsn)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	result, err := demo.Run(ctx, demo.Config{
		BaseURL: baseURL,
		DB:      app.DB,
		Sandbox: app.Sandbox,
		CreateAccount: func(ctx context.Context, account *domain.Account) (string, error) {
			created, err := cli.CreateAccount(ctx, app.DB, account)
			return created.APIKey, err
		},
		Contacts: contacts,
		// A day of simulated activity in under a second.
		TimeScale: 100_000,
		Seed:      1,
		Log:       app.Log,
	})
	if err != nil {
		t.Fatalf("demo.Run: %v", err)
	}
	return app, result
}

func TestDemoReportsMatchContactLists(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			app, result := runDemo(t, engine, 300)

			if len(result.Campaigns) < 4 {
				t.Fatalf("campaigns: got %d, want at least 4", len(result.Campaigns))
			}
			checkCallbacksArrived(t, app, result)

			var totals report.Metrics
			for _, c := range result.Campaigns {
				t.Run(fmt.Sprintf("campaign %d", c.ID), func(t *testing.T) {
					for metric, want := range metricCounts(&c.Report) {
						got := countContacts(t, result, c.ID, metric)
						if got != want {
							t.Errorf("%s: report says %d, contact list has %d", metric, want, got)
						}
					}
					if c.Report.Metrics.Pending != 0 {
						t.Errorf("pending: got %d, want 0 once every callback arrived and TTLs ran out", c.Report.Metrics.Pending)
					}
				})
				addMetrics(&totals, c.Report.Metrics)
			}

			// The demo shows every kind of figure somewhere.
			for name, n := range map[string]int64{
				"sent": totals.Sent, "delivered": totals.Delivered, "read": totals.Read, "clicked": totals.Clicked,
				"undelivered": totals.Undelivered, "expired": totals.Expired,
				"not_sent.inaccessible": totals.NotSent.Inaccessible, "not_sent.duplicate": totals.NotSent.Duplicate,
				"not_sent.annoyance_limit": totals.NotSent.AnnoyanceLimit, "not_sent.over_plan_limit": totals.NotSent.OverPlanLimit,
			} {
				if n == 0 {
					t.Errorf("%s: 0 across all campaigns, want some", name)
				}
			}
		})
	}
}

func TestDemoRunsTwiceOnOneDatabase(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	app, baseURL := startApp(t, dsn)
	var accounts []int64
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		result, err := demo.Run(ctx, demo.Config{
			BaseURL: baseURL,
			DB:      app.DB,
			Sandbox: app.Sandbox,
			CreateAccount: func(ctx context.Context, account *domain.Account) (string, error) {
				created, err := cli.CreateAccount(ctx, app.DB, account)
				return created.APIKey, err
			},
			Contacts:  50,
			TimeScale: 100_000,
			Seed:      1,
			Log:       app.Log,
		})
		cancel()
		if err != nil {
			t.Fatalf("demo.Run: %v", err)
		}
		accounts = append(accounts, result.AccountID)
	}
	if accounts[0] == accounts[1] {
		t.Errorf("both runs used account %d, want a fresh account each time", accounts[0])
	}
}

// checkCallbacksArrived checks that the events came as signed HTTP
// callbacks to the sandbox webhook and that none was rejected.
func checkCallbacksArrived(t *testing.T, app *cli.App, result *demo.Result) {
	t.Helper()
	if result.Callbacks.Requests == 0 || result.Callbacks.Events == 0 {
		t.Fatalf("sandbox posted %d requests with %d events, want some", result.Callbacks.Requests, result.Callbacks.Events)
	}
	var received dto.Metric
	if err := app.Metrics.CallbacksReceived.WithLabelValues("sandbox").Write(&received); err != nil {
		t.Fatalf("read callbacks received: %v", err)
	}
	if got := int64(received.GetCounter().GetValue()); got < result.Callbacks.Requests {
		t.Errorf("webhook received %d sandbox callbacks, want at least the %d the sandbox posted", got, result.Callbacks.Requests)
	}
	if rejected := rejectedCallbacks(t, app); rejected != 0 {
		t.Errorf("webhook rejected %v callbacks, want none", rejected)
	}
	if result.Callbacks.FailedPosts != 0 {
		t.Errorf("sandbox posts that failed: got %d, want 0", result.Callbacks.FailedPosts)
	}
}

// rejectedCallbacks sums the rejected-callback counter over all labels.
func rejectedCallbacks(t *testing.T, app *cli.App) float64 {
	t.Helper()
	families, err := app.Metrics.Registry.Gather()
	if err != nil {
		t.Fatalf("gather metrics: %v", err)
	}
	var sum float64
	for _, family := range families {
		if family.GetName() != "vibereport_callbacks_rejected_total" {
			continue
		}
		for _, m := range family.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// metricCounts returns every metric's count as the report states it.
func metricCounts(r *report.Report) map[domain.Metric]int64 {
	m := r.Metrics
	counts := map[domain.Metric]int64{
		domain.MetricAudience:     m.Audience,
		domain.MetricSent:         m.Sent,
		domain.MetricDelivered:    m.Delivered,
		domain.MetricRead:         m.Read,
		domain.MetricClicked:      m.Clicked,
		domain.MetricUndelivered:  m.Undelivered,
		domain.MetricExpired:      m.Expired,
		domain.MetricUnsubscribed: m.Unsubscribed,
		domain.MetricPending:      m.Pending,
		domain.MetricNotSent:      m.NotSent.Total(),

		domain.NotSentMetric(domain.NotSentInaccessible):   m.NotSent.Inaccessible,
		domain.NotSentMetric(domain.NotSentOverPlanLimit):  m.NotSent.OverPlanLimit,
		domain.NotSentMetric(domain.NotSentAnnoyanceLimit): m.NotSent.AnnoyanceLimit,
		domain.NotSentMetric(domain.NotSentDuplicate):      m.NotSent.Duplicate,
	}
	for _, reason := range domain.FailureReasons {
		counts[domain.UndeliveredMetric(reason)] = r.UndeliveredReasons[string(reason)]
	}
	return counts
}

// countContacts pages through a metric's contact list over HTTP.
func countContacts(t *testing.T, result *demo.Result, campaignID int64, metric domain.Metric) int64 {
	t.Helper()
	var total int64
	cursor := ""
	for {
		query := url.Values{"metric": {string(metric)}, "limit": {"1000"}}
		if cursor != "" {
			query.Set("cursor", cursor)
		}
		endpoint := fmt.Sprintf("%s/api/v1/campaigns/%d/contacts?%s", result.BaseURL, campaignID, query.Encode())
		req, _ := http.NewRequest(http.MethodGet, endpoint, nil)
		req.Header.Set("Authorization", "Bearer "+result.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", endpoint, err)
		}
		var page struct {
			Contacts   []json.RawMessage `json:"contacts"`
			NextCursor *string           `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("GET %s: status %d, decode error %v", endpoint, resp.StatusCode, err)
		}
		total += int64(len(page.Contacts))
		if page.NextCursor == nil {
			return total
		}
		cursor = *page.NextCursor
	}
}

func addMetrics(sum *report.Metrics, m report.Metrics) {
	sum.Sent += m.Sent
	sum.Delivered += m.Delivered
	sum.Read += m.Read
	sum.Clicked += m.Clicked
	sum.Undelivered += m.Undelivered
	sum.Expired += m.Expired
	sum.NotSent.Inaccessible += m.NotSent.Inaccessible
	sum.NotSent.Duplicate += m.NotSent.Duplicate
	sum.NotSent.AnnoyanceLimit += m.NotSent.AnnoyanceLimit
	sum.NotSent.OverPlanLimit += m.NotSent.OverPlanLimit
}

func TestResultPrintShowsCommands(t *testing.T) {
	r := &demo.Result{
		BaseURL:   "http://127.0.0.1:8080",
		AccountID: 4,
		APIKey:    "vr_example",
		Campaigns: []demo.CampaignResult{{ID: 9, Name: "Spring sale"}},
	}
	var out strings.Builder
	r.Print(&out)
	for _, want := range []string{
		"Account id:  4",
		"vr_example",
		"curl -H 'Authorization: Bearer vr_example' http://127.0.0.1:8080/api/v1/campaigns/9/report",
		"contacts?metric=clicked",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
