package provider

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// yespo reads Yespo activity webhooks, which are protected by HTTP Basic
// auth. The configured secret is "user:password" and the stored secret is
// its SHA-256 hex.
//
// Yespo does not document which field names one send to one contact. The
// provider message id is messageInstanceId when present, because it is the
// likeliest to be assigned per contact and send. Without it the id is
// externalRequestId, which the sender sets on its own request. The last
// fallback is messageId, which may name the message template and so match
// several sends.
//
// activityStatus maps DELIVERED to EventDelivered, UNDELIVERED to
// EventFailed, READ to EventRead, CLICKED to EventClicked with the clicked
// link, and UNSUBSCRIBED to EventUnsubscribed. Other statuses, and records
// whose mediaType is set to a channel other than viber, yield no events.
type yespo struct{}

func (yespo) Kind() Kind { return KindYespo }

func (yespo) StoredSecret(secret string) (string, error) {
	return storeBasicCredentials(secret)
}

func (yespo) Verify(stored string, req Request) error {
	return verifyBasicCredentials(stored, req)
}

type yespoActivity struct {
	SMS               jsonText `json:"sms"`
	MediaType         string   `json:"mediaType"`
	ActivityStatus    string   `json:"activityStatus"`
	MessageID         jsonText `json:"messageId"`
	MessageInstanceID jsonText `json:"messageInstanceId"`
	ExternalRequestID jsonText `json:"externalRequestId"`
	ActivityDateTime  string   `json:"activityDateTime"`
	StatusDescription string   `json:"statusDescription"`
	ClickEventLink    string   `json:"clickEventLink"`
}

// yespoFailureReasons maps Yespo's Viber statusDescription texts. Other
// texts are read by their wording, then default to ReasonProviderError.
var yespoFailureReasons = map[string]domain.FailureReason{
	"unknown user":      domain.ReasonNotViberUser,
	"expired state":     domain.ReasonExpired,
	"no money":          domain.ReasonNoBalance,
	"undelivered state": domain.ReasonProviderError,
}

func (yespo) Parse(req Request) ([]domain.Event, error) {
	// A lone record outside an array is accepted too, since a webhook
	// configured for single events would send that shape.
	var records []yespoActivity
	if trimmed := bytes.TrimSpace(req.Body); len(trimmed) > 0 && trimmed[0] == '{' {
		var record yespoActivity
		if err := decodeJSON(req.Body, &record); err != nil {
			return nil, fmt.Errorf("yespo activity: %w", err)
		}
		records = append(records, record)
	} else if err := decodeJSON(req.Body, &records); err != nil {
		return nil, fmt.Errorf("yespo activity: %w", err)
	}

	events := make([]domain.Event, 0, len(records))
	for i, record := range records {
		event, ok, err := yespoEvent(record)
		if err != nil {
			return nil, fmt.Errorf("yespo activity: record %d: %w", i, err)
		}
		if ok {
			events = append(events, event)
		}
	}
	return events, nil
}

// yespoEvent maps one activity record. ok is false for a record the product
// does not track.
func yespoEvent(record yespoActivity) (event domain.Event, ok bool, err error) {
	if record.MediaType != "" && !strings.EqualFold(record.MediaType, "viber") {
		return event, false, nil
	}

	switch strings.ToUpper(record.ActivityStatus) {
	case "DELIVERED":
		event.Kind = domain.EventDelivered
	case "UNDELIVERED":
		event.Kind = domain.EventFailed
		event.Reason = yespoFailure(record.StatusDescription)
		event.ReasonDetail = record.StatusDescription
	case "READ":
		event.Kind = domain.EventRead
	case "CLICKED":
		event.Kind = domain.EventClicked
		event.Link = record.ClickEventLink
	case "UNSUBSCRIBED":
		event.Kind = domain.EventUnsubscribed
	case "":
		return event, false, errors.New(`missing field "activityStatus"`)
	default:
		return event, false, nil
	}

	switch {
	case record.MessageInstanceID != "":
		event.ProviderMessageID = string(record.MessageInstanceID)
	case record.ExternalRequestID != "":
		event.ProviderMessageID = string(record.ExternalRequestID)
	case record.MessageID != "":
		event.ProviderMessageID = string(record.MessageID)
	default:
		return event, false, errors.New(`missing fields "messageInstanceId", "externalRequestId" and "messageId": a record needs one of them`)
	}

	if record.ActivityDateTime == "" {
		return event, false, errors.New(`missing field "activityDateTime"`)
	}
	event.OccurredAt, err = parseTimeLayouts(record.ActivityDateTime,
		time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05")
	if err != nil {
		return event, false, fmt.Errorf(`invalid activityDateTime %q: expected RFC 3339 or "2006-01-02 15:04:05" in UTC`, record.ActivityDateTime)
	}

	event.Phone = normalizePhone(string(record.SMS))
	return event, true, nil
}

func yespoFailure(description string) domain.FailureReason {
	key := strings.ToLower(strings.TrimSpace(description))
	if reason, ok := yespoFailureReasons[key]; ok {
		return reason
	}
	return classifyFailure(domain.ReasonProviderError, description)
}
