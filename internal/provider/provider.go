// Package provider holds the adapters that read each messaging provider's
// status callbacks: how the provider authenticates a callback and how its
// payload maps onto domain events.
package provider

import (
	"errors"
	"net/http"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// Kind names a provider integration in the API and the database.
type Kind string

const (
	KindViberBot Kind = "viber_bot"
	KindInfobip  Kind = "infobip"
	KindVonage   Kind = "vonage"
	KindSinch    Kind = "sinch"
	KindYespo    Kind = "yespo"
	KindSandbox  Kind = "sandbox"
)

// Kinds lists every provider kind a connection can have.
var Kinds = []Kind{KindViberBot, KindInfobip, KindVonage, KindSinch, KindYespo, KindSandbox}

// MaxCallbackBytes caps a callback body. Real callbacks are a few kilobytes;
// Infobip batches of many reports stay well under this.
const MaxCallbackBytes = 1 << 20

// ErrUnauthenticated marks a callback whose signature or credentials do not
// verify. Handlers respond to it with 401 and store nothing.
var ErrUnauthenticated = errors.New("callback not authenticated")

// Request is one received callback: the raw body exactly as read, its
// headers, and which webhook path received it.
type Request struct {
	Header http.Header
	Body   []byte
	// Variant is "" for the main webhook and "seen" for the path where a
	// provider posts seen reports separately.
	Variant    string
	ReceivedAt time.Time
}

// Adapter verifies and parses one provider kind's callbacks.
type Adapter interface {
	Kind() Kind

	// StoredSecret turns the secret a user configured into the form kept
	// in the database: a SHA-256 hash where the scheme only compares
	// credentials, the secret itself where it keys an HMAC.
	StoredSecret(secret string) (string, error)

	// Verify authenticates the request against the stored secret over the
	// raw body bytes. It returns an error wrapping ErrUnauthenticated when
	// the request must be rejected.
	Verify(stored string, req Request) error

	// Parse decodes a verified body into events. Records the product does
	// not track (subscriptions, incoming messages, webhook checks) yield no
	// events and no error. A body that is not the provider's format is an
	// error naming what is wrong.
	Parse(req Request) ([]domain.Event, error)
}
