package ingest

import (
	"context"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// changeSet collects the delivery changes of one transaction so each changed
// delivery is written once and each counter upserted once.
type changeSet struct {
	// before holds each touched delivery as it was when loaded; nil for a
	// delivery created in this transaction.
	before  map[int64]*domain.Delivery
	current map[int64]*domain.Delivery
	// insertedAs holds deliveries created in this transaction as inserted,
	// so changes made after the insert are written too.
	insertedAs map[int64]domain.Delivery
	order      []int64

	// links holds per-link click counter changes by campaign.
	links map[campaignKey]map[domain.CounterKey]int64
	// unsubscribed holds the earliest unsubscribe per contact.
	unsubscribed map[contactKey]*store.EventRecord
}

type campaignKey struct{ accountID, campaignID int64 }
type contactKey struct{ accountID, contactID int64 }

func newChangeSet() *changeSet {
	return &changeSet{
		before:       map[int64]*domain.Delivery{},
		current:      map[int64]*domain.Delivery{},
		insertedAs:   map[int64]domain.Delivery{},
		links:        map[campaignKey]map[domain.CounterKey]int64{},
		unsubscribed: map[contactKey]*store.EventRecord{},
	}
}

// track registers a delivery loaded from the store. A delivery tracked
// twice keeps its first copy, so later lookups see changes made earlier in
// the same transaction.
func (c *changeSet) track(d *domain.Delivery) *domain.Delivery {
	if cur, ok := c.current[d.ID]; ok {
		return cur
	}
	snapshot := *d
	c.before[d.ID] = &snapshot
	c.current[d.ID] = d
	c.order = append(c.order, d.ID)
	return d
}

// created registers a delivery inserted in this transaction.
func (c *changeSet) created(d *domain.Delivery) {
	c.before[d.ID] = nil
	c.current[d.ID] = d
	c.insertedAs[d.ID] = *d
	c.order = append(c.order, d.ID)
}

// apply moves a tracked delivery by one new event.
func (c *changeSet) apply(d *domain.Delivery, r *store.EventRecord) {
	d.Apply(r.Event)

	if r.Kind == domain.EventUnsubscribed && d.Status != domain.StatusNotSent {
		key := contactKey{d.AccountID, d.ContactID}
		if prev, ok := c.unsubscribed[key]; !ok || r.OccurredAt.Before(prev.OccurredAt) {
			c.unsubscribed[key] = r
		}
	}
}

// clickedLink adds a click on link to the campaign's per-link counters.
func (c *changeSet) clickedLink(d *domain.Delivery, link string, first bool) {
	key := campaignKey{d.AccountID, d.CampaignID}
	m := c.links[key]
	if m == nil {
		m = map[domain.CounterKey]int64{}
		c.links[key] = m
	}
	m[domain.CounterKey{Dimension: domain.DimensionLink, Key: link, Metric: domain.MetricClicksTotal}]++
	if first {
		m[domain.CounterKey{Dimension: domain.DimensionLink, Key: link, Metric: domain.MetricClicked}]++
	}
}

// flush writes changed deliveries, rollup changes and contact unsubscribes.
func (c *changeSet) flush(ctx context.Context, tx *store.Tx) error {
	changed := map[int64][]*domain.Delivery{}
	deltas := map[campaignKey]map[domain.CounterKey]int64{}
	for _, id := range c.order {
		before, cur := c.before[id], c.current[id]
		if before != nil && *before == *cur {
			continue
		}
		key := campaignKey{cur.AccountID, cur.CampaignID}
		if deltas[key] == nil {
			deltas[key] = map[domain.CounterKey]int64{}
		}
		domain.AddCountDelta(deltas[key], before, cur)
		if before != nil || c.insertedAs[id] != *cur {
			changed[cur.AccountID] = append(changed[cur.AccountID], cur)
		}
	}
	for key, m := range c.links {
		if deltas[key] == nil {
			deltas[key] = map[domain.CounterKey]int64{}
		}
		for k, v := range m {
			deltas[key][k] += v
		}
	}

	for _, ds := range changed {
		if err := tx.UpdateDeliveries(ctx, ds); err != nil {
			return err
		}
	}

	list := make([]store.CounterDelta, 0, len(deltas))
	for key, m := range deltas {
		list = append(list, store.CounterDelta{AccountID: key.accountID, CampaignID: key.campaignID, Changes: m})
	}
	if err := tx.AddCounters(ctx, list); err != nil {
		return err
	}

	for key, r := range c.unsubscribed {
		if err := tx.MarkContactUnsubscribed(ctx, key.accountID, key.contactID, "", r.OccurredAt); err != nil {
			return err
		}
	}
	return nil
}
