package provider

import (
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
)

// failureKeywords maps phrases found in providers' failure codes and texts
// to reasons. Matching runs on lower-cased text with "_" and "-" read as
// spaces, so "SRVC_NOT_VIBER_USER" matches "not viber user". The first
// matching entry wins, so specific phrases come before broad ones.
var failureKeywords = []struct {
	phrase string
	reason domain.FailureReason
}{
	{"not viber user", domain.ReasonNotViberUser},
	{"not a viber user", domain.ReasonNotViberUser},
	{"unknown user", domain.ReasonNotViberUser},
	{"unknown subscriber", domain.ReasonNotViberUser},
	{"user not exist", domain.ReasonNotViberUser},
	{"receiver not registered", domain.ReasonNotViberUser},
	{"not registered", domain.ReasonNotViberUser},
	{"invalid channel identity", domain.ReasonNotViberUser},

	{"blocked", domain.ReasonBlocked},
	{"not subscribed", domain.ReasonBlocked},
	{"unsubscribed", domain.ReasonBlocked},
	{"opted out", domain.ReasonBlocked},

	{"no suitable device", domain.ReasonNoDevice},
	{"not suitable device", domain.ReasonNoDevice},
	{"suitable device", domain.ReasonNoDevice},
	{"no device", domain.ReasonNoDevice},

	{"expired", domain.ReasonExpired},
	{"ttl", domain.ReasonExpired},
	{"timed out", domain.ReasonExpired},

	{"no money", domain.ReasonNoBalance},
	{"balance", domain.ReasonNoBalance},
	{"credit", domain.ReasonNoBalance},
	{"insufficient funds", domain.ReasonNoBalance},

	{"rejected", domain.ReasonRejected},
}

// classifyFailure returns the reason that the provider's failure texts
// point to, or fallback when none of them matches a known phrase.
func classifyFailure(fallback domain.FailureReason, texts ...string) domain.FailureReason {
	replacer := strings.NewReplacer("_", " ", "-", " ")
	var joined strings.Builder
	for _, text := range texts {
		joined.WriteString(" ")
		joined.WriteString(replacer.Replace(strings.ToLower(text)))
	}
	normalized := " " + strings.Join(strings.Fields(joined.String()), " ") + " "

	for _, keyword := range failureKeywords {
		if containsWord(normalized, keyword.phrase) {
			return keyword.reason
		}
	}
	return fallback
}

// containsWord reports whether phrase occurs in text as whole words, so that
// "ttl" does not match inside "settled". text must start and end with a space.
func containsWord(text, phrase string) bool {
	for start := 0; ; {
		i := strings.Index(text[start:], phrase)
		if i < 0 {
			return false
		}
		i += start

		end := i + len(phrase)
		if !isWordByte(text[i-1]) && (end >= len(text) || !isWordByte(text[end])) {
			return true
		}
		start = i + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// joinDetail joins the non-empty parts of a provider's failure description
// with ": ", for ReasonDetail.
func joinDetail(parts ...string) string {
	nonEmpty := make([]string, 0, len(parts))
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part != "" {
			nonEmpty = append(nonEmpty, part)
		}
	}
	return strings.Join(nonEmpty, ": ")
}
