package ingest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

// benchBatch is the number of events per ingested batch, the size of one
// Infobip delivery-report batch or one canonical API call.
const benchBatch = 1000

// benchFixture is an account with one campaign through one provider.
type benchFixture struct {
	db         *store.DB
	w          *ingest.Writer
	accountID  int64
	providerID int64
	campaignID int64
}

func newBenchFixture(b *testing.B, engine string) *benchFixture {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, engine)
	f := &benchFixture{db: db}

	account := &domain.Account{Name: "bench", TimeZone: "UTC", DefaultCountry: "UA"}
	must(b, db.CreateAccount(ctx, account))
	f.accountID = account.ID

	conn := &domain.ProviderConnection{AccountID: account.ID, Kind: "sandbox", Name: "bench", Secret: "s"}
	must(b, db.CreateProviderConnection(ctx, conn))
	f.providerID = conn.ID

	msg := &domain.Message{AccountID: account.ID, Name: "bench", Content: domain.Content{Text: "hi"}, TTL: 24 * time.Hour}
	must(b, db.CreateMessage(ctx, msg))
	campaign := &domain.Campaign{AccountID: account.ID, Name: "bench", MessageID: msg.ID, ProviderID: conn.ID, TTL: 24 * time.Hour}
	must(b, db.CreateCampaign(ctx, campaign))
	f.campaignID = campaign.ID

	f.w = ingest.NewWriter(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	b.Cleanup(f.w.Close)
	return f
}

// register adds n sent deliveries with provider message ids prefix-0 ... prefix-(n-1).
func (f *benchFixture) register(b *testing.B, prefix string, n int, sentAt time.Time) {
	b.Helper()
	languages := []string{"uk", "en", "ru", ""}
	for start := 0; start < n; start += 5000 {
		reg := &ingest.Registration{AccountID: f.accountID, CampaignID: f.campaignID, ProviderID: f.providerID, TTL: 24 * time.Hour}
		for i := start; i < min(start+5000, n); i++ {
			reg.Deliveries = append(reg.Deliveries, ingest.NewDelivery{
				Contact:           store.ContactRef{Phone: fmt.Sprintf("+38067%07d", i)},
				Language:          languages[i%len(languages)],
				ProviderMessageID: prefix + "-" + strconv.Itoa(i),
				SentAt:            sentAt,
			})
		}
		if _, err := f.w.Register(context.Background(), reg); err != nil {
			b.Fatal(err)
		}
	}
}

// events returns delivered and read events for n deliveries, in batches.
func benchEvents(prefix string, n int, sentAt time.Time) [][]ingest.Item {
	var batches [][]ingest.Item
	var cur []ingest.Item
	for i := 0; i < n; i++ {
		id := prefix + "-" + strconv.Itoa(i)
		at := sentAt.Add(time.Duration(i%3600) * time.Second)
		cur = append(cur,
			ingest.Item{Event: domain.Event{ProviderMessageID: id, Kind: domain.EventDelivered, OccurredAt: at}},
			ingest.Item{Event: domain.Event{ProviderMessageID: id, Kind: domain.EventRead, OccurredAt: at.Add(time.Minute)}},
		)
		if len(cur) >= benchBatch {
			batches = append(batches, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// BenchmarkIngestBatched measures events per second through the writer:
// dedupe, state machine, event history and rollups, in batches of 1,000.
// BenchmarkRawInsert inserts the same rows with no key, state or rollup,
// through the same driver in the same batch size: the baseline.
func BenchmarkIngestBatched(b *testing.B) {
	const deliveries = 10000
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			f := newBenchFixture(b, engine)
			sentAt := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
			events := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				prefix := "b" + strconv.Itoa(i)
				f.register(b, prefix, deliveries, sentAt)
				batches := benchEvents(prefix, deliveries, sentAt)
				b.StartTimer()

				for _, items := range batches {
					for j := range items {
						items[j].ProviderID = f.providerID
					}
					_, err := f.w.Ingest(context.Background(), &ingest.Batch{
						AccountID: f.accountID, ProviderID: f.providerID, Kind: "sandbox",
						ReceivedAt: time.Now(), Events: items,
					})
					if err != nil {
						b.Fatal(err)
					}
					events += len(items)
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func BenchmarkRawInsert(b *testing.B) {
	// The baseline stores every column the event history stores, with no
	// index, no dedupe, no state and no rollup.
	const deliveries, rawColumns = 10000, 16
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			f := newBenchFixture(b, engine)
			ctx := context.Background()
			must(b, f.db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `CREATE TABLE bench_raw_events (account_id BIGINT, provider_id BIGINT,
					callback_id BIGINT, dedupe_key TEXT, provider_message_id TEXT, delivery_id BIGINT, parked BIGINT,
					kind TEXT, occurred_at BIGINT, received_at BIGINT, reason TEXT, reason_detail TEXT, link TEXT,
					device_os TEXT, viber_user_id TEXT, phone TEXT)`)
				return err
			}))
			sentAt := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
			events := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				batches := benchEvents("r"+strconv.Itoa(i), deliveries, sentAt)
				b.StartTimer()

				for _, items := range batches {
					args := make([]any, 0, len(items)*rawColumns)
					for j, it := range items {
						r := store.EventRecord{AccountID: f.accountID, ProviderID: f.providerID, Event: it.Event}
						args = append(args, f.accountID, f.providerID, nil, r.DedupeKey(), it.ProviderMessageID,
							int64(j+1), 0, string(it.Kind), it.OccurredAt.UnixMilli(), time.Now().UnixMilli(),
							"", "", "", "", "", "")
					}
					err := f.db.InTx(ctx, func(tx *store.Tx) error {
						for start := 0; start < len(items); start += 500 {
							n := min(500, len(items)-start)
							if _, err := tx.ExecContext(ctx, `INSERT INTO bench_raw_events VALUES `+
								store.Placeholders(n, rawColumns), args[start*rawColumns:(start+n)*rawColumns]...); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
					events += len(items)
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkReport measures building a report for campaigns of 1,000 and
// 1,000,000 deliveries, each with delivered and read events applied.
func BenchmarkReport(b *testing.B) {
	for _, engine := range storetest.Engines() {
		for _, size := range []int{1000, 1000000} {
			b.Run(fmt.Sprintf("%s/%d", engine, size), func(b *testing.B) {
				f := newBenchFixture(b, engine)
				sentAt := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
				f.register(b, "p", size, sentAt)
				for _, items := range benchEvents("p", size, sentAt) {
					for j := range items {
						items[j].ProviderID = f.providerID
					}
					if _, err := f.w.Ingest(context.Background(), &ingest.Batch{
						AccountID: f.accountID, ProviderID: f.providerID, ReceivedAt: time.Now(), Events: items,
					}); err != nil {
						b.Fatal(err)
					}
				}

				// b.Loop runs this function once, so the setup above is
				// not repeated for every b.N, and times only the loop.
				for b.Loop() {
					r, err := report.Build(context.Background(), f.db, f.accountID, f.campaignID)
					if err != nil {
						b.Fatal(err)
					}
					if r.Metrics.Read != int64(size) {
						b.Fatalf("read = %d, want %d", r.Metrics.Read, size)
					}
				}
			})
		}
	}
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
