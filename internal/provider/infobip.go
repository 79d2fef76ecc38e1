package provider

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// infobip reads Infobip Viber delivery reports and seen reports.
//
// Infobip does not sign reports by default, so a connection uses one of two
// schemes, chosen by the configured secret:
//
//   - "user:password": the reports carry HTTP Basic auth with these
//     credentials. The stored secret is the SHA-256 hex of "user:password".
//   - "header:<secret>": the reports carry <secret> in the X-Webhook-Secret
//     header. The stored secret is "header:" followed by the secret's
//     SHA-256 hex.
//
// Delivery reports map status.groupName PENDING and ACCEPTED to EventSent,
// DELIVERED to EventDelivered, EXPIRED to EventFailed with ReasonExpired,
// and UNDELIVERABLE and REJECTED to EventFailed with a reason read from the
// error object. Other group names yield no event, so that a status Infobip
// adds later does not block the rest of the batch. Seen reports, posted to
// the "seen" variant of the webhook, map to EventRead at seenAt.
type infobip struct{}

func (infobip) Kind() Kind { return KindInfobip }

func (infobip) StoredSecret(secret string) (string, error) {
	if shared, ok := strings.CutPrefix(secret, headerSecretPrefix); ok {
		return storeHeaderSecret(shared)
	}
	return storeBasicCredentials(secret)
}

func (infobip) Verify(stored string, req Request) error {
	if hash, ok := strings.CutPrefix(stored, headerSecretPrefix); ok {
		return verifyHeaderSecret(hash, req)
	}
	return verifyBasicCredentials(stored, req)
}

type infobipReport struct {
	MessageID jsonText `json:"messageId"`
	To        jsonText `json:"to"`
	From      jsonText `json:"from"`
	SentAt    string   `json:"sentAt"`
	DoneAt    string   `json:"doneAt"`
	SeenAt    string   `json:"seenAt"`
	Status    *struct {
		GroupName string `json:"groupName"`
		Name      string `json:"name"`
	} `json:"status"`
	Error *struct {
		GroupName   string   `json:"groupName"`
		ID          jsonText `json:"id"`
		Name        string   `json:"name"`
		Description string   `json:"description"`
	} `json:"error"`
}

func (infobip) Parse(req Request) ([]domain.Event, error) {
	var body struct {
		Results *[]infobipReport `json:"results"`
	}
	if err := decodeJSON(req.Body, &body); err != nil {
		return nil, fmt.Errorf("infobip report: %w", err)
	}
	if body.Results == nil {
		return nil, errors.New(`infobip report: missing field "results": expected {"results":[...]}`)
	}

	seenVariant := req.Variant == "seen"
	if req.Variant != "" && !seenVariant {
		return nil, fmt.Errorf(`infobip report: unknown webhook variant %q: use "" for delivery reports or "seen" for seen reports`, req.Variant)
	}

	events := make([]domain.Event, 0, len(*body.Results))
	for i, report := range *body.Results {
		if report.MessageID == "" {
			return nil, fmt.Errorf(`infobip report: results[%d]: missing field "messageId"`, i)
		}

		// A seen report has no status object, so one that reaches the
		// delivery URL is still read as a seen report.
		var event domain.Event
		var ok bool
		var err error
		if seenVariant || (report.Status == nil && report.SeenAt != "") {
			event, err = infobipSeenEvent(report)
			ok = true
		} else {
			event, ok, err = infobipDeliveryEvent(report)
		}
		if err != nil {
			return nil, fmt.Errorf("infobip report: results[%d] (messageId %q): %w", i, report.MessageID, err)
		}
		if ok {
			events = append(events, event)
		}
	}
	return events, nil
}

func infobipSeenEvent(report infobipReport) (domain.Event, error) {
	if report.SeenAt == "" {
		return domain.Event{}, errors.New(`missing field "seenAt" in a seen report`)
	}
	seenAt, err := parseInfobipTime(report.SeenAt)
	if err != nil {
		return domain.Event{}, fmt.Errorf("invalid seenAt %q: %w", report.SeenAt, err)
	}

	// NOTE: seen reports may swap from and to compared with delivery
	// reports. The phone is taken from whichever field contains digits,
	// and the events are matched on messageId in any case.
	phone := string(report.To)
	if !isPhoneDigits(phone) && isPhoneDigits(string(report.From)) {
		phone = string(report.From)
	}
	if !isPhoneDigits(phone) {
		phone = ""
	}

	return domain.Event{
		ProviderMessageID: string(report.MessageID),
		Kind:              domain.EventRead,
		OccurredAt:        seenAt,
		Phone:             normalizePhone(phone),
	}, nil
}

// infobipDeliveryEvent maps one delivery report. ok is false for a status
// group that the product does not track.
func infobipDeliveryEvent(report infobipReport) (event domain.Event, ok bool, err error) {
	if report.Status == nil || report.Status.GroupName == "" {
		return event, false, errors.New(`missing field "status.groupName"`)
	}

	event = domain.Event{
		ProviderMessageID: string(report.MessageID),
		Phone:             normalizePhone(string(report.To)),
	}

	group := strings.ToUpper(report.Status.GroupName)
	switch group {
	case "PENDING", "ACCEPTED":
		event.Kind = domain.EventSent
	case "DELIVERED":
		event.Kind = domain.EventDelivered
	case "EXPIRED":
		event.Kind = domain.EventFailed
		event.Reason = domain.ReasonExpired
		event.ReasonDetail = joinDetail(infobipErrorName(report), report.Status.Name)
	case "UNDELIVERABLE", "REJECTED":
		event.Kind = domain.EventFailed
		event.Reason, event.ReasonDetail = infobipFailure(report, group)
	default:
		return event, false, nil
	}

	timeField, timeText := "doneAt", report.DoneAt
	if timeText == "" {
		timeField, timeText = "sentAt", report.SentAt
	}
	if timeText == "" {
		return event, false, errors.New(`missing fields "doneAt" and "sentAt": a delivery report needs one of them`)
	}
	event.OccurredAt, err = parseInfobipTime(timeText)
	if err != nil {
		return event, false, fmt.Errorf("invalid %s %q: %w", timeField, timeText, err)
	}
	return event, true, nil
}

// infobipFailure reads the reason from the error object. Without a known
// phrase in it, a REJECTED report becomes ReasonRejected and an
// UNDELIVERABLE one ReasonProviderError.
func infobipFailure(report infobipReport, group string) (domain.FailureReason, string) {
	fallback := domain.ReasonProviderError
	if group == "REJECTED" {
		fallback = domain.ReasonRejected
	}

	if report.Error == nil {
		return fallback, report.Status.Name
	}

	reason := classifyFailure(fallback, report.Error.Name, report.Error.Description)
	detail := report.Error.Name
	if detail == "" || detail == "NO_ERROR" {
		detail = joinDetail(report.Status.Name, report.Error.Description)
	}
	return reason, detail
}

func infobipErrorName(report infobipReport) string {
	if report.Error == nil || report.Error.Name == "NO_ERROR" {
		return ""
	}
	return report.Error.Name
}

// parseInfobipTime reads Infobip's "2025-03-01T10:00:04.512+0000" and RFC
// 3339. Fractional seconds are optional in both.
func parseInfobipTime(s string) (time.Time, error) {
	t, err := parseTimeLayouts(s, "2006-01-02T15:04:05Z0700", time.RFC3339Nano)
	if err != nil {
		return t, errors.New(`expected a time like "2025-03-01T10:00:04.512+0000" or RFC 3339`)
	}
	return t, nil
}
