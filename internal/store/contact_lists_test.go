package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

func TestAddMetricContactsToList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newListAccount(t, db, "Shop")
		c := a.campaign("Spring", time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
		ds := a.deliver(c, domain.StatusClicked, domain.StatusRead, domain.StatusDelivered, domain.StatusFailed)

		list := &domain.ContactList{AccountID: a.accountID, Name: "  Readers  "}
		if err := db.CreateContactList(ctx, list); err != nil {
			t.Fatalf("CreateContactList: %v", err)
		}
		if list.Name != "Readers" {
			t.Errorf("Name = %q, want trimmed", list.Name)
		}

		q := store.ContactQuery{AccountID: a.accountID, CampaignID: c.ID, Metric: domain.MetricRead}
		added, err := db.AddMetricContactsToList(ctx, q, list.ID)
		if err != nil || added != 2 {
			t.Fatalf("first add: added %d, %v; want 2", added, err)
		}
		added, err = db.AddMetricContactsToList(ctx, q, list.ID)
		if err != nil || added != 0 {
			t.Fatalf("second add: added %d, %v; want 0", added, err)
		}
		q.Metric = domain.MetricDelivered
		added, err = db.AddMetricContactsToList(ctx, q, list.ID)
		if err != nil || added != 1 {
			t.Fatalf("delivered add: added %d, %v; want 1", added, err)
		}

		got, err := db.ContactList(ctx, a.accountID, list.ID)
		if err != nil {
			t.Fatalf("ContactList: %v", err)
		}
		if got.Size != 3 {
			t.Errorf("Size = %d, want 3", got.Size)
		}

		page1, err := db.ListMembers(ctx, store.MemberQuery{AccountID: a.accountID, ListID: list.ID, Limit: 2})
		if err != nil || len(page1) != 2 {
			t.Fatalf("ListMembers page 1: %d members, %v", len(page1), err)
		}
		page2, err := db.ListMembers(ctx, store.MemberQuery{AccountID: a.accountID, ListID: list.ID, Limit: 2,
			AfterContactID: page1[1].ID})
		if err != nil || len(page2) != 1 {
			t.Fatalf("ListMembers page 2: %d members, %v", len(page2), err)
		}
		members := []int64{page1[0].ID, page1[1].ID, page2[0].ID}
		want := []int64{ds[0].ContactID, ds[1].ContactID, ds[2].ContactID}
		sameIDs(t, "members", members, want...)
		if page1[0].Phone == "" {
			t.Errorf("member phone is empty")
		}

		other := newListAccount(t, db, "Other")
		if _, err := db.ListMembers(ctx, store.MemberQuery{AccountID: other.accountID, ListID: list.ID}); !isNotFound(err) {
			t.Errorf("ListMembers from another account: %v, want not found", err)
		}
		q.AccountID = other.accountID
		if _, err := db.AddMetricContactsToList(ctx, q, list.ID); !isNotFound(err) {
			t.Errorf("AddMetricContactsToList into another account's list: %v, want not found", err)
		}
		otherList := &domain.ContactList{AccountID: other.accountID, Name: "Theirs"}
		if err := db.CreateContactList(ctx, otherList); err != nil {
			t.Fatalf("CreateContactList: %v", err)
		}
		// The campaign belongs to the first account, so the query scoped
		// to the other account selects nobody.
		added, err = db.AddMetricContactsToList(ctx, q, otherList.ID)
		if err != nil || added != 0 {
			t.Errorf("add another account's campaign: added %d, %v; want 0", added, err)
		}

		lists, err := db.ContactLists(ctx, a.accountID)
		if err != nil || len(lists) != 1 || lists[0].Size != 3 || lists[0].Name != "Readers" {
			t.Errorf("ContactLists = %+v, %v; want one list Readers of 3", lists, err)
		}
	})
}

func TestCreateContactListNeedsName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newListAccount(t, db, "Shop")
		err := db.CreateContactList(context.Background(), &domain.ContactList{AccountID: a.accountID, Name: " "})
		if !store.IsInputError(err) {
			t.Errorf("CreateContactList with a blank name: %v, want an input error", err)
		}
	})
}

func TestSegmentCreateAndUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newListAccount(t, db, "Shop")
		list := &domain.ContactList{AccountID: a.accountID, Name: "Base"}
		if err := db.CreateContactList(ctx, list); err != nil {
			t.Fatalf("CreateContactList: %v", err)
		}

		s := &domain.Segment{AccountID: a.accountID, Name: "Kyiv", ListID: list.ID,
			CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		if err := db.CreateSegment(ctx, s); err != nil {
			t.Fatalf("CreateSegment: %v", err)
		}
		got, err := db.Segment(ctx, a.accountID, s.ID)
		if err != nil {
			t.Fatalf("Segment: %v", err)
		}
		if got.Name != "Kyiv" || got.ListID != list.ID || !got.UpdatedAt.Equal(s.CreatedAt) {
			t.Errorf("Segment = %+v", got)
		}

		got.Name = "Kyiv and Lviv"
		got.ListID = 0
		if err := db.UpdateSegment(ctx, got); err != nil {
			t.Fatalf("UpdateSegment: %v", err)
		}
		again, err := db.Segment(ctx, a.accountID, s.ID)
		if err != nil {
			t.Fatalf("Segment: %v", err)
		}
		if again.Name != "Kyiv and Lviv" || again.ListID != 0 {
			t.Errorf("updated segment = %+v", again)
		}
		if !again.UpdatedAt.After(s.CreatedAt) || !again.UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("UpdatedAt = %v, want after %v and equal to %v", again.UpdatedAt, s.CreatedAt, got.UpdatedAt)
		}
		if !again.CreatedAt.Equal(s.CreatedAt) {
			t.Errorf("CreatedAt = %v, want %v", again.CreatedAt, s.CreatedAt)
		}

		other := newListAccount(t, db, "Other")
		if _, err := db.Segment(ctx, other.accountID, s.ID); !isNotFound(err) {
			t.Errorf("Segment from another account: %v, want not found", err)
		}
		foreign := &domain.Segment{AccountID: other.accountID, Name: "Theirs", ListID: list.ID}
		if err := db.CreateSegment(ctx, foreign); !store.IsInputError(err) {
			t.Errorf("CreateSegment with another account's list: %v, want an input error", err)
		}
		stolen := *again
		stolen.AccountID = other.accountID
		if err := db.UpdateSegment(ctx, &stolen); !isNotFound(err) {
			t.Errorf("UpdateSegment from another account: %v, want not found", err)
		}
	})
}
