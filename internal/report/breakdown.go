package report

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// Breakdown dimensions, the values of Breakdown's by argument.
const (
	ByLanguage = "language"
	BySegment  = "segment"
	ByDay      = "day"
	ByHour     = "hour"
	ByLink     = "link"
	ByReason   = "reason"
	ByOS       = "os"
)

// BreakdownDimensions lists every valid by value in the order the report
// offers them.
var BreakdownDimensions = []string{ByLanguage, BySegment, ByDay, ByHour, ByLink, ByReason, ByOS}

// BreakdownTable is a campaign's figures split by one dimension.
type BreakdownTable struct {
	CampaignID int64  `json:"campaign_id"`
	By         string `json:"by"`
	// TimeZone is the account's IANA time zone that day and hour rows are
	// cut in, and "" for other dimensions.
	TimeZone string `json:"time_zone,omitempty"`
	// Metrics names the keys of each row's Counts, in column order.
	Metrics []string       `json:"metrics"`
	Rows    []BreakdownRow `json:"rows"`
}

// BreakdownRow is one value of the dimension with its figures.
type BreakdownRow struct {
	// Key identifies the row: a language code ("" for unknown), a segment
	// id, a local date (2006-01-02), the RFC 3339 start of a local hour, a
	// link URL, a failure reason or an OS name ("" for unknown).
	Key string `json:"key"`
	// Label is the row's name as the report shows it.
	Label string `json:"label"`
	// Start is the first instant of a day or hour row, in the account's
	// time zone.
	Start  *time.Time       `json:"start,omitempty"`
	Counts map[string]int64 `json:"counts"`
	// Rates is empty for day and hour rows: their counts are events in
	// that period, and a ratio of two of them describes no contact set.
	Rates map[string]Rate `json:"rates"`
}

// InputError is a report request that cannot be met as given. Its message
// names the value and the valid ones.
type InputError struct{ message string }

func (e *InputError) Error() string { return e.message }

// IsInputError reports whether err is an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// contactMetrics are the columns of language and segment rows.
var contactMetrics = []string{
	"audience", "sent", "delivered", "read", "clicked", "clicks_total",
	"undelivered", "expired", "unsubscribed", "pending",
}

// activityMetrics are the metrics kept per 15-minute bucket, the columns
// of day and hour rows.
var activityMetrics = []domain.Metric{
	domain.MetricSent, domain.MetricDelivered, domain.MetricRead, domain.MetricClicked, domain.MetricUndelivered,
}

// Breakdown splits a campaign's figures by one of BreakdownDimensions.
// Day and hour rows sum the 15-minute activity buckets in the account's time
// zone, so a 23- or 25-hour day on a daylight-saving change and half-hour
// offsets come out exact. Only rows with figures are listed.
func Breakdown(ctx context.Context, db *store.DB, account *domain.Account, campaignID int64, by string) (*BreakdownTable, error) {
	if !validBreakdown(by) {
		return nil, &InputError{fmt.Sprintf("invalid breakdown %q: use one of %s", by, strings.Join(BreakdownDimensions, ", "))}
	}
	campaign, err := db.Campaign(ctx, account.ID, campaignID)
	if err != nil {
		return nil, err
	}

	table := &BreakdownTable{CampaignID: campaign.ID, By: by, Rows: []BreakdownRow{}}
	switch by {
	case ByLanguage:
		err = breakdownByLanguage(ctx, db, campaign, table)
	case BySegment:
		err = breakdownBySegment(ctx, db, campaign, table)
	case ByDay, ByHour:
		err = breakdownByTime(ctx, db, account, campaign, table)
	case ByLink:
		err = breakdownByLink(ctx, db, campaign, table)
	case ByReason:
		err = breakdownByReason(ctx, db, campaign, table)
	case ByOS:
		err = breakdownByOS(ctx, db, campaign, table)
	}
	if err != nil {
		return nil, err
	}
	return table, nil
}

func validBreakdown(by string) bool {
	for _, d := range BreakdownDimensions {
		if d == by {
			return true
		}
	}
	return false
}

// contactRow returns a row of unique-contact figures with the report's
// rates.
func contactRow(key, label string, m map[domain.Metric]int64) BreakdownRow {
	counts := make(map[string]int64, len(contactMetrics))
	for _, name := range contactMetrics {
		counts[name] = m[domain.Metric(name)]
	}
	return BreakdownRow{Key: key, Label: label, Counts: counts, Rates: Rates(metricsFrom(m))}
}

func breakdownByLanguage(ctx context.Context, db *store.DB, c *domain.Campaign, table *BreakdownTable) error {
	counters, err := db.CampaignCounters(ctx, c.AccountID, c.ID, domain.DimensionLanguage)
	if err != nil {
		return err
	}
	byLanguage := map[string]map[domain.Metric]int64{}
	for _, counter := range counters {
		if byLanguage[counter.Key] == nil {
			byLanguage[counter.Key] = map[domain.Metric]int64{}
		}
		byLanguage[counter.Key][counter.Metric] += counter.Value
	}

	table.Metrics = contactMetrics
	for language, m := range byLanguage {
		if !anyNonZero(m) {
			continue
		}
		label := language
		if label == "" {
			label = "unknown"
		}
		table.Rows = append(table.Rows, contactRow(language, label, m))
	}
	sort.Slice(table.Rows, func(i, j int) bool {
		a, b := table.Rows[i].Key, table.Rows[j].Key
		// The unknown language goes last.
		if (a == "") != (b == "") {
			return b == ""
		}
		return a < b
	})
	return nil
}

// breakdownBySegment returns the campaign's one segment as a single row,
// because a campaign targets exactly one segment. A campaign without a
// segment gets a row with key "" labelled "no segment".
func breakdownBySegment(ctx context.Context, db *store.DB, c *domain.Campaign, table *BreakdownTable) error {
	all, err := allCounts(ctx, db, c)
	if err != nil {
		return err
	}
	key, label := "", "no segment"
	if c.SegmentID != 0 {
		segment, err := db.Segment(ctx, c.AccountID, c.SegmentID)
		if err != nil {
			return err
		}
		key, label = strconv.FormatInt(segment.ID, 10), segment.Name
	}
	table.Metrics = contactMetrics
	table.Rows = append(table.Rows, contactRow(key, label, all))
	return nil
}

func breakdownByTime(ctx context.Context, db *store.DB, account *domain.Account, c *domain.Campaign, table *BreakdownTable) error {
	buckets, err := readBuckets(ctx, db, c)
	if err != nil {
		return err
	}
	loc := account.Location()
	table.TimeZone = loc.String()
	for _, m := range activityMetrics {
		table.Metrics = append(table.Metrics, string(m))
	}

	rows := map[int64]*BreakdownRow{}
	for _, b := range buckets {
		start, key, label := localHour(b.start, loc)
		if table.By == ByDay {
			start, key, label = localDay(b.start, loc)
		}
		row := rows[start.UnixMilli()]
		if row == nil {
			s := start
			row = &BreakdownRow{Key: key, Label: label, Start: &s, Counts: zeroCounts(activityMetrics), Rates: map[string]Rate{}}
			rows[start.UnixMilli()] = row
		}
		row.Counts[string(b.metric)] += b.value
	}

	for _, row := range rows {
		table.Rows = append(table.Rows, *row)
	}
	sort.Slice(table.Rows, func(i, j int) bool { return table.Rows[i].Start.Before(*table.Rows[j].Start) })
	return nil
}

// localHour returns the local hour holding t. The start is found by
// subtracting the local minutes and seconds instead of calling time.Date,
// which may pick either instant of an hour that a daylight-saving change
// repeats. The label names the zone abbreviation, so the two 03:00 rows of
// such a night differ.
//
// NOTE: this assumes the UTC offset changes only on a whole local hour. On
// Lord Howe Island, whose clocks move by 30 minutes, the hour around the
// change is cut at the wrong minute.
func localHour(t time.Time, loc *time.Location) (time.Time, string, string) {
	local := t.In(loc)
	start := local.Add(-time.Duration(local.Minute())*time.Minute - time.Duration(local.Second())*time.Second -
		time.Duration(local.Nanosecond()))
	return start, start.Format(time.RFC3339), start.Format("2006-01-02 15:04 MST")
}

// localDay returns the local date holding t and its first instant.
func localDay(t time.Time, loc *time.Location) (time.Time, string, string) {
	local := t.In(loc)
	start := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	date := start.Format(time.DateOnly)
	return start, date, date
}

func breakdownByLink(ctx context.Context, db *store.DB, c *domain.Campaign, table *BreakdownTable) error {
	counters, err := db.CampaignCounters(ctx, c.AccountID, c.ID, "")
	if err != nil {
		return err
	}
	report := FromCounters(c.ID, counters)

	table.Metrics = []string{"clicked", "clicks_total"}
	for _, link := range report.Clicks.Links {
		table.Rows = append(table.Rows, BreakdownRow{
			Key:    link.URL,
			Label:  link.URL,
			Counts: map[string]int64{"clicked": link.Unique, "clicks_total": link.Total},
			Rates: map[string]Rate{
				"ctr":  rate(link.Unique, report.Metrics.Delivered, "delivered"),
				"ctor": rate(link.Unique, report.Metrics.Read, "read"),
			},
		})
	}
	return nil
}

// breakdownByReason lists every undelivered reason in report order, zero
// counts included, so the table has the same rows for every campaign.
func breakdownByReason(ctx context.Context, db *store.DB, c *domain.Campaign, table *BreakdownTable) error {
	all, err := allCounts(ctx, db, c)
	if err != nil {
		return err
	}
	table.Metrics = []string{"undelivered"}
	for _, reason := range domain.FailureReasons {
		n := all[domain.UndeliveredMetric(reason)]
		table.Rows = append(table.Rows, BreakdownRow{
			Key:    string(reason),
			Label:  string(reason),
			Counts: map[string]int64{"undelivered": n},
			Rates: map[string]Rate{
				"sent":        rate(n, all[domain.MetricSent], "sent"),
				"undelivered": rate(n, all[domain.MetricUndelivered], "undelivered"),
			},
		})
	}
	return nil
}

// breakdownByOS splits the clicked contacts by the OS of their first
// click's device.
func breakdownByOS(ctx context.Context, db *store.DB, c *domain.Campaign, table *BreakdownTable) error {
	counters, err := db.CampaignCounters(ctx, c.AccountID, c.ID, domain.DimensionOS)
	if err != nil {
		return err
	}
	all, err := allCounts(ctx, db, c)
	if err != nil {
		return err
	}

	table.Metrics = []string{"clicked"}
	for _, counter := range counters {
		if counter.Metric != domain.MetricClicked || counter.Value == 0 {
			continue
		}
		label := counter.Key
		if label == "" {
			label = "unknown"
		}
		table.Rows = append(table.Rows, BreakdownRow{
			Key:    counter.Key,
			Label:  label,
			Counts: map[string]int64{"clicked": counter.Value},
			Rates:  map[string]Rate{"clicked": rate(counter.Value, all[domain.MetricClicked], "clicked")},
		})
	}
	sort.Slice(table.Rows, func(i, j int) bool {
		a, b := table.Rows[i], table.Rows[j]
		if a.Counts["clicked"] != b.Counts["clicked"] {
			return a.Counts["clicked"] > b.Counts["clicked"]
		}
		return a.Key < b.Key
	})
	return nil
}

func allCounts(ctx context.Context, db *store.DB, c *domain.Campaign) (map[domain.Metric]int64, error) {
	counters, err := db.CampaignCounters(ctx, c.AccountID, c.ID, domain.DimensionAll)
	if err != nil {
		return nil, err
	}
	all := map[domain.Metric]int64{}
	for _, counter := range counters {
		all[counter.Metric] = counter.Value
	}
	return all, nil
}

func anyNonZero(m map[domain.Metric]int64) bool {
	for _, v := range m {
		if v != 0 {
			return true
		}
	}
	return false
}

func zeroCounts(metrics []domain.Metric) map[string]int64 {
	counts := make(map[string]int64, len(metrics))
	for _, m := range metrics {
		counts[string(m)] = 0
	}
	return counts
}

// bucket is one 15-minute activity counter.
type bucket struct {
	start  time.Time
	metric domain.Metric
	value  int64
}

// readBuckets returns the campaign's non-zero activity buckets of
// activityMetrics, oldest first.
func readBuckets(ctx context.Context, db *store.DB, c *domain.Campaign) ([]bucket, error) {
	counters, err := db.CampaignCounters(ctx, c.AccountID, c.ID, domain.DimensionBucket)
	if err != nil {
		return nil, err
	}
	var buckets []bucket
	for _, counter := range counters {
		if counter.Value == 0 || !isActivityMetric(counter.Metric) {
			continue
		}
		start, err := domain.BucketStart(counter.Key)
		if err != nil {
			return nil, fmt.Errorf("campaign %d: invalid activity bucket %q: %w", c.ID, counter.Key, err)
		}
		buckets = append(buckets, bucket{start: start, metric: counter.Metric, value: counter.Value})
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].start.Before(buckets[j].start) })
	return buckets, nil
}

func isActivityMetric(m domain.Metric) bool {
	for _, a := range activityMetrics {
		if a == m {
			return true
		}
	}
	return false
}
