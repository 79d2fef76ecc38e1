package ui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

type messageView struct {
	Message *domain.Message
	Loc     *time.Location
	Preview previewSet
}

// message renders a message's content, its language versions and their
// previews.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return &pageError{status: http.StatusNotFound, key: "error.not-found"}
	}
	m, err := h.db.Message(r.Context(), v.Account.ID, id)
	if err != nil {
		return err
	}
	view := messageView{Message: m, Loc: v.Account.Location(), Preview: newPreviewSet(m, r.URL.Query().Get("preview"))}
	h.render(w, r, v, http.StatusOK, "message", "message.title", view)
	return nil
}
