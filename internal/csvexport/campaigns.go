package csvexport

import (
	"io"
	"strconv"
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

// CampaignColumns is the header of a campaign statistics export, one record
// per campaign. Metric columns carry the metric names of the report and
// count unique contacts, except clicks_total. Tags are joined with ", ".
// Rate columns are fractions from 0 to 1 with four decimals, each over the
// denominator the report names for it: <metric>_rate for a metric's rate,
// ctr for clicked over delivered and ctor for clicked over read.
//
// NOTE: revenue columns are missing because report.Report carries no
// revenue figures yet.
var CampaignColumns = campaignColumns()

// campaignMetrics lists the metric columns in order, each with its count in
// report.Metrics.
var campaignMetrics = []struct {
	name  string
	count func(*report.Report) int64
}{
	{"audience", func(r *report.Report) int64 { return r.Metrics.Audience }},
	{"not_sent.inaccessible", func(r *report.Report) int64 { return r.Metrics.NotSent.Inaccessible }},
	{"not_sent.over_plan_limit", func(r *report.Report) int64 { return r.Metrics.NotSent.OverPlanLimit }},
	{"not_sent.annoyance_limit", func(r *report.Report) int64 { return r.Metrics.NotSent.AnnoyanceLimit }},
	{"not_sent.duplicate", func(r *report.Report) int64 { return r.Metrics.NotSent.Duplicate }},
	{"sent", func(r *report.Report) int64 { return r.Metrics.Sent }},
	{"delivered", func(r *report.Report) int64 { return r.Metrics.Delivered }},
	{"read", func(r *report.Report) int64 { return r.Metrics.Read }},
	{"clicked", func(r *report.Report) int64 { return r.Metrics.Clicked }},
	{"clicks_total", func(r *report.Report) int64 { return r.Clicks.Total }},
	{"undelivered", func(r *report.Report) int64 { return r.Metrics.Undelivered }},
	{"expired", func(r *report.Report) int64 { return r.Metrics.Expired }},
	{"unsubscribed", func(r *report.Report) int64 { return r.Metrics.Unsubscribed }},
	{"pending", func(r *report.Report) int64 { return r.Metrics.Pending }},
}

// campaignRates lists the keys of report.Report.Rates written as columns.
var campaignRates = []string{
	"not_sent.inaccessible", "not_sent.over_plan_limit", "not_sent.annoyance_limit", "not_sent.duplicate",
	"sent", "delivered", "read", "ctr", "ctor", "undelivered", "expired", "unsubscribed", "pending",
}

func campaignColumns() []string {
	columns := []string{"campaign_id", "name", "tags", "launched_by", "started_at", "finished_at"}
	for _, m := range campaignMetrics {
		columns = append(columns, m.name)
	}
	for _, reason := range domain.FailureReasons {
		columns = append(columns, string(domain.UndeliveredMetric(reason)))
	}
	for _, key := range campaignRates {
		columns = append(columns, rateColumn(key))
	}
	return columns
}

func rateColumn(key string) string {
	if key == "ctr" || key == "ctor" {
		return key
	}
	return key + "_rate"
}

// CampaignStats is one campaign with its report.
type CampaignStats struct {
	Campaign *domain.Campaign
	Report   *report.Report
}

// CampaignWriter writes a campaign statistics export record by record.
type CampaignWriter struct {
	w      *recordWriter
	record []string
}

// NewCampaignWriter returns a writer that has written the byte order mark,
// unless opts omits it, and the CampaignColumns header to w. Call Flush
// when done.
func NewCampaignWriter(w io.Writer, opts Options) (*CampaignWriter, error) {
	cw := &CampaignWriter{w: newRecordWriter(w, opts), record: make([]string, 0, len(CampaignColumns))}
	if err := cw.w.write(CampaignColumns); err != nil {
		return nil, err
	}
	return cw, nil
}

// Write writes one campaign's record.
func (cw *CampaignWriter) Write(s CampaignStats) error {
	c, r := s.Campaign, s.Report
	record := cw.record[:0]
	record = append(record,
		strconv.FormatInt(c.ID, 10),
		Cell(c.Name),
		Cell(strings.Join(c.Tags, ", ")),
		Cell(c.LaunchedBy),
		formatTime(c.StartedAt),
		formatTime(c.FinishedAt),
	)
	for _, m := range campaignMetrics {
		record = append(record, strconv.FormatInt(m.count(r), 10))
	}
	for _, reason := range domain.FailureReasons {
		record = append(record, strconv.FormatInt(r.UndeliveredReasons[string(reason)], 10))
	}
	for _, key := range campaignRates {
		record = append(record, strconv.FormatFloat(r.Rates[key].Value, 'f', 4, 64))
	}
	cw.record = record
	return cw.w.write(record)
}

// Flush writes buffered records to the underlying writer and returns the
// first write error, if any.
func (cw *CampaignWriter) Flush() error {
	return cw.w.flush()
}
