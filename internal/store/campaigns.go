package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// CreateCampaign inserts a campaign with its tags and sets its id.
func (db *DB) CreateCampaign(ctx context.Context, c *domain.Campaign) error {
	tags, err := json.Marshal(nonNil(c.Tags))
	if err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	var segment any
	if c.SegmentID != 0 {
		segment = c.SegmentID
	}
	searchName, searchTags := searchColumns(c.Name, c.Tags)
	return db.InTx(ctx, func(tx *Tx) error {
		c.ID, err = tx.insert(ctx, `INSERT INTO campaigns (account_id, name, message_id, segment_id, provider_id, tags,
			ttl_seconds, launched_by, segment_updated_at, started_at, finished_at, created_at, search_name, search_tags)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.AccountID, c.Name, c.MessageID, segment, c.ProviderID, string(tags), int64(c.TTL/time.Second),
			c.LaunchedBy, ms(c.SegmentUpdatedAt), ms(c.StartedAt), ms(c.FinishedAt), c.CreatedAt.UnixMilli(),
			searchName, searchTags)
		if err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		for _, tag := range c.Tags {
			if _, err := tx.exec(ctx, `INSERT INTO campaign_tags (account_id, campaign_id, tag) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, c.AccountID, c.ID, tag); err != nil {
				return fmt.Errorf("create campaign tag %q: %w", tag, err)
			}
		}
		return nil
	})
}

const campaignColumns = `id, account_id, name, message_id, segment_id, provider_id, tags, ttl_seconds, launched_by,
	segment_updated_at, started_at, finished_at, deleted_at, created_at`

func scanCampaign(row scanner) (*domain.Campaign, error) {
	var (
		c                                              domain.Campaign
		segment                                        sql.NullInt64
		tags                                           string
		ttl, created                                   int64
		segmentUpdated, started, finished, deletedTime sql.NullInt64
	)
	if err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.MessageID, &segment, &c.ProviderID, &tags, &ttl, &c.LaunchedBy,
		&segmentUpdated, &started, &finished, &deletedTime, &created); err != nil {
		return nil, err
	}
	c.SegmentID = segment.Int64
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return nil, fmt.Errorf("campaign %d: tags: %w", c.ID, err)
	}
	c.TTL = time.Duration(ttl) * time.Second
	c.SegmentUpdatedAt, c.StartedAt, c.FinishedAt = fromMS(segmentUpdated), fromMS(started), fromMS(finished)
	c.DeletedAt = fromMS(deletedTime)
	c.CreatedAt = time.UnixMilli(created).UTC()
	return &c, nil
}

// Campaign loads one campaign of the account, deleted ones included.
func (db *DB) Campaign(ctx context.Context, accountID, id int64) (*domain.Campaign, error) {
	c, err := scanCampaign(db.queryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE account_id = ? AND id = ?`, accountID, id))
	if err != nil {
		return nil, notFound(err, "campaign", id)
	}
	return c, nil
}

// SetCampaignTimes records when a campaign started and finished sending.
func (db *DB) SetCampaignTimes(ctx context.Context, accountID, id int64, started, finished time.Time) error {
	_, err := db.exec(ctx, `UPDATE campaigns SET started_at = ?, finished_at = ? WHERE account_id = ? AND id = ?`,
		ms(started), ms(finished), accountID, id)
	if err != nil {
		return fmt.Errorf("update campaign %d times: %w", id, err)
	}
	return nil
}
