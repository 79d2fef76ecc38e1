package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

type messageRequest struct {
	Name string `json:"name"`
	domain.Content
	TTLSeconds *int64                  `json:"ttl_seconds"`
	Tags       []string                `json:"tags"`
	Versions   []domain.MessageVersion `json:"versions"`
}

type messageResponse struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	domain.Content
	TTLSeconds int64                   `json:"ttl_seconds"`
	Tags       []string                `json:"tags"`
	Versions   []domain.MessageVersion `json:"versions"`
	CreatedAt  time.Time               `json:"created_at"`
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	var req messageRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	m, err := req.message(account.ID)
	if err != nil {
		return err
	}
	if err := s.db.CreateMessage(r.Context(), m); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, messageJSON(m))
	return nil
}

// message validates the request and returns the message it describes.
func (req *messageRequest) message(accountID int64) (*domain.Message, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return nil, badRequest("name: missing: name the message, such as \"Spring sale\"")
	}
	if err := req.Content.Validate("message"); err != nil {
		// The content fields sit at the top level of the request, so the
		// prefix Validate puts on field names is dropped.
		return nil, badRequest("%s", strings.ReplaceAll(err.Error(), "message.", ""))
	}
	if req.TTLSeconds == nil {
		return nil, badRequest("ttl_seconds: missing: set how long Viber keeps trying to deliver, in seconds from 30 to 1209600 (14 days)")
	}
	ttl, err := parseTTL(*req.TTLSeconds)
	if err != nil {
		return nil, err
	}
	tags, err := cleanTags(req.Tags)
	if err != nil {
		return nil, err
	}

	languages := map[string]bool{}
	for i := range req.Versions {
		v := &req.Versions[i]
		field := fmt.Sprintf("versions[%d]", i)
		v.Language = strings.TrimSpace(v.Language)
		if v.Language == "" {
			return nil, badRequest("%s.language: missing: set the language code of this version, such as \"uk\"", field)
		}
		if languages[v.Language] {
			return nil, badRequest("%s.language: %q appears twice: give each language one version", field, v.Language)
		}
		languages[v.Language] = true
		if err := v.Content.Validate(field); err != nil {
			return nil, badRequest("%v", err)
		}
	}

	return &domain.Message{
		AccountID: accountID,
		Name:      name,
		Content:   req.Content,
		TTL:       ttl,
		Tags:      tags,
		Versions:  req.Versions,
	}, nil
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	id, err := pathID(r, "message")
	if err != nil {
		return err
	}
	m, err := s.db.Message(r.Context(), account.ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, messageJSON(m))
	return nil
}

func messageJSON(m *domain.Message) messageResponse {
	versions := m.Versions
	if versions == nil {
		versions = []domain.MessageVersion{}
	}
	tags := m.Tags
	if tags == nil {
		tags = []string{}
	}
	return messageResponse{
		ID:         m.ID,
		Name:       m.Name,
		Content:    m.Content,
		TTLSeconds: seconds(m.TTL),
		Tags:       tags,
		Versions:   versions,
		CreatedAt:  m.CreatedAt.Truncate(time.Millisecond),
	}
}

// cleanTags trims tags and drops repeats, keeping the first order.
func cleanTags(raw []string) ([]string, error) {
	tags := []string{}
	seen := map[string]bool{}
	for i, tag := range raw {
		tag = strings.TrimSpace(tag)
		if tag == "" {
			return nil, badRequest("tags[%d]: empty tag: remove it or give it a name", i)
		}
		if !seen[tag] {
			seen[tag] = true
			tags = append(tags, tag)
		}
	}
	return tags, nil
}
