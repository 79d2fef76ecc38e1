package store

import (
	"context"
	"fmt"

	"github.com/vibereport/vibereport/internal/domain"
)

// CounterDelta is a change to one campaign's rollup.
type CounterDelta struct {
	AccountID  int64
	CampaignID int64
	Changes    map[domain.CounterKey]int64
}

// AddCounters applies rollup changes in the caller's transaction, so the
// counters move together with the delivery state they summarise.
func (tx *Tx) AddCounters(ctx context.Context, deltas []CounterDelta) error {
	type row struct {
		accountID, campaignID int64
		key                   domain.CounterKey
		value                 int64
	}
	var rows []row
	for _, d := range deltas {
		for k, v := range d.Changes {
			if v != 0 {
				rows = append(rows, row{d.AccountID, d.CampaignID, k, v})
			}
		}
	}

	const cols = 6
	for start := 0; start < len(rows); start += chunkRows {
		chunk := rows[start:min(start+chunkRows, len(rows))]
		args := make([]any, 0, len(chunk)*cols)
		for _, r := range chunk {
			args = append(args, r.accountID, r.campaignID, r.key.Dimension, r.key.Key, string(r.key.Metric), r.value)
		}
		_, err := tx.exec(ctx, `INSERT INTO campaign_counters (account_id, campaign_id, dimension, key, metric, value)
			VALUES `+placeholders(len(chunk), cols)+`
			ON CONFLICT (account_id, campaign_id, dimension, key, metric)
			DO UPDATE SET value = campaign_counters.value + excluded.value`, args...)
		if err != nil {
			return fmt.Errorf("update campaign counters: %w", err)
		}
	}
	return nil
}

// Counter is one stored rollup value.
type Counter struct {
	domain.CounterKey
	Value int64
}

// CampaignCounters returns every rollup value of a campaign, optionally
// limited to one dimension ("" for all).
func (db *DB) CampaignCounters(ctx context.Context, accountID, campaignID int64, dimension string) ([]Counter, error) {
	query := `SELECT dimension, key, metric, value FROM campaign_counters WHERE account_id = ? AND campaign_id = ?`
	args := []any{accountID, campaignID}
	if dimension != "" {
		query += ` AND dimension = ?`
		args = append(args, dimension)
	}
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read campaign counters: %w", err)
	}
	defer rows.Close()

	var list []Counter
	for rows.Next() {
		var (
			c      Counter
			metric string
		)
		if err := rows.Scan(&c.Dimension, &c.Key, &metric, &c.Value); err != nil {
			return nil, fmt.Errorf("read campaign counters: %w", err)
		}
		c.Metric = domain.Metric(metric)
		list = append(list, c)
	}
	return list, rows.Err()
}
