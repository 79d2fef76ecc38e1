package report_test

import (
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/report"
)

func TestPeriodRangeInAccountZone(t *testing.T) {
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		t.Fatalf("load Europe/Kyiv: %v", err)
	}
	// 23:30 UTC on 31 March is already 1 April in Kyiv (UTC+03:00).
	now := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	cases := []struct{ period, from, to string }{
		{"today", "2026-04-01T00:00:00+03:00", "2026-04-02T00:00:00+03:00"},
		{"yesterday", "2026-03-31T00:00:00+03:00", "2026-04-01T00:00:00+03:00"},
		{"last_7_days", "2026-03-26T00:00:00+02:00", "2026-04-02T00:00:00+03:00"},
		{"last_30_days", "2026-03-03T00:00:00+02:00", "2026-04-02T00:00:00+03:00"},
		{"this_month", "2026-04-01T00:00:00+03:00", "2026-05-01T00:00:00+03:00"},
		{"last_month", "2026-03-01T00:00:00+02:00", "2026-04-01T00:00:00+03:00"},
	}
	for _, c := range cases {
		from, to, err := report.PeriodRange(c.period, now, kyiv)
		if err != nil {
			t.Errorf("%s: %v", c.period, err)
			continue
		}
		if got := from.Format(time.RFC3339); got != c.from {
			t.Errorf("%s: from %s, want %s", c.period, got, c.from)
		}
		if got := to.Format(time.RFC3339); got != c.to {
			t.Errorf("%s: to %s, want %s", c.period, got, c.to)
		}
	}

	if _, _, err := report.PeriodRange("last_week", now, kyiv); !report.IsInputError(err) {
		t.Errorf("last_week: %v, want an input error", err)
	}
}

func TestParseRangeBoundDates(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatalf("load Asia/Kolkata: %v", err)
	}
	from, err := report.ParseRangeBound("2025-03-01", "from", false, kolkata)
	if err != nil || from.UTC().Format(time.RFC3339) != "2025-02-28T18:30:00Z" {
		t.Errorf("from date = %v, %v; want 2025-02-28T18:30:00Z", from.UTC(), err)
	}
	to, err := report.ParseRangeBound("2025-03-01", "to", true, kolkata)
	if err != nil || to.UTC().Format(time.RFC3339) != "2025-03-01T18:30:00Z" {
		t.Errorf("to date = %v, %v; want the next midnight 2025-03-01T18:30:00Z", to.UTC(), err)
	}
	exact, err := report.ParseRangeBound("2025-03-01T10:00:00Z", "to", true, kolkata)
	if err != nil || !exact.Equal(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339 bound = %v, %v", exact, err)
	}
	if _, err := report.ParseRangeBound("01.03.2025", "from", false, kolkata); !report.IsInputError(err) {
		t.Errorf("01.03.2025: %v, want an input error", err)
	}
}
