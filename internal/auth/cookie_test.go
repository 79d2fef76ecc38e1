package auth

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSessionCookieAttributes(t *testing.T) {
	expires := time.Now().Add(24 * time.Hour)
	c := SessionCookie("tok", expires, "http://127.0.0.1:8080")

	if c.Name != "vibereport_session" {
		t.Errorf("Name = %q, want vibereport_session", c.Name)
	}
	if c.Value != "tok" {
		t.Errorf("Value = %q, want tok", c.Value)
	}
	if c.Path != "/" {
		t.Errorf("Path = %q, want /", c.Path)
	}
	if !c.HttpOnly {
		t.Error("HttpOnly = false, want true")
	}
	if c.SameSite != http.SameSiteLaxMode {
		t.Errorf("SameSite = %v, want Lax", c.SameSite)
	}
	if c.Secure {
		t.Error("Secure = true for an http public URL, want false")
	}
	if c.MaxAge < 24*3600-5 || c.MaxAge > 24*3600 {
		t.Errorf("MaxAge = %d, want about %d", c.MaxAge, 24*3600)
	}

	header := c.String()
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="} {
		if !strings.Contains(header, attr) {
			t.Errorf("Set-Cookie %q lacks %s", header, attr)
		}
	}
}

func TestSessionCookieSecureOverHTTPS(t *testing.T) {
	for _, publicURL := range []string{"https://report.example.com", "HTTPS://report.example.com/app"} {
		c := SessionCookie("tok", time.Now().Add(time.Hour), publicURL)
		if !c.Secure {
			t.Errorf("Secure = false for public URL %s, want true", publicURL)
		}
		if !strings.Contains(c.String(), "Secure") {
			t.Errorf("Set-Cookie %q lacks Secure", c.String())
		}
	}
	for _, publicURL := range []string{"", "http://report.example.com", "https:/"} {
		if SessionCookie("tok", time.Now().Add(time.Hour), publicURL).Secure {
			t.Errorf("Secure = true for public URL %q, want false", publicURL)
		}
	}
}

func TestSessionCookieAlreadyExpired(t *testing.T) {
	c := SessionCookie("tok", time.Now().Add(-time.Minute), "")
	if c.MaxAge >= 0 {
		t.Errorf("MaxAge = %d for an expired session, want negative", c.MaxAge)
	}
}

func TestClearSessionCookie(t *testing.T) {
	c := ClearSessionCookie("https://report.example.com")
	if c.Name != SessionCookieName || c.Value != "" {
		t.Errorf("cookie = %s=%q, want %s with no value", c.Name, c.Value, SessionCookieName)
	}
	if c.MaxAge >= 0 {
		t.Errorf("MaxAge = %d, want negative to delete", c.MaxAge)
	}
	if !c.Secure || !c.HttpOnly || c.Path != "/" {
		t.Errorf("cookie %q must match the session cookie's Path, Secure and HttpOnly", c.String())
	}
	if !strings.Contains(c.String(), "Max-Age=0") {
		t.Errorf("Set-Cookie %q lacks Max-Age=0", c.String())
	}
}
