package ui

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
)

// contactsPageSize is the number of contacts on one page of a contact list.
const contactsPageSize = 50

// contactsView is one page of a metric's contact list.
type contactsView struct {
	Campaign *domain.Campaign
	Metric   string
	// Total is the metric's count in the report, which the unfiltered
	// list's length equals.
	Total    int64
	Search   string
	Loc      *time.Location
	Contacts []store.MetricContact
	// First is true on the first page; NextCursor is "" on the last.
	First      bool
	NextCursor string
	// Query is the page's query without the cursor, for the paging links.
	Query  url.Values
	Export exportPanel
}

// contacts renders one keyset page of the contacts behind a metric. Pages
// follow delivery ids, so a deep page costs what the first does and no
// contact repeats or goes missing while events arrive.
func (h *Handler) contacts(w http.ResponseWriter, r *http.Request, v *viewer) error {
	c, err := h.campaign(r, v)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	metric, err := domain.ParseMetric(q.Get("metric"))
	if err != nil {
		return badRequest("error.metric-invalid", q.Get("metric"))
	}
	afterID, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		return badRequest("error.cursor-invalid")
	}
	search := strings.TrimSpace(q.Get("q"))
	if err := h.expireDue(r.Context()); err != nil {
		return err
	}

	// One extra row shows whether another page follows.
	page, err := h.db.MetricContacts(r.Context(), store.ContactQuery{
		AccountID:  v.Account.ID,
		CampaignID: c.ID,
		Metric:     metric,
		AfterID:    afterID,
		Limit:      contactsPageSize + 1,
		Search:     search,
	})
	if err != nil {
		return err
	}

	view := contactsView{
		Campaign: c,
		Metric:   string(metric),
		Search:   search,
		Loc:      v.Account.Location(),
		First:    afterID == 0,
		Query:    url.Values{"metric": {string(metric)}},
		Export:   exportPanel{Selected: string(metric)},
	}
	if search != "" {
		view.Query.Set("q", search)
	}
	if len(page) > contactsPageSize {
		page = page[:contactsPageSize]
		view.NextCursor = encodeCursor(page[len(page)-1].ID)
	}
	view.Contacts = page
	if view.Export.Metrics, view.Total, err = h.metricOptions(r, v, c.ID, metric); err != nil {
		return err
	}
	if v.Role.CanExport() {
		if view.Export.Lists, err = h.contactLists(r, v); err != nil {
			return err
		}
		view.Export.ListsAvailable = true
	}
	h.render(w, r, v, http.StatusOK, "contacts", "contacts.title", view)
	return nil
}

// cursorPrefix versions the cursor format, as the JSON API's cursors do.
const cursorPrefix = "d1:"

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(id, 10)))
}

// decodeCursor returns the delivery id a cursor continues after; "" is the
// first page.
func decodeCursor(cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, err
	}
	digits, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, strconv.ErrSyntax
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id < 0 {
		return 0, strconv.ErrSyntax
	}
	return id, nil
}

// metricOptions returns every metric with its count as the report shows
// it, for the metric choice, and the count of the chosen metric.
func (h *Handler) metricOptions(r *http.Request, v *viewer, campaignID int64, metric domain.Metric) ([]metricOption, int64, error) {
	rep, err := report.Build(r.Context(), h.db, v.Account.ID, campaignID)
	if err != nil {
		return nil, 0, err
	}
	var (
		options []metricOption
		count   int64
	)
	for _, row := range metricRows(rep, nil) {
		if row.Metric == "" {
			continue
		}
		options = append(options, metricOption{Metric: row.Metric, Count: row.Count, Sub: row.Sub})
		if row.Metric == string(metric) {
			count = row.Count
		}
	}
	return options, count, nil
}
