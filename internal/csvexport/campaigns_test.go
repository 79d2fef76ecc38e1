package csvexport

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

func TestCampaignExport(t *testing.T) {
	metrics := report.Metrics{
		Audience: 100, NotSent: report.NotSent{Inaccessible: 4, Duplicate: 1},
		Sent: 95, Delivered: 80, Read: 40, Clicked: 10, Undelivered: 15, Expired: 5, Unsubscribed: 2,
	}
	r := &report.Report{
		CampaignID:         5,
		Metrics:            metrics,
		Rates:              report.Rates(metrics),
		UndeliveredReasons: map[string]int64{"expired": 5, "not_viber_user": 10},
		Clicks:             report.Clicks{Unique: 10, Total: 14},
	}
	c := &domain.Campaign{
		ID: 5, Name: "=Spring sale", Tags: []string{"spring", "sale"}, LaunchedBy: "olena@example.com",
		StartedAt: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
	}

	var buf bytes.Buffer
	w, err := NewCampaignWriter(&buf, Options{})
	if err != nil {
		t.Fatalf("NewCampaignWriter: %v", err)
	}
	if err := w.Write(CampaignStats{Campaign: c, Report: r}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}

	out := buf.String()
	if !strings.HasPrefix(out, bom+"campaign_id,name,") {
		t.Errorf("output starts %q, want BOM and header", out[:min(len(out), 30)])
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, bom))).ReadAll()
	if err != nil {
		t.Fatalf("read exported CSV: %v", err)
	}
	if len(records) != 2 {
		t.Fatalf("read %d records, want header and 1 campaign", len(records))
	}
	header, row := records[0], records[1]
	if len(row) != len(header) {
		t.Fatalf("record has %d fields, header %d", len(row), len(header))
	}

	got := map[string]string{}
	for i, name := range header {
		got[name] = row[i]
	}
	want := map[string]string{
		"campaign_id":                "5",
		"name":                       "'=Spring sale",
		"tags":                       "spring, sale",
		"launched_by":                "olena@example.com",
		"started_at":                 "2025-03-01T09:00:00Z",
		"finished_at":                "",
		"audience":                   "100",
		"not_sent.inaccessible":      "4",
		"not_sent.duplicate":         "1",
		"sent":                       "95",
		"delivered":                  "80",
		"read":                       "40",
		"clicked":                    "10",
		"clicks_total":               "14",
		"undelivered":                "15",
		"undelivered.not_viber_user": "10",
		"undelivered.expired":        "5",
		"undelivered.no_balance":     "0",
		"expired":                    "5",
		"unsubscribed":               "2",
		"pending":                    "0",
		"sent_rate":                  "0.9500",
		"delivered_rate":             "0.8421",
		"read_rate":                  "0.5000",
		"ctr":                        "0.1250",
		"ctor":                       "0.2500",
		"unsubscribed_rate":          "0.0250",
	}
	for name, value := range want {
		if got[name] != value {
			t.Errorf("%s = %q, want %q", name, got[name], value)
		}
	}
}

func TestCampaignColumnsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range CampaignColumns {
		if seen[name] {
			t.Errorf("column %s appears twice", name)
		}
		seen[name] = true
	}
}
