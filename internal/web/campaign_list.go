package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
)

type campaignSummaryJSON struct {
	campaignResponse
	MessageName string `json:"message_name"`
	SegmentName string `json:"segment_name"`
	// Counts has every counted metric and clicks_total, zeros included.
	Counts map[string]int64       `json:"counts"`
	Rates  map[string]report.Rate `json:"rates"`
}

type campaignListResponse struct {
	Campaigns []campaignSummaryJSON `json:"campaigns"`
	// From and To echo the range applied, null when open.
	From     *time.Time `json:"from"`
	To       *time.Time `json:"to"`
	TimeZone string     `json:"time_zone"`
}

// listCampaigns serves the report list. Periods and dates are cut in the
// account's time zone.
func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	filter, err := s.campaignFilter(r.URL.Query(), account)
	if err != nil {
		return err
	}
	if _, err := s.writer.ExpireDue(r.Context(), s.now()); err != nil {
		return err
	}
	list, err := s.db.ListCampaigns(r.Context(), filter)
	if store.IsInputError(err) {
		return badRequest("q: %v", err)
	}
	if err != nil {
		return err
	}

	resp := campaignListResponse{
		Campaigns: make([]campaignSummaryJSON, len(list)),
		From:      timeOrNil(filter.From),
		To:        timeOrNil(filter.To),
		TimeZone:  account.Location().String(),
	}
	for i := range list {
		resp.Campaigns[i] = campaignSummaryFrom(&list[i])
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func campaignSummaryFrom(c *store.CampaignSummary) campaignSummaryJSON {
	counts := map[string]int64{string(domain.MetricClicksTotal): c.Counts[domain.MetricClicksTotal]}
	for _, m := range domain.CountedMetrics() {
		counts[string(m)] = c.Counts[m]
	}
	return campaignSummaryJSON{
		campaignResponse: campaignJSON(&c.Campaign),
		MessageName:      c.MessageName,
		SegmentName:      c.SegmentName,
		Counts:           counts,
		Rates:            report.Rates(report.MetricsFromCounts(c.Counts)),
	}
}

// campaignFilter reads the report list's query parameters.
func (s *Server) campaignFilter(query url.Values, account *domain.Account) (store.CampaignFilter, error) {
	filter := store.CampaignFilter{AccountID: account.ID, Search: strings.TrimSpace(query.Get("q"))}
	loc := account.Location()

	period := strings.TrimSpace(query.Get("period"))
	if period != "" {
		if query.Get("from") != "" || query.Get("to") != "" {
			return filter, badRequest("period: %q cannot be combined with from or to: send either a period or a custom range", period)
		}
		from, to, err := report.PeriodRange(period, s.now(), loc)
		if err != nil {
			return filter, badRequest("period: %v", err)
		}
		filter.From, filter.To = from, to
	}

	var err error
	if filter.From.IsZero() {
		if filter.From, err = report.ParseRangeBound(query.Get("from"), "from", false, loc); err != nil {
			return filter, badRequest("%v", err)
		}
	}
	if filter.To.IsZero() {
		if filter.To, err = report.ParseRangeBound(query.Get("to"), "to", true, loc); err != nil {
			return filter, badRequest("%v", err)
		}
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && !filter.From.Before(filter.To) {
		return filter, badRequest("from: the range from %s to %s is empty: set from before to",
			filter.From.Format(time.RFC3339), filter.To.Format(time.RFC3339))
	}

	for i, tag := range query["tag"] {
		tag = strings.TrimSpace(tag)
		if tag == "" {
			return filter, badRequest("tag[%d]: empty tag: remove it or give a tag name", i)
		}
		filter.Tags = append(filter.Tags, tag)
	}

	if raw := query.Get("show_deleted"); raw != "" {
		show, err := strconv.ParseBool(raw)
		if err != nil {
			return filter, badRequest("show_deleted: invalid value %q: use true or false", truncate(raw))
		}
		filter.ShowDeleted = show
	}

	if raw := query.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > store.MaxCampaignListLimit {
			return filter, badRequest("limit: invalid value %q: use an integer from 1 to %d", truncate(raw), store.MaxCampaignListLimit)
		}
		filter.Limit = n
	}
	return filter, nil
}

// deleteCampaign soft-deletes a report and returns the campaign with its
// deletion time.
func (s *Server) deleteCampaign(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	id, err := pathID(r, "campaign")
	if err != nil {
		return err
	}
	if err := s.db.DeleteCampaign(r.Context(), account.ID, id, s.now().UTC()); err != nil {
		return err
	}
	s.log.Info("campaign deleted", "account_id", account.ID, "campaign_id", id)
	return s.writeCampaign(w, r, account.ID, id)
}

// restoreCampaign brings a deleted report back to the list.
func (s *Server) restoreCampaign(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	id, err := pathID(r, "campaign")
	if err != nil {
		return err
	}
	if err := s.db.RestoreCampaign(r.Context(), account.ID, id); err != nil {
		return err
	}
	s.log.Info("campaign restored", "account_id", account.ID, "campaign_id", id)
	return s.writeCampaign(w, r, account.ID, id)
}

func (s *Server) writeCampaign(w http.ResponseWriter, r *http.Request, accountID, id int64) error {
	c, err := s.db.Campaign(r.Context(), accountID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, campaignJSON(c))
	return nil
}

// parseIDList reads a comma-separated list of positive ids, such as
// "1,2,3", rejecting repeats. Repeated parameters (ids=1&ids=2) are joined.
func parseIDList(values []string, field string, maxIDs int) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, value := range values {
		for _, part := range strings.Split(value, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id <= 0 {
				return nil, badRequest("%s: invalid id %q: use positive integers separated by commas, such as 1,2,3", field, truncate(part))
			}
			if seen[id] {
				return nil, badRequest("%s: id %d appears twice: list each campaign once", field, id)
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, badRequest("%s: missing: list campaign ids separated by commas, such as ?%s=1,2", field, field)
	}
	if len(ids) > maxIDs {
		return nil, badRequest("%s: %d ids is over the limit of %d: select fewer campaigns", field, len(ids), maxIDs)
	}
	return ids, nil
}

// reportInputError turns a report package input error into a 400 and
// passes any other error through.
func reportInputError(err error, field string) error {
	var ie *report.InputError
	if errors.As(err, &ie) {
		return badRequest("%s: %v", field, ie)
	}
	return err
}
