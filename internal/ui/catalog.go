package ui

import "fmt"

// DefaultLang is the language of every page until users can choose one.
const DefaultLang = "en"

// catalogs maps a language code to its messages. Templates look messages
// up by key, so a translation is one more map with the same keys.
var catalogs = map[string]map[string]string{
	"en": messagesEN,
}

// missingMarker wraps a key that no catalog contains, so that a missing
// message shows on the page and tests can find it.
const missingMarker = "[[%s]]"

// T returns the message for key in lang, formatted with args as by
// fmt.Sprintf. An unknown language falls back to English, and an unknown
// key comes back as [[key]].
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		msg, ok = messagesEN[key]
	}
	if !ok {
		return fmt.Sprintf(missingMarker, key)
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// HasKey reports whether the English catalog has a message for key.
func HasKey(key string) bool {
	_, ok := messagesEN[key]
	return ok
}

// metricKey returns the catalog key of a metric's name, such as
// "metric.undelivered.blocked".
func metricKey(metric string) string {
	return "metric." + metric
}
