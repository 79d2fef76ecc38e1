package ui

import (
	"fmt"
	"net/http"

	"github.com/vibereport/vibereport/internal/csvexport"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// exportCSV streams the contacts of one metric as a CSV file. The file is
// written while keyset pages are read, so its size does not bound memory.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !v.Role.CanExport() {
		return forbidden()
	}
	c, err := h.campaign(r, v)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	metric, err := domain.ParseMetric(q.Get("metric"))
	if err != nil {
		return badRequest("error.metric-invalid", q.Get("metric"))
	}
	opts := csvexport.Options{OmitBOM: q.Get("bom") == "0"}

	filename := fmt.Sprintf("campaign-%d-%s.csv", c.ID, metric)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	rows, err := csvexport.ExportContacts(r.Context(), h.db, store.ContactQuery{
		AccountID:  v.Account.ID,
		CampaignID: c.ID,
		Metric:     metric,
	}, w, opts)
	if err != nil {
		// The header is sent, so the browser keeps a truncated file; the
		// log records which export failed.
		h.log.Error("contact export failed", "account_id", v.Account.ID, "campaign_id", c.ID,
			"metric", metric, "rows", rows, "err", err)
		return nil
	}
	h.log.Info("contacts exported", "account_id", v.Account.ID, "user_id", v.User.ID,
		"campaign_id", c.ID, "metric", metric, "rows", rows)
	return nil
}
