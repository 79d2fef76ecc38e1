package domain

import "fmt"

// Status is a delivery's position in its forward-only lifecycle. The numeric
// order is the precedence order: a delivery moves only to a higher status.
// Failed sits between sent and delivered because a failure ends a delivery
// that was only sent, while proof of arrival (delivered, read, clicked)
// outranks a failure that the provider reported or that expiry implied.
type Status int16

const (
	StatusNotSent   Status = 0
	StatusSent      Status = 1
	StatusFailed    Status = 2
	StatusDelivered Status = 3
	StatusRead      Status = 4
	StatusClicked   Status = 5
)

var statusNames = [...]string{"not_sent", "sent", "failed", "delivered", "read", "clicked"}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("status(%d)", int16(s))
	}
	return statusNames[s]
}

// ParseStatus returns the status with the given public name.
func ParseStatus(name string) (Status, error) {
	for i, n := range statusNames {
		if n == name {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("invalid status %q: use one of not_sent, sent, failed, delivered, read, clicked", name)
}
