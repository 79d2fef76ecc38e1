package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/phone"
	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/sandbox"
)

// MaxDeliveriesPerRequest caps one registration request, so that one
// request stays one short transaction.
const MaxDeliveriesPerRequest = 10_000

type deliveryItem struct {
	Phone             string          `json:"phone"`
	ViberUserID       string          `json:"viber_user_id"`
	ExternalID        string          `json:"external_id"`
	Language          string          `json:"language"`
	ProviderMessageID json.RawMessage `json:"provider_message_id"`
	SentAt            json.RawMessage `json:"sent_at"`
	NotSentReason     string          `json:"not_sent_reason"`
}

type registeredJSON struct {
	DeliveryID int64  `json:"delivery_id"`
	ContactID  int64  `json:"contact_id"`
	Outcome    string `json:"outcome"`
}

// registerDeliveries records the messages a campaign sent elsewhere, so
// that provider callbacks about them count in its report.
func (s *Server) registerDeliveries(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	c, err := s.campaign(r, account)
	if err != nil {
		return err
	}
	items, err := decodeDeliveries(r)
	if err != nil {
		return err
	}

	reg := &ingest.Registration{
		AccountID:  account.ID,
		CampaignID: c.ID,
		ProviderID: c.ProviderID,
		TTL:        c.TTL,
		Deliveries: make([]ingest.NewDelivery, len(items)),
	}
	for i := range items {
		nd, err := newDelivery(&items[i], fmt.Sprintf("deliveries[%d]", i), account.DefaultCountry)
		if err != nil {
			return err
		}
		reg.Deliveries[i] = nd
	}

	registered, err := s.writer.Register(r.Context(), reg)
	if err != nil {
		return err
	}
	s.simulateSandbox(r, account, c, reg, registered)
	out := make([]registeredJSON, len(registered))
	for i, res := range registered {
		out[i] = registeredJSON{DeliveryID: res.DeliveryID, ContactID: res.ContactID, Outcome: res.Outcome}
	}
	writeJSON(w, http.StatusOK, map[string]any{"registered": out})
	return nil
}

// simulateSandbox schedules the simulated outcomes of newly registered
// deliveries when the campaign goes through a sandbox connection. The
// registration is committed either way, so a failure here is logged, not
// returned.
func (s *Server) simulateSandbox(r *http.Request, account *domain.Account, c *domain.Campaign,
	reg *ingest.Registration, registered []ingest.Registered) {
	if s.sandbox == nil {
		return
	}
	ctx := r.Context()
	conn, err := s.db.AccountProviderConnection(ctx, account.ID, c.ProviderID)
	if err != nil {
		s.log.Error("sandbox: load connection", "account_id", account.ID, "campaign_id", c.ID, "err", err)
		return
	}
	if conn.Kind != string(provider.KindSandbox) {
		return
	}
	message, err := s.db.Message(ctx, account.ID, c.MessageID)
	if err != nil {
		s.log.Error("sandbox: load message", "account_id", account.ID, "campaign_id", c.ID, "err", err)
		return
	}
	webhook := s.baseURL(r) + fmt.Sprintf("/webhooks/%d", conn.ID)
	deliveries := sandbox.FromRegistration(reg.Deliveries, registered)
	if err := s.sandbox.Schedule(ctx, *conn, webhook, *c, *message, deliveries); err != nil {
		s.log.Error("sandbox: schedule callbacks", "account_id", account.ID, "campaign_id", c.ID, "err", err)
	}
}

// decodeDeliveries reads a JSON array of deliveries or an object with a
// "deliveries" array.
func decodeDeliveries(r *http.Request) ([]deliveryItem, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, badRequest(`empty request body: send a JSON array of deliveries or {"deliveries": [...]}`)
	}

	var items []deliveryItem
	if trimmed[0] == '[' {
		err = decodeStrict(trimmed, &items)
	} else {
		var wrapped struct {
			Deliveries []deliveryItem `json:"deliveries"`
		}
		err = decodeStrict(trimmed, &wrapped)
		items = wrapped.Deliveries
	}
	if err != nil {
		return nil, err
	}

	if len(items) == 0 {
		return nil, badRequest("deliveries: empty: send at least one delivery")
	}
	if len(items) > MaxDeliveriesPerRequest {
		return nil, badRequest("deliveries: %d items is over the limit of %d per request: split them into several requests",
			len(items), MaxDeliveriesPerRequest)
	}
	return items, nil
}

// decodeStrict decodes exactly one JSON value, rejecting unknown fields.
func decodeStrict(body []byte, v any) error {
	return decodeJSON(bytes.NewReader(body), v)
}

// newDelivery validates one item. field is its name in errors, such as
// "deliveries[3]".
func newDelivery(item *deliveryItem, field, region string) (ingest.NewDelivery, error) {
	var nd ingest.NewDelivery

	rawPhone := strings.TrimSpace(item.Phone)
	nd.Contact.ViberUserID = strings.TrimSpace(item.ViberUserID)
	nd.Contact.ExternalID = strings.TrimSpace(item.ExternalID)
	if rawPhone == "" && nd.Contact.ViberUserID == "" && nd.Contact.ExternalID == "" {
		return nd, badRequest("%s: missing phone, viber_user_id and external_id: set the contact's phone, "+
			"or viber_user_id for a bot subscriber, or external_id for a contact with neither", field)
	}
	if rawPhone != "" {
		normalised, err := phone.Normalize(rawPhone, region)
		switch {
		case err == nil:
			nd.Contact.Phone = normalised
		case item.NotSentReason == string(domain.NotSentInaccessible) && (nd.Contact.ViberUserID != "" || nd.Contact.ExternalID != ""):
			// An invalid phone is what made this contact inaccessible;
			// the contact is identified by its other id.
		case item.NotSentReason == string(domain.NotSentInaccessible):
			return nd, badRequest("%s.phone: %v; to count this contact as not_sent.inaccessible, also set external_id", field, err)
		default:
			return nd, badRequest("%s.phone: %v", field, err)
		}
	}
	nd.Language = strings.TrimSpace(item.Language)

	if item.NotSentReason != "" {
		reason, err := domain.ParseNotSentReason(item.NotSentReason)
		if err != nil {
			return nd, badRequest("%s.not_sent_reason: %v", field, err)
		}
		nd.NotSentReason = reason
	}

	id, err := parseMessageID(item.ProviderMessageID, field+".provider_message_id")
	if err != nil {
		return nd, err
	}
	nd.ProviderMessageID = id
	sentAt, err := parseTime(item.SentAt, field+".sent_at")
	if err != nil {
		return nd, err
	}
	nd.SentAt = sentAt

	if nd.NotSentReason == "" {
		if nd.ProviderMessageID == "" {
			return nd, badRequest("%s.provider_message_id: missing: a sent delivery needs the id the provider returned, "+
				"so that its callbacks find it; set not_sent_reason for a contact that was not sent", field)
		}
		if nd.SentAt.IsZero() {
			return nd, badRequest("%s.sent_at: missing: set when the provider accepted the message, %s", field, timeFix)
		}
	}
	return nd, nil
}
