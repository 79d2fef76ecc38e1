package auth

import (
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

const (
	// MinPasswordLength is the minimum password length in characters
	// (Unicode code points), not bytes.
	MinPasswordLength = 10
	// MaxPasswordBytes is the longest password bcrypt hashes in full.
	// golang.org/x/crypto/bcrypt (v0.59.0) rejects longer input when
	// hashing but ignores the bytes past 72 when comparing.
	MaxPasswordBytes = 72
	// GeneratedPasswordLength is the length of GeneratePassword's output.
	GeneratedPasswordLength = 20
)

// passwordCost is the bcrypt work factor. Each step doubles the time a
// hash takes, for the server and for an attacker with a stolen hash alike.
const passwordCost = 12

// ErrPasswordMismatch is returned by VerifyPassword when the password does
// not match the hash.
var ErrPasswordMismatch = errors.New("password does not match")

// ValidatePassword checks that a password is long enough and short enough
// to hash. The error names the limit that was broken.
func ValidatePassword(password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return fmt.Errorf("password is too short: use at least %d characters, got %d", MinPasswordLength, n)
	}
	if len(password) > MaxPasswordBytes {
		return fmt.Errorf("password is too long: use at most %d bytes in UTF-8, got %d", MaxPasswordBytes, len(password))
	}
	return nil
}

// HashPassword validates a password and returns its bcrypt hash, salt and
// cost included, in the form that VerifyPassword reads.
func HashPassword(password string) (string, error) {
	if err := ValidatePassword(password); err != nil {
		return "", err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(hash), nil
}

// dummyHash is compared against when there is no stored hash, so a sign-in
// with an unknown email costs as much time as one with a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	hash, err := bcrypt.GenerateFromPassword([]byte("no user has this password"), passwordCost)
	if err != nil {
		panic(fmt.Sprintf("auth: hash the dummy password: %v", err))
	}
	return hash
})

// VerifyPassword compares a password with a hash from HashPassword. It
// returns nil on a match, ErrPasswordMismatch on a mismatch and another
// error when hash is malformed. Pass an empty hash when the user does not
// exist. VerifyPassword then spends the same time on a comparison and
// returns ErrPasswordMismatch, so timing does not reveal which emails have
// accounts.
func VerifyPassword(hash, password string) error {
	// No stored password is longer than MaxPasswordBytes, and bcrypt would
	// compare only the first 72 bytes of a longer one, so reject it here.
	if hash == "" || len(password) > MaxPasswordBytes {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return ErrPasswordMismatch
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return ErrPasswordMismatch
	}
	if err != nil {
		return fmt.Errorf("verify password: invalid stored hash: %w", err)
	}
	return nil
}
