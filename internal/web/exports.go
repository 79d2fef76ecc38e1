package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vibereport/vibereport/internal/csvexport"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
)

// maxExportCampaigns caps one statistics export, which builds a report per
// campaign within one request.
const maxExportCampaigns = 500

// exportMetricCSV streams a metric's contacts as CSV: the same rows, in the
// same order, as the contact list of the metric, and as many as its count.
func (s *Server) exportMetricCSV(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	c, err := s.campaign(r, account)
	if err != nil {
		return err
	}
	query := r.URL.Query()
	metric, err := requiredMetric(query.Get("metric"))
	if err != nil {
		return err
	}
	opts, err := csvOptions(query.Get("bom"))
	if err != nil {
		return err
	}
	// Expiries that are due count before the export, as they do in the
	// report, so the row count matches the count the report shows.
	if _, err := s.writer.ExpireDue(r.Context(), s.now()); err != nil {
		return err
	}

	startCSV(w, fmt.Sprintf("campaign-%d-%s.csv", c.ID, metric))
	q := store.ContactQuery{AccountID: account.ID, CampaignID: c.ID, Metric: metric}
	rows, err := csvexport.ExportContacts(r.Context(), s.db, q, w, opts)
	if err != nil {
		s.abortStream(r, err, "account_id", account.ID, "campaign_id", c.ID, "metric", string(metric), "rows", rows)
	}
	s.log.Info("contacts exported", "account_id", account.ID, "campaign_id", c.ID, "metric", string(metric), "rows", rows)
	return nil
}

type exportToListRequest struct {
	Metric      string `json:"metric"`
	ListID      int64  `json:"list_id"`
	NewListName string `json:"new_list_name"`
}

type exportToListResponse struct {
	ListID int64 `json:"list_id"`
	// Added counts contacts that were not in the list yet.
	Added int64 `json:"added"`
	// Size is the list's size after the export.
	Size int64 `json:"size"`
}

// exportToList adds a metric's contacts to an existing contact list or to
// a new one.
func (s *Server) exportToList(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	c, err := s.campaign(r, account)
	if err != nil {
		return err
	}
	var req exportToListRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	metric, err := requiredMetric(req.Metric)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(req.NewListName)
	switch {
	case req.ListID == 0 && name == "":
		return badRequest("list_id: missing: set list_id to add to an existing list, or new_list_name to create one")
	case req.ListID != 0 && name != "":
		return badRequest("list_id: set either list_id or new_list_name, not both")
	case req.ListID < 0:
		return badRequest("list_id: invalid value %d: use the id of one of your contact lists", req.ListID)
	}
	if req.ListID != 0 {
		if _, err := s.db.ContactList(r.Context(), account.ID, req.ListID); isNotFound(err) {
			return badRequest("list_id: no contact list %d in this account: use an id from GET /api/v1/contact-lists", req.ListID)
		} else if err != nil {
			return err
		}
	}
	if _, err := s.writer.ExpireDue(r.Context(), s.now()); err != nil {
		return err
	}

	status, listID := http.StatusOK, req.ListID
	if listID == 0 {
		list := &domain.ContactList{AccountID: account.ID, Name: name}
		if err := s.db.CreateContactList(r.Context(), list); err != nil {
			return err
		}
		status, listID = http.StatusCreated, list.ID
	}
	// NOTE: a new list is created before the contacts are added, so a
	// failure while adding leaves it empty; repeating the export fills it.
	q := store.ContactQuery{AccountID: account.ID, CampaignID: c.ID, Metric: metric}
	added, err := s.db.AddMetricContactsToList(r.Context(), q, listID)
	if err != nil {
		return err
	}
	list, err := s.db.ContactList(r.Context(), account.ID, listID)
	if err != nil {
		return err
	}
	s.log.Info("contacts added to list", "account_id", account.ID, "campaign_id", c.ID, "metric", string(metric),
		"list_id", listID, "added", added)
	writeJSON(w, status, exportToListResponse{ListID: listID, Added: added, Size: list.Size})
	return nil
}

// exportCampaignsCSV streams the statistics of the selected campaigns, one
// record per campaign in the order of ids, with the columns that
// csvexport.CampaignColumns documents.
func (s *Server) exportCampaignsCSV(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	query := r.URL.Query()
	ids, err := parseIDList(query["ids"], "ids", maxExportCampaigns)
	if err != nil {
		return err
	}
	opts, err := csvOptions(query.Get("bom"))
	if err != nil {
		return err
	}
	if _, err := s.writer.ExpireDue(r.Context(), s.now()); err != nil {
		return err
	}

	// Every campaign is loaded before the first byte goes out, so a
	// missing one is a clean 404 and not a truncated file.
	stats := make([]csvexport.CampaignStats, len(ids))
	for i, id := range ids {
		c, err := s.db.Campaign(r.Context(), account.ID, id)
		if err != nil {
			return err
		}
		rep, err := report.Build(r.Context(), s.db, account.ID, id)
		if err != nil {
			return err
		}
		stats[i] = csvexport.CampaignStats{Campaign: c, Report: rep}
	}

	startCSV(w, "campaigns.csv")
	cw, err := csvexport.NewCampaignWriter(w, opts)
	if err == nil {
		for _, st := range stats {
			if err = cw.Write(st); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil {
		s.abortStream(r, err, "account_id", account.ID, "campaigns", len(ids))
	}
	return nil
}

// requiredMetric parses a metric name that the request must carry.
func requiredMetric(name string) (domain.Metric, error) {
	if name == "" {
		return "", badRequest("metric: missing: set metric to a metric name such as delivered")
	}
	metric, err := domain.ParseMetric(name)
	if err != nil {
		return "", badRequest("metric: %v", err)
	}
	return metric, nil
}

// csvOptions reads the bom parameter. The byte order mark is written
// unless bom is false, because Excel needs it to read UTF-8.
func csvOptions(raw string) (csvexport.Options, error) {
	if raw == "" {
		return csvexport.Options{}, nil
	}
	withBOM, err := strconv.ParseBool(raw)
	if err != nil {
		return csvexport.Options{}, badRequest("bom: invalid value %q: use true or false", truncate(raw))
	}
	return csvexport.Options{OmitBOM: !withBOM}, nil
}

// startCSV writes the headers of a CSV download. filename contains only
// ids, metric names and ASCII letters, so it needs no escaping.
func startCSV(w http.ResponseWriter, filename string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// abortStream logs a failure in the middle of a streamed download and
// aborts the response, so the client sees a broken transfer instead of a
// file that looks complete.
func (s *Server) abortStream(r *http.Request, err error, attrs ...any) {
	if r.Context().Err() != nil {
		s.log.Info("download canceled by the client", append([]any{"path", r.URL.Path}, attrs...)...)
	} else {
		s.log.Error("download failed", append([]any{"path", r.URL.Path, "err", err}, attrs...)...)
	}
	panic(http.ErrAbortHandler)
}
