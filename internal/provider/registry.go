package provider

import (
	"fmt"
	"strings"
)

// NewAdapters returns a new adapter for every kind. The Sinch adapter keeps
// a nonce cache, so a process should create its adapters once and share
// them, and Lookup returns such a shared set. Tests that need their own
// nonce cache call NewAdapters.
func NewAdapters() map[Kind]Adapter {
	return map[Kind]Adapter{
		KindViberBot: viberBot{},
		KindInfobip:  infobip{},
		KindVonage:   vonage{},
		KindSinch:    newSinch(),
		KindYespo:    yespo{},
		KindSandbox:  sandbox{},
	}
}

// sharedAdapters is the process-wide set that Lookup returns.
var sharedAdapters = NewAdapters()

// Lookup returns the process-wide adapter for kind. Every call for the same
// kind returns the same adapter, so Sinch nonces are checked across all
// requests.
func Lookup(kind Kind) (Adapter, bool) {
	adapter, ok := sharedAdapters[kind]
	return adapter, ok
}

// ParseKind returns the kind with the given name.
func ParseKind(s string) (Kind, error) {
	for _, kind := range Kinds {
		if string(kind) == s {
			return kind, nil
		}
	}

	names := make([]string, len(Kinds))
	for i, kind := range Kinds {
		names[i] = string(kind)
	}
	return "", fmt.Errorf("invalid provider kind %q: use one of %s", s, strings.Join(names, ", "))
}
