package domain

import "fmt"

// FailureReason is the cause of a sent message never reaching the contact.
type FailureReason string

const (
	ReasonNotViberUser  FailureReason = "not_viber_user"
	ReasonBlocked       FailureReason = "blocked"
	ReasonNoDevice      FailureReason = "no_device"
	ReasonExpired       FailureReason = "expired"
	ReasonRejected      FailureReason = "rejected"
	ReasonProviderError FailureReason = "provider_error"
	ReasonNoBalance     FailureReason = "no_balance"
)

// FailureReasons lists every reason in the order reports show them.
var FailureReasons = []FailureReason{
	ReasonNotViberUser, ReasonBlocked, ReasonNoDevice, ReasonExpired,
	ReasonRejected, ReasonProviderError, ReasonNoBalance,
}

// ParseFailureReason returns the reason with the given public name.
func ParseFailureReason(name string) (FailureReason, error) {
	for _, r := range FailureReasons {
		if string(r) == name {
			return r, nil
		}
	}
	return "", fmt.Errorf("invalid failure reason %q: use one of not_viber_user, blocked, no_device, expired, rejected, provider_error, no_balance", name)
}

// NotSentReason is the cause of a contact of the audience never being handed to a provider.
type NotSentReason string

const (
	NotSentInaccessible   NotSentReason = "inaccessible"
	NotSentOverPlanLimit  NotSentReason = "over_plan_limit"
	NotSentAnnoyanceLimit NotSentReason = "annoyance_limit"
	NotSentDuplicate      NotSentReason = "duplicate"
)

// NotSentReasons lists every not-sent bucket in report order.
var NotSentReasons = []NotSentReason{
	NotSentInaccessible, NotSentOverPlanLimit, NotSentAnnoyanceLimit, NotSentDuplicate,
}

// ParseNotSentReason returns the not-sent bucket with the given public name.
func ParseNotSentReason(name string) (NotSentReason, error) {
	for _, r := range NotSentReasons {
		if string(r) == name {
			return r, nil
		}
	}
	return "", fmt.Errorf("invalid not-sent reason %q: use one of inaccessible, over_plan_limit, annoyance_limit, duplicate", name)
}
