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

func (f *campaignFixture) activity() *report.ActivitySeries {
	f.t.Helper()
	series, err := report.Activity(context.Background(), f.db, f.account, f.campaign)
	if err != nil {
		f.t.Fatalf("Activity: %v", err)
	}
	return series
}

// pointSummary renders points as "label delivered/read/clicked" lines.
func pointSummary(series *report.ActivitySeries) string {
	var b strings.Builder
	for _, p := range series.Points {
		fmt.Fprintf(&b, "%s %d/%d/%d\n", p.Label, p.Delivered, p.Read, p.Clicked)
	}
	return b.String()
}

func checkPoints(t *testing.T, series *report.ActivitySeries, step, want string) {
	t.Helper()
	if series.Step != step {
		t.Errorf("Step = %q, want %q", series.Step, step)
	}
	want = strings.TrimLeft(want, "\n")
	if got := pointSummary(series); got != want {
		t.Errorf("points:\n%s\nwant:\n%s", got, want)
	}
}

func TestActivityQuarterHoursHalfHourZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCampaignFixture(t, db, "Asia/Kolkata", time.Date(2025, 3, 1, 18, 5, 0, 0, time.UTC))
		f.add(f.campaign, map[domain.CounterKey]int64{
			at(domain.MetricSent, "2025-03-01T18:00:00Z"):      9,
			at(domain.MetricDelivered, "2025-03-01T18:15:00Z"): 3,
			at(domain.MetricDelivered, "2025-03-01T18:30:00Z"): 2,
			at(domain.MetricRead, "2025-03-01T19:00:00Z"):      1,
		})

		series := f.activity()
		checkPoints(t, series, report.StepQuarterHour, `
2025-03-01 23:30 IST 0/0/0
2025-03-01 23:45 IST 3/0/0
2025-03-02 00:00 IST 2/0/0
2025-03-02 00:15 IST 0/0/0
2025-03-02 00:30 IST 0/1/0
`)
		if series.TimeZone != "Asia/Kolkata" {
			t.Errorf("TimeZone = %q", series.TimeZone)
		}
		if got := series.Points[0].Start.Format(time.RFC3339); got != "2025-03-01T23:30:00+05:30" {
			t.Errorf("first point starts at %s, want 2025-03-01T23:30:00+05:30", got)
		}
	})
}

func TestActivityHoursKyivAutumnChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// 01:00 EEST on 2026-10-25; clocks go back from 04:00 EEST to
		// 03:00 EET two hours later.
		f := newCampaignFixture(t, db, "Europe/Kyiv", time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC))
		f.add(f.campaign, map[domain.CounterKey]int64{
			at(domain.MetricDelivered, "2026-10-24T22:30:00Z"): 4,
			at(domain.MetricRead, "2026-10-25T00:45:00Z"):      2,
			at(domain.MetricRead, "2026-10-25T01:00:00Z"):      1,
			at(domain.MetricClicked, "2026-10-25T04:15:00Z"):   1,
		})

		checkPoints(t, f.activity(), report.StepHour, `
2026-10-25 01:00 EEST 4/0/0
2026-10-25 02:00 EEST 0/0/0
2026-10-25 03:00 EEST 0/2/0
2026-10-25 03:00 EET 0/1/0
2026-10-25 04:00 EET 0/0/0
2026-10-25 05:00 EET 0/0/0
2026-10-25 06:00 EET 0/0/1
`)
	})
}

func TestActivityDaysOverTwoWeeks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCampaignFixture(t, db, "Europe/Kyiv", time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC))
		f.add(f.campaign, map[domain.CounterKey]int64{
			at(domain.MetricDelivered, "2026-10-20T10:00:00Z"): 5,
			at(domain.MetricRead, "2026-10-25T21:45:00Z"):      2, // 23:45 EET on the 25th
			at(domain.MetricClicked, "2026-11-05T10:00:00Z"):   1,
		})

		series := f.activity()
		if series.Step != report.StepDay {
			t.Fatalf("Step = %q, want day", series.Step)
		}
		if len(series.Points) != 17 {
			t.Fatalf("%d points, want 17 days from 2026-10-20 to 2026-11-05", len(series.Points))
		}
		check := func(i int, label string, delivered, read, clicked int64) {
			t.Helper()
			p := series.Points[i]
			if p.Label != label || p.Delivered != delivered || p.Read != read || p.Clicked != clicked {
				t.Errorf("point %d = %s %d/%d/%d, want %s %d/%d/%d", i, p.Label, p.Delivered, p.Read, p.Clicked,
					label, delivered, read, clicked)
			}
		}
		check(0, "2026-10-20", 5, 0, 0)
		check(5, "2026-10-25", 0, 2, 0)
		check(6, "2026-10-26", 0, 0, 0)
		check(16, "2026-11-05", 0, 0, 1)
		if got := series.Points[6].Start.Sub(series.Points[5].Start); got != 25*time.Hour {
			t.Errorf("2026-10-25 lasts %v, want 25h", got)
		}
	})
}

func TestActivityStartsAtFirstSentBucket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCampaignFixture(t, db, "UTC", time.Time{})
		f.add(f.campaign, map[domain.CounterKey]int64{
			at(domain.MetricSent, "2025-03-01T09:15:00Z"):      3,
			at(domain.MetricDelivered, "2025-03-01T09:45:00Z"): 2,
		})
		checkPoints(t, f.activity(), report.StepQuarterHour, `
2025-03-01 09:15 UTC 0/0/0
2025-03-01 09:30 UTC 0/0/0
2025-03-01 09:45 UTC 2/0/0
`)
	})
}

func TestActivityIncludesEventsBeforeStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCampaignFixture(t, db, "UTC", time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
		f.add(f.campaign, map[domain.CounterKey]int64{
			at(domain.MetricDelivered, "2025-03-01T09:45:00Z"): 1,
			at(domain.MetricRead, "2025-03-01T10:00:00Z"):      1,
		})
		checkPoints(t, f.activity(), report.StepQuarterHour, `
2025-03-01 09:45 UTC 1/0/0
2025-03-01 10:00 UTC 0/1/0
`)
	})
}

func TestActivityEmptyCampaign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCampaignFixture(t, db, "UTC", time.Time{})
		series := f.activity()
		if len(series.Points) != 0 {
			t.Errorf("points = %v, want none", series.Points)
		}

		f.campaign = f.newCampaign("Started", time.Date(2025, 3, 1, 10, 7, 0, 0, time.UTC), 0)
		checkPoints(t, f.activity(), report.StepQuarterHour, `
2025-03-01 10:00 UTC 0/0/0
`)
	})
}

func TestCompareCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newCampaignFixture(t, db, "UTC", time.Time{})
		second := f.newCampaign("Second", time.Time{}, 0)
		f.add(f.campaign, map[domain.CounterKey]int64{all(domain.MetricSent): 3, all(domain.MetricDelivered): 2})
		f.add(second, map[domain.CounterKey]int64{all(domain.MetricSent): 5})

		reports, err := report.Compare(ctx, db, f.account.ID, []int64{second.ID, f.campaign.ID})
		if err != nil {
			t.Fatalf("Compare: %v", err)
		}
		if len(reports) != 2 {
			t.Fatalf("%d reports, want 2", len(reports))
		}
		if reports[0].CampaignID != second.ID || reports[0].Metrics.Sent != 5 {
			t.Errorf("first report = campaign %d sent %d, want campaign %d sent 5", reports[0].CampaignID, reports[0].Metrics.Sent, second.ID)
		}
		if reports[1].CampaignID != f.campaign.ID || reports[1].Metrics.Delivered != 2 {
			t.Errorf("second report = campaign %d delivered %d, want campaign %d delivered 2",
				reports[1].CampaignID, reports[1].Metrics.Delivered, f.campaign.ID)
		}

		for _, ids := range [][]int64{{f.campaign.ID}, {1, 2, 3, 4, 5}, {second.ID, second.ID}} {
			if _, err := report.Compare(ctx, db, f.account.ID, ids); !report.IsInputError(err) {
				t.Errorf("Compare(%v): %v, want an input error", ids, err)
			}
		}

		other := newCampaignFixture(t, db, "UTC", time.Time{})
		_, err = report.Compare(ctx, db, f.account.ID, []int64{f.campaign.ID, other.campaign.ID})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Compare with another account's campaign: %v, want not found", err)
		}
	})
}
