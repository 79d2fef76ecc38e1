package provider

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// utc builds a UTC time with milliseconds, the precision most callbacks use.
func utc(year int, month time.Month, day, hour, minute, second, millis int) time.Time {
	return time.Date(year, month, day, hour, minute, second, millis*int(time.Millisecond), time.UTC)
}

// assertEvents fails the test unless got equals want field by field, with
// times compared by instant and required to be in UTC.
func assertEvents(t *testing.T, got, want []domain.Event) {
	t.Helper()

	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d:\ngot  %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i].OccurredAt.Location() != time.UTC {
			t.Errorf("event %d: OccurredAt location = %v, want UTC", i, got[i].OccurredAt.Location())
		}
		if !got[i].OccurredAt.Equal(want[i].OccurredAt) {
			t.Errorf("event %d: OccurredAt = %v, want %v", i, got[i].OccurredAt, want[i].OccurredAt)
		}

		gotRest, wantRest := got[i], want[i]
		gotRest.OccurredAt, wantRest.OccurredAt = time.Time{}, time.Time{}
		if gotRest != wantRest {
			t.Errorf("event %d:\ngot  %+v\nwant %+v", i, gotRest, wantRest)
		}
	}
}

// assertUnauthenticated fails the test unless err wraps ErrUnauthenticated
// and its message contains wantText.
func assertUnauthenticated(t *testing.T, err error, wantText string) {
	t.Helper()

	if err == nil {
		t.Fatalf("Verify returned nil, want an error wrapping ErrUnauthenticated containing %q", wantText)
	}
	if !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("error %q does not wrap ErrUnauthenticated", err)
	}
	if !strings.Contains(err.Error(), wantText) {
		t.Errorf("error %q does not contain %q", err, wantText)
	}
}

// assertParseError fails the test unless err is a non-authentication error
// whose message contains wantText.
func assertParseError(t *testing.T, err error, wantText string) {
	t.Helper()

	if err == nil {
		t.Fatalf("Parse returned nil error, want one containing %q", wantText)
	}
	if errors.Is(err, ErrUnauthenticated) {
		t.Errorf("parse error %q wraps ErrUnauthenticated", err)
	}
	if !strings.Contains(err.Error(), wantText) {
		t.Errorf("error %q does not contain %q", err, wantText)
	}
}

// assertNoSecret fails the test if err's message contains secret.
func assertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("error %q contains the secret", err)
	}
}

// flipByte returns a copy of body with the byte at index changed.
func flipByte(body []byte, index int) []byte {
	changed := append([]byte(nil), body...)
	changed[index] ^= 0x01
	return changed
}

// headerOf returns a header with one field set.
func headerOf(name, value string) http.Header {
	h := http.Header{}
	h.Set(name, value)
	return h
}

// unicodeNote is Cyrillic text with emoji, used in signed bodies to check
// that verification covers multi-byte UTF-8 exactly as sent.
const unicodeNote = "Привіт, знижка 20% 🎉👍 до неділі"
