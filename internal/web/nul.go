package web

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
)

// nulFix ends each rejection of a value with the NUL character U+0000.
// PostgreSQL text columns cannot store it, so such a value would fail at
// commit, with a 500 for the API and a 503 that the provider keeps retrying.
const nulFix = "contains the NUL character \\u0000, which cannot be stored: remove it"

// containsEscapedNUL reports whether the JSON text body contains the escape
// \u0000. JSON carries U+0000 only that way, because raw control characters
// are invalid inside strings.
func containsEscapedNUL(body []byte) bool {
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if bytes.HasPrefix(body[i+1:], []byte("u0000")) {
			return true
		}
		i++ // The escaped character, which may itself be a backslash.
	}
	return false
}

// eventFieldWithNUL returns the canonical name of the first text field of
// e that contains U+0000, or "" when none does.
func eventFieldWithNUL(e domain.Event) string {
	fields := []struct{ name, value string }{
		{"provider_message_id", e.ProviderMessageID},
		{"reason_detail", e.ReasonDetail},
		{"link", e.Link},
		{"device_os", e.DeviceOS},
		{"viber_user_id", e.ViberUserID},
		{"phone", e.Phone},
	}
	for _, field := range fields {
		if strings.ContainsRune(field.value, 0) {
			return field.name
		}
	}
	return ""
}

// queryParameterWithNUL returns the name of the first query parameter
// whose name or value contains U+0000, or "" when none does.
func queryParameterWithNUL(query url.Values) string {
	for name, values := range query {
		if strings.ContainsRune(name, 0) {
			return strings.ReplaceAll(name, "\x00", `\u0000`)
		}
		for _, value := range values {
			if strings.ContainsRune(value, 0) {
				return name
			}
		}
	}
	return ""
}
