package csvexport

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/vibereport/vibereport/internal/store"
)

// ContactColumns is the header of a contact export. Each record is one
// delivery of the exported metric:
//
//   - delivery_id, contact_id: the store's ids.
//   - phone: E.164 with a leading +, empty for bot subscribers.
//   - viber_user_id, first_name, last_name, email: from the contact.
//   - language: the language version of the message that was sent, empty
//     when unknown.
//   - status: the delivery's current status, one of not_sent, sent, failed,
//     delivered, read, clicked.
//   - not_sent_reason: for not_sent, the bucket (inaccessible,
//     over_plan_limit, annoyance_limit, duplicate); empty otherwise.
//   - provider_message_id: the provider's id for the message.
//   - sent_at, delivered_at, read_at, clicked_at, failed_at: the earliest
//     time of each status, and clicked_at is the first click.
//   - failure_reason: one of the undelivered reasons (not_viber_user,
//     blocked, no_device, expired, rejected, provider_error, no_balance),
//     and failure_detail: the provider's own text for it.
//   - unsubscribed_at: when the contact unsubscribed or blocked the sender
//     after this campaign reached them.
//   - clicks: the total number of tracked clicks, counting repeats.
var ContactColumns = []string{
	"delivery_id", "contact_id", "phone", "viber_user_id", "first_name", "last_name", "email",
	"language", "status", "not_sent_reason", "provider_message_id",
	"sent_at", "delivered_at", "read_at", "clicked_at", "failed_at",
	"failure_reason", "failure_detail", "unsubscribed_at", "clicks",
}

// ContactSource streams a metric's contacts. *store.DB implements it with
// keyset pages, so an export holds one page in memory at a time.
type ContactSource interface {
	EachMetricContact(ctx context.Context, q store.ContactQuery, fn func(*store.MetricContact) error) error
}

// ContactWriter writes a contact export record by record.
type ContactWriter struct {
	w      *recordWriter
	record []string
}

// NewContactWriter returns a writer that has written the byte order mark,
// unless opts omits it, and the ContactColumns header to w. Call Flush
// when done.
func NewContactWriter(w io.Writer, opts Options) (*ContactWriter, error) {
	cw := &ContactWriter{w: newRecordWriter(w, opts), record: make([]string, len(ContactColumns))}
	if err := cw.w.write(ContactColumns); err != nil {
		return nil, err
	}
	return cw, nil
}

// Write writes one contact's record.
func (cw *ContactWriter) Write(mc *store.MetricContact) error {
	d := &mc.Delivery
	r := cw.record
	r[0] = strconv.FormatInt(d.ID, 10)
	r[1] = strconv.FormatInt(d.ContactID, 10)
	r[2] = PhoneCell(mc.Phone)
	r[3] = Cell(mc.ViberUserID)
	r[4] = Cell(mc.FirstName)
	r[5] = Cell(mc.LastName)
	r[6] = Cell(mc.Email)
	r[7] = Cell(d.Language)
	r[8] = d.Status.String()
	r[9] = Cell(string(d.NotSentReason))
	r[10] = Cell(d.ProviderMessageID)
	r[11] = formatTime(d.SentAt)
	r[12] = formatTime(d.DeliveredAt)
	r[13] = formatTime(d.ReadAt)
	r[14] = formatTime(d.ClickedAt)
	r[15] = formatTime(d.FailedAt)
	r[16] = Cell(string(d.FailureReason))
	r[17] = Cell(d.FailureDetail)
	r[18] = formatTime(d.UnsubscribedAt)
	r[19] = strconv.FormatInt(d.ClicksTotal, 10)
	return cw.w.write(r)
}

// Flush writes buffered records to the underlying writer and returns the
// first write error, if any.
func (cw *ContactWriter) Flush() error {
	return cw.w.flush()
}

// ExportContacts writes the header and every contact that q selects to w,
// and returns the number of contact records written. q.Limit sets the page
// size read from src. On error the output is incomplete and should be
// discarded.
func ExportContacts(ctx context.Context, src ContactSource, q store.ContactQuery, w io.Writer, opts Options) (int64, error) {
	cw, err := NewContactWriter(w, opts)
	if err != nil {
		return 0, err
	}
	var rows int64
	err = src.EachMetricContact(ctx, q, func(mc *store.MetricContact) error {
		if err := cw.Write(mc); err != nil {
			return err
		}
		rows++
		return nil
	})
	if err != nil {
		return rows, err
	}
	return rows, cw.Flush()
}

// formatTime returns t in RFC 3339 UTC to the second, or "" for the zero
// time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
