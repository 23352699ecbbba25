package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"portalstudio/backend/portal"
)

// ErrCanceled is the code of a call that a newer call of the same kind
// replaced (the UI ignores such answers).
const ErrCanceled = "canceled"

// WireError is an error as it crosses a transport: a code for the UI and a
// sentence for the admin, with every validation problem and its JSON path.
type WireError struct {
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Problems []portal.Problem `json:"problems,omitempty"`
}

func (e *WireError) Error() string { return e.Message }

// ToWire converts any error into its wire form. Errors that are not
// portal errors become an internal error that still names the cause, so
// the admin sees a sentence and never a bare Go error.
func ToWire(err error) *WireError {
	if errors.Is(err, context.Canceled) {
		return &WireError{Code: ErrCanceled, Message: "This request was replaced by a newer one."}
	}
	var pe *portal.Error
	if errors.As(err, &pe) {
		return &WireError{Code: pe.Code, Message: pe.Message, Problems: pe.Problems}
	}
	return &WireError{Code: portal.EINTERNAL, Message: fmt.Sprintf("Something went wrong inside Portal Studio (%v). Try again; if it persists, restart the app.", err)}
}

// FormatError is the Wails ErrorFormatter: the Promise is rejected with an
// Error whose message is the JSON of the WireError (Wails wraps the value
// in new Error(value), so it must be a string).
func FormatError(err error) any {
	b, _ := json.Marshal(ToWire(err))
	return string(b)
}

// httpStatus maps error codes to HTTP statuses, in one table.
var httpStatus = map[string]int{
	portal.EINVALID:      http.StatusBadRequest,
	portal.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	portal.ENOTFOUND:     http.StatusNotFound,
	portal.ECONFLICT:     http.StatusConflict,
	portal.EPRECONDITION: http.StatusPreconditionFailed,
	portal.EUNAUTHORIZED: http.StatusUnauthorized,
	portal.EFORBIDDEN:    http.StatusForbidden,
	ErrCanceled:          499, // client closed request (nginx's convention)
	portal.EINTERNAL:     http.StatusInternalServerError,
}

func statusOf(code string) int {
	if s, ok := httpStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}
