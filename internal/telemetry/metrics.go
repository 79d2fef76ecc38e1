// Package telemetry holds the Prometheus metrics the service exports.
package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the service's collectors, registered on their own registry so
// tests can create as many as they need.
type Metrics struct {
	Registry *prometheus.Registry

	CallbacksReceived *prometheus.CounterVec
	CallbacksRejected *prometheus.CounterVec
	EventsParked      *prometheus.CounterVec
	IngestLatency     *prometheus.HistogramVec
	CommitBatchSize   prometheus.Histogram
	CommitLatency     prometheus.Histogram
}

// New creates and registers every collector.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		CallbacksReceived: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vibereport_callbacks_received_total",
			Help: "Provider callbacks received, by provider kind.",
		}, []string{"kind"}),
		CallbacksRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vibereport_callbacks_rejected_total",
			Help: "Provider callbacks rejected, by provider kind and reason (unauthenticated, invalid, too_large, unknown_connection, store_error).",
		}, []string{"kind", "reason"}),
		EventsParked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vibereport_events_parked_total",
			Help: "Status events stored before their delivery was known, by provider kind.",
		}, []string{"kind"}),
		IngestLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vibereport_ingest_latency_seconds",
			Help:    "Time from receiving a callback to its durable commit, by provider kind.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"kind"}),
		CommitBatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vibereport_commit_batch_requests",
			Help:    "Requests committed together in one transaction (group commit).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		CommitLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vibereport_commit_seconds",
			Help:    "Duration of one group-commit transaction.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
	}
	m.Registry.MustRegister(
		m.CallbacksReceived, m.CallbacksRejected, m.EventsParked,
		m.IngestLatency, m.CommitBatchSize, m.CommitLatency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}
