package ui

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func templateFuncs(assets *assetSet) template.FuncMap {
	return template.FuncMap{
		"t":          T,
		"asset":      assets.url,
		"num":        formatCount,
		"pct":        formatPercent,
		"datetime":   formatDateTime,
		"timeTag":    timeTag,
		"duration":   formatTTL,
		"metricName": func(lang, metric string) string { return T(lang, metricKey(metric)) },
		"langName":   languageName,
		"join":       strings.Join,
		"query":      queryWith,
		"normTitle":  normTitle,
		"add":        func(a, b int) int { return a + b },
		"list":       func(items ...string) []string { return items },
		"dict":       dict,
	}
}

// formatCount writes n with comma thousands separators: 1,234,567.
func formatCount(n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}

// formatPercent writes a fraction from 0 to 1 as a percentage with one
// decimal, or two below 1%, so that small rates such as unsubscribes do
// not all read 0.0%.
func formatPercent(fraction float64) string {
	p := fraction * 100
	decimals := 1
	if p != 0 && math.Abs(p) < 1 {
		decimals = 2
	}
	return strconv.FormatFloat(p, 'f', decimals, 64) + "%"
}

// formatDateTime writes t in the account's time zone, or "" for the zero
// time.
func formatDateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2 Jan 2006, 15:04")
}

// timeTag writes t in the account's time zone as a <time> element that
// shows the day and minute and gives the full date in its tooltip, for
// tables with many times. The zero time writes nothing.
func timeTag(t time.Time, loc *time.Location) template.HTML {
	if t.IsZero() {
		return ""
	}
	local := t.In(loc)
	return template.HTML(`<time datetime="` + local.Format(time.RFC3339) + `" title="` +
		html.EscapeString(formatDateTime(t, loc)) + `">` + html.EscapeString(local.Format("2 Jan 15:04")) + `</time>`)
}

// formatTTL writes a time to live in the largest whole units that express
// it exactly: "1 hour", "2 days 6 hours", "90 seconds".
func formatTTL(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	units := []struct {
		size time.Duration
		one  string
		many string
	}{
		{24 * time.Hour, "day", "days"},
		{time.Hour, "hour", "hours"},
		{time.Minute, "minute", "minutes"},
		{time.Second, "second", "seconds"},
	}
	var parts []string
	rest := d
	for _, u := range units {
		n := rest / u.size
		if n == 0 {
			continue
		}
		rest -= n * u.size
		name := u.many
		if n == 1 {
			name = u.one
		}
		parts = append(parts, strconv.FormatInt(int64(n), 10)+" "+name)
	}
	return strings.Join(parts, " ")
}

// languageName returns a message version's language code for display, or
// the catalog's word for an unknown language when the code is empty.
func languageName(lang, code string) string {
	if code == "" {
		return T(lang, "language.unknown")
	}
	return code
}

// queryWith returns values encoded with key set to value, for links that
// change one parameter of the current page.
func queryWith(values url.Values, key, value string) string {
	q := url.Values{}
	for k, v := range values {
		q[k] = append([]string(nil), v...)
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	encoded := q.Encode()
	if encoded == "" {
		return ""
	}
	return "?" + encoded
}

// dict builds a map from alternating keys and values, so a template can
// pass several values to a partial template.
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments: %d", len(pairs))
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		key, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %d is %T, want a string", i/2, pairs[i])
		}
		m[key] = pairs[i+1]
	}
	return m, nil
}
