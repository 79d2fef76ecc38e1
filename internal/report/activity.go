package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// Activity chart steps.
const (
	StepQuarterHour = "15m"
	StepHour        = "hour"
	StepDay         = "day"
)

// Activity step thresholds: a campaign whose activity spans less than
// quarterHourSpan is charted per 15 minutes, and one that spans more than
// hourSpan per day.
const (
	quarterHourSpan = 6 * time.Hour
	hourSpan        = 14 * 24 * time.Hour
	// maxActivityPoints bounds a series. Per day, it covers over 13 years.
	maxActivityPoints = 5000
)

// ActivitySeries is a campaign's delivered, read and clicked counts over
// time, for the activity chart.
type ActivitySeries struct {
	CampaignID int64 `json:"campaign_id"`
	// TimeZone is the account's IANA time zone that points are cut in.
	TimeZone string `json:"time_zone"`
	// Step is StepQuarterHour, StepHour or StepDay.
	Step string `json:"step"`
	// Points run from the campaign's send time to its last activity, one
	// per step, with zeros where nothing happened. It is empty for a
	// campaign without activity.
	Points []ActivityPoint `json:"points"`
}

// ActivityPoint is one step of the chart. Counts are the events that
// happened from Start to the next point's Start: first deliveries, first
// reads and first clicks of contacts.
type ActivityPoint struct {
	Start     time.Time `json:"start"`
	Label     string    `json:"label"`
	Delivered int64     `json:"delivered"`
	Read      int64     `json:"read"`
	Clicked   int64     `json:"clicked"`
}

// Activity returns the campaign's activity from its own send time,
// started_at or else its first sent bucket, in the account's time zone.
// Activity stamped before that time, as a provider clock running ahead
// can produce, moves the start earlier, so the points always add up to
// the report's totals.
func Activity(ctx context.Context, db *store.DB, account *domain.Account, campaign *domain.Campaign) (*ActivitySeries, error) {
	loc := account.Location()
	series := &ActivitySeries{CampaignID: campaign.ID, TimeZone: loc.String(), Step: StepHour, Points: []ActivityPoint{}}

	buckets, err := readBuckets(ctx, db, campaign)
	if err != nil {
		return nil, err
	}
	var charted []bucket
	for _, b := range buckets {
		if b.metric == domain.MetricDelivered || b.metric == domain.MetricRead || b.metric == domain.MetricClicked {
			charted = append(charted, b)
		}
	}
	start := sendTime(campaign, buckets)
	if start.IsZero() && len(charted) == 0 {
		return series, nil
	}

	end := start
	if len(charted) > 0 {
		first, last := charted[0].start, charted[len(charted)-1].start.Add(domain.BucketSize)
		if start.IsZero() || first.Before(start) {
			start = first
		}
		end = last
	}
	series.Step = activityStep(end.Sub(start))

	cursor := stepStart(start, series.Step, loc)
	for {
		series.Points = append(series.Points, ActivityPoint{Start: cursor, Label: stepLabel(cursor, series.Step)})
		cursor = nextStep(cursor, series.Step, loc)
		if !cursor.Before(end) {
			break
		}
		if len(series.Points) == maxActivityPoints {
			return nil, fmt.Errorf("campaign %d: activity from %s to %s needs more than %d points",
				campaign.ID, start.Format(time.RFC3339), end.Format(time.RFC3339), maxActivityPoints)
		}
	}

	for _, b := range charted {
		// The point holding b is the last one that starts at or before it.
		i := sort.Search(len(series.Points), func(i int) bool { return series.Points[i].Start.After(b.start) }) - 1
		p := &series.Points[i]
		switch b.metric {
		case domain.MetricDelivered:
			p.Delivered += b.value
		case domain.MetricRead:
			p.Read += b.value
		case domain.MetricClicked:
			p.Clicked += b.value
		}
	}
	return series, nil
}

// sendTime returns started_at, or else the start of the first sent
// bucket, or the zero time when the campaign has neither.
func sendTime(c *domain.Campaign, buckets []bucket) time.Time {
	if !c.StartedAt.IsZero() {
		return c.StartedAt
	}
	for _, b := range buckets {
		if b.metric == domain.MetricSent {
			return b.start
		}
	}
	return time.Time{}
}

func activityStep(span time.Duration) string {
	switch {
	case span < quarterHourSpan:
		return StepQuarterHour
	case span > hourSpan:
		return StepDay
	}
	return StepHour
}

// stepStart returns the start of the step holding t, in loc.
func stepStart(t time.Time, step string, loc *time.Location) time.Time {
	switch step {
	case StepQuarterHour:
		start, _ := domain.BucketStart(domain.BucketKey(t))
		return start.In(loc)
	case StepHour:
		start, _, _ := localHour(t, loc)
		return start
	}
	start, _, _ := localDay(t, loc)
	return start
}

// nextStep returns the start of the step after the one starting at t. An
// hour is 60 minutes of absolute time, so a repeated local hour gets its
// own point. A day ends at the next local midnight, 23 to 25 hours later
// around a daylight-saving change.
func nextStep(t time.Time, step string, loc *time.Location) time.Time {
	switch step {
	case StepQuarterHour:
		return t.Add(domain.BucketSize)
	case StepHour:
		return t.Add(time.Hour)
	}
	local := t.In(loc)
	return time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
}

func stepLabel(t time.Time, step string) string {
	if step == StepDay {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04 MST")
}
