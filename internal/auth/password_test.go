package auth

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	const password = "correct horse battery"
	hash, err := HashPassword(password)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if strings.Contains(hash, password) {
		t.Errorf("hash %q contains the password", hash)
	}
	if !strings.HasPrefix(hash, "$2a$12$") {
		t.Errorf("hash %q is not bcrypt at cost 12", hash)
	}
	if err := VerifyPassword(hash, password); err != nil {
		t.Errorf("VerifyPassword with the right password: %v", err)
	}
	if err := VerifyPassword(hash, password+"!"); !errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("VerifyPassword with a wrong password: err = %v, want ErrPasswordMismatch", err)
	}

	again, err := HashPassword(password)
	if err != nil {
		t.Fatalf("second HashPassword: %v", err)
	}
	if again == hash {
		t.Error("two hashes of one password are equal: salt missing")
	}
}

func TestPasswordLengthLimits(t *testing.T) {
	cases := []struct {
		name     string
		password string
		wantErr  string
	}{
		{"nine ascii", "123456789", "too short: use at least 10 characters, got 9"},
		{"empty", "", "got 0"},
		// Ten Cyrillic letters are 20 bytes but 10 characters.
		{"ten cyrillic", "пароль0123", ""},
		{"nine cyrillic", "парольїєі", "too short: use at least 10 characters, got 9"},
		{"72 bytes", strings.Repeat("a", 72), ""},
		{"73 bytes", strings.Repeat("a", 73), "too long: use at most 72 bytes in UTF-8, got 73"},
	}
	for _, c := range cases {
		err := ValidatePassword(c.password)
		if c.wantErr == "" {
			if err != nil {
				t.Errorf("%s: ValidatePassword: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: ValidatePassword err = %v, want one containing %q", c.name, err, c.wantErr)
		}
		if _, err := HashPassword(c.password); err == nil {
			t.Errorf("%s: HashPassword accepted an invalid password", c.name)
		}
	}
}

func TestVerifyPasswordWithoutHash(t *testing.T) {
	if err := VerifyPassword("", "any password at all"); !errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("VerifyPassword with empty hash: err = %v, want ErrPasswordMismatch", err)
	}
}

func TestVerifyPasswordMalformedHash(t *testing.T) {
	err := VerifyPassword("not-a-bcrypt-hash", "any password at all")
	if err == nil || errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("VerifyPassword with malformed hash: err = %v, want an invalid-hash error", err)
	}
}

func TestVerifyPasswordRejectsLongerInput(t *testing.T) {
	password := strings.Repeat("b", MaxPasswordBytes)
	hash, err := HashPassword(password)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if err := VerifyPassword(hash, password+"extra"); !errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("VerifyPassword with 72 right bytes plus more: err = %v, want ErrPasswordMismatch", err)
	}
}

func TestGeneratePassword(t *testing.T) {
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{20}$`)
	seen := map[string]bool{}
	for range 100 {
		p := GeneratePassword()
		if !urlSafe.MatchString(p) {
			t.Fatalf("GeneratePassword() = %q, want 20 URL-safe characters", p)
		}
		if err := ValidatePassword(p); err != nil {
			t.Fatalf("generated password %q is invalid: %v", p, err)
		}
		if seen[p] {
			t.Fatalf("GeneratePassword repeated %q", p)
		}
		seen[p] = true
	}
}
