// Package report turns a campaign's rollup counters into the figures the
// report shows: metric counts, rates with their denominators, failure
// reasons, clicks and the same metrics per language.
package report

import (
	"context"
	"sort"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// Report is a campaign's figures. JSON names are the public metric names.
type Report struct {
	CampaignID         int64            `json:"campaign_id"`
	Metrics            Metrics          `json:"metrics"`
	Rates              map[string]Rate  `json:"rates"`
	UndeliveredReasons map[string]int64 `json:"undelivered_reasons"`
	Clicks             Clicks           `json:"clicks"`
	Languages          []LanguageRow    `json:"languages"`
}

// Metrics holds the count of each metric. Counts are unique contacts except
// Clicks.Total.
type Metrics struct {
	Audience     int64   `json:"audience"`
	NotSent      NotSent `json:"not_sent"`
	Sent         int64   `json:"sent"`
	Delivered    int64   `json:"delivered"`
	Read         int64   `json:"read"`
	Clicked      int64   `json:"clicked"`
	Undelivered  int64   `json:"undelivered"`
	Expired      int64   `json:"expired"`
	Unsubscribed int64   `json:"unsubscribed"`
	Pending      int64   `json:"pending"`
}

// NotSent holds the four not-sent buckets.
type NotSent struct {
	Inaccessible   int64 `json:"inaccessible"`
	OverPlanLimit  int64 `json:"over_plan_limit"`
	AnnoyanceLimit int64 `json:"annoyance_limit"`
	Duplicate      int64 `json:"duplicate"`
}

// Total is the sum of the buckets.
func (n NotSent) Total() int64 {
	return n.Inaccessible + n.OverPlanLimit + n.AnnoyanceLimit + n.Duplicate
}

// Rate is a ratio with the counts it comes from. Value is a fraction from 0
// to 1, and 0 when the denominator is 0.
type Rate struct {
	Numerator       int64   `json:"numerator"`
	Denominator     int64   `json:"denominator"`
	DenominatorName string  `json:"denominator_name"`
	Value           float64 `json:"value"`
}

// Clicks holds unique clickers, total clicks and both per link.
type Clicks struct {
	Unique int64       `json:"unique"`
	Total  int64       `json:"total"`
	Links  []LinkClick `json:"links"`
}

// LinkClick is one tracked link's clicks.
type LinkClick struct {
	URL    string `json:"url"`
	Unique int64  `json:"unique"`
	Total  int64  `json:"total"`
}

// LanguageRow is the metrics of one message version. Language "" is the
// row of deliveries whose language is unknown.
type LanguageRow struct {
	Language string          `json:"language"`
	Metrics  Metrics         `json:"metrics"`
	Clicks   int64           `json:"clicks_total"`
	Rates    map[string]Rate `json:"rates"`
}

// Build reads a campaign's counters and assembles its report.
func Build(ctx context.Context, db *store.DB, accountID, campaignID int64) (*Report, error) {
	counters, err := db.CampaignCounters(ctx, accountID, campaignID, "")
	if err != nil {
		return nil, err
	}
	return FromCounters(campaignID, counters), nil
}

// FromCounters assembles a report from rollup values.
func FromCounters(campaignID int64, counters []store.Counter) *Report {
	all := map[domain.Metric]int64{}
	byLanguage := map[string]map[domain.Metric]int64{}
	links := map[string]*LinkClick{}

	for _, c := range counters {
		switch c.Dimension {
		case domain.DimensionAll:
			all[c.Metric] = c.Value
		case domain.DimensionLanguage:
			if byLanguage[c.Key] == nil {
				byLanguage[c.Key] = map[domain.Metric]int64{}
			}
			byLanguage[c.Key][c.Metric] = c.Value
		case domain.DimensionLink:
			l := links[c.Key]
			if l == nil {
				l = &LinkClick{URL: c.Key}
				links[c.Key] = l
			}
			if c.Metric == domain.MetricClicked {
				l.Unique = c.Value
			} else if c.Metric == domain.MetricClicksTotal {
				l.Total = c.Value
			}
		}
	}

	r := &Report{
		CampaignID:         campaignID,
		Metrics:            metricsFrom(all),
		UndeliveredReasons: map[string]int64{},
		Clicks:             Clicks{Unique: all[domain.MetricClicked], Total: all[domain.MetricClicksTotal], Links: []LinkClick{}},
		Languages:          []LanguageRow{},
	}
	r.Rates = Rates(r.Metrics)
	for _, reason := range domain.FailureReasons {
		r.UndeliveredReasons[string(reason)] = all[domain.UndeliveredMetric(reason)]
	}

	for _, l := range links {
		r.Clicks.Links = append(r.Clicks.Links, *l)
	}
	sort.Slice(r.Clicks.Links, func(i, j int) bool {
		a, b := r.Clicks.Links[i], r.Clicks.Links[j]
		if a.Unique != b.Unique {
			return a.Unique > b.Unique
		}
		return a.URL < b.URL
	})

	for lang, m := range byLanguage {
		row := LanguageRow{Language: lang, Metrics: metricsFrom(m), Clicks: m[domain.MetricClicksTotal]}
		if row.Metrics == (Metrics{}) && row.Clicks == 0 {
			continue
		}
		row.Rates = Rates(row.Metrics)
		r.Languages = append(r.Languages, row)
	}
	sort.Slice(r.Languages, func(i, j int) bool {
		a, b := r.Languages[i], r.Languages[j]
		// The unknown language goes last.
		if (a.Language == "") != (b.Language == "") {
			return b.Language == ""
		}
		return a.Language < b.Language
	})
	return r
}

func metricsFrom(m map[domain.Metric]int64) Metrics {
	return Metrics{
		Audience: m[domain.MetricAudience],
		NotSent: NotSent{
			Inaccessible:   m[domain.NotSentMetric(domain.NotSentInaccessible)],
			OverPlanLimit:  m[domain.NotSentMetric(domain.NotSentOverPlanLimit)],
			AnnoyanceLimit: m[domain.NotSentMetric(domain.NotSentAnnoyanceLimit)],
			Duplicate:      m[domain.NotSentMetric(domain.NotSentDuplicate)],
		},
		Sent:         m[domain.MetricSent],
		Delivered:    m[domain.MetricDelivered],
		Read:         m[domain.MetricRead],
		Clicked:      m[domain.MetricClicked],
		Undelivered:  m[domain.MetricUndelivered],
		Expired:      m[domain.MetricExpired],
		Unsubscribed: m[domain.MetricUnsubscribed],
		Pending:      m[domain.MetricPending],
	}
}

// Rates computes every rate of the metrics table. Keys are the metric names,
// plus "ctr" and "ctor" for clicks over delivered and over read, and
// "not_sent.<bucket>" for the buckets.
func Rates(m Metrics) map[string]Rate {
	rates := map[string]Rate{
		"not_sent.inaccessible":    rate(m.NotSent.Inaccessible, m.Audience, "audience"),
		"not_sent.over_plan_limit": rate(m.NotSent.OverPlanLimit, m.Audience, "audience"),
		"not_sent.annoyance_limit": rate(m.NotSent.AnnoyanceLimit, m.Audience, "audience"),
		"not_sent.duplicate":       rate(m.NotSent.Duplicate, m.Audience, "audience"),
		"sent":                     rate(m.Sent, m.Audience, "audience"),
		"delivered":                rate(m.Delivered, m.Sent, "sent"),
		"read":                     rate(m.Read, m.Delivered, "delivered"),
		"ctr":                      rate(m.Clicked, m.Delivered, "delivered"),
		"ctor":                     rate(m.Clicked, m.Read, "read"),
		"undelivered":              rate(m.Undelivered, m.Sent, "sent"),
		"expired":                  rate(m.Expired, m.Sent, "sent"),
		"unsubscribed":             rate(m.Unsubscribed, m.Delivered, "delivered"),
		"pending":                  rate(m.Pending, m.Sent, "sent"),
	}
	return rates
}

func rate(numerator, denominator int64, name string) Rate {
	r := Rate{Numerator: numerator, Denominator: denominator, DenominatorName: name}
	if denominator > 0 {
		r.Value = float64(numerator) / float64(denominator)
	}
	return r
}
