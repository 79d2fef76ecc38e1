package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/telemetry"
)

// base is the send time of registered deliveries unless a test sets
// another. Times are whole seconds because the store keeps milliseconds.
var base = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// ttl is the campaign's time to live.
const ttl = 60 * time.Second

const link = "https://shop.example/sale"

// fixture is an account with one campaign through one provider connection
// and a running writer.
type fixture struct {
	t       *testing.T
	db      *store.DB
	w       *ingest.Writer
	metrics *telemetry.Metrics

	accountID  int64
	providerID int64
	campaignID int64
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, db: db, metrics: telemetry.New()}

	account := &domain.Account{Name: "Shop", TimeZone: "UTC", DefaultCountry: "UA"}
	if err := db.CreateAccount(ctx, account); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	f.accountID = account.ID

	conn := &domain.ProviderConnection{AccountID: account.ID, Kind: "sandbox", Name: "sandbox", Secret: "secret"}
	if err := db.CreateProviderConnection(ctx, conn); err != nil {
		t.Fatalf("CreateProviderConnection: %v", err)
	}
	f.providerID = conn.ID

	msg := &domain.Message{AccountID: account.ID, Name: "Sale", Content: domain.Content{Text: "Sale today"}, TTL: ttl}
	if err := db.CreateMessage(ctx, msg); err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	campaign := &domain.Campaign{AccountID: account.ID, Name: "Sale", MessageID: msg.ID, ProviderID: conn.ID, TTL: ttl}
	if err := db.CreateCampaign(ctx, campaign); err != nil {
		t.Fatalf("CreateCampaign: %v", err)
	}
	f.campaignID = campaign.ID

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.w = ingest.NewWriter(db, log, f.metrics)
	// Registered after storetest's cleanup, so the writer stops before the
	// store closes.
	t.Cleanup(f.w.Close)
	return f
}

// phone returns a distinct E.164 number for n.
func phone(n int) string { return fmt.Sprintf("+38050%07d", n) }

// sent returns a delivery of message id sent at base to the contact phone(n).
func sent(n int, messageID string) ingest.NewDelivery {
	return ingest.NewDelivery{
		Contact:           store.ContactRef{Phone: phone(n)},
		ProviderMessageID: messageID,
		SentAt:            base,
	}
}

func (f *fixture) registration(deliveries ...ingest.NewDelivery) *ingest.Registration {
	return &ingest.Registration{
		AccountID:  f.accountID,
		CampaignID: f.campaignID,
		ProviderID: f.providerID,
		TTL:        ttl,
		Deliveries: deliveries,
	}
}

// register registers deliveries and fails the test on error.
func (f *fixture) register(deliveries ...ingest.NewDelivery) []ingest.Registered {
	f.t.Helper()
	out, err := f.w.Register(context.Background(), f.registration(deliveries...))
	if err != nil {
		f.t.Fatalf("Register(%d deliveries): %v", len(deliveries), err)
	}
	return out
}

// event returns an event for message id at base plus seconds.
func event(kind domain.EventKind, messageID string, seconds int) domain.Event {
	return domain.Event{
		ProviderMessageID: messageID,
		Kind:              kind,
		OccurredAt:        base.Add(time.Duration(seconds) * time.Second),
	}
}

func clickOn(messageID, url string, seconds int) domain.Event {
	e := event(domain.EventClicked, messageID, seconds)
	e.Link = url
	return e
}

func failed(messageID string, reason domain.FailureReason, seconds int) domain.Event {
	e := event(domain.EventFailed, messageID, seconds)
	e.Reason = reason
	return e
}

func (f *fixture) batch(events ...domain.Event) *ingest.Batch {
	b := &ingest.Batch{
		AccountID:  f.accountID,
		ProviderID: f.providerID,
		Kind:       "sandbox",
		ReceivedAt: time.Now().UTC(),
		Body:       []byte(`{"test":true}`),
	}
	for _, e := range events {
		b.Events = append(b.Events, ingest.Item{ProviderID: f.providerID, Event: e})
	}
	return b
}

// ingest ingests events as one callback and fails the test on error.
func (f *fixture) ingest(events ...domain.Event) ingest.Result {
	f.t.Helper()
	res, err := f.w.Ingest(context.Background(), f.batch(events...))
	if err != nil {
		f.t.Fatalf("Ingest(%d events): %v", len(events), err)
	}
	return res
}

func (f *fixture) report() *report.Report {
	f.t.Helper()
	r, err := report.Build(context.Background(), f.db, f.accountID, f.campaignID)
	if err != nil {
		f.t.Fatalf("report.Build: %v", err)
	}
	return r
}

// contacts returns the metric's contact list.
func (f *fixture) contacts(m domain.Metric) []store.MetricContact {
	f.t.Helper()
	var list []store.MetricContact
	q := store.ContactQuery{AccountID: f.accountID, CampaignID: f.campaignID, Metric: m, Limit: 50}
	err := f.db.EachMetricContact(context.Background(), q, func(c *store.MetricContact) error {
		list = append(list, *c)
		return nil
	})
	if err != nil {
		f.t.Fatalf("EachMetricContact(%s): %v", m, err)
	}
	return list
}

// messageIDs returns the sorted provider message ids of the metric's contacts.
func (f *fixture) messageIDs(m domain.Metric) []string {
	f.t.Helper()
	ids := []string{}
	for _, c := range f.contacts(m) {
		ids = append(ids, c.ProviderMessageID)
	}
	slices.Sort(ids)
	return ids
}

// delivery returns the delivery of message id as its audience or not-sent
// contact list shows it.
func (f *fixture) delivery(messageID string) store.MetricContact {
	f.t.Helper()
	for _, m := range []domain.Metric{domain.MetricAudience, domain.MetricNotSent} {
		for _, c := range f.contacts(m) {
			if c.ProviderMessageID == messageID {
				return c
			}
		}
	}
	f.t.Fatalf("no delivery with provider message id %q", messageID)
	return store.MetricContact{}
}

// commits returns how many transactions the writer committed and how many
// requests they held.
func (f *fixture) commits() (transactions, requests uint64) {
	f.t.Helper()
	var m dto.Metric
	if err := f.metrics.CommitBatchSize.Write(&m); err != nil {
		f.t.Fatalf("read commit batch histogram: %v", err)
	}
	return m.GetHistogram().GetSampleCount(), uint64(m.GetHistogram().GetSampleSum())
}

// checkList reports an error unless the metric's contact list is exactly want.
func (f *fixture) checkList(m domain.Metric, want ...string) {
	f.t.Helper()
	if want == nil {
		want = []string{}
	}
	slices.Sort(want)
	if got := f.messageIDs(m); !slices.Equal(got, want) {
		f.t.Errorf("%s contacts = %q, want %q", m, got, want)
	}
}

// checkCount reports an error unless got equals want.
func checkCount(t *testing.T, name string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", name, got, want)
	}
}

// holdCounter starts a transaction that writes the campaign's delivered
// counter and keeps it open until release is called, then rolls it back.
// A writer transaction that moves the same counter waits meanwhile, on
// SQLite for the single write connection and on PostgreSQL for the row.
func (f *fixture) holdCounter() (release func()) {
	f.t.Helper()
	locked := make(chan struct{})
	held := make(chan struct{})
	finished := make(chan error, 1)
	go func() {
		finished <- f.db.InTx(context.Background(), func(tx *store.Tx) error {
			key := domain.CounterKey{Dimension: domain.DimensionAll, Metric: domain.MetricDelivered}
			delta := store.CounterDelta{AccountID: f.accountID, CampaignID: f.campaignID, Changes: map[domain.CounterKey]int64{key: 1}}
			if err := tx.AddCounters(context.Background(), []store.CounterDelta{delta}); err != nil {
				return err
			}
			close(locked)
			<-held
			return errRollback
		})
	}()
	select {
	case <-locked:
	case err := <-finished:
		f.t.Fatalf("hold counter: %v", err)
	}
	return func() {
		close(held)
		if err := <-finished; !errors.Is(err, errRollback) {
			f.t.Errorf("hold counter: %v", err)
		}
	}
}

var errRollback = errors.New("rolled back on purpose")
