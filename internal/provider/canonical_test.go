package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

func TestParseCanonicalArray(t *testing.T) {
	body := `[
		{"provider_id":7,"provider_message_id":"sb-1","status":"sent","timestamp":"2025-03-01T10:00:00Z","phone":"380501234567"},
		{"provider_message_id":5491838382829109249,"status":"delivered","timestamp":1740823201123,"viber_user_id":"dGVzdFVzZXIx"},
		{"provider_message_id":"sb-3","status":"read","timestamp":1740823202,"future_field":{"x":1}},
		{"provider_message_id":"sb-4","status":"clicked","timestamp":"2025-03-01T12:00:03.5+02:00","link":"https://shop.example/a?b=1","device_os":"android"},
		{"provider_message_id":"sb-5","status":"failed","timestamp":"1740823204","reason":"blocked","reason_detail":"Користувач заблокував 🚫"},
		{"provider_message_id":"sb-6","status":"expired","timestamp":"2025-03-01T10:00:05Z","reason_detail":"ttl 3600s"},
		{"provider_message_id":"sb-7","status":"unsubscribed","timestamp":"2025-03-01T10:00:06Z","phone":"+380501234567","reason":"ignored for this status"}
	]`
	want := []CanonicalEvent{
		{ProviderID: 7, Event: domain.Event{ProviderMessageID: "sb-1", Kind: domain.EventSent, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0), Phone: "+380501234567"}},
		{Event: domain.Event{ProviderMessageID: "5491838382829109249", Kind: domain.EventDelivered, OccurredAt: utc(2025, 3, 1, 10, 0, 1, 123), ViberUserID: "dGVzdFVzZXIx"}},
		{Event: domain.Event{ProviderMessageID: "sb-3", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 0, 2, 0)}},
		{Event: domain.Event{ProviderMessageID: "sb-4", Kind: domain.EventClicked, OccurredAt: utc(2025, 3, 1, 10, 0, 3, 500), Link: "https://shop.example/a?b=1", DeviceOS: "android"}},
		{Event: domain.Event{ProviderMessageID: "sb-5", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 4, 0), Reason: domain.ReasonBlocked, ReasonDetail: "Користувач заблокував 🚫"}},
		{Event: domain.Event{ProviderMessageID: "sb-6", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 5, 0), Reason: domain.ReasonExpired, ReasonDetail: "ttl 3600s"}},
		{Event: domain.Event{ProviderMessageID: "sb-7", Kind: domain.EventUnsubscribed, OccurredAt: utc(2025, 3, 1, 10, 0, 6, 0), Phone: "+380501234567"}},
	}

	got, err := ParseCanonical([]byte(body))
	if err != nil {
		t.Fatalf("ParseCanonical: %v", err)
	}
	assertCanonicalEvents(t, got, want)
}

func TestParseCanonicalNDJSON(t *testing.T) {
	body := "\n" +
		`{"provider_id":3,"provider_message_id":"sb-1","status":"delivered","timestamp":"2025-03-01T10:00:00Z"}` + "\r\n" +
		"   \r\n" +
		`{"provider_message_id":"sb-2","status":"failed","timestamp":1740823201000,"reason":"no_balance"}` + "\n"
	want := []CanonicalEvent{
		{ProviderID: 3, Event: domain.Event{ProviderMessageID: "sb-1", Kind: domain.EventDelivered, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0)}},
		{Event: domain.Event{ProviderMessageID: "sb-2", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 1, 0), Reason: domain.ReasonNoBalance}},
	}

	got, err := ParseCanonical([]byte(body))
	if err != nil {
		t.Fatalf("ParseCanonical: %v", err)
	}
	assertCanonicalEvents(t, got, want)
}

func TestParseCanonicalEmptyArray(t *testing.T) {
	got, err := ParseCanonical([]byte(" [ ] "))
	if err != nil {
		t.Fatalf("ParseCanonical: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("got %d events, want 0", len(got))
	}
}

func TestParseCanonicalErrors(t *testing.T) {
	const statuses = "use one of sent, delivered, read, clicked, failed, expired, unsubscribed"
	const reasons = "not_viber_user, blocked, no_device, expired, rejected, provider_error, no_balance"
	const timestampFix = `use RFC 3339 such as "2025-03-01T10:00:04Z", epoch seconds, or epoch milliseconds`
	const idFix = "use the provider's message id as a JSON string or integer"
	ok := `{"provider_message_id":"a","status":"sent","timestamp":1740823200}`

	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty body", "", "empty batch: send a JSON array of events or NDJSON with one event per line"},
		{"blank lines only", "\n \n", "empty batch: send a JSON array of events or NDJSON with one event per line"},
		{"invalid status", `[` + ok + `,` + ok + `,` + ok + `,{"provider_message_id":"a","status":"deliverd","timestamp":1740823200}]`, `item 3: invalid status "deliverd": ` + statuses},
		{"missing status", `[{"provider_message_id":"a","timestamp":1740823200}]`, "item 0: missing status: " + statuses},
		{"status number", `[{"provider_message_id":"a","status":1,"timestamp":1740823200}]`, "item 0: invalid status 1: use a JSON string"},
		{"missing message id", `[{"status":"sent","timestamp":1740823200}]`, "item 0: missing provider_message_id: " + idFix},
		{"empty message id", `[{"provider_message_id":" ","status":"sent","timestamp":1740823200}]`, `item 0: invalid provider_message_id " ": ` + idFix},
		{"fractional message id", `[{"provider_message_id":1.5,"status":"sent","timestamp":1740823200}]`, "item 0: invalid provider_message_id 1.5: " + idFix},
		{"object message id", `[{"provider_message_id":{},"status":"sent","timestamp":1740823200}]`, "item 0: invalid provider_message_id {}: " + idFix},
		{"overlong message id", `[{"provider_message_id":` + strings.Repeat("7", 300) + `,"status":"sent","timestamp":1740823200}]`,
			"item 0: invalid provider_message_id " + strings.Repeat("7", 40) + "...: longer than 256 characters: " + idFix},
		{"missing timestamp", `[{"provider_message_id":"a","status":"sent"}]`, "item 0: missing timestamp: " + timestampFix},
		{"text timestamp", `[{"provider_message_id":"a","status":"sent","timestamp":"yesterday"}]`, `item 0: invalid timestamp "yesterday": ` + timestampFix},
		{"fractional timestamp", `[{"provider_message_id":"a","status":"sent","timestamp":1740823200.5}]`, "item 0: invalid timestamp 1740823200.5: " + timestampFix},
		{"negative timestamp", `[{"provider_message_id":"a","status":"sent","timestamp":-5}]`, "item 0: invalid timestamp -5: " + timestampFix},
		{"zero timestamp", `[{"provider_message_id":"a","status":"sent","timestamp":0}]`, "item 0: invalid timestamp 0: " + timestampFix},
		{"huge timestamp", `[{"provider_message_id":"a","status":"sent","timestamp":99999999999999999999}]`, "item 0: invalid timestamp 99999999999999999999: " + timestampFix},
		{"failed without reason", `[{"provider_message_id":"a","status":"failed","timestamp":1740823200}]`, "item 0: missing reason: a failed event needs one of " + reasons},
		{"failed with invalid reason", `[{"provider_message_id":"a","status":"failed","timestamp":1740823200,"reason":"spam"}]`, `item 0: invalid reason "spam": use one of ` + reasons},
		{"invalid provider id", `[{"provider_id":"7","provider_message_id":"a","status":"sent","timestamp":1740823200}]`, `item 0: invalid provider_id "7": use a positive integer`},
		{"zero provider id", `[{"provider_id":0,"provider_message_id":"a","status":"sent","timestamp":1740823200}]`, "item 0: invalid provider_id 0: use a positive integer"},
		{"link number", `[{"provider_message_id":"a","status":"clicked","timestamp":1740823200,"link":5}]`, "item 0: invalid link 5: use a JSON string"},
		{"item not object", `[` + ok + `,"sb-2"]`, `item 1: invalid item "sb-2": use a JSON object`},
		{"unterminated array", `[` + ok, "invalid JSON array after item 0"},
		{"data after array", `[` + ok + `] x`, "invalid JSON array: unexpected data after the closing ]"},
		{"ndjson invalid status", ok + "\n\n" + `{"provider_message_id":"a","status":"seen","timestamp":1740823200}`, `line 3: invalid status "seen": ` + statuses},
		{"ndjson pretty printed", "{\n" + `"provider_message_id":"a"}`, "line 1: invalid JSON: unexpected end of JSON input: put each object on one line, or send a JSON array"},
		{"ndjson two objects on a line", ok + " " + ok, "line 1: invalid JSON"},
		{"ndjson scalar line", ok + "\n42", "line 2: invalid item 42: use a JSON object"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCanonical([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParseCanonical returned no error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q\nwant prefix %q", err, tt.want)
			}
		})
	}
}

func TestParseCanonicalItemCap(t *testing.T) {
	item := `{"provider_message_id":"a","status":"sent","timestamp":1740823200}`
	const wantErr = "too many items: a batch may contain at most 10000 events; split it into smaller batches"

	t.Run("array at the cap", func(t *testing.T) {
		body := "[" + strings.Repeat(item+",", MaxCanonicalItems-1) + item + "]"
		got, err := ParseCanonical([]byte(body))
		if err != nil {
			t.Fatalf("ParseCanonical: %v", err)
		}
		if len(got) != MaxCanonicalItems {
			t.Errorf("got %d events, want %d", len(got), MaxCanonicalItems)
		}
	})

	t.Run("array over the cap", func(t *testing.T) {
		body := "[" + strings.Repeat(item+",", MaxCanonicalItems) + item + "]"
		_, err := ParseCanonical([]byte(body))
		if err == nil || err.Error() != wantErr {
			t.Errorf("error = %v, want %q", err, wantErr)
		}
	})

	t.Run("ndjson over the cap", func(t *testing.T) {
		body := strings.Repeat(item+"\n", MaxCanonicalItems+1)
		_, err := ParseCanonical([]byte(body))
		if err == nil || err.Error() != wantErr {
			t.Errorf("error = %v, want %q", err, wantErr)
		}
	})
}

func TestCanonicalEpochDigitRule(t *testing.T) {
	tests := []struct {
		timestamp string
		want      time.Time
	}{
		{"1", time.Unix(1, 0).UTC()},
		{"253402300799", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"1000000000000", time.UnixMilli(1000000000000).UTC()},
		{"1740823200123", utc(2025, 3, 1, 10, 0, 0, 123)},
		{`"1740823200"`, utc(2025, 3, 1, 10, 0, 0, 0)},
	}

	for _, tt := range tests {
		t.Run(tt.timestamp, func(t *testing.T) {
			body := fmt.Sprintf(`{"provider_message_id":"a","status":"sent","timestamp":%s}`, tt.timestamp)
			got, err := ParseCanonical([]byte(body))
			if err != nil {
				t.Fatalf("ParseCanonical: %v", err)
			}
			if !got[0].OccurredAt.Equal(tt.want) {
				t.Errorf("OccurredAt = %v, want %v", got[0].OccurredAt, tt.want)
			}
		})
	}
}

func assertCanonicalEvents(t *testing.T, got, want []CanonicalEvent) {
	t.Helper()

	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ProviderID != want[i].ProviderID {
			t.Errorf("item %d: ProviderID = %d, want %d", i, got[i].ProviderID, want[i].ProviderID)
		}
	}

	gotEvents := make([]domain.Event, len(got))
	wantEvents := make([]domain.Event, len(want))
	for i := range got {
		gotEvents[i] = got[i].Event
		wantEvents[i] = want[i].Event
	}
	assertEvents(t, gotEvents, wantEvents)
}

func FuzzCanonicalParse(f *testing.F) {
	f.Add([]byte(`[{"provider_id":7,"provider_message_id":5491838382829109249,"status":"failed","timestamp":1740823201123,"reason":"blocked"}]`))
	f.Add([]byte("{\"provider_message_id\":\"a\",\"status\":\"expired\",\"timestamp\":\"2025-03-01T10:00:00Z\"}\n\n{}"))
	f.Add([]byte(`[1,[],"x",null]`))
	f.Add([]byte("\uFEFF[]"))

	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseCanonical(body)
		if err != nil && len(events) > 0 {
			t.Fatalf("ParseCanonical returned events and error %v", err)
		}
		for _, e := range events {
			if e.ProviderMessageID == "" || e.OccurredAt.IsZero() || e.Kind == "" {
				t.Fatalf("incomplete event %+v", e)
			}
			if e.Kind == domain.EventFailed && e.Reason == "" {
				t.Fatalf("failed event without reason %+v", e)
			}
		}
	})
}
