package web

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
)

// Contact list page sizes.
const (
	defaultContactsLimit = 100
	maxContactsLimit     = 1000
)

type reportResponse struct {
	Campaign campaignResponse `json:"campaign"`
	Norms    domain.Norms     `json:"norms"`
	*report.Report
}

// getReport returns a campaign's figures. Expiries derived from TTLs are
// applied first, so a delivery whose TTL ran out a moment ago already
// counts as expired.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	c, err := s.campaign(r, account)
	if err != nil {
		return err
	}
	if _, err := s.writer.ExpireDue(r.Context(), s.now()); err != nil {
		return err
	}
	rep, err := report.Build(r.Context(), s.db, account.ID, c.ID)
	if err != nil {
		return err
	}
	norms := account.Settings.Norms
	if norms == nil {
		norms = domain.DefaultNorms()
	}
	writeJSON(w, http.StatusOK, reportResponse{Campaign: campaignJSON(c), Norms: norms, Report: rep})
	return nil
}

type metricContactJSON struct {
	DeliveryID        int64      `json:"delivery_id"`
	ContactID         int64      `json:"contact_id"`
	Phone             string     `json:"phone"`
	ViberUserID       string     `json:"viber_user_id"`
	FirstName         string     `json:"first_name"`
	LastName          string     `json:"last_name"`
	Email             string     `json:"email"`
	Language          string     `json:"language"`
	Status            string     `json:"status"`
	NotSentReason     string     `json:"not_sent_reason"`
	ProviderMessageID string     `json:"provider_message_id"`
	SentAt            *time.Time `json:"sent_at"`
	DeliveredAt       *time.Time `json:"delivered_at"`
	ReadAt            *time.Time `json:"read_at"`
	ClickedAt         *time.Time `json:"clicked_at"`
	FailedAt          *time.Time `json:"failed_at"`
	FailureReason     string     `json:"failure_reason"`
	FailureDetail     string     `json:"failure_detail"`
	UnsubscribedAt    *time.Time `json:"unsubscribed_at"`
	Clicks            int64      `json:"clicks"`
}

type contactsResponse struct {
	Contacts []metricContactJSON `json:"contacts"`
	// NextCursor is null on the last page.
	NextCursor *string `json:"next_cursor"`
}

// listMetricContacts returns one page of the contacts behind a report
// metric. Pages are keyed on delivery id, so deep pages cost the same as the
// first, and deliveries registered meanwhile join the end of the list
// instead of shifting pages already read.
func (s *Server) listMetricContacts(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	c, err := s.campaign(r, account)
	if err != nil {
		return err
	}
	query := r.URL.Query()

	metricName := query.Get("metric")
	if metricName == "" {
		return badRequest("metric: missing: set ?metric= to a metric name such as delivered")
	}
	metric, err := domain.ParseMetric(metricName)
	if err != nil {
		return badRequest("metric: %v", err)
	}
	limit, err := parseLimit(query.Get("limit"))
	if err != nil {
		return err
	}
	afterID, err := decodeCursor(deliveryCursorPrefix, query.Get("cursor"))
	if err != nil {
		return err
	}

	// The one extra row shows whether another page follows, so the last
	// page never carries a cursor to an empty page.
	page, err := s.db.MetricContacts(r.Context(), store.ContactQuery{
		AccountID:  account.ID,
		CampaignID: c.ID,
		Metric:     metric,
		AfterID:    afterID,
		Limit:      limit + 1,
		Search:     strings.TrimSpace(query.Get("q")),
	})
	if err != nil {
		return err
	}

	resp := contactsResponse{Contacts: make([]metricContactJSON, 0, min(len(page), limit))}
	if len(page) > limit {
		page = page[:limit]
		cursor := encodeCursor(deliveryCursorPrefix, page[len(page)-1].ID)
		resp.NextCursor = &cursor
	}
	for i := range page {
		resp.Contacts = append(resp.Contacts, metricContactFrom(&page[i]))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func metricContactFrom(mc *store.MetricContact) metricContactJSON {
	d := &mc.Delivery
	return metricContactJSON{
		DeliveryID:        d.ID,
		ContactID:         d.ContactID,
		Phone:             mc.Phone,
		ViberUserID:       mc.ViberUserID,
		FirstName:         mc.FirstName,
		LastName:          mc.LastName,
		Email:             mc.Email,
		Language:          d.Language,
		Status:            d.Status.String(),
		NotSentReason:     string(d.NotSentReason),
		ProviderMessageID: d.ProviderMessageID,
		SentAt:            timeOrNil(d.SentAt),
		DeliveredAt:       timeOrNil(d.DeliveredAt),
		ReadAt:            timeOrNil(d.ReadAt),
		ClickedAt:         timeOrNil(d.ClickedAt),
		FailedAt:          timeOrNil(d.FailedAt),
		FailureReason:     string(d.FailureReason),
		FailureDetail:     d.FailureDetail,
		UnsubscribedAt:    timeOrNil(d.UnsubscribedAt),
		Clicks:            d.ClicksTotal,
	}
}

func parseLimit(raw string) (int, error) {
	if raw == "" {
		return defaultContactsLimit, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxContactsLimit {
		return 0, badRequest("limit: invalid value %q: use an integer from 1 to %d", truncate(raw), maxContactsLimit)
	}
	return n, nil
}

// Cursor prefixes version each cursor format and keep a cursor of one list
// from being used on another.
const (
	deliveryCursorPrefix = "d1:"
	memberCursorPrefix   = "m1:"
)

// encodeCursor returns the opaque cursor for the page after id.
func encodeCursor(prefix string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.FormatInt(id, 10)))
}

// decodeCursor returns the id a cursor with the given prefix continues
// after. The empty cursor starts at the first page.
func decodeCursor(prefix, cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	invalid := badRequest("cursor: invalid value %q: pass next_cursor from the previous page unchanged, or omit it for the first page", truncate(cursor))
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, invalid
	}
	digits, ok := strings.CutPrefix(string(raw), prefix)
	if !ok {
		return 0, invalid
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id < 0 {
		return 0, invalid
	}
	return id, nil
}
