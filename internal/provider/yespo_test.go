package provider

import (
	"net/http"
	"testing"

	"github.com/vibereport/vibereport/internal/domain"
)

func TestYespoParse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []domain.Event
	}{
		{
			name: "delivered uses messageInstanceId",
			body: `[{"contactId":1001,"externalCustomerId":"c-1","sms":"380501234567","mediaType":"viber","activityStatus":"DELIVERED","messageId":77,"messageInstanceId":9007199254740993,"externalRequestId":"req-1","broadcastId":5,"activityDateTime":"2025-03-01T10:00:04.512Z","messageLanguageCode":"uk","messageTag":"spring"}]`,
			want: []domain.Event{{ProviderMessageID: "9007199254740993", Kind: domain.EventDelivered, OccurredAt: utc(2025, 3, 1, 10, 0, 4, 512), Phone: "+380501234567"}},
		},
		{
			name: "read falls back to externalRequestId",
			body: `[{"sms":"+380501234567","mediaType":"Viber","activityStatus":"READ","messageId":77,"externalRequestId":"req-2","activityDateTime":"2025-03-01T12:05:00+02:00"}]`,
			want: []domain.Event{{ProviderMessageID: "req-2", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 5, 0, 0), Phone: "+380501234567"}},
		},
		{
			name: "clicked falls back to messageId",
			body: `[{"sms":"380501234567","mediaType":"viber","activityStatus":"CLICKED","messageId":"77","activityDateTime":"2025-03-01T10:06:00","clickEventLink":"https://shop.example/sale?utm=viber"}]`,
			want: []domain.Event{{ProviderMessageID: "77", Kind: domain.EventClicked, OccurredAt: utc(2025, 3, 1, 10, 6, 0, 0), Link: "https://shop.example/sale?utm=viber", Phone: "+380501234567"}},
		},
		{
			name: "unsubscribed with space-separated time",
			body: `[{"sms":"380501234567","mediaType":"viber","activityStatus":"UNSUBSCRIBED","messageInstanceId":"i-4","activityDateTime":"2025-03-01 10:07:00"}]`,
			want: []domain.Event{{ProviderMessageID: "i-4", Kind: domain.EventUnsubscribed, OccurredAt: utc(2025, 3, 1, 10, 7, 0, 0), Phone: "+380501234567"}},
		},
		{
			name: "undelivered unknown user",
			body: `[{"sms":"380501234567","mediaType":"viber","activityStatus":"UNDELIVERED","messageInstanceId":"i-5","activityDateTime":"2025-03-01T10:00:00Z","statusDescription":"unknown user"}]`,
			want: []domain.Event{{ProviderMessageID: "i-5", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0), Reason: domain.ReasonNotViberUser, ReasonDetail: "unknown user", Phone: "+380501234567"}},
		},
		{
			name: "undelivered expired state",
			body: `[{"sms":"380501234567","mediaType":"viber","activityStatus":"UNDELIVERED","messageInstanceId":"i-6","activityDateTime":"2025-03-01T10:00:00Z","statusDescription":"expired state"}]`,
			want: []domain.Event{{ProviderMessageID: "i-6", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0), Reason: domain.ReasonExpired, ReasonDetail: "expired state", Phone: "+380501234567"}},
		},
		{
			name: "undelivered no money",
			body: `[{"sms":"380501234567","mediaType":"viber","activityStatus":"UNDELIVERED","messageInstanceId":"i-7","activityDateTime":"2025-03-01T10:00:00Z","statusDescription":"No money"}]`,
			want: []domain.Event{{ProviderMessageID: "i-7", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0), Reason: domain.ReasonNoBalance, ReasonDetail: "No money", Phone: "+380501234567"}},
		},
		{
			name: "undelivered state",
			body: `[{"sms":"380501234567","mediaType":"viber","activityStatus":"UNDELIVERED","messageInstanceId":"i-8","activityDateTime":"2025-03-01T10:00:00Z","statusDescription":"undelivered state"}]`,
			want: []domain.Event{{ProviderMessageID: "i-8", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0), Reason: domain.ReasonProviderError, ReasonDetail: "undelivered state", Phone: "+380501234567"}},
		},
		{
			name: "undelivered other text",
			body: `[{"sms":"380501234567","mediaType":"viber","activityStatus":"UNDELIVERED","messageInstanceId":"i-9","activityDateTime":"2025-03-01T10:00:00Z","statusDescription":"Помилка 🙁"}]`,
			want: []domain.Event{{ProviderMessageID: "i-9", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0), Reason: domain.ReasonProviderError, ReasonDetail: "Помилка 🙁", Phone: "+380501234567"}},
		},
		{
			name: "other media types and statuses are skipped",
			body: `[
				{"sms":"380501234567","mediaType":"sms","activityStatus":"DELIVERED","messageInstanceId":"i-10","activityDateTime":"2025-03-01T10:00:00Z"},
				{"email":"a@example.com","mediaType":"EMAIL","activityStatus":"CLICKED","messageInstanceId":"i-11","activityDateTime":"2025-03-01T10:00:00Z"},
				{"sms":"380501234567","mediaType":"viber","activityStatus":"SENT","messageInstanceId":"i-12","activityDateTime":"2025-03-01T10:00:00Z"},
				{"sms":"380501234567","activityStatus":"READ","messageInstanceId":"i-13","activityDateTime":"2025-03-01T10:00:00Z"}
			]`,
			want: []domain.Event{{ProviderMessageID: "i-13", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0), Phone: "+380501234567"}},
		},
		{
			name: "single record object",
			body: `{"sms":"380501234567","mediaType":"viber","activityStatus":"READ","messageInstanceId":"i-14","activityDateTime":"2025-03-01T10:00:00Z"}`,
			want: []domain.Event{{ProviderMessageID: "i-14", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 0), Phone: "+380501234567"}},
		},
		{
			name: "empty array",
			body: `[]`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := yespo{}.Parse(Request{Body: []byte(tt.body)})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertEvents(t, got, tt.want)
		})
	}
}

func TestYespoParseErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty body", "", "empty callback body"},
		{"string body", `"x"`, "invalid JSON body"},
		{"missing status", `[{"messageInstanceId":"i","activityDateTime":"2025-03-01T10:00:00Z"}]`, `record 0: missing field "activityStatus"`},
		{"missing ids", `[{"activityStatus":"READ","activityDateTime":"2025-03-01T10:00:00Z"}]`, `missing fields "messageInstanceId", "externalRequestId" and "messageId"`},
		{"missing time", `[{"activityStatus":"READ","messageId":1}]`, `missing field "activityDateTime"`},
		{"bad time format", `[{"activityStatus":"READ","messageId":2,"activityDateTime":"01/03/2025"}]`, `record 0: invalid activityDateTime "01/03/2025"`},
		{"boolean id", `[{"activityStatus":"READ","messageId":true,"activityDateTime":"2025-03-01T10:00:00Z"}]`, "invalid value true: use a JSON string or number"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := yespo{}.Parse(Request{Body: []byte(tt.body)})
			assertParseError(t, err, tt.want)
		})
	}
}

func TestYespoVerify(t *testing.T) {
	stored, err := yespo{}.StoredSecret("yespo:hook-pass")
	if err != nil {
		t.Fatalf("StoredSecret: %v", err)
	}
	body := []byte(`[{"statusDescription":"` + unicodeNote + `"}]`)

	if err := (yespo{}).Verify(stored, Request{Header: basicAuthHeader("yespo", "hook-pass"), Body: body}); err != nil {
		t.Fatalf("Verify with right credentials: %v", err)
	}

	tests := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"wrong password", basicAuthHeader("yespo", "hook-pasS"), "wrong Basic auth user or password"},
		{"missing authorization", http.Header{}, "missing or malformed Basic auth"},
		{"malformed base64", headerOf("Authorization", "Basic !!!"), "missing or malformed Basic auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := yespo{}.Verify(stored, Request{Header: tt.header, Body: body})
			assertUnauthenticated(t, err, tt.want)
			assertNoSecret(t, err, "hook-pass")
		})
	}

	t.Run("empty stored hash", func(t *testing.T) {
		err := yespo{}.Verify("", Request{Header: basicAuthHeader("yespo", "hook-pass"), Body: body})
		assertUnauthenticated(t, err, "no credentials stored")
	})
}

func FuzzYespoParse(f *testing.F) {
	f.Add([]byte(`[{"sms":"380501234567","mediaType":"viber","activityStatus":"CLICKED","messageInstanceId":9007199254740993,"activityDateTime":"2025-03-01 10:00:00","clickEventLink":"https://x"}]`))
	f.Add([]byte(`{"activityStatus":"UNDELIVERED","messageId":"1","activityDateTime":"2025-03-01T10:00:00","statusDescription":"no money"}`))
	f.Add([]byte(`[null,{}]`))

	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := yespo{}.Parse(Request{Body: body})
		if err != nil && len(events) > 0 {
			t.Fatalf("Parse returned events and error %v", err)
		}
	})
}

func FuzzYespoVerify(f *testing.F) {
	stored, _ := yespo{}.StoredSecret("user:password")
	f.Add("Basic dXNlcjpwYXNzd29yZA==")
	f.Add("Basic Og==")
	f.Add("basic")

	f.Fuzz(func(t *testing.T, authorization string) {
		header := headerOf("Authorization", authorization)
		err := yespo{}.Verify(stored, Request{Header: header, Body: []byte("[]")})
		user, password, ok := (&http.Request{Header: header}).BasicAuth()
		if err == nil && (!ok || user != "user" || password != "password") {
			t.Fatalf("Verify accepted Authorization %q", authorization)
		}
	})
}
