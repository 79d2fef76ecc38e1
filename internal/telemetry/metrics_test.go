package telemetry

import (
	"slices"
	"testing"
)

func TestNewRegistersServiceMetrics(t *testing.T) {
	m := New()
	m.CallbacksReceived.WithLabelValues("viber_bot").Inc()
	m.CallbacksRejected.WithLabelValues("viber_bot", "unauthenticated").Inc()
	m.EventsParked.WithLabelValues("viber_bot").Add(2)
	m.IngestLatency.WithLabelValues("viber_bot").Observe(0.01)
	m.CommitBatchSize.Observe(3)
	m.CommitLatency.Observe(0.002)

	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	for _, want := range []string{
		"vibereport_callbacks_received_total",
		"vibereport_callbacks_rejected_total",
		"vibereport_events_parked_total",
		"vibereport_ingest_latency_seconds",
		"vibereport_commit_batch_requests",
		"vibereport_commit_seconds",
		"go_goroutines",
		"process_cpu_seconds_total",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("metric %s not registered", want)
		}
	}
}

func TestNewRegistriesAreIndependent(t *testing.T) {
	first, second := New(), New()
	first.EventsParked.WithLabelValues("sinch").Inc()

	families, err := second.Registry.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() == "vibereport_events_parked_total" {
			t.Errorf("second registry has %d parked series, want none", len(f.GetMetric()))
		}
	}
}
