package sandbox

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
)

// Delivery is one message handed to the sandbox provider.
type Delivery struct {
	ProviderMessageID string
	SentAt            time.Time
	// Language picks the message version whose button URL a click reports;
	// "" uses the message's default content.
	Language string
}

// callbackItem is one event in the canonical batch format that the sandbox
// connection's webhook parses (see provider.ParseCanonical).
type callbackItem struct {
	ProviderMessageID string `json:"provider_message_id"`
	Status            string `json:"status"`
	Timestamp         string `json:"timestamp"`
	Reason            string `json:"reason,omitempty"`
	ReasonDetail      string `json:"reason_detail,omitempty"`
	Link              string `json:"link,omitempty"`
	DeviceOS          string `json:"device_os,omitempty"`
}

// plannedEvent is a callback item with its posting time, given as
// simulated time after the message was sent. The wall-clock wait is this
// offset divided by Profile.TimeScale.
type plannedEvent struct {
	item   callbackItem
	postAt time.Duration
}

// Failure details in the form "<provider code>: <text>" that provider
// callbacks carry.
const (
	detailNotViberUser = "9: the receiver is not a Viber user"
	detailNoDevice     = "10: the receiver has no suitable device"
	detailBlocked      = "8: the receiver blocked the sender"
	detailExpired      = "the TTL ran out before the message reached a device"
)

// retransmitDelay separates a duplicate callback from its original, in
// simulated time, as a provider's retry of a callback it believes was lost.
var retransmitDelay = Delay{Min: Duration(5 * time.Second), Max: Duration(time.Minute)}

// timestampLayout writes UTC with milliseconds, the precision the store keeps.
const timestampLayout = "2006-01-02T15:04:05.000Z07:00"

// planner draws outcomes for one Schedule call.
type planner struct {
	profile *Profile
	seed    uint64
	ttl     time.Duration
}

// deliveryPlan collects the callbacks of one delivery.
type deliveryPlan struct {
	delivery Delivery
	events   []plannedEvent
}

// add appends a callback for an event at offset after sending, posted at
// postAt after sending.
func (dp *deliveryPlan) add(status string, offset, postAt time.Duration, edit func(*callbackItem)) {
	item := callbackItem{
		ProviderMessageID: dp.delivery.ProviderMessageID,
		Status:            status,
		Timestamp:         dp.delivery.SentAt.Add(offset).UTC().Format(timestampLayout),
	}
	if edit != nil {
		edit(&item)
	}
	dp.events = append(dp.events, plannedEvent{item: item, postAt: postAt})
}

// plan returns the callbacks for one delivery. The draws come from a
// generator seeded with the simulator's seed and a hash of the provider
// message id, so a message gets the same outcome whatever the order or
// grouping of Schedule calls.
func (p *planner) plan(d Delivery, link string) []plannedEvent {
	rng := rand.New(rand.NewPCG(p.seed, hashID(d.ProviderMessageID)))
	prof := p.profile
	dp := &deliveryPlan{delivery: d}
	fail := func(reason domain.FailureReason, detail string) {
		at := draw(rng, prof.FailureDelay)
		dp.add("failed", at, at, func(it *callbackItem) {
			it.Reason, it.ReasonDetail = string(reason), detail
		})
	}

	outcome := rng.Float64()
	switch {
	case outcome < prof.NotViberUser:
		fail(domain.ReasonNotViberUser, detailNotViberUser)
	case outcome < prof.NotViberUser+prof.NoDevice:
		fail(domain.ReasonNoDevice, detailNoDevice)
	case outcome < prof.NotViberUser+prof.NoDevice+prof.Blocked:
		fail(domain.ReasonBlocked, detailBlocked)
	case outcome < prof.NotViberUser+prof.NoDevice+prof.Blocked+prof.Expired:
		if rng.Float64() < prof.ExpiredReported {
			// The provider notices the expiry a little after the TTL ends,
			// but reports the moment it ended.
			dp.add("expired", p.ttl, p.ttl+draw(rng, prof.FailureDelay), func(it *callbackItem) {
				it.ReasonDetail = detailExpired
			})
		}
	default:
		p.planDelivered(rng, dp, link)
	}

	p.addDuplicates(rng, dp)
	return dp.events
}

// planDelivered adds the delivered, read, click and unsubscribe callbacks
// of a message that reached a device.
func (p *planner) planDelivered(rng *rand.Rand, dp *deliveryPlan, link string) {
	prof := p.profile

	delivered := draw(rng, prof.DeliveredDelay)
	// A delivery after the TTL would be an expiry, so it is pulled inside.
	if delivered >= p.ttl {
		delivered = p.ttl / 2
	}
	deliveredPost := delivered
	lastSeen := delivered

	if rng.Float64() < prof.Read {
		readAt := delivered + draw(rng, prof.ReadDelay)
		dp.add("read", readAt, readAt, nil)
		lastSeen = readAt

		if link != "" && rng.Float64() < prof.Click {
			clickAt := readAt + draw(rng, prof.ClickDelay)
			os := pickOS(rng, prof.ClickOS)
			clicked := func(it *callbackItem) { it.Link, it.DeviceOS = link, os }
			dp.add("clicked", clickAt, clickAt, clicked)
			if rng.Float64() < prof.RepeatClick {
				again := clickAt + draw(rng, prof.ClickDelay)
				dp.add("clicked", again, again, clicked)
			}
		}
		// An out-of-order report: "delivered" is posted after "read" but
		// still carries the delivery time.
		if rng.Float64() < prof.OutOfOrder {
			deliveredPost = readAt + draw(rng, retransmitDelay)
		}
	}

	if rng.Float64() < prof.Unsubscribe {
		at := lastSeen + draw(rng, prof.UnsubscribeDelay)
		dp.add("unsubscribed", at, at, nil)
	}
	dp.add("delivered", delivered, deliveredPost, nil)
}

// addDuplicates adds an unchanged second copy of a share of the
// callbacks, posted a little after the original.
func (p *planner) addDuplicates(rng *rand.Rand, dp *deliveryPlan) {
	n := len(dp.events)
	for i := range n {
		if rng.Float64() < p.profile.Duplicate {
			copied := dp.events[i]
			copied.postAt += draw(rng, retransmitDelay)
			dp.events = append(dp.events, copied)
		}
	}
}

// draw returns a log-uniform duration between d.Min and d.Max.
func draw(rng *rand.Rand, d Delay) time.Duration {
	lo, hi := float64(d.Min), float64(d.Max)
	if hi <= lo {
		return time.Duration(lo)
	}
	return time.Duration(lo * math.Exp(rng.Float64()*math.Log(hi/lo)))
}

// pickOS returns "android", "ios" or "desktop" by weight.
func pickOS(rng *rand.Rand, w OSShares) string {
	x := rng.Float64() * (w.Android + w.IOS + w.Desktop)
	switch {
	case x < w.Android:
		return "android"
	case x < w.Android+w.IOS:
		return "ios"
	}
	return "desktop"
}

func hashID(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// buttonURL returns the button URL of the message version in language,
// falling back to the message's default content.
func buttonURL(m *domain.Message, language string) string {
	for _, v := range m.Versions {
		if v.Language == language && v.ButtonURL != "" {
			return v.ButtonURL
		}
	}
	return m.ButtonURL
}

// FromRegistration returns the deliveries of a registration that the
// sandbox should simulate: those registered as "created" and sent, in
// request order. registered is Writer.Register's result for deliveries.
func FromRegistration(deliveries []ingest.NewDelivery, registered []ingest.Registered) []Delivery {
	var out []Delivery
	for i, r := range registered {
		if i >= len(deliveries) {
			break
		}
		nd := deliveries[i]
		if r.Outcome != "created" || nd.NotSentReason != "" || nd.ProviderMessageID == "" {
			continue
		}
		out = append(out, Delivery{ProviderMessageID: nd.ProviderMessageID, SentAt: nd.SentAt, Language: nd.Language})
	}
	return out
}
