package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"statusthing/app/auth"
	"statusthing/app/incident"
	"statusthing/app/monitor"
	"statusthing/app/monitoring"
	"statusthing/app/statuspage"
	"statusthing/app/subscriber"
)

// Error codes of the JSON API: stable strings clients can branch on (the messages are for
// humans and may change).
const (
	codeInvalidJSON      = "invalid_json"           // 400: malformed JSON, not an object, trailing data
	codeUnknownField     = "unknown_field"          // 400: a key the resource does not have
	codeInvalidParameter = "invalid_parameter"      // 400: a query parameter
	codeInvalidCursor    = "invalid_cursor"         // 400: a cursor this list did not make
	codeUnauthorized     = "unauthorized"           // 401: no, unknown, expired or revoked token
	codeInsufficient     = "insufficient_scope"     // 403: a read token on a write
	codeNotFound         = "not_found"              // 404
	codeMethodNotAllowed = "method_not_allowed"     // 405
	codeManaged          = "managed_by_config"      // 409: the monitor is declared in the config file
	codeNotProbed        = "not_probed"             // 409: checking a heartbeat
	codePaused           = "paused"                 // 409: checking a paused monitor
	codeTooLarge         = "body_too_large"         // 413
	codeMediaType        = "unsupported_media_type" // 415
	codeValidation       = "validation_failed"      // 422
	codeInternal         = "internal_error"         // 500
)

// fieldError is one refused value, named by its JSON key.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiError is an error answer. It is also an error value: handlers return it and the route
// wrapper writes it.
type apiError struct {
	Status  int          `json:"-"`
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Field   string       `json:"field,omitempty"`  // the first refused key, if any
	Fields  []fieldError `json:"fields,omitempty"` // every refused key (validation)
	allow   string       // Allow header of a 405
	auth    string       // WWW-Authenticate header of a 401 or 403
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func newError(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

func fieldErr(status int, code, field, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: field + ": " + msg, Field: field,
		Fields: []fieldError{{Field: field, Message: msg}}}
}

func badParam(name, msg string) *apiError {
	return fieldErr(http.StatusBadRequest, codeInvalidParameter, name, msg)
}

func notFound(what string) *apiError {
	return newError(http.StatusNotFound, codeNotFound, what+" not found")
}

// validation converts a monitor's validation error: every field, the first one on top.
func validation(ve *monitor.ValidationError) *apiError {
	return fieldsError("invalid monitor", ve.Fields, nil)
}

// fieldsError is a 422 naming every refused field, the first one on top; rename (if not
// nil) turns a domain field name into the key the client sent.
func fieldsError(what string, fields []monitor.FieldError, rename func(string) string) *apiError {
	e := &apiError{Status: http.StatusUnprocessableEntity, Code: codeValidation, Message: what}
	for _, f := range fields {
		name := f.Field
		if rename != nil {
			name = rename(name)
		}
		e.Fields = append(e.Fields, fieldError{Field: name, Message: f.Message})
	}
	if len(e.Fields) > 0 {
		e.Field = e.Fields[0].Field
		e.Message = e.Fields[0].Field + ": " + e.Fields[0].Message
		if n := len(e.Fields); n > 1 {
			e.Message += fmt.Sprintf(" (and %d more)", n-1)
		}
	}
	return e
}

// writeJSON sends v as the JSON answer with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only our own types are encoded: a failure is a bug
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal_error","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.allow != "" {
		w.Header().Set("Allow", e.allow)
	}
	if e.auth != "" {
		w.Header().Set("WWW-Authenticate", e.auth)
	}
	writeJSON(w, e.Status, struct {
		Error *apiError `json:"error"`
	}{e})
}

// fail answers err: an *apiError as it is, the service layer's errors as their statuses,
// anything else as a logged 500 whose details stay in the log.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var ve *monitor.ValidationError
	var av *auth.ValidationError
	var pe *statuspage.Error
	var de *incident.DraftError
	var se *subscriber.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &ve):
		ae = validation(ve)
	case errors.As(err, &pe):
		ae = fieldsError("invalid status page", pe.Fields, nil)
	case errors.As(err, &de):
		ae = fieldsError("invalid incident", de.Fields, nil)
	case errors.As(err, &se):
		ae = fieldsError("invalid subscriber", se.Fields, nil)
	case errors.As(err, &av):
		field := av.Field
		if field == "expires" {
			field = "expires_at"
		}
		ae = fieldErr(http.StatusUnprocessableEntity, codeValidation, field, av.Message)
	case auth.IsNotFound(err):
		ae = notFound("resource")
	case errors.Is(err, monitoring.ErrManaged):
		ae = newError(http.StatusConflict, codeManaged, err.Error())
	case errors.Is(err, monitoring.ErrNotProbed):
		ae = newError(http.StatusConflict, codeNotProbed, err.Error())
	case errors.Is(err, monitoring.ErrPaused):
		ae = newError(http.StatusConflict, codePaused, err.Error())
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return // the client left: nobody reads the answer
	default:
		h.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = newError(http.StatusInternalServerError, codeInternal, "internal error")
	}
	writeError(w, ae)
}
