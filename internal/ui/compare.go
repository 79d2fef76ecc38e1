package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/csvexport"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

// selection acts on the campaigns ticked in the report list: it streams
// their statistics as CSV, or opens them side by side.
func (h *Handler) selection(w http.ResponseWriter, r *http.Request, v *viewer) error {
	ids, err := parseIDs(r.PostForm["ids"])
	if err != nil {
		return badRequest("error.select-campaigns")
	}
	switch r.PostForm.Get("action") {
	case "compare":
		if len(ids) < report.MinCompare || len(ids) > report.MaxCompare {
			return badRequest("error.compare-count", len(ids))
		}
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = strconv.FormatInt(id, 10)
		}
		http.Redirect(w, r, "/campaigns/compare?ids="+strings.Join(parts, ","), http.StatusSeeOther)
		return nil
	case "export":
		return h.exportCampaigns(w, r, v, ids)
	}
	return badRequest("error.form-invalid")
}

// exportCampaigns streams one CSV record of statistics per campaign, in
// the order the campaigns were selected.
func (h *Handler) exportCampaigns(w http.ResponseWriter, r *http.Request, v *viewer, ids []int64) error {
	if !v.Role.CanExport() {
		return forbidden()
	}
	if len(ids) == 0 {
		return badRequest("error.select-campaigns")
	}
	ctx := r.Context()
	if err := h.expireDue(ctx); err != nil {
		return err
	}
	// Every campaign is loaded before the first byte goes out, so a
	// campaign of another account fails the request with a clean page.
	stats := make([]csvexport.CampaignStats, len(ids))
	for i, id := range ids {
		c, err := h.db.Campaign(ctx, v.Account.ID, id)
		if err != nil {
			return err
		}
		rep, err := report.Build(ctx, h.db, v.Account.ID, id)
		if err != nil {
			return err
		}
		stats[i] = csvexport.CampaignStats{Campaign: c, Report: rep}
	}

	filename := "campaigns-" + h.now().In(v.Account.Location()).Format("2006-01-02") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	cw, err := csvexport.NewCampaignWriter(w, csvexport.Options{OmitBOM: r.PostForm.Get("bom") == "0"})
	if err == nil {
		for _, s := range stats {
			if err = cw.Write(s); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil {
		h.log.Error("campaign statistics export failed", "account_id", v.Account.ID, "err", err)
		return nil
	}
	h.log.Info("campaign statistics exported", "account_id", v.Account.ID, "user_id", v.User.ID, "campaigns", len(stats))
	return nil
}

// parseIDs reads positive campaign ids, dropping repeats.
func parseIDs(raw []string) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, field := range raw {
		for _, part := range strings.Split(field, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id <= 0 {
				return nil, strconv.ErrSyntax
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

type compareView struct {
	Loc       *time.Location
	Campaigns []*domain.Campaign
	// Rows holds one line per metric; each line has one row of each
	// campaign's report, in campaign order.
	Rows []compareRow
}

type compareRow struct {
	Metric string
	Label  string
	Sub    bool
	Total  bool
	Cells  []metricRow
}

// compare shows two to four reports side by side, one column each.
func (h *Handler) compare(w http.ResponseWriter, r *http.Request, v *viewer) error {
	ids, err := parseIDs([]string{r.URL.Query().Get("ids")})
	if err != nil {
		return badRequest("error.compare-count", 0)
	}
	if err := h.expireDue(r.Context()); err != nil {
		return err
	}
	reports, err := report.Compare(r.Context(), h.db, v.Account.ID, ids)
	if report.IsInputError(err) {
		return badRequest("error.compare-count", len(ids))
	}
	if err != nil {
		return err
	}
	norms := v.Account.Settings.Norms
	if norms == nil {
		norms = domain.DefaultNorms()
	}

	view := compareView{Loc: v.Account.Location()}
	var columns [][]metricRow
	for i, rep := range reports {
		c, err := h.db.Campaign(r.Context(), v.Account.ID, ids[i])
		if err != nil {
			return err
		}
		view.Campaigns = append(view.Campaigns, c)
		columns = append(columns, comparableRows(metricRows(rep, norms)))
	}
	for i, row := range columns[0] {
		line := compareRow{Metric: row.Metric, Label: row.Label, Sub: row.Sub, Total: row.Total}
		for _, col := range columns {
			line.Cells = append(line.Cells, col[i])
		}
		view.Rows = append(view.Rows, line)
	}
	h.render(w, r, v, http.StatusOK, "compare", "compare.title", view)
	return nil
}

// comparableRows drops the per-link rows, which differ between campaigns,
// so every report has the same rows in the same order.
func comparableRows(rows []metricRow) []metricRow {
	var out []metricRow
	for _, row := range rows {
		if row.LinkURL == "" {
			out = append(out, row)
		}
	}
	return out
}
