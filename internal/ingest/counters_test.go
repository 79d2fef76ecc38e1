package ingest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

// streamDeliveries is the size of the randomized campaign.
const streamDeliveries = 300

var languages = []string{"", "en", "uk"}

// streamRegistration returns the campaign's deliveries in three requests.
// The first holds not-sent contacts and, after each of a few contacts, a
// second entry for the same contact, which counts as a duplicate.
func streamRegistration() [3][]ingest.NewDelivery {
	var parts [3][]ingest.NewDelivery
	notSent := []domain.NotSentReason{domain.NotSentInaccessible, domain.NotSentOverPlanLimit, domain.NotSentAnnoyanceLimit}
	for i := range streamDeliveries {
		nd := ingest.NewDelivery{
			Contact:           store.ContactRef{Phone: phone(i)},
			Language:          languages[i%len(languages)],
			ProviderMessageID: fmt.Sprintf("p%03d", i),
			SentAt:            base.Add(time.Duration(i%30) * time.Second),
		}
		part := i * len(parts) / streamDeliveries
		if part == 0 && i%20 < len(notSent) {
			nd.NotSentReason = notSent[i%20]
			nd.ProviderMessageID, nd.SentAt = "", time.Time{}
		}
		parts[part] = append(parts[part], nd)
		if part == 0 && i%25 == 5 {
			again := nd
			again.ProviderMessageID = fmt.Sprintf("p%03d-again", i)
			parts[part] = append(parts[part], again)
		}
	}
	return parts
}

// streamEvents returns events for the registered messages and a few unknown
// ones, with about one in ten repeated, in random order.
func streamEvents(rng *rand.Rand, n int) []domain.Event {
	kinds := []domain.EventKind{
		domain.EventSent, domain.EventDelivered, domain.EventDelivered, domain.EventRead, domain.EventRead,
		domain.EventClicked, domain.EventFailed, domain.EventUnsubscribed,
	}
	reasons := append([]domain.FailureReason{""}, domain.FailureReasons...)
	links := []string{"https://shop.example/a", "https://shop.example/b", ""}
	systems := []string{"", "android", "ios"}

	var events []domain.Event
	for len(events) < n {
		messageID := fmt.Sprintf("p%03d", rng.IntN(streamDeliveries))
		switch rng.IntN(40) {
		case 0:
			messageID = fmt.Sprintf("unknown%d", rng.IntN(5))
		case 1:
			messageID = fmt.Sprintf("p%03d-again", 5+25*rng.IntN(4))
		}
		e := event(kinds[rng.IntN(len(kinds))], messageID, rng.IntN(300)-5)
		switch e.Kind {
		case domain.EventFailed:
			e.Reason = reasons[rng.IntN(len(reasons))]
			e.ReasonDetail = fmt.Sprintf("code %d", rng.IntN(3))
		case domain.EventClicked:
			e.Link = links[rng.IntN(len(links))]
			e.DeviceOS = systems[rng.IntN(len(systems))]
		}
		events = append(events, e)
		if rng.IntN(10) == 0 {
			events = append(events, e)
		}
	}
	rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	return events
}

// modelCampaign applies the registrations, every distinct event and an
// expiry pass at expireAt to in-memory deliveries, and returns them with
// the rollup they should produce.
func modelCampaign(parts [3][]ingest.NewDelivery, events []domain.Event, expireAt time.Time) (map[string]*domain.Delivery, map[domain.CounterKey]int64) {
	all := []*domain.Delivery{}
	byMessage := map[string]*domain.Delivery{}
	seenContact := map[string]bool{}
	for _, part := range parts {
		for _, nd := range part {
			d := &domain.Delivery{ProviderMessageID: nd.ProviderMessageID, Language: nd.Language}
			switch {
			case seenContact[nd.Contact.Phone]:
				d.NotSentReason = domain.NotSentDuplicate
			case nd.NotSentReason != "":
				d.NotSentReason = nd.NotSentReason
			default:
				d.Status, d.SentAt, d.ExpiresAt = domain.StatusSent, nd.SentAt, nd.SentAt.Add(ttl)
			}
			seenContact[nd.Contact.Phone] = true
			all = append(all, d)
			if nd.ProviderMessageID != "" {
				byMessage[nd.ProviderMessageID] = d
			}
		}
	}

	rollup := map[domain.CounterKey]int64{}
	clickedLinks := map[string]bool{}
	seenEvent := map[domain.Event]bool{}
	for _, e := range events {
		d := byMessage[e.ProviderMessageID]
		if seenEvent[e] || d == nil {
			continue
		}
		seenEvent[e] = true
		d.Apply(e)
		if e.Kind != domain.EventClicked || e.Link == "" || d.Status == domain.StatusNotSent {
			continue
		}
		rollup[domain.CounterKey{Dimension: domain.DimensionLink, Key: e.Link, Metric: domain.MetricClicksTotal}]++
		if pair := e.ProviderMessageID + " " + e.Link; !clickedLinks[pair] {
			clickedLinks[pair] = true
			rollup[domain.CounterKey{Dimension: domain.DimensionLink, Key: e.Link, Metric: domain.MetricClicked}]++
		}
	}

	for _, d := range all {
		if d.Status == domain.StatusSent && !d.ExpiresAt.After(expireAt) {
			d.Apply(domain.Event{ProviderMessageID: d.ProviderMessageID, Kind: domain.EventFailed,
				OccurredAt: d.ExpiresAt, Reason: domain.ReasonExpired})
		}
		for k, v := range domain.Counts(d) {
			rollup[k] += v
		}
	}
	for k, v := range rollup {
		if v == 0 {
			delete(rollup, k)
		}
	}
	return byMessage, rollup
}

// metricCount returns the report's figure for a counted metric.
func metricCount(m report.Metrics, reasons map[string]int64, metric domain.Metric) (int64, bool) {
	switch metric {
	case domain.MetricAudience:
		return m.Audience, true
	case domain.MetricSent:
		return m.Sent, true
	case domain.MetricDelivered:
		return m.Delivered, true
	case domain.MetricRead:
		return m.Read, true
	case domain.MetricClicked:
		return m.Clicked, true
	case domain.MetricUndelivered:
		return m.Undelivered, true
	case domain.MetricExpired:
		return m.Expired, true
	case domain.MetricUnsubscribed:
		return m.Unsubscribed, true
	case domain.MetricPending:
		return m.Pending, true
	case domain.NotSentMetric(domain.NotSentInaccessible):
		return m.NotSent.Inaccessible, true
	case domain.NotSentMetric(domain.NotSentOverPlanLimit):
		return m.NotSent.OverPlanLimit, true
	case domain.NotSentMetric(domain.NotSentAnnoyanceLimit):
		return m.NotSent.AnnoyanceLimit, true
	case domain.NotSentMetric(domain.NotSentDuplicate):
		return m.NotSent.Duplicate, true
	}
	if r, ok := strings.CutPrefix(string(metric), "undelivered."); ok && reasons != nil {
		return reasons[r], true
	}
	return 0, false
}

func TestCountersMatchContactLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 11))
		parts := streamRegistration()
		events := streamEvents(rng, 2000)

		// The first request registers before any event, the other two
		// while events arrive, so some events are parked first.
		f.register(parts[0]...)

		var batches [][]domain.Event
		for rest := events; len(rest) > 0; {
			n := min(1+rng.IntN(40), len(rest))
			batches = append(batches, rest[:n])
			rest = rest[n:]
		}
		queue := make(chan []domain.Event)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 8 {
			wg.Go(func() {
				for b := range queue {
					if _, err := f.w.Ingest(ctx, f.batch(b...)); err != nil {
						errs <- err
					}
				}
			})
		}
		for _, part := range parts[1:] {
			wg.Go(func() {
				if _, err := f.w.Register(ctx, f.registration(part...)); err != nil {
					errs <- err
				}
			})
		}
		for _, b := range batches {
			queue <- b
		}
		close(queue)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent request: %v", err)
		}

		expireAt := base.Add(10 * time.Minute)
		if _, err := f.w.ExpireDue(ctx, expireAt); err != nil {
			t.Fatalf("ExpireDue: %v", err)
		}

		r := f.report()
		for _, m := range domain.CountedMetrics() {
			count, ok := metricCount(r.Metrics, r.UndeliveredReasons, m)
			if !ok {
				t.Errorf("%s: not in the report", m)
				continue
			}
			if n := int64(len(f.contacts(m))); count != n {
				t.Errorf("%s: report count %d, contact list length %d", m, count, n)
			}
		}

		var clicksTotal int64
		for _, c := range f.contacts(domain.MetricClicked) {
			clicksTotal += c.ClicksTotal
		}
		checkCount(t, "clicks total against contacts", r.Clicks.Total, clicksTotal)

		rows := map[string]report.LanguageRow{}
		for _, row := range r.Languages {
			rows[row.Language] = row
		}
		for _, lang := range languages {
			for _, m := range domain.CountedMetrics() {
				count, ok := metricCount(rows[lang].Metrics, nil, m)
				if !ok {
					continue
				}
				var n int64
				for _, c := range f.contacts(m) {
					if c.Language == lang {
						n++
					}
				}
				if count != n {
					t.Errorf("language %q %s: report count %d, contact list length %d", lang, m, count, n)
				}
			}
		}

		byMessage, wantRollup := modelCampaign(parts, events, expireAt)
		for _, m := range []domain.Metric{domain.MetricAudience, domain.MetricNotSent} {
			for _, c := range f.contacts(m) {
				want, ok := byMessage[c.ProviderMessageID]
				if c.ProviderMessageID == "" {
					continue
				}
				if !ok {
					t.Errorf("delivery %q is not in the model", c.ProviderMessageID)
					continue
				}
				got := c.Delivery
				expected := *want
				expected.ID, expected.AccountID, expected.CampaignID = got.ID, got.AccountID, got.CampaignID
				expected.ContactID, expected.ProviderID = got.ContactID, got.ProviderID
				if expected.FailureReason == domain.ReasonExpired && expected.FailureDetail == "" {
					// The expiry pass writes its own detail.
					expected.FailureDetail = got.FailureDetail
				}
				if got != expected {
					t.Errorf("delivery %q:\n got %+v\nwant %+v", c.ProviderMessageID, got, expected)
				}
			}
		}

		counters, err := db.CampaignCounters(ctx, f.accountID, f.campaignID, "")
		if err != nil {
			t.Fatalf("CampaignCounters: %v", err)
		}
		gotRollup := map[domain.CounterKey]int64{}
		for _, c := range counters {
			if c.Value != 0 {
				gotRollup[c.CounterKey] = c.Value
			}
		}
		for k, want := range wantRollup {
			if gotRollup[k] != want {
				t.Errorf("counter %+v = %d, want %d", k, gotRollup[k], want)
			}
		}
		for k, got := range gotRollup {
			if _, ok := wantRollup[k]; !ok {
				t.Errorf("counter %+v = %d, want 0", k, got)
			}
		}
	})
}
