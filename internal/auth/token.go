package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
)

// csrfTokenBytes is the number of random bytes in a CSRF token (256 bits).
const csrfTokenBytes = 32

// randomURLSafe returns n random bytes from crypto/rand encoded as
// unpadded base64url. It ignores the error of crypto/rand.Read because,
// since Go 1.24, Read never returns one and ends the program instead when
// the system's random source fails.
func randomURLSafe(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// GeneratePassword returns a random password of GeneratedPasswordLength
// characters from the URL-safe base64 alphabet (A-Z, a-z, 0-9, '-', '_'),
// which carries 120 bits of entropy.
func GeneratePassword() string {
	// Every 3 bytes become 4 characters, so 15 bytes give exactly 20.
	return randomURLSafe(GeneratedPasswordLength / 4 * 3)
}

// NewCSRFToken returns a random token for a session's forms to echo.
func NewCSRFToken() string {
	return randomURLSafe(csrfTokenBytes)
}

// CheckCSRF reports whether got equals the session's token expected, in
// time that does not depend on where they differ. An empty expected token
// never matches, so a session without one rejects every form.
func CheckCSRF(expected, got string) bool {
	if expected == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(expected), []byte(got)) == 1
}
