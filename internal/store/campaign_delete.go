package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteCampaign hides a campaign from the report list. The delete is soft:
// its deliveries, counters and report stay as they are, so RestoreCampaign
// brings it back whole and no other campaign's figures change. Deleting a
// deleted campaign keeps the first deletion time.
func (db *DB) DeleteCampaign(ctx context.Context, accountID, id int64, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE campaigns SET deleted_at = COALESCE(deleted_at, ?) WHERE account_id = ? AND id = ?`,
		at.UnixMilli(), accountID, id)
	if err != nil {
		return fmt.Errorf("delete campaign %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("campaign %d: %w", id, ErrNotFound)
	}
	return nil
}

// RestoreCampaign undoes DeleteCampaign. Restoring a campaign that is not
// deleted changes nothing.
func (db *DB) RestoreCampaign(ctx context.Context, accountID, id int64) error {
	res, err := db.exec(ctx, `UPDATE campaigns SET deleted_at = NULL WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return fmt.Errorf("restore campaign %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("campaign %d: %w", id, ErrNotFound)
	}
	return nil
}
