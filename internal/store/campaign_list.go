package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// Report list page sizes.
const (
	DefaultCampaignListLimit = 50
	MaxCampaignListLimit     = 500
)

// CampaignFilter selects campaigns for the report list.
type CampaignFilter struct {
	AccountID int64
	// From and To bound the send time, started_at or created_at for a
	// campaign that has not started: From <= time < To. A zero bound is
	// open.
	From, To time.Time
	// Search is "cid:<campaign id>", "mid:<message id>", "tag:<tag>", or
	// text that matches a part of the name or one whole tag, ignoring case.
	Search string
	// Tags keeps campaigns that carry every one of these tags, compared
	// exactly.
	Tags []string
	// ShowDeleted lists deleted campaigns along with the others.
	ShowDeleted bool
	// Limit caps the page: DefaultCampaignListLimit when 0, at most
	// MaxCampaignListLimit.
	Limit int
}

// CampaignSummary is one row of the report list.
type CampaignSummary struct {
	domain.Campaign
	MessageName string
	// SegmentName is "" for a campaign without a segment.
	SegmentName string
	// Counts contains the campaign's DimensionAll counters, clicks_total
	// included. A metric without a counter is absent and counts 0.
	Counts map[domain.Metric]int64
}

// ListCampaigns returns the account's campaigns that match the filter,
// newest send time first. Figures come from the rollup counters of the
// page's campaigns, read in one query.
func (db *DB) ListCampaigns(ctx context.Context, f CampaignFilter) ([]CampaignSummary, error) {
	where, args, err := db.campaignListConditions(ctx, f)
	if err != nil {
		return nil, err
	}

	limit := f.Limit
	if limit <= 0 {
		limit = DefaultCampaignListLimit
	}
	limit = min(limit, MaxCampaignListLimit)

	query := `SELECT ` + prefixed("c.", campaignColumns) + `, COALESCE(m.name, ''), COALESCE(s.name, '')
		FROM campaigns c
		LEFT JOIN messages m ON m.account_id = c.account_id AND m.id = c.message_id
		LEFT JOIN segments s ON s.account_id = c.account_id AND s.id = c.segment_id
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY COALESCE(c.started_at, c.created_at) DESC, c.id DESC
		LIMIT ?`
	rows, err := db.query(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	defer rows.Close()

	var list []CampaignSummary
	for rows.Next() {
		var s CampaignSummary
		c, err := scanCampaign(scanWithExtra{rows, []any{&s.MessageName, &s.SegmentName}})
		if err != nil {
			return nil, fmt.Errorf("list campaigns: %w", err)
		}
		s.Campaign = *c
		s.Counts = map[domain.Metric]int64{}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}

	if err := db.addSummaryCounts(ctx, f.AccountID, list); err != nil {
		return nil, err
	}
	return list, nil
}

// campaignListConditions returns the WHERE conditions of a filter, joined
// by AND, with their arguments.
func (db *DB) campaignListConditions(ctx context.Context, f CampaignFilter) ([]string, []any, error) {
	where := []string{"c.account_id = ?"}
	args := []any{f.AccountID}

	if !f.ShowDeleted {
		where = append(where, "c.deleted_at IS NULL")
	}
	if !f.From.IsZero() {
		where = append(where, "COALESCE(c.started_at, c.created_at) >= ?")
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		where = append(where, "COALESCE(c.started_at, c.created_at) < ?")
		args = append(args, f.To.UnixMilli())
	}
	for _, tag := range f.Tags {
		where = append(where, `EXISTS (SELECT 1 FROM campaign_tags t
			WHERE t.account_id = c.account_id AND t.campaign_id = c.id AND t.tag = ?)`)
		args = append(args, tag)
	}

	search := strings.TrimSpace(f.Search)
	if search == "" {
		return where, args, nil
	}
	if raw, ok := cutPrefixFold(search, "cid:"); ok {
		id, err := parseSearchID(raw, "cid")
		if err != nil {
			return nil, nil, err
		}
		return append(where, "c.id = ?"), append(args, id), nil
	}
	if raw, ok := cutPrefixFold(search, "mid:"); ok {
		id, err := parseSearchID(raw, "mid")
		if err != nil {
			return nil, nil, err
		}
		return append(where, "c.message_id = ?"), append(args, id), nil
	}

	if tag, ok := cutPrefixFold(search, "tag:"); ok {
		where = append(where, `c.search_tags LIKE ? ESCAPE '\'`)
		return where, append(args, tagPattern(tag)), nil
	}
	where = append(where, `(c.search_name LIKE ? ESCAPE '\' OR c.search_tags LIKE ? ESCAPE '\')`)
	namePattern := "%" + escapeLike(strings.ToLower(search)) + "%"
	return where, append(args, namePattern, tagPattern(search)), nil
}

// tagPattern returns the LIKE pattern that matches one whole tag in
// search_tags, ignoring case.
func tagPattern(tag string) string {
	return "%\n" + escapeLike(strings.ToLower(strings.TrimSpace(tag))) + "\n%"
}

// parseSearchID reads the id after a cid: or mid: prefix.
func parseSearchID(raw, prefix string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || id <= 0 {
		return 0, &InputError{fmt.Sprintf("search %s:%s: invalid id: write %s: followed by a positive integer, such as %s:42",
			prefix, raw, prefix, prefix)}
	}
	return id, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

// searchColumns returns a campaign's search_name and search_tags: the
// name lowercased, and the lowercased tags each followed by a line feed
// after a leading one, so a LIKE pattern can match one whole tag.
func searchColumns(name string, tags []string) (string, string) {
	folded := "\n"
	for _, t := range tags {
		folded += strings.ToLower(t) + "\n"
	}
	return strings.ToLower(name), folded
}

// addSummaryCounts reads the DimensionAll counters of every listed
// campaign in one query.
func (db *DB) addSummaryCounts(ctx context.Context, accountID int64, list []CampaignSummary) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	index := make(map[int64]int, len(list))
	for i := range list {
		ids[i] = list[i].ID
		index[list[i].ID] = i
	}

	cond, condArgs := inList(db, "campaign_id", ids)
	rows, err := db.query(ctx, `SELECT campaign_id, metric, value FROM campaign_counters
		WHERE account_id = ? AND dimension = ? AND `+cond,
		append([]any{accountID, domain.DimensionAll}, condArgs...)...)
	if err != nil {
		return fmt.Errorf("read campaign counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			campaignID, value int64
			metric            string
		)
		if err := rows.Scan(&campaignID, &metric, &value); err != nil {
			return fmt.Errorf("read campaign counters: %w", err)
		}
		list[index[campaignID]].Counts[domain.Metric(metric)] = value
	}
	return rows.Err()
}

// scanWithExtra scans the campaign columns followed by extra destinations.
type scanWithExtra struct {
	row   scanner
	extra []any
}

func (s scanWithExtra) Scan(dest ...any) error {
	return s.row.Scan(append(dest, s.extra...)...)
}

// InputError is a request the store rejects as given, such as a malformed
// search. Its message names the value and the fix.
type InputError struct{ message string }

func (e *InputError) Error() string { return e.message }

// IsInputError reports whether err is an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// nullID returns NULL for id 0, for optional foreign keys.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
