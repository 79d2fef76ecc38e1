package ui

import (
	"net/http"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

// detailsView is the detailed statistics part of the report: the metrics
// per language version and, when the user picked one, a breakdown by
// another dimension.
type detailsView struct {
	Languages detailTable
	// By is the chosen breakdown dimension, "" for none.
	By        string
	Breakdown detailTable
	// Dimensions lists the choices of the Add details control.
	Dimensions []string
}

// detailTable is a breakdown as the page shows it.
type detailTable struct {
	By      string
	Columns []string
	Rows    []detailRow
	// Events is true for day and hour tables, whose cells count events in
	// the period rather than contacts.
	Events bool
}

type detailRow struct {
	Key   string
	Label string
	Cells []detailCell
}

// detailCell is one count with the rate shown beside it, if any.
type detailCell struct {
	Count int64
	Rate  *report.Rate
}

// details builds the per-language table and the breakdown that the ?by=
// parameter requests.
func (h *Handler) details(r *http.Request, v *viewer, c *domain.Campaign) (detailsView, error) {
	d := detailsView{Dimensions: report.BreakdownDimensions}
	loc := v.Account.Location()

	languages, err := report.Breakdown(r.Context(), h.db, v.Account, c.ID, report.ByLanguage)
	if err != nil {
		return d, err
	}
	d.Languages = newDetailTable(languages, loc)

	by := r.URL.Query().Get("by")
	if by == "" {
		return d, nil
	}
	table, err := report.Breakdown(r.Context(), h.db, v.Account, c.ID, by)
	if report.IsInputError(err) {
		return d, badRequest("error.breakdown-invalid", by)
	}
	if err != nil {
		return d, err
	}
	d.By = by
	d.Breakdown = newDetailTable(table, loc)
	return d, nil
}

// newDetailTable arranges a breakdown's rows for the page, with labels in
// the catalog's words and times in the account's time zone.
func newDetailTable(t *report.BreakdownTable, loc *time.Location) detailTable {
	dt := detailTable{By: t.By, Columns: t.Metrics, Events: t.By == report.ByDay || t.By == report.ByHour}
	for _, row := range t.Rows {
		out := detailRow{Key: row.Key, Label: detailLabel(t.By, row, loc)}
		for _, metric := range t.Metrics {
			cell := detailCell{Count: row.Counts[metric]}
			if name := detailRateName(t.By, metric); name != "" {
				if rate, ok := row.Rates[name]; ok {
					cell.Rate = &rate
				}
			}
			out.Cells = append(out.Cells, cell)
		}
		dt.Rows = append(dt.Rows, out)
	}
	return dt
}

// detailRateName returns which of a breakdown row's rates to show beside
// a metric's count, or "" for none.
func detailRateName(by, metric string) string {
	switch by {
	case report.ByDay, report.ByHour:
		return ""
	case report.ByReason:
		if metric == "undelivered" {
			return "sent"
		}
		return ""
	case report.ByOS:
		if metric == "clicked" {
			return "clicked"
		}
		return ""
	}
	switch metric {
	case "clicked":
		return "ctr"
	case "audience", "clicks_total":
		return ""
	}
	return metric
}

// detailLabel returns a breakdown row's caption. Keys that the report
// leaves in English or in UTC get the catalog's words and local time.
func detailLabel(by string, row report.BreakdownRow, loc *time.Location) string {
	switch by {
	case report.ByLanguage:
		return languageName(DefaultLang, row.Key)
	case report.ByOS:
		if row.Key == "" {
			return T(DefaultLang, "language.unknown")
		}
	case report.ByReason:
		return T(DefaultLang, metricKey(string(domain.UndeliveredMetric(domain.FailureReason(row.Key)))))
	case report.BySegment:
		if row.Key == "" {
			return T(DefaultLang, "details.no-segment")
		}
	case report.ByDay:
		if row.Start != nil {
			return row.Start.In(loc).Format("Mon 2 Jan 2006")
		}
	case report.ByHour:
		if row.Start != nil {
			return row.Start.In(loc).Format("Mon 2 Jan, 15:04 MST")
		}
	}
	return row.Label
}
