package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestLookupReturnsSharedAdapterPerKind(t *testing.T) {
	for _, kind := range Kinds {
		first, ok := Lookup(kind)
		if !ok {
			t.Errorf("Lookup(%q) found no adapter", kind)
			continue
		}
		if first.Kind() != kind {
			t.Errorf("Lookup(%q).Kind() = %q", kind, first.Kind())
		}

		second, _ := Lookup(kind)
		if first != second {
			t.Errorf("Lookup(%q) returned different adapters on two calls", kind)
		}
	}

	if _, ok := Lookup("smtp"); ok {
		t.Error(`Lookup("smtp") found an adapter`)
	}
}

func TestNewAdaptersCoversEveryKind(t *testing.T) {
	adapters := NewAdapters()
	if len(adapters) != len(Kinds) {
		t.Errorf("NewAdapters has %d adapters, want %d", len(adapters), len(Kinds))
	}

	shared, _ := Lookup(KindSinch)
	if adapters[KindSinch] == shared {
		t.Error("NewAdapters returned the shared Sinch adapter, want a new one")
	}
}

func TestParseKind(t *testing.T) {
	for _, kind := range Kinds {
		got, err := ParseKind(string(kind))
		if err != nil || got != kind {
			t.Errorf("ParseKind(%q) = %q, %v", kind, got, err)
		}
	}

	_, err := ParseKind("Infobip")
	const want = `invalid provider kind "Infobip": use one of viber_bot, infobip, vonage, sinch, yespo, sandbox`
	if err == nil || err.Error() != want {
		t.Errorf("ParseKind error = %v, want %q", err, want)
	}
}

func TestEmptyBodyIsParseErrorForEveryKind(t *testing.T) {
	for kind, adapter := range NewAdapters() {
		for _, body := range [][]byte{nil, {}, []byte(" \n")} {
			events, err := adapter.Parse(Request{Body: body})
			if err == nil {
				t.Errorf("%s: Parse(%q) returned %d events and no error", kind, body, len(events))
			}
			if err != nil && !strings.Contains(err.Error(), "empty") {
				t.Errorf("%s: Parse(%q) error %q does not mention the empty body", kind, body, err)
			}
		}
	}
}

func TestVerifyWithoutCredentialsIsUnauthenticated(t *testing.T) {
	for kind, adapter := range NewAdapters() {
		stored, err := adapter.StoredSecret("user:password")
		if err != nil {
			t.Fatalf("%s: StoredSecret: %v", kind, err)
		}

		err = adapter.Verify(stored, Request{Body: []byte("{}")})
		assertUnauthenticated(t, err, "missing")
	}
}

func hexHMAC(key, message string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(message))
	return hex.EncodeToString(mac.Sum(nil))
}
