package domain

import (
	"strconv"
	"time"
)

// Counter dimensions. A campaign's rollup holds one value per
// (dimension, key, metric); reports read these values and never scan
// deliveries.
const (
	DimensionAll      = "all"
	DimensionLanguage = "language"
	// DimensionBucket keys activity by 15-minute UTC bucket, so hours and
	// days in any time zone, half-hour offsets and daylight-saving changes
	// included, are exact sums of buckets.
	DimensionBucket = "bucket"
	DimensionOS     = "os"
	DimensionLink   = "link"
)

// MetricClicksTotal counts every click, not unique contacts.
const MetricClicksTotal Metric = "clicks_total"

// BucketSize is the width of one activity bucket.
const BucketSize = 15 * time.Minute

// CounterKey addresses one rollup value of a campaign.
type CounterKey struct {
	Dimension string
	Key       string
	Metric    Metric
}

// BucketKey returns the activity bucket holding t.
func BucketKey(t time.Time) string {
	return strconv.FormatInt(t.Unix()/int64(BucketSize/time.Second), 10)
}

// BucketStart returns the start of the bucket with the given key.
func BucketStart(key string) (time.Time, error) {
	n, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(n*int64(BucketSize/time.Second), 0).UTC(), nil
}

// Counts returns what one delivery contributes to its campaign's rollup.
// The change a state transition makes to the rollup is Counts(after) minus
// Counts(before), which keeps every counter equal to its metric's contact list.
func Counts(d *Delivery) map[CounterKey]int64 {
	c := make(map[CounterKey]int64, 24)

	for _, m := range CountedMetrics() {
		if !m.Holds(d) {
			continue
		}
		c[CounterKey{DimensionAll, "", m}]++
		c[CounterKey{DimensionLanguage, d.Language, m}]++
	}
	if d.ClicksTotal != 0 {
		c[CounterKey{DimensionAll, "", MetricClicksTotal}] += d.ClicksTotal
		c[CounterKey{DimensionLanguage, d.Language, MetricClicksTotal}] += d.ClicksTotal
	}

	activity := []struct {
		metric Metric
		at     time.Time
	}{
		{MetricSent, d.SentAt},
		{MetricDelivered, d.DeliveredAt},
		{MetricRead, d.ReadAt},
		{MetricClicked, d.ClickedAt},
		{MetricUndelivered, d.FailedAt},
	}
	for _, a := range activity {
		if a.metric.Holds(d) && !a.at.IsZero() {
			c[CounterKey{DimensionBucket, BucketKey(a.at), a.metric}]++
		}
	}

	if MetricClicked.Holds(d) {
		c[CounterKey{DimensionOS, d.ClickOS, MetricClicked}]++
	}
	return c
}

// AddCountDelta adds Counts(after) minus Counts(before) into delta; a nil
// before stands for a delivery that did not exist yet. Keys whose sum comes
// to zero stay in the map; writers skip them.
func AddCountDelta(delta map[CounterKey]int64, before, after *Delivery) {
	for k, v := range Counts(after) {
		delta[k] += v
	}
	if before == nil {
		return
	}
	for k, v := range Counts(before) {
		delta[k] -= v
	}
}
