package ingest_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

func TestIngestReadImpliesDelivered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.register(sent(1, "m1"), sent(2, "m2"), sent(3, "m3"), sent(4, "m4"))

		f.ingest(event(domain.EventRead, "m1", 10), event(domain.EventRead, "m2", 11))
		f.ingest(event(domain.EventRead, "m3", 12))
		f.ingest(clickOn("m4", link, 13))

		r := f.report()
		checkCount(t, "sent", r.Metrics.Sent, 4)
		checkCount(t, "delivered", r.Metrics.Delivered, 4)
		checkCount(t, "read", r.Metrics.Read, 4)
		checkCount(t, "clicked", r.Metrics.Clicked, 1)
		checkCount(t, "pending", r.Metrics.Pending, 0)
		checkCount(t, "clicks unique", r.Clicks.Unique, 1)
		checkCount(t, "clicks total", r.Clicks.Total, 1)
		wantLinks := []report.LinkClick{{URL: link, Unique: 1, Total: 1}}
		if !slices.Equal(r.Clicks.Links, wantLinks) {
			t.Errorf("clicks per link = %+v, want %+v", r.Clicks.Links, wantLinks)
		}

		f.checkList(domain.MetricDelivered, "m1", "m2", "m3", "m4")
		f.checkList(domain.MetricRead, "m1", "m2", "m3", "m4")
		f.checkList(domain.MetricClicked, "m4")
		f.checkList(domain.MetricPending)
	})
}

func TestIngestOutOfOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.register(sent(1, "m1"), sent(2, "m2"))

		f.ingest(event(domain.EventRead, "m1", 20))
		f.ingest(event(domain.EventDelivered, "m1", 10))
		f.ingest(event(domain.EventSent, "m1", 30))
		f.ingest(event(domain.EventDelivered, "m2", 10))
		f.ingest(failed("m2", domain.ReasonExpired, 61))

		r := f.report()
		checkCount(t, "sent", r.Metrics.Sent, 2)
		checkCount(t, "delivered", r.Metrics.Delivered, 2)
		checkCount(t, "read", r.Metrics.Read, 1)
		checkCount(t, "undelivered", r.Metrics.Undelivered, 0)
		checkCount(t, "expired", r.Metrics.Expired, 0)
		checkCount(t, "pending", r.Metrics.Pending, 0)
		for _, reason := range domain.FailureReasons {
			checkCount(t, "undelivered."+string(reason), r.UndeliveredReasons[string(reason)], 0)
		}

		f.checkList(domain.MetricRead, "m1")
		f.checkList(domain.MetricDelivered, "m1", "m2")
		f.checkList(domain.MetricUndelivered)

		m1 := f.delivery("m1")
		if !m1.SentAt.Equal(base) {
			t.Errorf("m1 sent_at = %s, want %s (a late sent must not move it)", m1.SentAt, base)
		}
		if want := base.Add(10 * time.Second); !m1.DeliveredAt.Equal(want) {
			t.Errorf("m1 delivered_at = %s, want %s", m1.DeliveredAt, want)
		}
		if want := base.Add(20 * time.Second); !m1.ReadAt.Equal(want) {
			t.Errorf("m1 read_at = %s, want %s", m1.ReadAt, want)
		}
		m2 := f.delivery("m2")
		if m2.Status != domain.StatusDelivered {
			t.Errorf("m2 status = %s, want delivered", m2.Status)
		}
		if !m2.FailedAt.IsZero() {
			t.Errorf("m2 failed_at = %s, want none", m2.FailedAt)
		}
	})
}

func TestIngestRepeatedDelivered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.register(sent(1, "m1"))
		delivered := event(domain.EventDelivered, "m1", 10)

		if res := f.ingest(delivered); res.New != 1 {
			t.Errorf("first delivered: New = %d, want 1", res.New)
		}

		// While a held transaction blocks the writer on another message's
		// delivered event, two goroutines send the replay. Both wait in the
		// queue, so the writer commits them in one transaction.
		f.register(sent(2, "m2"))
		transactions, requests := f.commits()
		release := f.holdCounter()
		var wg sync.WaitGroup
		errs := make([]error, 3)
		results := make([]ingest.Result, 3)
		wg.Go(func() {
			results[2], errs[2] = f.w.Ingest(context.Background(), f.batch(event(domain.EventDelivered, "m2", 10)))
		})
		// NOTE: the sleeps only make it likely that the writer has taken
		// the blocking request before the replays arrive. The check below
		// reports when they did not share a transaction.
		time.Sleep(100 * time.Millisecond)
		for i := range 2 {
			wg.Go(func() {
				results[i], errs[i] = f.w.Ingest(context.Background(), f.batch(delivered))
			})
		}
		time.Sleep(100 * time.Millisecond)
		release()
		wg.Wait()

		for i, err := range errs {
			if err != nil {
				t.Fatalf("concurrent Ingest %d: %v", i, err)
			}
		}
		for i := range 2 {
			if results[i].New != 0 {
				t.Errorf("concurrent replay %d: New = %d, want 0", i, results[i].New)
			}
		}
		afterTransactions, afterRequests := f.commits()
		if got := afterRequests - requests; got != 3 {
			t.Errorf("requests committed = %d, want 3", got)
		}
		if got := afterTransactions - transactions; got != 2 {
			t.Errorf("transactions for 3 requests = %d, want 2 (the replays together)", got)
		}

		f.ingest(event(domain.EventDelivered, "m1", 15))
		f.ingest(event(domain.EventDelivered, "m1", 5))

		r := f.report()
		checkCount(t, "delivered", r.Metrics.Delivered, 2)
		checkCount(t, "pending", r.Metrics.Pending, 0)
		f.checkList(domain.MetricDelivered, "m1", "m2")
		if want := base.Add(5 * time.Second); !f.delivery("m1").DeliveredAt.Equal(want) {
			t.Errorf("delivered_at = %s, want %s", f.delivery("m1").DeliveredAt, want)
		}
	})
}

func TestIngestParksUnknownMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)

		res := f.ingest(
			event(domain.EventDelivered, "m1", 10),
			event(domain.EventRead, "m2", 11),
			failed("m3", domain.ReasonBlocked, 12),
			clickOn("m4", link, 13),
		)
		if res != (ingest.Result{New: 4, Parked: 4}) {
			t.Errorf("Ingest before Register = %+v, want {New:4 Parked:4}", res)
		}
		checkCount(t, "delivered before Register", f.report().Metrics.Delivered, 0)

		inaccessible := ingest.NewDelivery{
			Contact:       store.ContactRef{Phone: phone(5)},
			NotSentReason: domain.NotSentInaccessible,
		}
		deliveries := []ingest.NewDelivery{sent(1, "m1"), sent(2, "m2"), sent(3, "m3"), sent(4, "m4"), inaccessible}
		for i, out := range f.register(deliveries...) {
			if out.Outcome != "created" {
				t.Errorf("first Register: deliveries[%d] outcome = %q, want created", i, out.Outcome)
			}
		}

		want := report.Metrics{
			Audience:    5,
			NotSent:     report.NotSent{Inaccessible: 1},
			Sent:        4,
			Delivered:   3,
			Read:        2,
			Clicked:     1,
			Undelivered: 1,
		}
		r := f.report()
		if r.Metrics != want {
			t.Errorf("after Register: metrics = %+v, want %+v", r.Metrics, want)
		}
		checkCount(t, "undelivered.blocked", r.UndeliveredReasons["blocked"], 1)
		checkCount(t, "clicks total", r.Clicks.Total, 1)
		f.checkList(domain.MetricDelivered, "m1", "m2", "m4")
		f.checkList(domain.UndeliveredMetric(domain.ReasonBlocked), "m3")

		// A replay of the parked events after registration adds nothing.
		replay := f.ingest(event(domain.EventDelivered, "m1", 10), clickOn("m4", link, 13))
		if replay.New != 0 {
			t.Errorf("replay after Register: New = %d, want 0", replay.New)
		}

		for i, out := range f.register(deliveries...) {
			if out.Outcome != "existing" {
				t.Errorf("second Register: deliveries[%d] outcome = %q, want existing", i, out.Outcome)
			}
		}
		if got := f.report().Metrics; got != want {
			t.Errorf("after second Register: metrics = %+v, want %+v", got, want)
		}
		checkCount(t, "clicks total after replays", f.report().Clicks.Total, 1)

		// The same contact again under another provider message id.
		out := f.register(sent(1, "m1-again"))
		if out[0].Outcome != "duplicate" {
			t.Errorf("same contact, new message id: outcome = %q, want duplicate", out[0].Outcome)
		}
		f.ingest(event(domain.EventDelivered, "m1-again", 14))

		want.NotSent.Duplicate = 1
		if got := f.report().Metrics; got != want {
			t.Errorf("after duplicate: metrics = %+v, want %+v", got, want)
		}
		f.checkList(domain.NotSentMetric(domain.NotSentDuplicate), "m1-again")
		f.checkList(domain.MetricNotSent, "", "m1-again")
	})
}

func TestExpireDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.register(sent(1, "m1"), sent(2, "m2"))
		f.ingest(event(domain.EventDelivered, "m2", 10))

		n, err := f.w.ExpireDue(ctx, base.Add(59*time.Second))
		if err != nil {
			t.Fatalf("ExpireDue(+59s): %v", err)
		}
		if n != 0 {
			t.Errorf("ExpireDue(+59s) = %d, want 0", n)
		}

		n, err = f.w.ExpireDue(ctx, base.Add(61*time.Second))
		if err != nil {
			t.Fatalf("ExpireDue(+61s): %v", err)
		}
		if n != 1 {
			t.Errorf("ExpireDue(+61s) = %d, want 1", n)
		}
		r := f.report()
		checkCount(t, "undelivered", r.Metrics.Undelivered, 1)
		checkCount(t, "expired", r.Metrics.Expired, 1)
		checkCount(t, "undelivered.expired", r.UndeliveredReasons["expired"], 1)
		checkCount(t, "pending", r.Metrics.Pending, 0)
		checkCount(t, "delivered", r.Metrics.Delivered, 1)
		f.checkList(domain.MetricExpired, "m1")
		f.checkList(domain.MetricDelivered, "m2")
		if want := base.Add(ttl); !f.delivery("m1").FailedAt.Equal(want) {
			t.Errorf("m1 failed_at = %s, want %s", f.delivery("m1").FailedAt, want)
		}

		n, err = f.w.ExpireDue(ctx, base.Add(time.Hour))
		if err != nil {
			t.Fatalf("second ExpireDue: %v", err)
		}
		if n != 0 {
			t.Errorf("second ExpireDue = %d, want 0", n)
		}

		f.ingest(event(domain.EventDelivered, "m1", 70))
		r = f.report()
		checkCount(t, "delivered after late delivered", r.Metrics.Delivered, 2)
		checkCount(t, "undelivered after late delivered", r.Metrics.Undelivered, 0)
		checkCount(t, "expired after late delivered", r.Metrics.Expired, 0)
		checkCount(t, "undelivered.expired after late delivered", r.UndeliveredReasons["expired"], 0)
		f.checkList(domain.MetricExpired)
		f.checkList(domain.MetricDelivered, "m1", "m2")
	})
}

func TestRegisterWithoutSentTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		before := time.Now().UTC().Truncate(time.Millisecond)
		f.register(ingest.NewDelivery{Contact: store.ContactRef{Phone: phone(1)}, ProviderMessageID: "m1"})

		n, err := f.w.ExpireDue(context.Background(), time.Now())
		if err != nil {
			t.Fatalf("ExpireDue: %v", err)
		}
		if n != 0 {
			t.Errorf("ExpireDue right after Register = %d, want 0", n)
		}
		checkCount(t, "pending", f.report().Metrics.Pending, 1)

		d := f.delivery("m1")
		if d.SentAt.Before(before) {
			t.Errorf("sent_at = %s, want the registration time (not before %s)", d.SentAt, before)
		}
		if got := d.ExpiresAt.Sub(d.SentAt); got != ttl {
			t.Errorf("expires_at - sent_at = %s, want %s", got, ttl)
		}
	})
}

func TestIngestUnsubscribed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		out := f.register(sent(1, "m1"), sent(2, "m2"))

		f.ingest(event(domain.EventDelivered, "m1", 10))
		f.ingest(event(domain.EventUnsubscribed, "m1", 20))
		// m2 was never delivered, so its unsubscribe is not counted.
		f.ingest(event(domain.EventUnsubscribed, "m2", 20))

		checkCount(t, "unsubscribed", f.report().Metrics.Unsubscribed, 1)
		f.checkList(domain.MetricUnsubscribed, "m1")

		contact, err := db.Contact(context.Background(), f.accountID, out[0].ContactID)
		if err != nil {
			t.Fatalf("Contact(%d): %v", out[0].ContactID, err)
		}
		if want := base.Add(20 * time.Second); !contact.UnsubscribedAt.Equal(want) {
			t.Errorf("contact unsubscribed_at = %s, want %s", contact.UnsubscribedAt, want)
		}
	})
}

func TestRegisterPoisonedRequestFailsAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.register(sent(1, "m1"))
		ctx := context.Background()

		const valid = 8
		var wg sync.WaitGroup
		start := make(chan struct{})
		var poisoned error
		validErrs := make([]error, valid)
		wg.Go(func() {
			<-start
			// m1 already belongs to contact 1.
			_, poisoned = f.w.Register(ctx, f.registration(sent(99, "m1")))
		})
		for i := range valid {
			wg.Go(func() {
				<-start
				id := "v" + string(rune('a'+i))
				if i%2 == 0 {
					_, validErrs[i] = f.w.Register(ctx, f.registration(sent(10+i, id)))
				} else {
					_, validErrs[i] = f.w.Ingest(ctx, f.batch(event(domain.EventDelivered, "m1", 10+i)))
				}
			})
		}
		close(start)
		wg.Wait()

		if !ingest.IsInputError(poisoned) {
			t.Errorf("poisoned Register error = %v, want an input error", poisoned)
		}
		for i, err := range validErrs {
			if err != nil {
				t.Errorf("valid request %d: %v", i, err)
			}
		}

		r := f.report()
		checkCount(t, "audience", r.Metrics.Audience, 1+valid/2)
		checkCount(t, "delivered", r.Metrics.Delivered, 1)
		f.checkList(domain.MetricSent, "m1", "va", "vc", "ve", "vg")
		if want := base.Add(11 * time.Second); !f.delivery("m1").DeliveredAt.Equal(want) {
			t.Errorf("m1 delivered_at = %s, want %s", f.delivery("m1").DeliveredAt, want)
		}
	})
}

func TestRegisterRejectsInvalidEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		tests := []struct {
			name     string
			delivery ingest.NewDelivery
		}{
			{"no contact", ingest.NewDelivery{ProviderMessageID: "m1", SentAt: base}},
			{"unknown not-sent reason", ingest.NewDelivery{Contact: store.ContactRef{Phone: phone(1)}, NotSentReason: "bounced"}},
		}
		for _, tt := range tests {
			_, err := f.w.Register(context.Background(), f.registration(sent(2, "valid"), tt.delivery))
			if !ingest.IsInputError(err) {
				t.Errorf("%s: Register error = %v, want an input error", tt.name, err)
			}
		}
		checkCount(t, "audience", f.report().Metrics.Audience, 0)
	})
}

func TestViberTokenRoundTrips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		const token = "5491838382829109249"
		f.register(sent(1, token))
		f.ingest(event(domain.EventRead, token, 10))

		checkCount(t, "read", f.report().Metrics.Read, 1)
		f.checkList(domain.MetricRead, token)
	})
}
