package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
)

// maxListNameLength bounds a new contact list's name, in characters.
const maxListNameLength = 200

// segment loads the campaign's segment for the general information. A
// segment deleted since the launch still shows its id and the edit time
// recorded at launch.
func (h *Handler) segment(r *http.Request, v *viewer, c *domain.Campaign) (*segmentView, error) {
	if c.SegmentID == 0 {
		return nil, nil
	}
	s, err := h.db.Segment(r.Context(), v.Account.ID, c.SegmentID)
	if errors.Is(err, store.ErrNotFound) {
		return &segmentView{ID: c.SegmentID, UpdatedAt: c.SegmentUpdatedAt}, nil
	}
	if err != nil {
		return nil, err
	}
	return &segmentView{ID: s.ID, Name: s.Name, UpdatedAt: s.UpdatedAt}, nil
}

func (h *Handler) contactLists(r *http.Request, v *viewer) ([]domain.ContactList, error) {
	return h.db.ContactLists(r.Context(), v.Account.ID)
}

// exportToList adds the contacts of one metric to an existing contact
// list, or to a new list when no list is chosen.
func (h *Handler) exportToList(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !v.Role.CanExport() {
		return forbidden()
	}
	c, err := h.campaign(r, v)
	if err != nil {
		return err
	}
	metric, err := domain.ParseMetric(r.PostForm.Get("metric"))
	if err != nil {
		return badRequest("error.metric-invalid", r.PostForm.Get("metric"))
	}
	ctx := r.Context()

	var list *domain.ContactList
	if raw := r.PostForm.Get("list_id"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return &pageError{status: http.StatusNotFound, key: "error.not-found"}
		}
		if list, err = h.db.ContactList(ctx, v.Account.ID, id); err != nil {
			return err
		}
	} else {
		name := strings.TrimSpace(r.PostForm.Get("new_list"))
		if name == "" {
			return badRequest("error.list-name-missing")
		}
		if len([]rune(name)) > maxListNameLength {
			return badRequest("error.list-name-long", maxListNameLength)
		}
		list = &domain.ContactList{AccountID: v.Account.ID, Name: name}
		if err := h.db.CreateContactList(ctx, list); err != nil {
			return err
		}
	}

	if err := h.expireDue(ctx); err != nil {
		return err
	}
	added, err := h.db.AddMetricContactsToList(ctx, store.ContactQuery{
		AccountID:  v.Account.ID,
		CampaignID: c.ID,
		Metric:     metric,
	}, list.ID)
	if err != nil {
		return err
	}
	h.log.Info("contacts added to list", "account_id", v.Account.ID, "user_id", v.User.ID,
		"campaign_id", c.ID, "metric", metric, "list_id", list.ID, "added", added)
	http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(c.ID, 10)+"?notice=list-added&n="+strconv.FormatInt(added, 10)+
		"&metric="+string(metric)+"#export", http.StatusSeeOther)
	return nil
}

type deleteView struct {
	Campaign *domain.Campaign
	Report   *report.Report
}

// confirmDelete renders the confirmation step before a report is deleted.
func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !v.Role.CanDelete() {
		return forbidden()
	}
	c, err := h.campaign(r, v)
	if err != nil {
		return err
	}
	rep, err := report.Build(r.Context(), h.db, v.Account.ID, c.ID)
	if err != nil {
		return err
	}
	h.render(w, r, v, http.StatusOK, "delete", "delete.title", deleteView{Campaign: c, Report: rep})
	return nil
}

// deleteCampaign hides a report from the list. The delete is soft, so the
// report can be restored whole.
func (h *Handler) deleteCampaign(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !v.Role.CanDelete() {
		return forbidden()
	}
	c, err := h.campaign(r, v)
	if err != nil {
		return err
	}
	if err := h.db.DeleteCampaign(r.Context(), v.Account.ID, c.ID, h.now()); err != nil {
		return err
	}
	h.log.Info("report deleted", "account_id", v.Account.ID, "user_id", v.User.ID, "campaign_id", c.ID)
	http.Redirect(w, r, "/campaigns?notice=deleted", http.StatusSeeOther)
	return nil
}

func (h *Handler) restoreCampaign(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !v.Role.CanDelete() {
		return forbidden()
	}
	c, err := h.campaign(r, v)
	if err != nil {
		return err
	}
	if err := h.db.RestoreCampaign(r.Context(), v.Account.ID, c.ID); err != nil {
		return err
	}
	h.log.Info("report restored", "account_id", v.Account.ID, "user_id", v.User.ID, "campaign_id", c.ID)
	http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(c.ID, 10)+"?notice=restored", http.StatusSeeOther)
	return nil
}
