package ui

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
)

// reportView is the campaign report page.
type reportView struct {
	Campaign *domain.Campaign
	// Message is nil when the campaign's message no longer exists.
	Message  *domain.Message
	Segment  *segmentView
	Loc      *time.Location
	Report   *report.Report
	Rows     []metricRow
	Preview  previewSet
	Export   exportPanel
	Details  detailsView
	Activity activityView
}

// segmentView is the general information about a campaign's segment.
type segmentView struct {
	ID        int64
	Name      string
	UpdatedAt time.Time
}

// exportPanel is the export form of a report: which metric, which lists.
type exportPanel struct {
	Metrics  []metricOption
	Selected string
	Lists    []domain.ContactList
	// ListsAvailable is false when contact lists cannot be read, so the
	// page offers CSV only.
	ListsAvailable bool
}

// metricOption is one metric of an export's metric choice with its count.
type metricOption struct {
	Metric string
	Count  int64
	Sub    bool
}

// report renders a campaign's report. Expiries that are due are applied
// first, as the JSON API does, so both show the same figures.
func (h *Handler) report(w http.ResponseWriter, r *http.Request, v *viewer) error {
	c, err := h.campaign(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := h.expireDue(ctx); err != nil {
		return err
	}
	rep, err := report.Build(ctx, h.db, v.Account.ID, c.ID)
	if err != nil {
		return err
	}
	norms := v.Account.Settings.Norms
	if norms == nil {
		norms = domain.DefaultNorms()
	}

	view := reportView{
		Campaign: c,
		Loc:      v.Account.Location(),
		Report:   rep,
		Rows:     metricRows(rep, norms),
	}
	view.Message, err = h.db.Message(ctx, v.Account.ID, c.MessageID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	view.Preview = newPreviewSet(view.Message, r.URL.Query().Get("preview"))
	if view.Segment, err = h.segment(r, v, c); err != nil {
		return err
	}
	if view.Export, err = h.exportPanel(r, v, view.Rows); err != nil {
		return err
	}
	if view.Details, err = h.details(r, v, c); err != nil {
		return err
	}
	if view.Activity, err = h.activity(r, v, c); err != nil {
		return err
	}
	h.render(w, r, v, http.StatusOK, "report", "report.title", view)
	return nil
}

// exportPanel lists every exportable metric with its count, and the
// account's contact lists to add contacts to.
func (h *Handler) exportPanel(r *http.Request, v *viewer, rows []metricRow) (exportPanel, error) {
	p := exportPanel{Selected: r.URL.Query().Get("metric")}
	for _, row := range rows {
		if row.Metric != "" {
			p.Metrics = append(p.Metrics, metricOption{Metric: row.Metric, Count: row.Count, Sub: row.Sub})
		}
	}
	if !v.Role.CanExport() {
		return p, nil
	}
	lists, err := h.contactLists(r, v)
	if err != nil {
		return p, err
	}
	p.Lists, p.ListsAvailable = lists, true
	return p, nil
}

// campaign loads the campaign named by the {id} path value in the viewer's
// account; another account's campaign is not found.
func (h *Handler) campaign(r *http.Request, v *viewer) (*domain.Campaign, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, &pageError{status: http.StatusNotFound, key: "error.not-found"}
	}
	return h.db.Campaign(r.Context(), v.Account.ID, id)
}

// expireDue fails the deliveries whose TTL ran out, as the JSON API does
// before every report, so that pages and API show the same figures.
func (h *Handler) expireDue(ctx context.Context) error {
	if h.writer == nil {
		return nil
	}
	_, err := h.writer.ExpireDue(ctx, h.now())
	return err
}
