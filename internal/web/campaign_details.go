package web

import (
	"net/http"
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

// getBreakdown returns a campaign's figures split by the by parameter.
func (s *Server) getBreakdown(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	c, err := s.campaign(r, account)
	if err != nil {
		return err
	}
	by := strings.TrimSpace(r.URL.Query().Get("by"))
	if by == "" {
		return badRequest("by: missing: use one of %s", strings.Join(report.BreakdownDimensions, ", "))
	}
	if _, err := s.writer.ExpireDue(r.Context(), s.now()); err != nil {
		return err
	}
	table, err := report.Breakdown(r.Context(), s.db, account, c.ID, by)
	if err != nil {
		return reportInputError(err, "by")
	}
	writeJSON(w, http.StatusOK, table)
	return nil
}

// getActivity returns a campaign's activity chart from its send time.
func (s *Server) getActivity(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	c, err := s.campaign(r, account)
	if err != nil {
		return err
	}
	if _, err := s.writer.ExpireDue(r.Context(), s.now()); err != nil {
		return err
	}
	series, err := report.Activity(r.Context(), s.db, account, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, series)
	return nil
}

type comparedCampaign struct {
	Campaign campaignResponse `json:"campaign"`
	*report.Report
}

// compareCampaigns returns the reports of 2 to 4 campaigns side by side.
func (s *Server) compareCampaigns(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	ids, err := parseIDList(r.URL.Query()["ids"], "ids", report.MaxCompare)
	if err != nil {
		return err
	}
	if _, err := s.writer.ExpireDue(r.Context(), s.now()); err != nil {
		return err
	}
	reports, err := report.Compare(r.Context(), s.db, account.ID, ids)
	if err != nil {
		return reportInputError(err, "ids")
	}

	out := make([]comparedCampaign, len(reports))
	for i, rep := range reports {
		c, err := s.db.Campaign(r.Context(), account.ID, rep.CampaignID)
		if err != nil {
			return err
		}
		out[i] = comparedCampaign{Campaign: campaignJSON(c), Report: rep}
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": out, "norms": account.Settings.Norms})
	return nil
}
