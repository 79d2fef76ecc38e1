package ui_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStaticPlainNamesOnlyForDemoImages(t *testing.T) {
	s := startSite(t)
	cases := []struct {
		path        string
		status      int
		contentType string
		cache       string
	}{
		{"/static/demo/spring-sale.svg", http.StatusOK, "image/svg+xml", "public, max-age=3600"},
		{"/static/app.css", http.StatusNotFound, "", ""},
		{"/static/demo/missing.svg", http.StatusNotFound, "", ""},
	}
	for _, c := range cases {
		resp, err := http.Get(s.url + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()

		if resp.StatusCode != c.status {
			t.Errorf("GET %s: status %d, want %d", c.path, resp.StatusCode, c.status)
			continue
		}
		if c.status != http.StatusOK {
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != c.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", c.path, got, c.contentType)
		}
		if got := resp.Header.Get("Cache-Control"); got != c.cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
		if !strings.HasPrefix(string(body), "<svg") {
			t.Errorf("GET %s: body starts %q, want an SVG document", c.path, body[:min(len(body), 20)])
		}
	}
}
