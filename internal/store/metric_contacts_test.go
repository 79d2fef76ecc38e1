package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

// newCampaign creates an account, a provider connection, a message and a
// campaign, and returns the account, campaign and provider connection ids.
func newCampaign(t *testing.T, db *store.DB) (accountID, campaignID, providerID int64) {
	t.Helper()
	ctx := context.Background()

	a := &domain.Account{Name: "Metrics", TimeZone: "UTC", DefaultCountry: "UA"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	p := &domain.ProviderConnection{AccountID: a.ID, Kind: "sandbox", Name: "sandbox", Secret: "secret"}
	if err := db.CreateProviderConnection(ctx, p); err != nil {
		t.Fatalf("CreateProviderConnection: %v", err)
	}
	m := &domain.Message{AccountID: a.ID, Name: "Spring sale", Content: domain.Content{Text: "Hello"}, TTL: time.Hour}
	if err := db.CreateMessage(ctx, m); err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	c := &domain.Campaign{AccountID: a.ID, Name: "Spring sale", MessageID: m.ID, ProviderID: p.ID, TTL: time.Hour}
	if err := db.CreateCampaign(ctx, c); err != nil {
		t.Fatalf("CreateCampaign: %v", err)
	}
	return a.ID, c.ID, p.ID
}

// everyCombination returns one delivery per combination of status, not-sent
// reason, failure reason and unsubscribe. Impossible combinations are kept
// because the SQL filter and Metric.Holds must agree on any row.
func everyCombination(accountID, campaignID, providerID int64) []*domain.Delivery {
	sent := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	notSent := append([]domain.NotSentReason{""}, domain.NotSentReasons...)
	failures := append([]domain.FailureReason{""}, domain.FailureReasons...)

	var list []*domain.Delivery
	for status := domain.StatusNotSent; status <= domain.StatusClicked; status++ {
		for _, ns := range notSent {
			for _, fr := range failures {
				for _, unsubscribed := range []bool{false, true} {
					d := &domain.Delivery{
						AccountID:     accountID,
						CampaignID:    campaignID,
						ProviderID:    providerID,
						Language:      []string{"", "en", "uk"}[len(list)%3],
						Status:        status,
						NotSentReason: ns,
						FailureReason: fr,
						SentAt:        sent,
						ExpiresAt:     sent.Add(time.Hour),
					}
					if fr != "" {
						d.FailedAt = sent.Add(time.Minute)
					}
					if unsubscribed {
						d.UnsubscribedAt = sent.Add(2 * time.Minute)
					}
					list = append(list, d)
				}
			}
		}
	}
	return list
}

func TestMetricFilterMatchesHolds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		accountID, campaignID, providerID := newCampaign(t, db)
		deliveries := everyCombination(accountID, campaignID, providerID)

		refs := make([]store.ContactRef, len(deliveries))
		for i := range deliveries {
			refs[i] = store.ContactRef{Phone: fmt.Sprintf("+38050%07d", i)}
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			ids, err := tx.EnsureContacts(ctx, accountID, refs)
			if err != nil {
				return err
			}
			for i, d := range deliveries {
				d.ContactID = ids[i]
			}
			if err := tx.InsertDeliveries(ctx, deliveries); err != nil {
				return err
			}
			// InsertDeliveries writes only what registration sets, so the
			// update writes unsubscribed_at and the other state fields.
			return tx.UpdateDeliveries(ctx, deliveries)
		})
		if err != nil {
			t.Fatalf("insert %d deliveries: %v", len(deliveries), err)
		}

		byID := map[int64]*domain.Delivery{}
		for _, d := range deliveries {
			byID[d.ID] = d
		}

		for _, m := range domain.AllMetrics() {
			want := map[int64]bool{}
			for _, d := range deliveries {
				if m.Holds(d) {
					want[d.ID] = true
				}
			}

			got := map[int64]bool{}
			// A page size that does not divide the list exercises paging.
			q := store.ContactQuery{AccountID: accountID, CampaignID: campaignID, Metric: m, Limit: 37}
			err := db.EachMetricContact(ctx, q, func(c *store.MetricContact) error {
				if got[c.ID] {
					t.Errorf("%s: delivery %d listed twice", m, c.ID)
				}
				got[c.ID] = true
				return nil
			})
			if err != nil {
				t.Fatalf("EachMetricContact(%s): %v", m, err)
			}

			for id := range want {
				if !got[id] {
					t.Errorf("%s: SQL filter misses delivery %d %+v", m, id, *byID[id])
				}
			}
			for id := range got {
				if !want[id] {
					t.Errorf("%s: SQL filter selects delivery %d %+v", m, id, *byID[id])
				}
			}
			if len(want) == 0 {
				t.Errorf("%s: no generated delivery belongs to the metric", m)
			}
		}
	})
}

func TestMetricContactsRejectsUnknownMetric(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		accountID, campaignID, _ := newCampaign(t, db)
		q := store.ContactQuery{AccountID: accountID, CampaignID: campaignID, Metric: "bounced", Limit: 10}
		if _, err := db.MetricContacts(context.Background(), q); err == nil {
			t.Errorf("MetricContacts(bounced) error = nil, want an invalid metric error")
		}
	})
}
