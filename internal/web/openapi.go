package web

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of every /api/v1 and
// webhook route. A test fails when it and the route table disagree.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the API's OpenAPI 3.1 document as JSON.
func OpenAPIDocument() []byte { return openAPIDocument }

// serveOpenAPI serves the document without authentication, because it
// describes the API and contains no account data.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(openAPIDocument)
}
