package web

import (
	"net/http"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

type contactListRequest struct {
	Name string `json:"name"`
}

type contactListJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

func contactListFrom(l *domain.ContactList) contactListJSON {
	return contactListJSON{ID: l.ID, Name: l.Name, Size: l.Size, CreatedAt: l.CreatedAt.Truncate(time.Millisecond)}
}

func (s *Server) createContactList(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	var req contactListRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	list := &domain.ContactList{AccountID: account.ID, Name: req.Name}
	err := s.db.CreateContactList(r.Context(), list)
	if store.IsInputError(err) {
		return badRequest("%v", err)
	}
	if err != nil {
		return err
	}
	s.log.Info("contact list created", "account_id", account.ID, "list_id", list.ID)
	writeJSON(w, http.StatusCreated, contactListFrom(list))
	return nil
}

func (s *Server) listContactLists(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	lists, err := s.db.ContactLists(r.Context(), account.ID)
	if err != nil {
		return err
	}
	out := make([]contactListJSON, len(lists))
	for i := range lists {
		out[i] = contactListFrom(&lists[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"contact_lists": out})
	return nil
}

type listMemberJSON struct {
	ContactID   int64  `json:"contact_id"`
	Phone       string `json:"phone"`
	ViberUserID string `json:"viber_user_id"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Language    string `json:"language"`
}

// listContactListMembers returns one keyset page of a list's contacts in
// contact id order.
func (s *Server) listContactListMembers(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	id, err := pathID(r, "contact list")
	if err != nil {
		return err
	}
	query := r.URL.Query()
	limit, err := parseLimit(query.Get("limit"))
	if err != nil {
		return err
	}
	after, err := decodeCursor(memberCursorPrefix, query.Get("cursor"))
	if err != nil {
		return err
	}

	// One extra row shows whether another page follows.
	page, err := s.db.ListMembers(r.Context(), store.MemberQuery{
		AccountID: account.ID, ListID: id, AfterContactID: after, Limit: limit + 1,
	})
	if err != nil {
		return err
	}
	var next *string
	if len(page) > limit {
		page = page[:limit]
		cursor := encodeCursor(memberCursorPrefix, page[len(page)-1].ID)
		next = &cursor
	}
	out := make([]listMemberJSON, len(page))
	for i, c := range page {
		out[i] = listMemberJSON{ContactID: c.ID, Phone: c.Phone, ViberUserID: c.ViberUserID, Email: c.Email,
			FirstName: c.FirstName, LastName: c.LastName, Language: c.Language}
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": out, "next_cursor": next})
	return nil
}
