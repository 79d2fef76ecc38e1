package auth

import (
	"regexp"
	"testing"
)

func TestNewCSRFTokenFormat(t *testing.T) {
	// 32 bytes are 43 characters of unpadded base64url.
	format := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	first, second := NewCSRFToken(), NewCSRFToken()
	if !format.MatchString(first) {
		t.Errorf("NewCSRFToken() = %q, want 43 URL-safe characters", first)
	}
	if first == second {
		t.Errorf("two NewCSRFToken calls returned %q", first)
	}
}

func TestCheckCSRF(t *testing.T) {
	token := NewCSRFToken()
	cases := []struct {
		name     string
		expected string
		got      string
		want     bool
	}{
		{"equal", token, token, true},
		{"different", token, NewCSRFToken(), false},
		{"prefix", token, token[:20], false},
		{"longer", token, token + "x", false},
		{"missing from form", token, "", false},
		{"session without token", "", "", false},
	}
	for _, c := range cases {
		if got := CheckCSRF(c.expected, c.got); got != c.want {
			t.Errorf("%s: CheckCSRF = %v, want %v", c.name, got, c.want)
		}
	}
}
