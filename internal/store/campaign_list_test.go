package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

// listAccount is an account with a provider connection and a message,
// ready for campaigns.
type listAccount struct {
	t          *testing.T
	db         *store.DB
	accountID  int64
	providerID int64
	messageID  int64
	phones     int
}

func newListAccount(t *testing.T, db *store.DB, name string) *listAccount {
	t.Helper()
	ctx := context.Background()
	a := &domain.Account{Name: name, TimeZone: "Europe/Kyiv", DefaultCountry: "UA"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	p := &domain.ProviderConnection{AccountID: a.ID, Kind: "sandbox", Name: "sandbox", Secret: "secret"}
	if err := db.CreateProviderConnection(ctx, p); err != nil {
		t.Fatalf("CreateProviderConnection: %v", err)
	}
	m := &domain.Message{AccountID: a.ID, Name: "Весняний розпродаж", Content: domain.Content{Text: "Hello"}, TTL: time.Hour}
	if err := db.CreateMessage(ctx, m); err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	return &listAccount{t: t, db: db, accountID: a.ID, providerID: p.ID, messageID: m.ID}
}

func (a *listAccount) campaign(name string, started time.Time, tags ...string) *domain.Campaign {
	a.t.Helper()
	c := &domain.Campaign{AccountID: a.accountID, Name: name, MessageID: a.messageID, ProviderID: a.providerID,
		TTL: time.Hour, Tags: tags, StartedAt: started, CreatedAt: started}
	if started.IsZero() {
		c.CreatedAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if err := a.db.CreateCampaign(context.Background(), c); err != nil {
		a.t.Fatalf("CreateCampaign: %v", err)
	}
	return c
}

// deliver stores one delivery per status for the campaign, each to a new
// contact, with the counters that ingest would keep for them.
func (a *listAccount) deliver(c *domain.Campaign, statuses ...domain.Status) []*domain.Delivery {
	a.t.Helper()
	ctx := context.Background()
	sent := c.StartedAt
	if sent.IsZero() {
		sent = c.CreatedAt
	}

	ds := make([]*domain.Delivery, len(statuses))
	refs := make([]store.ContactRef, len(statuses))
	for i, status := range statuses {
		a.phones++
		refs[i] = store.ContactRef{Phone: fmt.Sprintf("+38067%07d", a.phones)}
		d := &domain.Delivery{AccountID: a.accountID, CampaignID: c.ID, ProviderID: a.providerID,
			ProviderMessageID: fmt.Sprintf("m-%d-%d", c.ID, a.phones), Status: status, SentAt: sent}
		switch {
		case status == domain.StatusNotSent:
			d.NotSentReason, d.SentAt, d.ProviderMessageID = domain.NotSentInaccessible, time.Time{}, ""
		case status == domain.StatusFailed:
			d.FailureReason, d.FailedAt = domain.ReasonBlocked, sent.Add(time.Minute)
		case status >= domain.StatusDelivered:
			d.DeliveredAt = sent.Add(time.Minute)
			if status >= domain.StatusRead {
				d.ReadAt = sent.Add(2 * time.Minute)
			}
			if status == domain.StatusClicked {
				d.ClickedAt, d.ClicksTotal = sent.Add(3*time.Minute), 2
			}
		}
		ds[i] = d
	}

	err := a.db.InTx(ctx, func(tx *store.Tx) error {
		ids, err := tx.EnsureContacts(ctx, a.accountID, refs)
		if err != nil {
			return err
		}
		delta := map[domain.CounterKey]int64{}
		for i, d := range ds {
			d.ContactID = ids[i]
			domain.AddCountDelta(delta, nil, d)
		}
		if err := tx.InsertDeliveries(ctx, ds); err != nil {
			return err
		}
		if err := tx.UpdateDeliveries(ctx, ds); err != nil {
			return err
		}
		return tx.AddCounters(ctx, []store.CounterDelta{{AccountID: a.accountID, CampaignID: c.ID, Changes: delta}})
	})
	if err != nil {
		a.t.Fatalf("store deliveries: %v", err)
	}
	return ds
}

func (a *listAccount) list(f store.CampaignFilter) []int64 {
	a.t.Helper()
	f.AccountID = a.accountID
	list, err := a.db.ListCampaigns(context.Background(), f)
	if err != nil {
		a.t.Fatalf("ListCampaigns(%+v): %v", f, err)
	}
	ids := make([]int64, len(list))
	for i, s := range list {
		ids[i] = s.ID
	}
	return ids
}

func sameIDs(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: ids %v, want %v", what, got, want)
	}
}

func TestListCampaignsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newListAccount(t, db, "Shop")
		day := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
		spring := a.campaign("Весняний РОЗПРОДАЖ", day, "sale", "Spring")
		summer := a.campaign("Summer news", day.Add(48*time.Hour), "news")
		draft := a.campaign("Draft 100%_off", time.Time{}, "sale")

		other := newListAccount(t, db, "Other")
		other.campaign("Весняний розпродаж", day, "sale")

		sameIDs(t, "all, newest first", a.list(store.CampaignFilter{}), summer.ID, spring.ID, draft.ID)
		sameIDs(t, "limit", a.list(store.CampaignFilter{Limit: 1}), summer.ID)
		sameIDs(t, "from", a.list(store.CampaignFilter{From: day.Add(time.Hour)}), summer.ID)
		sameIDs(t, "to is exclusive", a.list(store.CampaignFilter{From: day, To: day.Add(48 * time.Hour)}), spring.ID)
		sameIDs(t, "unstarted by created_at", a.list(store.CampaignFilter{To: day}), draft.ID)

		sameIDs(t, "cyrillic name ignoring case", a.list(store.CampaignFilter{Search: "розпродаж"}), spring.ID)
		sameIDs(t, "latin name ignoring case", a.list(store.CampaignFilter{Search: "SUMMER"}), summer.ID)
		sameIDs(t, "like wildcards are literal", a.list(store.CampaignFilter{Search: "100%_"}), draft.ID)
		sameIDs(t, "percent sign alone is literal", a.list(store.CampaignFilter{Search: "%"}), draft.ID)
		sameIDs(t, "text matches a whole tag", a.list(store.CampaignFilter{Search: "spring"}), spring.ID)
		sameIDs(t, "tag: prefix", a.list(store.CampaignFilter{Search: "tag:SALE"}), spring.ID, draft.ID)
		sameIDs(t, "tag: prefix is whole tag", a.list(store.CampaignFilter{Search: "tag:sal"}))
		sameIDs(t, "cid", a.list(store.CampaignFilter{Search: fmt.Sprintf("cid:%d", summer.ID)}), summer.ID)
		sameIDs(t, "mid", a.list(store.CampaignFilter{Search: fmt.Sprintf("MID:%d", a.messageID)}), summer.ID, spring.ID, draft.ID)
		sameIDs(t, "tags filter needs every tag", a.list(store.CampaignFilter{Tags: []string{"sale", "Spring"}}), spring.ID)
		sameIDs(t, "tags filter is exact", a.list(store.CampaignFilter{Tags: []string{"spring"}}))

		// A campaign created after the first search gets its search
		// columns filled by the next one.
		late := a.campaign("Осінній РОЗПРОДАЖ", day.Add(72*time.Hour))
		sameIDs(t, "campaign created after a search", a.list(store.CampaignFilter{Search: "розпродаж"}), late.ID, spring.ID)

		_, err := db.ListCampaigns(context.Background(), store.CampaignFilter{AccountID: a.accountID, Search: "cid:abc"})
		if !store.IsInputError(err) {
			t.Errorf("search cid:abc: error %v, want an input error", err)
		}
	})
}

func TestListCampaignsSummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newListAccount(t, db, "Shop")
		c := a.campaign("Spring", time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC), "sale")
		a.deliver(c, domain.StatusClicked, domain.StatusRead, domain.StatusDelivered, domain.StatusFailed, domain.StatusNotSent)

		segment := &domain.Segment{AccountID: a.accountID, Name: "Kyiv"}
		if err := db.CreateSegment(ctx, segment); err != nil {
			t.Fatalf("CreateSegment: %v", err)
		}
		withSegment := &domain.Campaign{AccountID: a.accountID, Name: "Segmented", MessageID: a.messageID,
			ProviderID: a.providerID, SegmentID: segment.ID, TTL: time.Hour}
		if err := db.CreateCampaign(ctx, withSegment); err != nil {
			t.Fatalf("CreateCampaign: %v", err)
		}

		list, err := db.ListCampaigns(ctx, store.CampaignFilter{AccountID: a.accountID, Search: "cid:" + fmt.Sprint(c.ID)})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListCampaigns: %d rows, %v", len(list), err)
		}
		s := list[0]
		if s.MessageName != "Весняний розпродаж" {
			t.Errorf("MessageName = %q", s.MessageName)
		}
		if s.SegmentName != "" {
			t.Errorf("SegmentName = %q, want empty", s.SegmentName)
		}
		want := map[domain.Metric]int64{
			domain.MetricAudience: 5, domain.MetricSent: 4, domain.MetricDelivered: 3, domain.MetricRead: 2,
			domain.MetricClicked: 1, domain.MetricClicksTotal: 2, domain.MetricUndelivered: 1,
			domain.UndeliveredMetric(domain.ReasonBlocked):   1,
			domain.NotSentMetric(domain.NotSentInaccessible): 1,
		}
		for m, n := range want {
			if s.Counts[m] != n {
				t.Errorf("Counts[%s] = %d, want %d", m, s.Counts[m], n)
			}
		}
		if len(s.Counts) != len(want) {
			t.Errorf("Counts = %v, want %d metrics", s.Counts, len(want))
		}

		list, err = db.ListCampaigns(ctx, store.CampaignFilter{AccountID: a.accountID, Search: "cid:" + fmt.Sprint(withSegment.ID)})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListCampaigns: %d rows, %v", len(list), err)
		}
		if list[0].SegmentName != "Kyiv" {
			t.Errorf("SegmentName = %q, want Kyiv", list[0].SegmentName)
		}
		if len(list[0].Counts) != 0 {
			t.Errorf("Counts of a campaign without deliveries = %v, want none", list[0].Counts)
		}
	})
}

func TestDeleteCampaignKeepsOtherFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newListAccount(t, db, "Shop")
		day := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
		kept := a.campaign("Kept", day)
		gone := a.campaign("Gone", day.Add(time.Hour))
		a.deliver(kept, domain.StatusClicked, domain.StatusRead)
		a.deliver(gone, domain.StatusDelivered)

		before, err := db.CampaignCounters(ctx, a.accountID, kept.ID, "")
		if err != nil {
			t.Fatalf("CampaignCounters: %v", err)
		}

		deletedAt := day.Add(24 * time.Hour)
		if err := db.DeleteCampaign(ctx, a.accountID, gone.ID, deletedAt); err != nil {
			t.Fatalf("DeleteCampaign: %v", err)
		}
		if err := db.DeleteCampaign(ctx, a.accountID, gone.ID, deletedAt.Add(time.Hour)); err != nil {
			t.Fatalf("DeleteCampaign again: %v", err)
		}
		sameIDs(t, "list without deleted", a.list(store.CampaignFilter{}), kept.ID)
		sameIDs(t, "list with deleted", a.list(store.CampaignFilter{ShowDeleted: true}), gone.ID, kept.ID)

		c, err := db.Campaign(ctx, a.accountID, gone.ID)
		if err != nil {
			t.Fatalf("Campaign: %v", err)
		}
		if !c.DeletedAt.Equal(deletedAt) {
			t.Errorf("DeletedAt = %v, want the first deletion %v", c.DeletedAt, deletedAt)
		}
		after, err := db.CampaignCounters(ctx, a.accountID, kept.ID, "")
		if err != nil {
			t.Fatalf("CampaignCounters: %v", err)
		}
		if fmt.Sprint(sortedCounters(before)) != fmt.Sprint(sortedCounters(after)) {
			t.Errorf("counters of the kept campaign changed:\nbefore %v\nafter  %v", before, after)
		}
		goneCounters, err := db.CampaignCounters(ctx, a.accountID, gone.ID, domain.DimensionAll)
		if err != nil || len(goneCounters) == 0 {
			t.Errorf("counters of the deleted campaign: %v, %v; want them kept", goneCounters, err)
		}

		if err := db.RestoreCampaign(ctx, a.accountID, gone.ID); err != nil {
			t.Fatalf("RestoreCampaign: %v", err)
		}
		sameIDs(t, "list after restore", a.list(store.CampaignFilter{}), gone.ID, kept.ID)

		other := newListAccount(t, db, "Other")
		if err := db.DeleteCampaign(ctx, other.accountID, kept.ID, deletedAt); !isNotFound(err) {
			t.Errorf("DeleteCampaign from another account: %v, want not found", err)
		}
		if err := db.RestoreCampaign(ctx, other.accountID, kept.ID); !isNotFound(err) {
			t.Errorf("RestoreCampaign from another account: %v, want not found", err)
		}
	})
}

func sortedCounters(cs []store.Counter) map[string]int64 {
	m := map[string]int64{}
	for _, c := range cs {
		m[c.Dimension+"/"+c.Key+"/"+string(c.Metric)] = c.Value
	}
	return m
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
