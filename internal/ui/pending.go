package ui

import (
	"net/http"

	"github.com/vibereport/vibereport/internal/domain"
)

type activityView struct {
	Empty bool
}

func (h *Handler) segment(r *http.Request, v *viewer, c *domain.Campaign) (*segmentView, error) {
	if c.SegmentID == 0 {
		return nil, nil
	}
	return &segmentView{ID: c.SegmentID, UpdatedAt: c.SegmentUpdatedAt}, nil
}

func (h *Handler) contactLists(r *http.Request, v *viewer) ([]domain.ContactList, error) {
	return nil, nil
}

func (h *Handler) breakdown(r *http.Request, v *viewer, c *domain.Campaign, by string) ([]detailRow, error) {
	return nil, nil
}

func (h *Handler) activity(r *http.Request, v *viewer, c *domain.Campaign) (activityView, error) {
	return activityView{Empty: true}, nil
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return &pageError{status: http.StatusNotImplemented, key: "error.internal"}
}

func (h *Handler) campaignList(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.unavailable(w, r, v)
}
func (h *Handler) exportCampaigns(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.unavailable(w, r, v)
}
func (h *Handler) compare(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.unavailable(w, r, v)
}
func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.unavailable(w, r, v)
}
func (h *Handler) deleteCampaign(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.unavailable(w, r, v)
}
func (h *Handler) restoreCampaign(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.unavailable(w, r, v)
}
func (h *Handler) exportToList(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.unavailable(w, r, v)
}
