package auth

import (
	"net/http"
	"strings"
	"time"
)

// SessionCookieName is the name of the cookie that carries the session token.
const SessionCookieName = "vibereport_session"

// SessionCookie returns the cookie that carries a session token until
// expires. It is HttpOnly so page scripts cannot read it, SameSite=Lax so
// other sites cannot send it with their forms, and Secure when publicURL,
// the address users open the service at, starts with https://.
func SessionCookie(token string, expires time.Time, publicURL string) *http.Cookie {
	maxAge := int(time.Until(expires) / time.Second)
	if maxAge <= 0 {
		// MaxAge 0 would mean "no Max-Age attribute", so a session that has
		// already expired gets a cookie that is removed at once.
		maxAge = -1
	}
	return &http.Cookie{
		Name:     SessionCookieName,
		Value:    token,
		Path:     "/",
		Expires:  expires.UTC(),
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   isHTTPS(publicURL),
		SameSite: http.SameSiteLaxMode,
	}
}

// ClearSessionCookie returns a cookie that makes the browser delete the
// session cookie, for signing out.
func ClearSessionCookie(publicURL string) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookieName,
		Value:    "",
		Path:     "/",
		Expires:  time.Unix(0, 0).UTC(),
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   isHTTPS(publicURL),
		SameSite: http.SameSiteLaxMode,
	}
}

func isHTTPS(publicURL string) bool {
	return len(publicURL) >= len("https://") && strings.EqualFold(publicURL[:len("https://")], "https://")
}
