package report

import (
	"context"
	"fmt"

	"github.com/vibereport/vibereport/internal/store"
)

// Campaigns that Compare accepts at once.
const (
	MinCompare = 2
	MaxCompare = 4
)

// Compare builds the reports of 2 to 4 distinct campaigns of the account,
// in the order of ids. A campaign of another account is not found.
func Compare(ctx context.Context, db *store.DB, accountID int64, ids []int64) ([]*Report, error) {
	if len(ids) < MinCompare || len(ids) > MaxCompare {
		return nil, &InputError{fmt.Sprintf("invalid number of campaigns to compare: got %d, use %d to %d campaign ids",
			len(ids), MinCompare, MaxCompare)}
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, &InputError{fmt.Sprintf("campaign %d appears twice: compare distinct campaigns", id)}
		}
		seen[id] = true
	}

	reports := make([]*Report, len(ids))
	for i, id := range ids {
		if _, err := db.Campaign(ctx, accountID, id); err != nil {
			return nil, err
		}
		r, err := Build(ctx, db, accountID, id)
		if err != nil {
			return nil, err
		}
		reports[i] = r
	}
	return reports, nil
}
