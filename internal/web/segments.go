package web

import (
	"net/http"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

type segmentRequest struct {
	Name string `json:"name"`
	// ListID is the contact list the segment draws from; 0 or absent for
	// none.
	ListID int64 `json:"list_id"`
}

type segmentJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	ListID    *int64    `json:"list_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func segmentFrom(sg *domain.Segment) segmentJSON {
	out := segmentJSON{ID: sg.ID, Name: sg.Name, CreatedAt: sg.CreatedAt, UpdatedAt: sg.UpdatedAt}
	if sg.ListID != 0 {
		list := sg.ListID
		out.ListID = &list
	}
	return out
}

func (s *Server) createSegment(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	var req segmentRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.ListID < 0 {
		return badRequest("list_id: invalid value %d: use the id of one of your contact lists", req.ListID)
	}
	sg := &domain.Segment{AccountID: account.ID, Name: req.Name, ListID: req.ListID}
	err := s.db.CreateSegment(r.Context(), sg)
	if store.IsInputError(err) {
		return badRequest("%v", err)
	}
	if err != nil {
		return err
	}
	s.log.Info("segment created", "account_id", account.ID, "segment_id", sg.ID)
	writeJSON(w, http.StatusCreated, segmentFrom(sg))
	return nil
}

func (s *Server) getSegment(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	id, err := pathID(r, "segment")
	if err != nil {
		return err
	}
	sg, err := s.db.Segment(r.Context(), account.ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, segmentFrom(sg))
	return nil
}

// updateSegment replaces a segment's name and list and marks it edited
// now, the time later reports show as its last edit.
func (s *Server) updateSegment(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	id, err := pathID(r, "segment")
	if err != nil {
		return err
	}
	var req segmentRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.ListID < 0 {
		return badRequest("list_id: invalid value %d: use the id of one of your contact lists", req.ListID)
	}
	sg, err := s.db.Segment(r.Context(), account.ID, id)
	if err != nil {
		return err
	}
	sg.Name, sg.ListID = req.Name, req.ListID
	err = s.db.UpdateSegment(r.Context(), sg)
	if store.IsInputError(err) {
		return badRequest("%v", err)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, segmentFrom(sg))
	return nil
}
