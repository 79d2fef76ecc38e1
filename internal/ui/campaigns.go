package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
)

// Report list periods besides report.Periods: everything, and a custom
// range of dates.
const (
	periodAll    = ""
	periodCustom = "custom"
)

// Ranking of the report list. A campaign competes for best and worst only
// with at least minRankedDelivered delivered messages, because the rates of
// a handful of messages vary too much to compare, and only when at least
// two campaigns qualify.
const minRankedDelivered = 50

// rankings are the rates the list can rank by.
var rankings = []string{"read", "ctr"}

// listColumns are the optional columns of the report list in display
// order; defaultColumns are shown until the user picks others.
var (
	listColumns    = []string{"message", "segment", "tags", "launched_by", "audience", "sent", "delivered", "delivered_rate", "read", "read_rate", "clicked", "ctr", "ctor", "undelivered", "unsubscribed"}
	defaultColumns = []string{"tags", "audience", "sent", "delivered_rate", "read_rate", "ctr", "undelivered"}
)

// columnsCookieName keeps the chosen columns between visits.
const columnsCookieName = "vibereport_columns"

type campaignListView struct {
	Loc      *time.Location
	Period   string
	Periods  []string
	From, To string
	Search   string
	Tags     string
	Deleted  bool
	Rank     string
	Rankings []string
	Columns  []string
	Chosen   map[string]bool
	All      []string
	Rows     []campaignRow
	// Truncated is true when more campaigns match than the list shows.
	Truncated bool
	Limit     int
	Query     url.Values
	// RankRule explains how best and worst were picked.
	MinRanked int
}

type campaignRow struct {
	store.CampaignSummary
	Metrics report.Metrics
	Rates   map[string]report.Rate
	// Mark is "best", "worst" or "".
	Mark    string
	Deleted bool
}

// campaignList renders the report list with its filters, chosen columns
// and best and worst campaigns.
func (h *Handler) campaignList(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q := r.URL.Query()
	loc := v.Account.Location()

	columns, err := h.chosenColumns(w, r)
	if err != nil {
		return err
	}
	view := campaignListView{
		Loc:       loc,
		Period:    q.Get("period"),
		Periods:   append([]string{periodAll}, append(report.Periods, periodCustom)...),
		From:      q.Get("from"),
		To:        q.Get("to"),
		Search:    strings.TrimSpace(q.Get("q")),
		Tags:      strings.TrimSpace(q.Get("tag")),
		Deleted:   q.Get("deleted") == "1",
		Rank:      q.Get("rank"),
		Rankings:  rankings,
		Columns:   columns,
		All:       listColumns,
		Chosen:    map[string]bool{},
		Limit:     store.MaxCampaignListLimit,
		MinRanked: minRankedDelivered,
		Query:     url.Values{},
	}
	for _, c := range columns {
		view.Chosen[c] = true
	}
	if !slices.Contains(rankings, view.Rank) {
		view.Rank = rankings[0]
	}
	for _, key := range []string{"period", "from", "to", "q", "tag", "deleted", "rank"} {
		if value := q.Get(key); value != "" {
			view.Query.Set(key, value)
		}
	}

	filter := store.CampaignFilter{
		AccountID:   v.Account.ID,
		Search:      view.Search,
		ShowDeleted: view.Deleted,
		Limit:       view.Limit + 1,
	}
	for _, tag := range strings.Split(view.Tags, ",") {
		if tag = strings.TrimSpace(tag); tag != "" {
			filter.Tags = append(filter.Tags, tag)
		}
	}
	switch view.Period {
	case periodAll:
	case periodCustom:
		if filter.From, err = report.ParseRangeBound(view.From, "from", false, loc); err != nil {
			return badRequest("error.date-invalid", view.From)
		}
		if filter.To, err = report.ParseRangeBound(view.To, "to", true, loc); err != nil {
			return badRequest("error.date-invalid", view.To)
		}
	default:
		if filter.From, filter.To, err = report.PeriodRange(view.Period, h.now(), loc); err != nil {
			return badRequest("error.period-invalid", view.Period)
		}
		view.From = filter.From.In(loc).Format(time.DateOnly)
		view.To = filter.To.In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
	}

	if err := h.expireDue(r.Context()); err != nil {
		return err
	}
	list, err := h.db.ListCampaigns(r.Context(), filter)
	if err != nil {
		return err
	}
	if len(list) > view.Limit {
		list, view.Truncated = list[:view.Limit], true
	}
	for _, s := range list {
		m := report.MetricsFromCounts(s.Counts)
		view.Rows = append(view.Rows, campaignRow{CampaignSummary: s, Metrics: m, Rates: report.Rates(m), Deleted: !s.DeletedAt.IsZero()})
	}
	markBestAndWorst(view.Rows, view.Rank)
	h.render(w, r, v, http.StatusOK, "campaigns", "campaigns.title", view)
	return nil
}

// markBestAndWorst marks the campaigns with the highest and the lowest
// rate among those with enough deliveries. Deleted campaigns are left
// out. Ties go to the campaign listed first, the newer one.
func markBestAndWorst(rows []campaignRow, rate string) {
	best, worst := -1, -1
	qualified := 0
	for i, row := range rows {
		if row.Deleted || row.Metrics.Delivered < minRankedDelivered {
			continue
		}
		qualified++
		value := row.Rates[rate].Value
		if best < 0 || value > rows[best].Rates[rate].Value {
			best = i
		}
		if worst < 0 || value < rows[worst].Rates[rate].Value {
			worst = i
		}
	}
	if qualified < 2 || rows[best].Rates[rate].Value == rows[worst].Rates[rate].Value {
		return
	}
	rows[best].Mark = "best"
	rows[worst].Mark = "worst"
}

// chosenColumns returns the list's columns: those the column form just
// submitted, which it also stores in a cookie, or else those in the
// cookie, or else the defaults.
func (h *Handler) chosenColumns(w http.ResponseWriter, r *http.Request) ([]string, error) {
	q := r.URL.Query()
	if q.Get("columns") == "1" {
		chosen := validColumns(q["col"])
		http.SetCookie(w, &http.Cookie{
			Name:     columnsCookieName,
			Value:    strings.Join(chosen, "."),
			Path:     "/campaigns",
			MaxAge:   365 * 24 * 3600,
			HttpOnly: true,
			Secure:   strings.HasPrefix(h.publicURL, "https://"),
			SameSite: http.SameSiteLaxMode,
		})
		return chosen, nil
	}
	if cookie, err := r.Cookie(columnsCookieName); err == nil {
		return validColumns(strings.Split(cookie.Value, ".")), nil
	}
	return defaultColumns, nil
}

// validColumns keeps the known columns of names in display order.
func validColumns(names []string) []string {
	var chosen []string
	for _, c := range listColumns {
		if slices.Contains(names, c) {
			chosen = append(chosen, c)
		}
	}
	return chosen
}
