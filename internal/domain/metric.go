package domain

import (
	"fmt"
	"strings"
)

// Metric is a named set of a campaign's deliveries. Report counters, contact
// lists and CSV exports all use these definitions, so every count equals the
// length of its contact list.
type Metric string

const (
	MetricAudience     Metric = "audience"
	MetricSent         Metric = "sent"
	MetricDelivered    Metric = "delivered"
	MetricRead         Metric = "read"
	MetricClicked      Metric = "clicked"
	MetricUndelivered  Metric = "undelivered"
	MetricExpired      Metric = "expired"
	MetricUnsubscribed Metric = "unsubscribed"
	MetricPending      Metric = "pending"
	// MetricNotSent is the union of the four not-sent buckets.
	MetricNotSent Metric = "not_sent"
)

// NotSentMetric names the contacts left out for one not-sent reason.
func NotSentMetric(r NotSentReason) Metric { return Metric("not_sent." + string(r)) }

// UndeliveredMetric names the contacts whose delivery failed for one reason.
func UndeliveredMetric(r FailureReason) Metric { return Metric("undelivered." + string(r)) }

// BaseMetrics lists the metrics with a single definition each, in report order.
var BaseMetrics = []Metric{
	MetricAudience, MetricSent, MetricDelivered, MetricRead, MetricClicked,
	MetricUndelivered, MetricExpired, MetricUnsubscribed, MetricPending,
}

// AllMetrics lists every metric a contact list or export accepts.
func AllMetrics() []Metric {
	all := append([]Metric{}, BaseMetrics...)
	all = append(all, MetricNotSent)
	for _, r := range NotSentReasons {
		all = append(all, NotSentMetric(r))
	}
	for _, r := range FailureReasons {
		all = append(all, UndeliveredMetric(r))
	}
	return all
}

// ParseMetric validates a metric name from a request.
func ParseMetric(name string) (Metric, error) {
	for _, m := range AllMetrics() {
		if string(m) == name {
			return m, nil
		}
	}
	return "", fmt.Errorf("invalid metric %q: use one of %s", name, joinMetrics(AllMetrics()))
}

func joinMetrics(ms []Metric) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// Holds reports whether the delivery belongs to the metric. The SQL filter
// for the same metric lives in the store and is tested against this method.
func (m Metric) Holds(d *Delivery) bool {
	switch m {
	case MetricAudience:
		return d.NotSentReason != NotSentDuplicate
	case MetricNotSent:
		return d.Status == StatusNotSent
	case MetricSent:
		return d.Status >= StatusSent
	case MetricDelivered:
		return d.Status >= StatusDelivered
	case MetricRead:
		return d.Status >= StatusRead
	case MetricClicked:
		return d.Status == StatusClicked
	case MetricUndelivered:
		return d.Status == StatusFailed
	case MetricExpired:
		return d.Status == StatusFailed && d.FailureReason == ReasonExpired
	case MetricUnsubscribed:
		return d.Status >= StatusDelivered && !d.UnsubscribedAt.IsZero()
	case MetricPending:
		return d.Status == StatusSent
	}

	if r, ok := strings.CutPrefix(string(m), "not_sent."); ok {
		return d.Status == StatusNotSent && string(d.NotSentReason) == r
	}
	if r, ok := strings.CutPrefix(string(m), "undelivered."); ok {
		return d.Status == StatusFailed && string(d.FailureReason) == r
	}
	return false
}

// CountedMetrics lists the metrics kept as counters: every metric except the
// not-sent union, which reports add up from its buckets.
func CountedMetrics() []Metric { return countedMetrics }

var countedMetrics = func() []Metric {
	var ms []Metric
	for _, m := range AllMetrics() {
		if m != MetricNotSent {
			ms = append(ms, m)
		}
	}
	return ms
}()
