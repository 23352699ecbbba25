package portal

import (
	"errors"
	"fmt"
)

// Error codes. Transports map them to exit codes and HTTP statuses in one
// table each.
const (
	ECONFLICT     = "conflict"     // the request clashes with the current state
	EINTERNAL     = "internal"     // a bug or a failure of the machine
	EINVALID      = "invalid"      // the input is wrong; the message says how
	ENOTFOUND     = "not_found"    // no such thing, or not one the caller may see
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // valid credentials, no access
	EPRECONDITION = "precondition" // a prerequisite is not met
	ETOOLARGE     = "too_large"    // the input is bigger than allowed
	EUNAVAILABLE  = "unavailable"  // the store cannot be reached for now; try again
)

// Error is an error meant for people: a code for programs and a sentence
// that says what went wrong and what to do.
type Error struct {
	Code    string
	Message string
	// Problems lists every problem found, each with the JSON path it
	// concerns, when there are several (validation).
	Problems []Problem
}

func (e *Error) Error() string { return e.Message }

// Problem is one validation problem at a JSON path.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EINTERNAL for errors that are not
// an *Error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err; errors that are not an
// *Error are hidden behind a generic sentence.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// problemsError builds an EINVALID error from a list of problems.
func problemsError(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	msg := ps[0].String()
	if len(ps) > 1 {
		msg = fmt.Sprintf("%s (and %d more problem(s))", msg, len(ps)-1)
	}
	return &Error{Code: EINVALID, Message: msg, Problems: ps}
}

// StaleError is a write refused because it names a version of the live
// settings that is no longer the current one. Its code is EPRECONDITION
// and Current is the current document, so the caller can merge.
type StaleError struct {
	Current *Settings
	Err     *Error
}

func (e *StaleError) Error() string { return e.Err.Message }

// Unwrap returns the *Error, so ErrorCode reads its code.
func (e *StaleError) Unwrap() error { return e.Err }
