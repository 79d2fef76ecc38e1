package report

import (
	"slices"
	"testing"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

func counter(dimension, key string, metric domain.Metric, value int64) store.Counter {
	return store.Counter{CounterKey: domain.CounterKey{Dimension: dimension, Key: key, Metric: metric}, Value: value}
}

func TestFromCountersFigures(t *testing.T) {
	counters := []store.Counter{
		counter(domain.DimensionAll, "", domain.MetricAudience, 10),
		counter(domain.DimensionAll, "", domain.NotSentMetric(domain.NotSentInaccessible), 2),
		counter(domain.DimensionAll, "", domain.MetricSent, 8),
		counter(domain.DimensionAll, "", domain.MetricDelivered, 6),
		counter(domain.DimensionAll, "", domain.MetricRead, 4),
		counter(domain.DimensionAll, "", domain.MetricClicked, 2),
		counter(domain.DimensionAll, "", domain.MetricClicksTotal, 5),
		counter(domain.DimensionAll, "", domain.MetricUndelivered, 2),
		counter(domain.DimensionAll, "", domain.UndeliveredMetric(domain.ReasonBlocked), 2),
		counter(domain.DimensionLanguage, "", domain.MetricSent, 3),
		counter(domain.DimensionLanguage, "uk", domain.MetricSent, 5),
		counter(domain.DimensionLanguage, "en", domain.MetricSent, 0),
		counter(domain.DimensionLink, "https://b.example", domain.MetricClicked, 1),
		counter(domain.DimensionLink, "https://b.example", domain.MetricClicksTotal, 3),
		counter(domain.DimensionLink, "https://a.example", domain.MetricClicked, 1),
		counter(domain.DimensionLink, "https://a.example", domain.MetricClicksTotal, 2),
		counter(domain.DimensionBucket, "1", domain.MetricSent, 8),
	}
	r := FromCounters(7, counters)

	want := Metrics{
		Audience: 10, NotSent: NotSent{Inaccessible: 2}, Sent: 8, Delivered: 6,
		Read: 4, Clicked: 2, Undelivered: 2,
	}
	if r.Metrics != want {
		t.Errorf("Metrics = %+v, want %+v", r.Metrics, want)
	}
	if got := r.UndeliveredReasons["blocked"]; got != 2 {
		t.Errorf("undelivered.blocked = %d, want 2", got)
	}
	if got := len(r.UndeliveredReasons); got != len(domain.FailureReasons) {
		t.Errorf("undelivered reasons listed = %d, want %d", got, len(domain.FailureReasons))
	}
	if r.Clicks.Unique != 2 {
		t.Errorf("unique clicks = %d, want 2", r.Clicks.Unique)
	}
	if r.Clicks.Total != 5 {
		t.Errorf("total clicks = %d, want 5", r.Clicks.Total)
	}
	wantLinks := []LinkClick{{URL: "https://a.example", Unique: 1, Total: 2}, {URL: "https://b.example", Unique: 1, Total: 3}}
	if !slices.Equal(r.Clicks.Links, wantLinks) {
		t.Errorf("links = %+v, want %+v (equal unique clicks sort by URL)", r.Clicks.Links, wantLinks)
	}

	var langs []string
	for _, row := range r.Languages {
		langs = append(langs, row.Language)
	}
	if want := []string{"uk", ""}; !slices.Equal(langs, want) {
		t.Errorf("languages = %q, want %q (empty rows dropped, unknown last)", langs, want)
	}

	if got := r.Rates["ctr"]; got != (Rate{Numerator: 2, Denominator: 6, DenominatorName: "delivered", Value: 2.0 / 6}) {
		t.Errorf("ctr = %+v, want 2 of 6 delivered", got)
	}
	if got := r.Rates["ctor"]; got != (Rate{Numerator: 2, Denominator: 4, DenominatorName: "read", Value: 0.5}) {
		t.Errorf("ctor = %+v, want 2 of 4 read", got)
	}
}

func TestRatesZeroDenominator(t *testing.T) {
	for name, rate := range Rates(Metrics{}) {
		if rate.Value != 0 {
			t.Errorf("%s = %v with no deliveries, want 0", name, rate.Value)
		}
	}
}
