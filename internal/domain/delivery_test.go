package domain

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func at(seconds int) time.Time { return t0.Add(time.Duration(seconds) * time.Second) }

// sentDelivery returns a delivery registered as sent at t0 with a 60 s TTL.
func sentDelivery() Delivery {
	return Delivery{
		ID: 1, AccountID: 1, CampaignID: 1, ContactID: 1, ProviderID: 1, ProviderMessageID: "m1",
		Status: StatusSent, SentAt: at(0), ExpiresAt: at(60),
	}
}

func event(kind EventKind, seconds int) Event {
	return Event{ProviderMessageID: "m1", Kind: kind, OccurredAt: at(seconds)}
}

func failure(seconds int, reason FailureReason, detail string) Event {
	e := event(EventFailed, seconds)
	e.Reason, e.ReasonDetail = reason, detail
	return e
}

func click(seconds int, os string) Event {
	e := event(EventClicked, seconds)
	e.Link, e.DeviceOS = "https://example.com/a", os
	return e
}

func TestDeliveryApply(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		want   func(d *Delivery)
	}{
		{
			name:   "sent at registered time",
			events: []Event{event(EventSent, 0)},
			want:   func(d *Delivery) {},
		},
		{
			name:   "earlier sent moves sent and expiry",
			events: []Event{event(EventSent, -5)},
			want:   func(d *Delivery) { d.SentAt, d.ExpiresAt = at(-5), at(55) },
		},
		{
			name:   "late sent never moves back",
			events: []Event{event(EventDelivered, 3), event(EventSent, 9)},
			want:   func(d *Delivery) { d.Status, d.DeliveredAt = StatusDelivered, at(3) },
		},
		{
			name:   "delivered",
			events: []Event{event(EventDelivered, 3)},
			want:   func(d *Delivery) { d.Status, d.DeliveredAt = StatusDelivered, at(3) },
		},
		{
			name:   "read implies delivered",
			events: []Event{event(EventRead, 4)},
			want:   func(d *Delivery) { d.Status, d.DeliveredAt, d.ReadAt = StatusRead, at(4), at(4) },
		},
		{
			name:   "click implies read and delivered",
			events: []Event{click(5, "")},
			want: func(d *Delivery) {
				d.Status, d.DeliveredAt, d.ReadAt, d.ClickedAt = StatusClicked, at(5), at(5), at(5)
				d.ClicksTotal = 1
			},
		},
		{
			name:   "read before delivered keeps both times",
			events: []Event{event(EventRead, 4), event(EventDelivered, 2)},
			want:   func(d *Delivery) { d.Status, d.DeliveredAt, d.ReadAt = StatusRead, at(2), at(4) },
		},
		{
			name:   "earliest delivered wins",
			events: []Event{event(EventDelivered, 7), event(EventDelivered, 3), event(EventDelivered, 5)},
			want:   func(d *Delivery) { d.Status, d.DeliveredAt = StatusDelivered, at(3) },
		},
		{
			name:   "event before sent moves sent",
			events: []Event{event(EventDelivered, -2)},
			want: func(d *Delivery) {
				d.Status, d.DeliveredAt = StatusDelivered, at(-2)
				d.SentAt, d.ExpiresAt = at(-2), at(58)
			},
		},
		{
			name:   "failure",
			events: []Event{failure(8, ReasonBlocked, "8")},
			want: func(d *Delivery) {
				d.Status, d.FailedAt, d.FailureReason, d.FailureDetail = StatusFailed, at(8), ReasonBlocked, "8"
			},
		},
		{
			name:   "failure without reason",
			events: []Event{failure(8, "", "")},
			want: func(d *Delivery) {
				d.Status, d.FailedAt, d.FailureReason = StatusFailed, at(8), ReasonProviderError
			},
		},
		{
			name:   "failure after delivery ignored",
			events: []Event{event(EventDelivered, 3), failure(8, ReasonExpired, "")},
			want:   func(d *Delivery) { d.Status, d.DeliveredAt = StatusDelivered, at(3) },
		},
		{
			name:   "failure after read ignored",
			events: []Event{event(EventRead, 3), failure(1, ReasonRejected, "")},
			want:   func(d *Delivery) { d.Status, d.DeliveredAt, d.ReadAt = StatusRead, at(3), at(3) },
		},
		{
			name:   "delivered after failure wins",
			events: []Event{failure(8, ReasonExpired, "ttl"), event(EventDelivered, 9)},
			want:   func(d *Delivery) { d.Status, d.DeliveredAt = StatusDelivered, at(9) },
		},
		{
			name:   "two failures earliest wins",
			events: []Event{failure(9, ReasonBlocked, "late"), failure(4, ReasonNoDevice, "early")},
			want: func(d *Delivery) {
				d.Status, d.FailedAt, d.FailureReason, d.FailureDetail = StatusFailed, at(4), ReasonNoDevice, "early"
			},
		},
		{
			name:   "two failures later loses",
			events: []Event{failure(4, ReasonNoDevice, "early"), failure(9, ReasonBlocked, "late")},
			want: func(d *Delivery) {
				d.Status, d.FailedAt, d.FailureReason, d.FailureDetail = StatusFailed, at(4), ReasonNoDevice, "early"
			},
		},
		{
			name:   "sent after failure keeps failure",
			events: []Event{failure(4, ReasonRejected, ""), event(EventSent, 6)},
			want: func(d *Delivery) {
				d.Status, d.FailedAt, d.FailureReason = StatusFailed, at(4), ReasonRejected
			},
		},
		{
			name:   "clicks counted each",
			events: []Event{click(5, ""), click(7, ""), click(6, "")},
			want: func(d *Delivery) {
				d.Status, d.DeliveredAt, d.ReadAt, d.ClickedAt = StatusClicked, at(5), at(5), at(5)
				d.ClicksTotal = 3
			},
		},
		{
			name:   "click os of first click",
			events: []Event{click(7, "ios"), click(5, "android")},
			want: func(d *Delivery) {
				d.Status, d.DeliveredAt, d.ReadAt, d.ClickedAt = StatusClicked, at(5), at(5), at(5)
				d.ClicksTotal, d.ClickOS = 2, "android"
			},
		},
		{
			name:   "click os kept on later click",
			events: []Event{click(5, "android"), click(7, "ios")},
			want: func(d *Delivery) {
				d.Status, d.DeliveredAt, d.ReadAt, d.ClickedAt = StatusClicked, at(5), at(5), at(5)
				d.ClicksTotal, d.ClickOS = 2, "android"
			},
		},
		{
			name:   "click os from later report of first click",
			events: []Event{click(5, ""), click(5, "ios")},
			want: func(d *Delivery) {
				d.Status, d.DeliveredAt, d.ReadAt, d.ClickedAt = StatusClicked, at(5), at(5), at(5)
				d.ClicksTotal, d.ClickOS = 2, "ios"
			},
		},
		{
			name:   "click os unknown on first click",
			events: []Event{click(5, ""), click(7, "ios")},
			want: func(d *Delivery) {
				d.Status, d.DeliveredAt, d.ReadAt, d.ClickedAt = StatusClicked, at(5), at(5), at(5)
				d.ClicksTotal = 2
			},
		},
		{
			name:   "equal failures resolve by reason",
			events: []Event{failure(4, ReasonRejected, ""), failure(4, ReasonBlocked, "")},
			want: func(d *Delivery) {
				d.Status, d.FailedAt, d.FailureReason = StatusFailed, at(4), ReasonBlocked
			},
		},
		{
			name:   "equal failures resolve by detail",
			events: []Event{failure(4, ReasonRejected, "b"), failure(4, ReasonRejected, "a")},
			want: func(d *Delivery) {
				d.Status, d.FailedAt, d.FailureReason, d.FailureDetail = StatusFailed, at(4), ReasonRejected, "a"
			},
		},
		{
			name:   "unsubscribed",
			events: []Event{event(EventDelivered, 3), event(EventUnsubscribed, 20), event(EventUnsubscribed, 12)},
			want: func(d *Delivery) {
				d.Status, d.DeliveredAt, d.UnsubscribedAt = StatusDelivered, at(3), at(12)
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sentDelivery()
			for _, e := range tt.events {
				d.Apply(e)
			}
			want := sentDelivery()
			tt.want(&want)
			if d != want {
				t.Errorf("after %d events:\n got %+v\nwant %+v", len(tt.events), d, want)
			}
		})
	}
}

func TestDeliveryApplyNotSentIgnoresEvents(t *testing.T) {
	d := Delivery{ID: 1, Status: StatusNotSent, NotSentReason: NotSentDuplicate}
	for _, kind := range EventKinds {
		if d.Apply(event(kind, 1)) {
			t.Errorf("Apply(%s) on a not-sent delivery = true, want false", kind)
		}
	}
	if d.Status != StatusNotSent {
		t.Errorf("Status = %s, want not_sent", d.Status)
	}
}

func TestDeliveryApplyReportsChange(t *testing.T) {
	d := sentDelivery()
	if !d.Apply(event(EventDelivered, 3)) {
		t.Errorf("first delivered: Apply = false, want true")
	}
	if d.Apply(event(EventDelivered, 3)) {
		t.Errorf("repeated delivered: Apply = true, want false")
	}
	if d.Apply(event(EventDelivered, 5)) {
		t.Errorf("later delivered: Apply = true, want false")
	}
	if d.Apply(failure(9, ReasonExpired, "")) {
		t.Errorf("failure after delivery: Apply = true, want false")
	}
}

// randomEvent draws from few times, reasons, details and systems so that
// ties, which the state machine must also resolve without regard to order,
// are common.
func randomEvent(rng *rand.Rand) Event {
	kinds := EventKinds
	reasons := append([]FailureReason{""}, FailureReasons...)
	details := []string{"", "a", "b"}
	systems := []string{"", "android", "ios"}

	e := event(kinds[rng.IntN(len(kinds))], rng.IntN(5)-1)
	switch e.Kind {
	case EventFailed:
		e.Reason = reasons[rng.IntN(len(reasons))]
		e.ReasonDetail = details[rng.IntN(len(details))]
	case EventClicked:
		e.Link = "https://example.com/a"
		e.DeviceOS = systems[rng.IntN(len(systems))]
	}
	return e
}

// permutations calls fn with every order of events (Heap's algorithm).
func permutations(events []Event, fn func([]Event)) {
	p := append([]Event(nil), events...)
	c := make([]int, len(p))
	fn(p)
	for i := 0; i < len(p); {
		if c[i] < i {
			if i%2 == 0 {
				p[0], p[i] = p[i], p[0]
			} else {
				p[c[i]], p[i] = p[i], p[c[i]]
			}
			fn(p)
			c[i]++
			i = 0
			continue
		}
		c[i] = 0
		i++
	}
}

func TestDeliveryApplyCommutes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		events := make([]Event, 1+rng.IntN(6))
		for i := range events {
			events[i] = randomEvent(rng)
		}

		first := sentDelivery()
		for _, e := range events {
			first.Apply(e)
		}

		orders, mismatches := 0, 0
		permutations(events, func(order []Event) {
			orders++
			d := sentDelivery()
			for _, e := range order {
				d.Apply(e)
			}
			if d != first && mismatches == 0 {
				mismatches++
				t.Errorf("sequence %d: order %s\n gives %+v\nwhile %s\n gives %+v",
					n, describe(order), d, describe(events), first)
			}
		})
		if orders == 0 {
			t.Fatalf("sequence %d: no orders tried", n)
		}
	}
}

// describe lists events as kind@seconds after t0, with reason, detail or
// operating system when set.
func describe(events []Event) string {
	parts := make([]string, len(events))
	for i, e := range events {
		parts[i] = fmt.Sprintf("%s@%+d", e.Kind, int(e.OccurredAt.Sub(t0)/time.Second))
		for _, extra := range []string{string(e.Reason), e.ReasonDetail, e.DeviceOS} {
			if extra != "" {
				parts[i] += "/" + extra
			}
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}
