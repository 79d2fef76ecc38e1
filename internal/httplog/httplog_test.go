package httplog

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlerLogsStatusWithoutQuery(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"implicit 200", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }, "level=INFO msg=request method=GET path=/campaigns status=200"},
		{"explicit 404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "level=INFO msg=request method=GET path=/campaigns status=404"},
		{"server error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, "level=ERROR msg=request method=GET path=/campaigns status=503"},
		{"nothing written", func(w http.ResponseWriter, r *http.Request) {}, "level=INFO msg=request method=GET path=/campaigns status=200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{
				ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey || a.Key == "duration" {
						return slog.Attr{}
					}
					return a
				},
			}))

			req := httptest.NewRequest("GET", "/campaigns?q=%2B380671234567", nil)
			Handler(log, "request", c.handler).ServeHTTP(httptest.NewRecorder(), req)

			if got := strings.TrimSpace(out.String()); got != c.want {
				t.Errorf("log line = %q, want %q", got, c.want)
			}
		})
	}
}
