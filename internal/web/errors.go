package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/store"
)

// apiError is an error with the HTTP status of its response. Its message
// goes to the client, so it names the field, the value and the fix.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func unauthorized(message string) error {
	return &apiError{http.StatusUnauthorized, message}
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// writeError maps err to a status and writes {"error": "..."}. This is the
// one place where errors become statuses. Errors the client cannot fix are
// logged, and the client gets a generic message so that no internal detail
// leaks.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		apiErr   *apiError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &apiErr):
		if apiErr.status == http.StatusUnauthorized && strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vibereport"`)
		}
		// Debug only: the message may quote a phone number or other
		// personal data, and the request log already records the status.
		s.log.Debug("request rejected", "method", r.Method, "path", r.URL.Path, "status", apiErr.status, "err", apiErr.message)
		writeJSON(w, apiErr.status, errorBody{apiErr.message})
	case errors.As(err, &tooLarge):
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{fmt.Sprintf(
			"request body is larger than the limit of %d bytes: split the request into smaller ones", tooLarge.Limit)})
	case isNotFound(err):
		// Store errors read "<what> <id>: not found" and name nothing
		// outside the caller's account.
		writeJSON(w, http.StatusNotFound, errorBody{err.Error()})
	case ingest.IsInputError(err):
		writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
	case errors.Is(err, ingest.ErrClosed):
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the server is shutting down: retry the request"})
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client disconnected, so no response is written.
		s.log.Info("request canceled by the client", "method", r.Method, "path", r.URL.Path)
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{"internal error: the failure is logged on the server; retry later"})
	}
}

type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeBody decodes one JSON value from the request body into v. Unknown
// fields are rejected so that a misspelt field name fails loudly instead of
// being dropped.
func decodeBody(r *http.Request, v any) error {
	return decodeJSON(r.Body, v)
}

func decodeJSON(body io.Reader, v any) error {
	var read bytes.Buffer
	dec := json.NewDecoder(io.TeeReader(body, &read))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return badRequest("invalid JSON body: unexpected data after the first JSON value: send exactly one JSON value")
	}
	if containsEscapedNUL(read.Bytes()) {
		return badRequest("invalid JSON body: a string " + nulFix)
	}
	return nil
}

// describeJSONError turns a decoding error into a 400 that names the field
// and what to send instead. Size overflows pass through for the 413.
func describeJSONError(err error) error {
	var (
		tooLarge  *http.MaxBytesError
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.Is(err, io.EOF):
		return badRequest("empty request body: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("invalid JSON body: it ends early: send complete JSON")
	case errors.As(err, &syntax):
		return badRequest("invalid JSON body at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typeError):
		field := typeError.Field
		if field == "" {
			return badRequest("invalid JSON body: got a JSON %s, expected %s", typeError.Value, jsonKind(typeError.Type.String()))
		}
		return badRequest("%s: invalid value: got a JSON %s, expected %s", field, typeError.Value, jsonKind(typeError.Type.String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return badRequest("unknown field %s: check the spelling against the API reference", name)
	}
	return badRequest("invalid JSON body: %v", err)
}

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "*int"):
		return "an integer"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "web."), strings.HasPrefix(goType, "struct"):
		return "an object"
	}
	return goType
}
