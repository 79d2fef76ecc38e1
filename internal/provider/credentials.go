package provider

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// headerSecretPrefix marks a configured secret, and its stored hash, as a
// shared secret sent in the X-Webhook-Secret header instead of Basic auth
// credentials.
const headerSecretPrefix = "header:"

// webhookSecretHeader carries the shared secret of the header scheme.
const webhookSecretHeader = "X-Webhook-Secret"

// sha256Hex returns the lowercase hex SHA-256 of s.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// storeBasicCredentials validates "user:password" and returns its SHA-256 hex.
func storeBasicCredentials(secret string) (string, error) {
	user, password, ok := strings.Cut(secret, ":")
	if !ok || user == "" || password == "" {
		return "", errors.New(`invalid credentials: use "user:password" with a non-empty user and password`)
	}
	return sha256Hex(secret), nil
}

// verifyBasicCredentials checks the request's Basic auth credentials
// against stored, the SHA-256 hex of "user:password". Both sides are hashed
// before the constant-time compare, so the compare takes the same time
// whatever the lengths of the credentials.
func verifyBasicCredentials(stored string, req Request) error {
	if stored == "" {
		return fmt.Errorf("%w: no credentials stored for this connection; configure the webhook's user and password", ErrUnauthenticated)
	}

	user, password, ok := (&http.Request{Header: req.Header}).BasicAuth()
	if !ok {
		return fmt.Errorf("%w: missing or malformed Basic auth in the Authorization header", ErrUnauthenticated)
	}

	got := sha256Hex(user + ":" + password)
	if subtle.ConstantTimeCompare([]byte(got), []byte(stored)) != 1 {
		return fmt.Errorf("%w: wrong Basic auth user or password", ErrUnauthenticated)
	}
	return nil
}

// storeHeaderSecret validates a shared secret and returns "header:" followed
// by its SHA-256 hex.
func storeHeaderSecret(secret string) (string, error) {
	if secret == "" {
		return "", fmt.Errorf(`invalid shared secret: the value after %q is empty; use "header:<secret>"`, headerSecretPrefix)
	}
	return headerSecretPrefix + sha256Hex(secret), nil
}

// verifyHeaderSecret checks the X-Webhook-Secret header against storedHash,
// the SHA-256 hex of the shared secret.
func verifyHeaderSecret(storedHash string, req Request) error {
	values := req.Header.Values(webhookSecretHeader)
	if len(values) == 0 || values[0] == "" {
		return fmt.Errorf("%w: missing %s header", ErrUnauthenticated, webhookSecretHeader)
	}

	got := sha256Hex(values[0])
	if subtle.ConstantTimeCompare([]byte(got), []byte(storedHash)) != 1 {
		return fmt.Errorf("%w: wrong shared secret in the %s header", ErrUnauthenticated, webhookSecretHeader)
	}
	return nil
}
