package report_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

// campaignFixture is an account in a time zone with one campaign whose
// counters the test writes directly.
type campaignFixture struct {
	t          *testing.T
	db         *store.DB
	account    *domain.Account
	providerID int64
	messageID  int64
	campaign   *domain.Campaign
}

func newCampaignFixture(t *testing.T, db *store.DB, timeZone string, started time.Time) *campaignFixture {
	t.Helper()
	ctx := context.Background()
	a := &domain.Account{Name: "Shop", TimeZone: timeZone, DefaultCountry: "UA"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	p := &domain.ProviderConnection{AccountID: a.ID, Kind: "sandbox", Name: "sandbox", Secret: "secret"}
	if err := db.CreateProviderConnection(ctx, p); err != nil {
		t.Fatalf("CreateProviderConnection: %v", err)
	}
	m := &domain.Message{AccountID: a.ID, Name: "Sale", Content: domain.Content{Text: "Hello"}, TTL: time.Hour}
	if err := db.CreateMessage(ctx, m); err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	f := &campaignFixture{t: t, db: db, account: a, providerID: p.ID, messageID: m.ID}
	f.campaign = f.newCampaign("Sale", started, 0)
	return f
}

func (f *campaignFixture) newCampaign(name string, started time.Time, segmentID int64) *domain.Campaign {
	f.t.Helper()
	c := &domain.Campaign{AccountID: f.account.ID, Name: name, MessageID: f.messageID, ProviderID: f.providerID,
		SegmentID: segmentID, TTL: time.Hour, StartedAt: started}
	if err := f.db.CreateCampaign(context.Background(), c); err != nil {
		f.t.Fatalf("CreateCampaign: %v", err)
	}
	return c
}

// add writes counter values of campaign c.
func (f *campaignFixture) add(c *domain.Campaign, changes map[domain.CounterKey]int64) {
	f.t.Helper()
	err := f.db.InTx(context.Background(), func(tx *store.Tx) error {
		return tx.AddCounters(context.Background(), []store.CounterDelta{{AccountID: f.account.ID, CampaignID: c.ID, Changes: changes}})
	})
	if err != nil {
		f.t.Fatalf("AddCounters: %v", err)
	}
}

// at returns the bucket counter of metric at the UTC time text.
func at(metric domain.Metric, utc string) domain.CounterKey {
	t, err := time.Parse(time.RFC3339, utc)
	if err != nil {
		panic(err)
	}
	return domain.CounterKey{Dimension: domain.DimensionBucket, Key: domain.BucketKey(t), Metric: metric}
}

func all(metric domain.Metric) domain.CounterKey {
	return domain.CounterKey{Dimension: domain.DimensionAll, Metric: metric}
}

func (f *campaignFixture) breakdown(by string) *report.BreakdownTable {
	f.t.Helper()
	table, err := report.Breakdown(context.Background(), f.db, f.account, f.campaign.ID, by)
	if err != nil {
		f.t.Fatalf("Breakdown(%s): %v", by, err)
	}
	return table
}

// rowSummary renders rows as "key label metric=n ..." lines with the
// table's metrics in order, for exact comparison.
func rowSummary(table *report.BreakdownTable) string {
	var b strings.Builder
	for _, row := range table.Rows {
		fmt.Fprintf(&b, "%s|%s", row.Key, row.Label)
		for _, m := range table.Metrics {
			fmt.Fprintf(&b, " %s=%d", m, row.Counts[m])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func checkRows(t *testing.T, table *report.BreakdownTable, want string) {
	t.Helper()
	want = strings.TrimLeft(want, "\n")
	if got := rowSummary(table); got != want {
		t.Errorf("%s rows:\n%s\nwant:\n%s", table.By, got, want)
	}
}

func TestBreakdownByDayKyivAutumnChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCampaignFixture(t, db, "Europe/Kyiv", time.Date(2026, 10, 24, 20, 0, 0, 0, time.UTC))
		// Clocks in Kyiv go back from 04:00 EEST to 03:00 EET at
		// 2026-10-25T01:00:00Z, so 2026-10-25 lasts 25 hours, from
		// 2026-10-24T21:00Z to 2026-10-25T22:00Z.
		f.add(f.campaign, map[domain.CounterKey]int64{
			at(domain.MetricDelivered, "2026-10-24T20:45:00Z"):   1, // 23:45 EEST on the 24th
			at(domain.MetricDelivered, "2026-10-24T21:00:00Z"):   2, // 00:00 EEST on the 25th
			at(domain.MetricRead, "2026-10-25T00:15:00Z"):        3, // 03:15 EEST
			at(domain.MetricRead, "2026-10-25T01:15:00Z"):        4, // 03:15 EET, the repeated hour
			at(domain.MetricClicked, "2026-10-25T21:45:00Z"):     5, // 23:45 EET on the 25th
			at(domain.MetricSent, "2026-10-25T22:00:00Z"):        6, // 00:00 EET on the 26th
			at(domain.MetricUndelivered, "2026-10-25T22:00:00Z"): 0,
		})

		days := f.breakdown(report.ByDay)
		if days.TimeZone != "Europe/Kyiv" {
			t.Errorf("TimeZone = %q", days.TimeZone)
		}
		checkRows(t, days, `
2026-10-24|2026-10-24 sent=0 delivered=1 read=0 clicked=0 undelivered=0
2026-10-25|2026-10-25 sent=0 delivered=2 read=7 clicked=5 undelivered=0
2026-10-26|2026-10-26 sent=6 delivered=0 read=0 clicked=0 undelivered=0
`)
		if len(days.Rows) == 3 {
			if got := days.Rows[2].Start.Sub(*days.Rows[1].Start); got != 25*time.Hour {
				t.Errorf("2026-10-25 lasts %v, want 25h", got)
			}
			if got := days.Rows[1].Start.UTC().Format(time.RFC3339); got != "2026-10-24T21:00:00Z" {
				t.Errorf("2026-10-25 starts at %s, want 2026-10-24T21:00:00Z", got)
			}
		}

		hours := f.breakdown(report.ByHour)
		checkRows(t, hours, `
2026-10-24T23:00:00+03:00|2026-10-24 23:00 EEST sent=0 delivered=1 read=0 clicked=0 undelivered=0
2026-10-25T00:00:00+03:00|2026-10-25 00:00 EEST sent=0 delivered=2 read=0 clicked=0 undelivered=0
2026-10-25T03:00:00+03:00|2026-10-25 03:00 EEST sent=0 delivered=0 read=3 clicked=0 undelivered=0
2026-10-25T03:00:00+02:00|2026-10-25 03:00 EET sent=0 delivered=0 read=4 clicked=0 undelivered=0
2026-10-25T23:00:00+02:00|2026-10-25 23:00 EET sent=0 delivered=0 read=0 clicked=5 undelivered=0
2026-10-26T00:00:00+02:00|2026-10-26 00:00 EET sent=6 delivered=0 read=0 clicked=0 undelivered=0
`)
		for _, row := range hours.Rows {
			if len(row.Rates) != 0 {
				t.Errorf("hour %s has rates %v, want none", row.Key, row.Rates)
			}
		}
	})
}

func TestBreakdownByHourHalfHourZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCampaignFixture(t, db, "Asia/Kolkata", time.Date(2025, 3, 1, 17, 0, 0, 0, time.UTC))
		// India is UTC+05:30 all year.
		f.add(f.campaign, map[domain.CounterKey]int64{
			at(domain.MetricDelivered, "2025-03-01T17:15:00Z"): 1, // 22:45 IST
			at(domain.MetricDelivered, "2025-03-01T17:30:00Z"): 2, // 23:00 IST
			at(domain.MetricDelivered, "2025-03-01T18:15:00Z"): 3, // 23:45 IST
			at(domain.MetricRead, "2025-03-01T18:30:00Z"):      4, // 00:00 IST on the 2nd
		})

		checkRows(t, f.breakdown(report.ByHour), `
2025-03-01T22:00:00+05:30|2025-03-01 22:00 IST sent=0 delivered=1 read=0 clicked=0 undelivered=0
2025-03-01T23:00:00+05:30|2025-03-01 23:00 IST sent=0 delivered=5 read=0 clicked=0 undelivered=0
2025-03-02T00:00:00+05:30|2025-03-02 00:00 IST sent=0 delivered=0 read=4 clicked=0 undelivered=0
`)
		checkRows(t, f.breakdown(report.ByDay), `
2025-03-01|2025-03-01 sent=0 delivered=6 read=0 clicked=0 undelivered=0
2025-03-02|2025-03-02 sent=0 delivered=0 read=4 clicked=0 undelivered=0
`)
	})
}

func TestBreakdownByContactDimensions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newCampaignFixture(t, db, "UTC", time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
		language := func(key string, m domain.Metric) domain.CounterKey {
			return domain.CounterKey{Dimension: domain.DimensionLanguage, Key: key, Metric: m}
		}
		link := func(url string, m domain.Metric) domain.CounterKey {
			return domain.CounterKey{Dimension: domain.DimensionLink, Key: url, Metric: m}
		}
		os := func(name string) domain.CounterKey {
			return domain.CounterKey{Dimension: domain.DimensionOS, Key: name, Metric: domain.MetricClicked}
		}
		f.add(f.campaign, map[domain.CounterKey]int64{
			all(domain.MetricAudience): 10, all(domain.MetricSent): 8, all(domain.MetricDelivered): 6,
			all(domain.MetricRead): 4, all(domain.MetricClicked): 2, all(domain.MetricClicksTotal): 5,
			all(domain.MetricUndelivered): 2, all(domain.UndeliveredMetric(domain.ReasonBlocked)): 1,
			all(domain.UndeliveredMetric(domain.ReasonExpired)): 1, all(domain.MetricExpired): 1,

			language("uk", domain.MetricAudience): 6, language("uk", domain.MetricSent): 5,
			language("uk", domain.MetricDelivered): 4, language("uk", domain.MetricRead): 2,
			language("uk", domain.MetricClicked): 1, language("uk", domain.MetricClicksTotal): 3,
			language("", domain.MetricAudience): 4, language("", domain.MetricSent): 3,
			language("", domain.MetricDelivered): 2, language("", domain.MetricRead): 2,
			language("", domain.MetricClicked): 1, language("", domain.MetricClicksTotal): 2,
			language("en", domain.MetricAudience): 0,

			link("https://shop.example/a", domain.MetricClicked): 2, link("https://shop.example/a", domain.MetricClicksTotal): 3,
			link("https://shop.example/b", domain.MetricClicked): 1, link("https://shop.example/b", domain.MetricClicksTotal): 2,

			os("android"): 1, os(""): 1,
		})

		languages := f.breakdown(report.ByLanguage)
		checkRows(t, languages, `
uk|uk audience=6 sent=5 delivered=4 read=2 clicked=1 clicks_total=3 undelivered=0 expired=0 unsubscribed=0 pending=0
|unknown audience=4 sent=3 delivered=2 read=2 clicked=1 clicks_total=2 undelivered=0 expired=0 unsubscribed=0 pending=0
`)
		if got := languages.Rows[0].Rates["ctr"]; got.Numerator != 1 || got.Denominator != 4 || got.Value != 0.25 {
			t.Errorf("uk ctr = %+v, want 1/4", got)
		}

		checkRows(t, f.breakdown(report.BySegment), `
|no segment audience=10 sent=8 delivered=6 read=4 clicked=2 clicks_total=5 undelivered=2 expired=1 unsubscribed=0 pending=0
`)

		links := f.breakdown(report.ByLink)
		checkRows(t, links, `
https://shop.example/a|https://shop.example/a clicked=2 clicks_total=3
https://shop.example/b|https://shop.example/b clicked=1 clicks_total=2
`)
		if got := links.Rows[1].Rates["ctr"]; got.Numerator != 1 || got.Denominator != 6 {
			t.Errorf("link b ctr = %+v, want 1/6", got)
		}

		reasons := f.breakdown(report.ByReason)
		checkRows(t, reasons, `
not_viber_user|not_viber_user undelivered=0
blocked|blocked undelivered=1
no_device|no_device undelivered=0
expired|expired undelivered=1
rejected|rejected undelivered=0
provider_error|provider_error undelivered=0
no_balance|no_balance undelivered=0
`)
		if got := reasons.Rows[1].Rates["sent"]; got.Numerator != 1 || got.Denominator != 8 || got.Value != 0.125 {
			t.Errorf("blocked rate = %+v, want 1/8", got)
		}

		checkRows(t, f.breakdown(report.ByOS), `
|unknown clicked=1
android|android clicked=1
`)

		segment := &domain.Segment{AccountID: f.account.ID, Name: "Kyiv buyers"}
		if err := db.CreateSegment(ctx, segment); err != nil {
			t.Fatalf("CreateSegment: %v", err)
		}
		f.campaign = f.newCampaign("Segmented", time.Time{}, segment.ID)
		checkRows(t, f.breakdown(report.BySegment), fmt.Sprintf(`
%d|Kyiv buyers audience=0 sent=0 delivered=0 read=0 clicked=0 clicks_total=0 undelivered=0 expired=0 unsubscribed=0 pending=0
`, segment.ID))
	})
}

func TestBreakdownRejectsUnknownDimension(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCampaignFixture(t, db, "UTC", time.Time{})
		_, err := report.Breakdown(context.Background(), db, f.account, f.campaign.ID, "week")
		if !report.IsInputError(err) {
			t.Fatalf("Breakdown(week): %v, want an input error", err)
		}
		want := `invalid breakdown "week": use one of language, segment, day, hour, link, reason, os`
		if err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}

		other := newCampaignFixture(t, db, "UTC", time.Time{})
		_, err = report.Breakdown(context.Background(), db, other.account, f.campaign.ID, report.ByDay)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Breakdown of another account's campaign: %v, want not found", err)
		}
	})
}
