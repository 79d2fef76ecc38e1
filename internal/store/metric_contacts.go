package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
)

// metricFilter returns the SQL condition on deliveries (aliased d) that
// selects a metric's members. It mirrors domain.Metric.Holds, and a test
// checks the two agree.
func metricFilter(m domain.Metric) (string, []any, error) {
	switch m {
	case domain.MetricAudience:
		return "d.not_sent_reason <> 'duplicate'", nil, nil
	case domain.MetricNotSent:
		return "d.status = 0", nil, nil
	case domain.MetricSent:
		return "d.status >= 1", nil, nil
	case domain.MetricDelivered:
		return "d.status >= 3", nil, nil
	case domain.MetricRead:
		return "d.status >= 4", nil, nil
	case domain.MetricClicked:
		return "d.status = 5", nil, nil
	case domain.MetricUndelivered:
		return "d.status = 2", nil, nil
	case domain.MetricExpired:
		return "d.status = 2 AND d.failure_reason = 'expired'", nil, nil
	case domain.MetricUnsubscribed:
		return "d.status >= 3 AND d.unsubscribed_at IS NOT NULL", nil, nil
	case domain.MetricPending:
		return "d.status = 1", nil, nil
	}
	if r, ok := strings.CutPrefix(string(m), "not_sent."); ok {
		return "d.status = 0 AND d.not_sent_reason = ?", []any{r}, nil
	}
	if r, ok := strings.CutPrefix(string(m), "undelivered."); ok {
		return "d.status = 2 AND d.failure_reason = ?", []any{r}, nil
	}
	return "", nil, fmt.Errorf("invalid metric %q", m)
}

// MetricContact is one delivery of a metric's contact list with the
// contact it went to.
type MetricContact struct {
	domain.Delivery
	Phone       string
	ViberUserID string
	Email       string
	ExternalID  string
	FirstName   string
	LastName    string
}

// ContactQuery selects one page of a metric's contacts. Pages are keyset
// pages on delivery id: AfterID is the last id of the previous page.
type ContactQuery struct {
	AccountID  int64
	CampaignID int64
	Metric     domain.Metric
	AfterID    int64
	Limit      int
	// Search keeps contacts whose phone, first or last name contains it.
	Search string
}

// MetricContacts returns one page of a metric's contacts in delivery order.
func (db *DB) MetricContacts(ctx context.Context, q ContactQuery) ([]MetricContact, error) {
	filter, filterArgs, err := metricFilter(q.Metric)
	if err != nil {
		return nil, err
	}
	query := `SELECT ` + prefixed("d.", deliveryColumns) + `,
		c.phone, c.viber_user_id, c.email, c.external_id, c.first_name, c.last_name
		FROM deliveries d JOIN contacts c ON c.account_id = d.account_id AND c.id = d.contact_id
		WHERE d.account_id = ? AND d.campaign_id = ? AND d.id > ? AND ` + filter
	args := append([]any{q.AccountID, q.CampaignID, q.AfterID}, filterArgs...)
	if q.Search != "" {
		like := "%" + escapeLike(strings.ToLower(q.Search)) + "%"
		query += ` AND (LOWER(COALESCE(c.phone, '')) LIKE ? ESCAPE '\' OR LOWER(c.first_name) LIKE ? ESCAPE '\'
			OR LOWER(c.last_name) LIKE ? ESCAPE '\' OR LOWER(c.first_name || ' ' || c.last_name) LIKE ? ESCAPE '\')`
		args = append(args, like, like, like, like)
	}
	query += ` ORDER BY d.id LIMIT ?`
	args = append(args, q.Limit)

	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s contacts: %w", q.Metric, err)
	}
	defer rows.Close()

	list := make([]MetricContact, 0, q.Limit)
	for rows.Next() {
		mc, err := scanMetricContact(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s contacts: %w", q.Metric, err)
		}
		list = append(list, *mc)
	}
	return list, rows.Err()
}

// EachMetricContact calls fn for every contact of a metric, reading keyset
// pages so memory stays flat whatever the metric's size.
func (db *DB) EachMetricContact(ctx context.Context, q ContactQuery, fn func(*MetricContact) error) error {
	if q.Limit <= 0 {
		q.Limit = 5000
	}
	for {
		page, err := db.MetricContacts(ctx, q)
		if err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < q.Limit {
			return nil
		}
		q.AfterID = page[len(page)-1].ID
	}
}

func scanMetricContact(rows *sql.Rows) (*MetricContact, error) {
	var (
		mc                              MetricContact
		phone, viber, email, externalID sql.NullString
		pmid                            sql.NullString
		status                          int16
		notSent, reason                 string
		sent, delivered, read, clicked  sql.NullInt64
		failed, expires, unsubscribed   sql.NullInt64
	)
	d := &mc.Delivery
	err := rows.Scan(&d.ID, &d.AccountID, &d.CampaignID, &d.ContactID, &d.ProviderID, &pmid, &d.Language,
		&status, &notSent, &sent, &delivered, &read, &clicked, &failed, &expires,
		&unsubscribed, &reason, &d.FailureDetail, &d.ClicksTotal, &d.ClickOS,
		&phone, &viber, &email, &externalID, &mc.FirstName, &mc.LastName)
	if err != nil {
		return nil, err
	}
	d.ProviderMessageID = pmid.String
	d.Status = domain.Status(status)
	d.NotSentReason = domain.NotSentReason(notSent)
	d.FailureReason = domain.FailureReason(reason)
	d.SentAt, d.DeliveredAt, d.ReadAt = fromMS(sent), fromMS(delivered), fromMS(read)
	d.ClickedAt, d.FailedAt, d.ExpiresAt = fromMS(clicked), fromMS(failed), fromMS(expires)
	d.UnsubscribedAt = fromMS(unsubscribed)
	mc.Phone, mc.ViberUserID, mc.Email, mc.ExternalID = phone.String, viber.String, email.String, externalID.String
	return &mc, nil
}

// prefixed qualifies each column of a comma-separated list.
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
