package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/vibereport/vibereport/internal/web"
)

// documentedPrefixes are the route prefixes the OpenAPI document must
// describe completely.
var documentedPrefixes = []string{"/api/v1/", "/webhooks/"}

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas   map[string]json.RawMessage `json:"schemas"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) (*openAPIDoc, []byte) {
	t.Helper()
	raw := web.OpenAPIDocument()
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return &doc, raw
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}

	server := web.New(web.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	registered := map[string]bool{}
	for _, pattern := range server.Patterns() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			// A pattern without a method matches every method, such as
			// the webhooks' JSON 405; it is no operation to document.
			continue
		}
		for _, prefix := range documentedPrefixes {
			if strings.HasPrefix(path, prefix) {
				registered[strings.ToLower(method)+" "+path] = true
			}
		}
	}

	documented := map[string]bool{}
	for path, operations := range doc.Paths {
		for method := range operations {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			documented[method+" "+path] = true
		}
	}

	for _, route := range sortedKeys(registered) {
		if !documented[route] {
			t.Errorf("route %s is registered but missing from openapi.json", route)
		}
	}
	for _, route := range sortedKeys(documented) {
		if !registered[route] {
			t.Errorf("openapi.json describes %s, which is not a registered route", route)
		}
	}
	if len(registered) < 30 {
		t.Errorf("only %d documented routes registered; the route walk found too few", len(registered))
	}
}

func TestOpenAPIReferencesResolve(t *testing.T) {
	doc, raw := loadOpenAPI(t)
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/(schemas|responses)/([^"]+)"`).FindAllStringSubmatch(string(raw), -1)
	if len(refs) == 0 {
		t.Fatal("no $ref found in openapi.json")
	}
	for _, ref := range refs {
		kind, name := ref[1], ref[2]
		found := false
		if kind == "schemas" {
			_, found = doc.Components.Schemas[name]
		} else {
			_, found = doc.Components.Responses[name]
		}
		if !found {
			t.Errorf("$ref #/components/%s/%s does not exist", kind, name)
		}
	}
}

func TestOpenAPIPathParametersDeclared(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	for path, operations := range doc.Paths {
		if !strings.Contains(path, "{id}") {
			continue
		}
		for method, raw := range operations {
			var operation struct {
				Parameters []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
			}
			if err := json.Unmarshal(raw, &operation); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			declared := false
			for _, p := range operation.Parameters {
				declared = declared || (p.Name == "id" && p.In == "path")
			}
			if !declared {
				t.Errorf("%s %s does not declare its id path parameter", method, path)
			}
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	server := web.New(web.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rec := httptest.NewRecorder()
	server.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if rec.Body.String() != string(web.OpenAPIDocument()) {
		t.Errorf("served document differs from the embedded one")
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
