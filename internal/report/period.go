package report

import (
	"fmt"
	"strings"
	"time"
)

// Period presets of the report list, each cut in the account's time zone.
const (
	PeriodToday      = "today"
	PeriodYesterday  = "yesterday"
	PeriodLast7Days  = "last_7_days"
	PeriodLast30Days = "last_30_days"
	PeriodThisMonth  = "this_month"
	PeriodLastMonth  = "last_month"
)

// Periods lists every preset.
var Periods = []string{PeriodToday, PeriodYesterday, PeriodLast7Days, PeriodLast30Days, PeriodThisMonth, PeriodLastMonth}

// PeriodRange returns the half-open range [from, to) of a preset at now in
// loc. last_7_days and last_30_days end with today.
func PeriodRange(period string, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	tomorrow := today.AddDate(0, 0, 1)
	month := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)

	switch period {
	case PeriodToday:
		return today, tomorrow, nil
	case PeriodYesterday:
		return today.AddDate(0, 0, -1), today, nil
	case PeriodLast7Days:
		return today.AddDate(0, 0, -6), tomorrow, nil
	case PeriodLast30Days:
		return today.AddDate(0, 0, -29), tomorrow, nil
	case PeriodThisMonth:
		return month, month.AddDate(0, 1, 0), nil
	case PeriodLastMonth:
		return month.AddDate(0, -1, 0), month, nil
	}
	return time.Time{}, time.Time{}, &InputError{fmt.Sprintf("invalid period %q: use one of %s", period, strings.Join(Periods, ", "))}
}

// ParseRangeBound reads one bound of a custom range: RFC 3339, or a date
// (2006-01-02) in loc. A date as the upper bound (end true) includes that
// whole day, so it becomes the next day's midnight. field names the value
// in errors.
func ParseRangeBound(raw, field string, end bool, loc *time.Location) (time.Time, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, raw); err == nil {
		return t, nil
	}
	day, err := time.ParseInLocation(time.DateOnly, raw, loc)
	if err != nil {
		return time.Time{}, &InputError{fmt.Sprintf("%s: invalid time %q: use a date such as 2025-03-01 or RFC 3339 such as 2025-03-01T10:00:00Z",
			field, truncateValue(raw))}
	}
	if end {
		day = day.AddDate(0, 0, 1)
	}
	return day, nil
}

func truncateValue(s string) string {
	const maxLen = 60
	if len(s) > maxLen {
		return s[:maxLen] + "..."
	}
	return s
}
