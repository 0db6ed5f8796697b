package supd

import (
	"context"
	"errors"
	"fmt"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/sim"
)

// Backend gives the operations of SPEC §6.2 their effect on one server
// (SPEC §6.3). Every backend has sim's semantics: an invalid op changes
// nothing (*sim.InvalidError, 422), an op whose effect is in place is a no-op,
// validity is checked before the no-op test.
//
// A model backend (sim) has no machine: the document the state file records
// is the truth, Apply only computes the next one. A real backend (windows)
// has one: GET /v1/state reads it, and an op changes it and is judged by
// what is read after it.
type Backend interface {
	// Machine reports whether the backend has a machine (Read reads it and
	// Apply changes it) rather than being a model.
	Machine() bool
	// Read returns the server's document as it is now. Only called when
	// Machine() is true. A failure is a *BackendError.
	Read(ctx context.Context) (api.Server, error)
	// Check returns the document the op (name, and args as api.DecodeArgs
	// returns them) gives on doc and whether it differs from doc, or an
	// *sim.InvalidError saying why the op is invalid on doc. It changes
	// nothing.
	Check(doc api.Server, name string, args any) (next api.Server, changed bool, err error)
	// Apply carries out the op, which Check found valid and not in place on
	// doc, and returns the document after it: a model returns Check's next, a
	// machine what it reads after the op ran. A failure is a
	// *sim.InvalidError (the server refused the op and nothing changed) or a
	// *BackendError; after is then the document read after the failure, or
	// nil when it could not be read.
	Apply(ctx context.Context, doc api.Server, name string, args any) (after *api.Server, err error)
}

// Sim is the model backend (package sim).
type Sim struct{}

// Machine implements Backend: sim is a model.
func (Sim) Machine() bool { return false }

// Read implements Backend; sim has no machine to read.
func (Sim) Read(context.Context) (api.Server, error) {
	return api.Server{}, errors.New("sim has no machine: the state file is the truth")
}

// Check implements Backend with sim.Apply.
func (Sim) Check(doc api.Server, name string, args any) (api.Server, bool, error) {
	return sim.Apply(doc, name, args)
}

// Apply implements Backend: the effect is the model's.
func (Sim) Apply(_ context.Context, doc api.Server, name string, args any) (*api.Server, error) {
	next, _, err := sim.Apply(doc, name, args)
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// BackendErrorKind classifies a failure of a real backend; it is the label
// of supd_backend_errors_total.
type BackendErrorKind string

// The kinds of backend failure.
const (
	// KindUnreachable: the machine could not be reached or did not answer
	// in time (503, transient).
	KindUnreachable BackendErrorKind = "unreachable"
	// KindAuth: the machine refused the credentials (502: retrying will
	// not help until someone fixes them).
	KindAuth BackendErrorKind = "auth"
	// KindFailed: a script ran and failed, or its output could not be
	// parsed (502).
	KindFailed BackendErrorKind = "failed"
	// KindNoEffect: an op's script succeeded but its effect is not on the
	// machine when read after it (502).
	KindNoEffect BackendErrorKind = "no_effect"
)

// BackendError is a failure of a real backend.
type BackendError struct {
	Kind BackendErrorKind
	Err  error
}

// Error implements error.
func (e *BackendError) Error() string { return fmt.Sprintf("backend (%s): %v", e.Kind, e.Err) }

// Unwrap returns the underlying error.
func (e *BackendError) Unwrap() error { return e.Err }

// Transient reports whether retrying later may succeed (HTTP 503).
func (e *BackendError) Transient() bool { return e.Kind == KindUnreachable }
