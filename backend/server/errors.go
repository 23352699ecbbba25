package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"portalstudio/backend/portal"
)

// Codes the transport adds to the domain's.
const (
	// codePreconditionRequired: a write that must name the version it
	// replaces (If-Match) did not.
	codePreconditionRequired = "precondition_required"
	// codeMethodNotAllowed: the path exists, not with this method.
	codeMethodNotAllowed = "method_not_allowed"
	// codeMisdirected: the request named a Host the server does not
	// answer at.
	codeMisdirected = "misdirected_request"
	// codeUnsupportedMediaType: a body of a type the route does not read.
	codeUnsupportedMediaType = "unsupported_media_type"
	// codeTooManyRequests: the client is over a rate limit.
	codeTooManyRequests = "too_many_requests"
)

// statusOf maps every error code to its HTTP status: the one table.
// EINVALID is 400, or 422 when the input was well-formed but a document
// with problems at JSON paths (validation); see status.
var statusOf = map[string]int{
	portal.EINVALID:          http.StatusBadRequest,
	portal.ENOTFOUND:         http.StatusNotFound,
	portal.ECONFLICT:         http.StatusConflict,
	portal.EUNAUTHORIZED:     http.StatusUnauthorized,
	portal.EFORBIDDEN:        http.StatusForbidden,
	portal.EPRECONDITION:     http.StatusPreconditionFailed,
	codePreconditionRequired: http.StatusPreconditionRequired,
	portal.ETOOLARGE:         http.StatusRequestEntityTooLarge,
	portal.EUNAVAILABLE:      http.StatusServiceUnavailable,
	codeMethodNotAllowed:     http.StatusMethodNotAllowed,
	codeMisdirected:          http.StatusMisdirectedRequest,
	codeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	codeTooManyRequests:      http.StatusTooManyRequests,
	portal.EINTERNAL:         http.StatusInternalServerError,
}

// status returns the HTTP status of err.
func status(err error) int {
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Code == portal.EINVALID && len(pe.Problems) > 0 {
		return http.StatusUnprocessableEntity
	}
	if s, ok := statusOf[portal.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error errorJSON `json:"error"`
	// Current is the current settings document, with a 412 on a stale
	// write, so the client can merge.
	Current *portal.Settings `json:"current,omitempty"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Problems lists every validation problem with its JSON path.
	Problems []portal.Problem `json:"problems,omitempty"`
	// Rejected lists the records a strict import refused.
	Rejected []portal.Rejection `json:"rejected,omitempty"`
	// Reason says in one word why a portal credential was refused
	// (wire.Refused…): the pages word it for the customer.
	Reason string `json:"reason,omitempty"`
}

// writeError answers with err as JSON. Internal errors are logged with
// their cause and answered with a generic sentence.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := portal.ErrorCode(err)
	if _, known := statusOf[code]; !known {
		code = portal.EINTERNAL
	}
	body := errorBody{Error: errorJSON{Code: code, Message: portal.ErrorMessage(err), Reason: refusalReason(err)}}
	if code == portal.EINTERNAL {
		s.log.ErrorContext(r.Context(), "internal error", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		body.Error.Message = "Internal error; the server's log has the details. Try again, or tell the server's operator."
	}
	var pe *portal.Error
	if errors.As(err, &pe) {
		body.Error.Problems = pe.Problems
	}
	var stale *portal.StaleError
	if errors.As(err, &stale) {
		body.Current = stale.Current
		w.Header().Set("ETag", etag(stale.Current.Version))
	}
	var rej *rejectedError
	if errors.As(err, &rej) {
		body.Error.Rejected = rej.rejected
	}
	if code == portal.EUNAVAILABLE {
		w.Header().Set("Retry-After", "1")
	}
	if code == portal.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="portalstudio"`)
	}
	writeJSON(w, status(err), body)
}

// rejectedError is an import refused because of its rejected records.
type rejectedError struct {
	err      error
	rejected []portal.Rejection
}

func (e *rejectedError) Error() string { return e.err.Error() }
func (e *rejectedError) Unwrap() error { return e.err }

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// jsonBuffers are the buffers writeCompactJSON encodes into.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeCompactJSON answers with v as compact JSON with its
// Content-Length: the portal's list and ticket answers, which the pages
// read (no person does) and every signed-in request asks for, encoded
// into a reused buffer (not indented: a third of the bytes, and less
// CPU). An answer that cannot be encoded is a 500.
func writeCompactJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: errorJSON{Code: portal.EINTERNAL, Message: "Internal error: the answer could not be written. Try again, or tell the server's operator."}})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
