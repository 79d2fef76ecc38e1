package ui

import (
	"net/http"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

// detailsView is the detailed statistics part of the report: the metrics
// per language version and, when the user picked one, a breakdown by
// another dimension.
type detailsView struct {
	Languages []detailRow
	// By is the chosen breakdown dimension, "" for none.
	By        string
	Breakdown []detailRow
	// Dimensions lists the choices of the Add details control.
	Dimensions []string
}

// detailRow is one line of a details table.
type detailRow struct {
	// Key is the dimension value; Label is what the page shows for it.
	Key         string
	Label       string
	Audience    int64
	Sent        int64
	Delivered   int64
	Read        int64
	Clicked     int64
	Undelivered int64
	DeliveredR  report.Rate
	ReadR       report.Rate
	CTR         report.Rate
}

// breakdownDimensions are the Add details choices in the order the control
// lists them.
var breakdownDimensions = []string{"language", "segment", "day", "hour", "link", "failure_reason", "os"}

func detailRowFrom(key, label string, m report.Metrics) detailRow {
	rates := report.Rates(m)
	return detailRow{
		Key:         key,
		Label:       label,
		Audience:    m.Audience,
		Sent:        m.Sent,
		Delivered:   m.Delivered,
		Read:        m.Read,
		Clicked:     m.Clicked,
		Undelivered: m.Undelivered,
		DeliveredR:  rates["delivered"],
		ReadR:       rates["read"],
		CTR:         rates["ctr"],
	}
}

// details builds the per-language table from the report and the breakdown
// the ?by= parameter asks for.
func (h *Handler) details(r *http.Request, v *viewer, c *domain.Campaign, rep *report.Report) (detailsView, error) {
	d := detailsView{Dimensions: breakdownDimensions}
	for _, row := range rep.Languages {
		d.Languages = append(d.Languages, detailRowFrom(row.Language, languageName(DefaultLang, row.Language), row.Metrics))
	}

	by := r.URL.Query().Get("by")
	if by == "" {
		return d, nil
	}
	valid := false
	for _, dim := range breakdownDimensions {
		valid = valid || dim == by
	}
	if !valid {
		return d, badRequest("error.breakdown-invalid", by)
	}
	d.By = by
	rows, err := h.breakdown(r, v, c, by)
	if err != nil {
		return d, err
	}
	d.Breakdown = rows
	return d, nil
}
