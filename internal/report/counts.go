package report

import "github.com/vibereport/vibereport/internal/domain"

// MetricsFromCounts arranges DimensionAll counter values, such as
// store.CampaignSummary.Counts, as the report's Metrics. Pass the result to
// Rates for the rates.
func MetricsFromCounts(counts map[domain.Metric]int64) Metrics {
	return metricsFrom(counts)
}
