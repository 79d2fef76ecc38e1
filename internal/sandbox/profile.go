package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Duration is a time.Duration written in JSON as Go duration text such as
// "90s" or "2h30m".
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) {
	return []byte(time.Duration(d).String()), nil
}

func (d *Duration) UnmarshalText(text []byte) error {
	parsed, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("invalid duration %q: use Go duration text such as \"90s\" or \"2h30m\"", text)
	}
	*d = Duration(parsed)
	return nil
}

// Delay is a range of simulated time. Draws are log-uniform between Min and
// Max, so short delays are as likely per order of magnitude as long ones,
// which matches how delivery and read times of real campaigns spread out.
type Delay struct {
	Min Duration `json:"min"`
	Max Duration `json:"max"`
}

// OSShares weighs the operating systems of clicking devices. The weights
// need not add up to 1.
type OSShares struct {
	Android float64 `json:"android"`
	IOS     float64 `json:"ios"`
	Desktop float64 `json:"desktop"`
}

// Profile sets the outcome rates and delays of simulated messages.
//
// The final outcome of every sent message is drawn once: NotViberUser,
// NoDevice, Blocked and Expired are shares of sent messages, and the rest
// is delivered. Read and Unsubscribe are shares of delivered messages,
// Click a share of read ones, RepeatClick a share of clicks.
type Profile struct {
	NotViberUser float64 `json:"not_viber_user"`
	NoDevice     float64 `json:"no_device"`
	Blocked      float64 `json:"blocked"`
	Expired      float64 `json:"expired"`
	// ExpiredReported is the share of expiries that get an explicit
	// "expired" callback at sent + TTL. The other expiries get no callback
	// at all, and the service derives them from sent + TTL.
	ExpiredReported float64 `json:"expired_reported"`

	Read        float64  `json:"read"`
	Click       float64  `json:"click"`
	RepeatClick float64  `json:"repeat_click"`
	Unsubscribe float64  `json:"unsubscribe"`
	ClickOS     OSShares `json:"click_os"`

	// Duplicate is the share of callbacks posted a second time, and
	// OutOfOrder the share of read messages whose "delivered" callback is
	// posted after their "read" callback. Real providers do both.
	Duplicate  float64 `json:"duplicate"`
	OutOfOrder float64 `json:"out_of_order"`

	// FailureDelay runs from sent to a send-time failure such as not a
	// Viber user. DeliveredDelay runs from sent to delivered, and ReadDelay
	// from delivered to read. ClickDelay runs from read to the first click
	// and from one click to a repeat. UnsubscribeDelay runs from read, or
	// from delivered when unread, to unsubscribing.
	FailureDelay     Delay `json:"failure_delay"`
	DeliveredDelay   Delay `json:"delivered_delay"`
	ReadDelay        Delay `json:"read_delay"`
	ClickDelay       Delay `json:"click_delay"`
	UnsubscribeDelay Delay `json:"unsubscribe_delay"`

	// TimeScale divides every delay before the callback is posted, while
	// event timestamps keep the simulated delay: at 3600 an event one hour
	// after sending is posted one second after Schedule. 1 is real time.
	TimeScale float64 `json:"time_scale"`
}

// DefaultProfile returns rates and delays close to a typical Viber
// promotional campaign in Ukraine. They are estimates for demos and tests,
// not measurements.
func DefaultProfile() Profile {
	return Profile{
		NotViberUser:    0.06,
		NoDevice:        0.02,
		Blocked:         0.01,
		Expired:         0.03,
		ExpiredReported: 0.5,

		Read:        0.60,
		Click:       0.08,
		RepeatClick: 0.15,
		Unsubscribe: 0.005,
		ClickOS:     OSShares{Android: 0.62, IOS: 0.33, Desktop: 0.05},

		Duplicate:  0.01,
		OutOfOrder: 0.01,

		FailureDelay:     Delay{Min: Duration(time.Second), Max: Duration(20 * time.Second)},
		DeliveredDelay:   Delay{Min: Duration(2 * time.Second), Max: Duration(15 * time.Minute)},
		ReadDelay:        Delay{Min: Duration(30 * time.Second), Max: Duration(8 * time.Hour)},
		ClickDelay:       Delay{Min: Duration(3 * time.Second), Max: Duration(3 * time.Minute)},
		UnsubscribeDelay: Delay{Min: Duration(time.Minute), Max: Duration(3 * time.Hour)},

		TimeScale: 1,
	}
}

// ParseProfile reads a profile from JSON. Fields left out keep their
// DefaultProfile values.
func ParseProfile(data []byte) (Profile, error) {
	p := DefaultProfile()
	if err := json.Unmarshal(data, &p); err != nil {
		return Profile{}, fmt.Errorf("sandbox profile: %w", err)
	}
	return p, p.Validate()
}

// Validate checks that every share lies in [0, 1], that the failure shares
// leave room for deliveries, and that delays and the time scale are usable.
func (p *Profile) Validate() error {
	shares := []struct {
		name  string
		value float64
	}{
		{"not_viber_user", p.NotViberUser}, {"no_device", p.NoDevice}, {"blocked", p.Blocked},
		{"expired", p.Expired}, {"expired_reported", p.ExpiredReported}, {"read", p.Read},
		{"click", p.Click}, {"repeat_click", p.RepeatClick}, {"unsubscribe", p.Unsubscribe},
		{"duplicate", p.Duplicate}, {"out_of_order", p.OutOfOrder},
	}
	var errs []error
	for _, s := range shares {
		if s.value < 0 || s.value > 1 {
			errs = append(errs, fmt.Errorf("sandbox profile: %s: %v is out of range: use a share from 0 to 1", s.name, s.value))
		}
	}
	if sum := p.NotViberUser + p.NoDevice + p.Blocked + p.Expired; sum > 1 {
		errs = append(errs, fmt.Errorf("sandbox profile: not_viber_user + no_device + blocked + expired is %v: keep the sum at 1 or below", sum))
	}
	if p.ClickOS.Android < 0 || p.ClickOS.IOS < 0 || p.ClickOS.Desktop < 0 ||
		p.ClickOS.Android+p.ClickOS.IOS+p.ClickOS.Desktop == 0 {
		errs = append(errs, errors.New("sandbox profile: click_os: weights must be 0 or more, with at least one above 0"))
	}

	delays := []struct {
		name  string
		delay Delay
	}{
		{"failure_delay", p.FailureDelay}, {"delivered_delay", p.DeliveredDelay}, {"read_delay", p.ReadDelay},
		{"click_delay", p.ClickDelay}, {"unsubscribe_delay", p.UnsubscribeDelay},
	}
	for _, d := range delays {
		if d.delay.Min <= 0 || d.delay.Max < d.delay.Min {
			errs = append(errs, fmt.Errorf("sandbox profile: %s: min %s and max %s are invalid: use 0 < min <= max",
				d.name, time.Duration(d.delay.Min), time.Duration(d.delay.Max)))
		}
	}
	if p.TimeScale < 1 {
		errs = append(errs, fmt.Errorf("sandbox profile: time_scale: %v is invalid: use 1 for real time or more to compress time", p.TimeScale))
	}
	return errors.Join(errs...)
}
