package provider

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

func TestSandboxVerify(t *testing.T) {
	const secret = "sandbox-secret"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`[{"provider_message_id":"sb-1","status":"failed","timestamp":1740823200,"reason":"blocked","reason_detail":"` + unicodeNote + `"}]`)
	signed := headerOf(sandboxSignatureHeader, SignSandbox(secret, body, now.Add(-time.Minute)))

	t.Run("unicode body verifies", func(t *testing.T) {
		if err := (sandbox{}).Verify(secret, Request{Header: signed, Body: body, ReceivedAt: now}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	t.Run("rotated secret in second v1 verifies", func(t *testing.T) {
		old := SignSandbox("old-secret", body, now)
		current := SignSandbox(secret, body, now)
		header := headerOf(sandboxSignatureHeader, old+", "+current[len(fmt.Sprintf("t=%d,", now.Unix())):])
		if err := (sandbox{}).Verify(secret, Request{Header: header, Body: body, ReceivedAt: now}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   string
	}{
		{"one byte changed", signed, flipByte(body, 5), "invalid signature"},
		{"missing header", http.Header{}, body, "missing X-Vibereport-Signature header"},
		{"wrong secret", headerOf(sandboxSignatureHeader, SignSandbox("other", body, now)), body, "invalid signature"},
		{"stale timestamp", headerOf(sandboxSignatureHeader, SignSandbox(secret, body, now.Add(-6*time.Minute))), body, "stale timestamp"},
		{"future timestamp", headerOf(sandboxSignatureHeader, SignSandbox(secret, body, now.Add(6*time.Minute))), body, "stale timestamp"},
		{"timestamp changed", headerOf(sandboxSignatureHeader, fmt.Sprintf("t=%d,v1=%s", now.Unix()+1, SignSandbox(secret, body, now)[len("t=1740823200,v1="):])), body, "invalid signature"},
		{"no v1", headerOf(sandboxSignatureHeader, fmt.Sprintf("t=%d", now.Unix())), body, "malformed X-Vibereport-Signature header"},
		{"no t", headerOf(sandboxSignatureHeader, "v1=00"), body, "malformed X-Vibereport-Signature header"},
		{"two t", headerOf(sandboxSignatureHeader, "t=1,t=2,v1=00"), body, "t appears more than once"},
		{"t not a number", headerOf(sandboxSignatureHeader, "t=now,v1=00"), body, "t is not unix seconds"},
		{"v1 not hex", headerOf(sandboxSignatureHeader, fmt.Sprintf("t=%d,v1=zz", now.Unix())), body, "invalid signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sandbox{}.Verify(secret, Request{Header: tt.header, Body: tt.body, ReceivedAt: now})
			assertUnauthenticated(t, err, tt.want)
			assertNoSecret(t, err, secret)
		})
	}
}

func TestSignSandboxFormat(t *testing.T) {
	got := SignSandbox("k", []byte("{}"), time.Unix(1740823200, 0))
	want := "t=1740823200,v1=" + hexHMAC("k", "1740823200.{}")

	if got != want {
		t.Errorf("SignSandbox = %q, want %q", got, want)
	}
}

func TestSandboxParse(t *testing.T) {
	body := `{"provider_id":9,"provider_message_id":"sb-1","status":"read","timestamp":"2025-03-01T10:00:00Z"}` + "\n" +
		`{"provider_message_id":"sb-2","status":"expired","timestamp":"2025-03-01T10:00:01Z"}`
	want := []domain.Event{
		{ProviderMessageID: "sb-1", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0)},
		{ProviderMessageID: "sb-2", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 1, 0), Reason: domain.ReasonExpired},
	}

	got, err := sandbox{}.Parse(Request{Body: []byte(body)})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	assertEvents(t, got, want)

	_, err = sandbox{}.Parse(Request{Body: nil})
	assertParseError(t, err, "sandbox batch: empty batch")
}

func FuzzSandboxVerify(f *testing.F) {
	const secret = "fuzz-secret"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`[]`)
	f.Add(body, SignSandbox(secret, body, now))
	f.Add([]byte{}, "t=,v1=")
	f.Add(body, "t=9223372036854775807,v1=00,v1=")

	f.Fuzz(func(t *testing.T, body []byte, header string) {
		err := sandbox{}.Verify(secret, Request{Header: headerOf(sandboxSignatureHeader, header), Body: body, ReceivedAt: now})
		if err == nil {
			timestamp, _, parseErr := parseSandboxSignature(header)
			if parseErr != nil || !containsSignature(header, hexHMAC(secret, timestamp+"."+string(body))) {
				t.Fatalf("Verify accepted header %q", header)
			}
		}
	})
}

func containsSignature(header, signature string) bool {
	_, signatures, _ := parseSandboxSignature(header)
	for _, s := range signatures {
		if len(s) == len(signature) && toUpperASCII(s) == toUpperASCII(signature) {
			return true
		}
	}
	return false
}
