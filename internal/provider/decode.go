package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// errEmptyBody is the parse error for a callback body that contains no JSON.
var errEmptyBody = errors.New("empty callback body: expected a JSON payload")

// decodeJSON decodes exactly one JSON value from body into v. Numbers stay
// json.Number so that 64-bit ids never pass through float64, and any data
// after the value is an error because a truncated or concatenated body must
// not be half-applied.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errEmptyBody
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var typeError *json.UnmarshalTypeError
		if errors.As(err, &typeError) {
			return describeTypeError(typeError)
		}
		return fmt.Errorf("invalid JSON body: %w", err)
	}

	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("invalid JSON body: unexpected data after the first JSON value")
	}
	return nil
}

// describeTypeError names the JSON field and kinds of a type mismatch in
// the words of the provider's format rather than those of Go types.
func describeTypeError(err *json.UnmarshalTypeError) error {
	expected := jsonKindOf(err.Type)
	if err.Field == "" {
		return fmt.Errorf("invalid JSON body: got a JSON %s, expected %s", err.Value, expected)
	}
	return fmt.Errorf("invalid JSON body: field %q: got a JSON %s, expected %s", err.Field, err.Value, expected)
}

// jsonKindOf returns the JSON kind that decodes into a value of type t.
func jsonKindOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[json.Number]() {
		return "a number"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another JSON value"
}

// jsonText is a JSON string or number kept as its exact text, for ids and
// phone numbers that providers send either way. JSON null leaves it empty.
type jsonText string

func (t *jsonText) UnmarshalJSON(data []byte) error {
	if len(data) == 0 || string(data) == "null" {
		*t = ""
		return nil
	}

	if data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = jsonText(s)
		return nil
	}

	if data[0] == '-' || (data[0] >= '0' && data[0] <= '9') {
		*t = jsonText(data)
		return nil
	}
	return fmt.Errorf("invalid value %.40s: use a JSON string or number", data)
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDecimalInteger reports whether s is an optional minus sign followed by
// one or more ASCII digits.
func isDecimalInteger(s string) bool {
	return isDigits(strings.TrimPrefix(s, "-"))
}

// normalizePhone returns digits-only phone numbers in E.164 form with a
// leading "+". Anything else (a sender name, a formatted number) is returned
// trimmed but otherwise unchanged, so no information is lost.
func normalizePhone(raw string) string {
	phone := strings.TrimSpace(raw)
	if !isPhoneDigits(phone) {
		return phone
	}
	return "+" + strings.TrimPrefix(phone, "+")
}

// isPhoneDigits reports whether s looks like a phone number: digits with an
// optional leading "+".
func isPhoneDigits(s string) bool {
	return isDigits(strings.TrimPrefix(strings.TrimSpace(s), "+"))
}

// parseTimeLayouts parses s with the first layout that accepts it and
// returns the time in UTC. Layouts without a zone read the time as UTC.
func parseTimeLayouts(s string, layouts ...string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var firstErr error
	for _, layout := range layouts {
		t, err := time.Parse(layout, s)
		if err == nil {
			return t.UTC(), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return time.Time{}, firstErr
}

// unixMillis converts epoch milliseconds to UTC. It rejects values outside
// years 1970 to 9999, which no real callback carries.
func unixMillis(ms int64) (time.Time, error) {
	if ms <= 0 || ms > maxUnixMillis {
		return time.Time{}, fmt.Errorf("epoch milliseconds %d out of range", ms)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// maxUnixMillis is the last millisecond of year 9999.
const maxUnixMillis = 253402300799999

// receivedAt returns the time to measure timestamp freshness against. A
// request built without ReceivedAt is checked against the current time.
func receivedAt(req Request) time.Time {
	if req.ReceivedAt.IsZero() {
		return time.Now()
	}
	return req.ReceivedAt
}

// maxClockSkew is how far a signed timestamp may lie from the time the
// callback arrived before the callback is rejected as a possible replay.
const maxClockSkew = 5 * time.Minute

// checkFreshness returns an error when signedAt is more than maxClockSkew
// away from now. source names where the timestamp came from. Callers wrap
// the error with ErrUnauthenticated.
func checkFreshness(signedAt, now time.Time, source string) error {
	// Comparing instants, not a Duration, because a timestamp centuries
	// away saturates Sub and its absolute value would overflow.
	if signedAt.Before(now.Add(-maxClockSkew)) || signedAt.After(now.Add(maxClockSkew)) {
		return fmt.Errorf("stale timestamp in %s: %s is more than %s from the receive time %s; check the sender's clock",
			source, signedAt.UTC().Format(time.RFC3339), maxClockSkew, now.UTC().Format(time.RFC3339))
	}
	return nil
}
