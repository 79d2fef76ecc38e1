package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

const timeFix = `use RFC 3339 such as "2025-03-01T10:00:04Z" or epoch milliseconds`

// parseTime reads a JSON value that is RFC 3339 text or epoch milliseconds
// (a JSON integer or a string of digits). Absent and null read as the zero
// time. field names the value in errors.
func parseTime(raw json.RawMessage, field string) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}

	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return time.Time{}, badRequest("%s: invalid time %s: %s", field, truncate(string(raw)), timeFix)
		}
		if !isDigits(text) {
			t, err := time.Parse(time.RFC3339Nano, text)
			if err != nil {
				return time.Time{}, badRequest("%s: invalid time %q: %s", field, truncate(text), timeFix)
			}
			return t.UTC(), nil
		}
	}

	if !isDigits(text) {
		return time.Time{}, badRequest("%s: invalid time %s: %s", field, truncate(text), timeFix)
	}
	ms, err := strconv.ParseInt(text, 10, 64)
	// A time past the year 9999 is not a real send time.
	if err != nil || ms > 253402300799999 {
		return time.Time{}, badRequest("%s: invalid time %s: %s", field, truncate(text), timeFix)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// parseMessageID reads a provider message id sent as a JSON string or a
// JSON integer. An integer keeps its exact digits: Viber's 64-bit message
// tokens do not survive a trip through float64. Absent and null read as "".
func parseMessageID(raw json.RawMessage, field string) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}

	if raw[0] != '"' {
		if !isDigits(string(raw)) {
			return "", badRequest("%s: invalid message id %s: use the provider's message id as a JSON string or integer", field, truncate(string(raw)))
		}
		return string(raw), nil
	}

	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return "", badRequest("%s: invalid message id %s: use the provider's message id as a JSON string or integer", field, truncate(string(raw)))
	}
	return strings.TrimSpace(id), nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// truncate shortens a client's value for an error message.
func truncate(s string) string {
	const maxLen = 60
	if len(s) > maxLen {
		return s[:maxLen] + "..."
	}
	return s
}

// pathID reads the {id} path value as a positive integer.
func pathID(r interface{ PathValue(string) string }, what string) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("%s %q: not found: ids are positive integers", what, truncate(raw))
	}
	return id, nil
}

// timeOrNil returns a pointer for JSON output, so a status never reached
// is null instead of 0001-01-01.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// parseTTL converts ttl_seconds to a duration within Viber's bounds.
func parseTTL(secs int64) (time.Duration, error) {
	// Values far out of range would overflow a Duration, so the check runs
	// on the value clamped to a year. The error shows the value sent.
	ttl := time.Duration(max(min(secs, 366*24*3600), -1)) * time.Second
	if err := domain.ValidateTTL(ttl); err != nil {
		return 0, badRequest("ttl_seconds: %d is out of range: use 30 to 1209600 (14 days)", secs)
	}
	return ttl, nil
}

// seconds renders a duration as whole seconds.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }
