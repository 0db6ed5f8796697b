package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/supctl/supctl/reconcile/api"
)

// Sentinels matched by *Error through errors.Is, one per status class.
var (
	ErrBadRequest   = errors.New("bad request")       // 400, 413: a client bug
	ErrUnauthorized = errors.New("unauthorized")      // 401: missing or unknown token
	ErrForbidden    = errors.New("forbidden")         // 403: read token on a write
	ErrNotFound     = errors.New("not found")         // 404: e.g. unknown or expired lease
	ErrConflict     = errors.New("conflict")          // 409: version moved, or lease held
	ErrInvalid      = errors.New("invalid operation") // 422: op invalid on this server
	ErrLocked       = errors.New("locked")            // 423: another holder's lease is live
	ErrServer       = errors.New("server error")      // 5xx: transient
	ErrUnexpected   = errors.New("unexpected status") // anything else
)

// Error is a non-2xx answer of supd.
type Error struct {
	Method     string        // request method
	Path       string        // request path
	StatusCode int           // HTTP status
	Body       api.ErrorBody // the decoded error body (Version on 409 ops, Holder on 409 lease and 423)
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode), e.Body.Error)
}

// Is matches the sentinel of the error's status class.
func (e *Error) Is(target error) bool { return target == e.sentinel() }

func (e *Error) sentinel() error {
	switch c := e.StatusCode; {
	case c == http.StatusBadRequest || c == http.StatusRequestEntityTooLarge:
		return ErrBadRequest
	case c == http.StatusUnauthorized:
		return ErrUnauthorized
	case c == http.StatusForbidden:
		return ErrForbidden
	case c == http.StatusNotFound:
		return ErrNotFound
	case c == http.StatusConflict:
		return ErrConflict
	case c == http.StatusUnprocessableEntity:
		return ErrInvalid
	case c == http.StatusLocked:
		return ErrLocked
	case c >= 500 && c <= 599:
		return ErrServer
	}
	return ErrUnexpected
}

// Transient reports whether err is worth retrying: a 5xx answer, a timeout
// (including the request context's deadline), or a connection refused,
// reset or cut short, a temporary DNS failure. A cancelled context, 4xx answers and TLS
// verification failures are not transient.
func Transient(err error) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, ErrServer), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	if de, ok := errors.AsType[*net.DNSError](err); ok {
		return de.IsTimeout || de.IsTemporary
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	return false
}
