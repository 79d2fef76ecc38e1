package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// sandboxSignatureHeader carries "t=<unix seconds>,v1=<hex HMAC>" where the
// HMAC-SHA256, keyed with the connection's secret, covers "<t>." + body.
const sandboxSignatureHeader = "X-Vibereport-Signature"

// sandbox reads the built-in sandbox provider's callbacks, whose body is a
// canonical batch (see ParseCanonical). The stored secret is the secret
// itself because it keys the HMAC. The header may carry several v1 values
// so that a secret can be rotated, and the request verifies when any of
// them matches.
type sandbox struct{}

func (sandbox) Kind() Kind { return KindSandbox }

func (sandbox) StoredSecret(secret string) (string, error) {
	if secret == "" {
		return "", errors.New("missing signing secret: set the secret the sandbox signs its callbacks with")
	}
	return secret, nil
}

func (sandbox) Verify(stored string, req Request) error {
	if stored == "" {
		return fmt.Errorf("%w: no signing secret stored for this connection; configure the sandbox secret", ErrUnauthenticated)
	}

	header := req.Header.Get(sandboxSignatureHeader)
	if header == "" {
		return fmt.Errorf("%w: missing %s header", ErrUnauthenticated, sandboxSignatureHeader)
	}

	timestamp, signatures, err := parseSandboxSignature(header)
	if err != nil {
		return fmt.Errorf("%w: malformed %s header: %w", ErrUnauthenticated, sandboxSignatureHeader, err)
	}

	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: malformed %s header: t is not unix seconds", ErrUnauthenticated, sandboxSignatureHeader)
	}
	if err := checkFreshness(time.Unix(seconds, 0), receivedAt(req), "the "+sandboxSignatureHeader+" header"); err != nil {
		return fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}

	want := sandboxMAC(stored, timestamp, req.Body)
	matched := false
	for _, signature := range signatures {
		got, err := hex.DecodeString(signature)
		if err == nil && hmac.Equal(got, want) {
			matched = true
		}
	}
	if !matched {
		return fmt.Errorf("%w: invalid signature in %s header; check the configured signing secret", ErrUnauthenticated, sandboxSignatureHeader)
	}
	return nil
}

// parseSandboxSignature splits "t=...,v1=...[,v1=...]" into the timestamp
// text and the v1 values. Unknown keys are skipped so that a later scheme
// can be added beside v1.
func parseSandboxSignature(header string) (timestamp string, signatures []string, err error) {
	for _, part := range strings.Split(header, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch key {
		case "t":
			if timestamp != "" {
				return "", nil, errors.New("t appears more than once")
			}
			timestamp = value
		case "v1":
			signatures = append(signatures, value)
		}
	}

	if timestamp == "" || len(signatures) == 0 {
		return "", nil, errors.New("expected t=<unix seconds>,v1=<hex signature>")
	}
	return timestamp, signatures, nil
}

func sandboxMAC(secret, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return mac.Sum(nil)
}

// SignSandbox returns the X-Vibereport-Signature header value for body,
// signed with secret at time now.
func SignSandbox(secret string, body []byte, now time.Time) string {
	timestamp := strconv.FormatInt(now.Unix(), 10)
	return "t=" + timestamp + ",v1=" + hex.EncodeToString(sandboxMAC(secret, timestamp, body))
}

// Parse returns the batch's events without their provider_id, because
// Verify has already tied the request to one connection's secret.
func (sandbox) Parse(req Request) ([]domain.Event, error) {
	items, err := ParseCanonical(req.Body)
	if err != nil {
		return nil, fmt.Errorf("sandbox batch: %w", err)
	}

	events := make([]domain.Event, len(items))
	for i, item := range items {
		events[i] = item.Event
	}
	return events, nil
}
