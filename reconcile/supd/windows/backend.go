package windows

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd"
	"github.com/supctl/supctl/reconcile/supd/sim"
)

// Backend is supd's windows backend (SPEC §6.4): it reads the server with
// ReadScript and ParseRead and carries out an op with its OpScript, each run
// by Runner. It implements supd.Backend.
type Backend struct {
	// Runner runs the scripts on the server. Required.
	Runner Runner
	// Host names the server in messages.
	Host string
}

var _ supd.Backend = (*Backend)(nil)

// Machine implements supd.Backend: the server is the truth.
func (b *Backend) Machine() bool { return true }

// Read runs the read script and parses its output.
func (b *Backend) Read(ctx context.Context) (api.Server, error) {
	stdout, stderr, code, err := b.Runner.Run(ctx, ReadScript())
	if err != nil {
		return api.Server{}, b.runnerError("read", err)
	}
	if code != ExitOK {
		// A read has nothing to refuse: even "manual step" (IIS 6) is a
		// failure of the backend, not a 422 of some op.
		return api.Server{}, &supd.BackendError{Kind: supd.KindFailed,
			Err: fmt.Errorf("read %s: the read script exited %d: %s", b.Host, code, firstLine(stderr))}
	}
	doc, err := ParseRead(stdout)
	if err != nil {
		return api.Server{}, &supd.BackendError{Kind: supd.KindFailed, Err: fmt.Errorf("read %s: %w", b.Host, err)}
	}
	return doc, nil
}

// Check implements supd.Backend: an op without a script (a manual step) or
// whose arguments cannot be bound into one is invalid here; otherwise the
// op has sim's semantics on doc.
func (b *Backend) Check(doc api.Server, name string, args any) (api.Server, bool, error) {
	if _, err := OpScript(name, args); err != nil {
		return doc, false, invalid(name, err)
	}
	return sim.Apply(doc, name, args)
}

// Apply runs the op's script and reads the server after it.
func (b *Backend) Apply(ctx context.Context, _ api.Server, name string, args any) (*api.Server, error) {
	text, err := OpScript(name, args)
	if err != nil {
		return nil, invalid(name, err)
	}
	_, stderr, code, err := b.Runner.Run(ctx, text)
	if err != nil {
		// Whether the script ran at all is unknown: the next read tells.
		return nil, b.runnerError(name, err)
	}
	var opErr error
	switch code {
	case ExitOK:
	case ExitInvalid, ExitManual:
		opErr = &sim.InvalidError{Op: name, Reason: firstLine(stderr)}
	default:
		opErr = &supd.BackendError{Kind: supd.KindFailed,
			Err: fmt.Errorf("%s on %s: the script exited %d: %s", name, b.Host, code, firstLine(stderr))}
	}
	after, err := b.Read(ctx)
	if err != nil {
		return nil, errors.Join(opErr, err)
	}
	return &after, opErr
}

// invalid turns OpScript's refusal into the 422 of supd.
func invalid(name string, err error) error {
	if e, ok := errors.AsType[*ManualStepError](err); ok {
		return &sim.InvalidError{Op: name, Reason: "a manual step: " + e.Reason + "; change it in " + e.ConsolePath}
	}
	if e, ok := errors.AsType[*InvalidArgsError](err); ok {
		return &sim.InvalidError{Op: name, Reason: e.Reason}
	}
	return &sim.InvalidError{Op: name, Reason: err.Error()}
}

// runnerError classifies an error of Runner.Run: refused credentials, or a
// server that could not be reached in time (transient).
func (b *Backend) runnerError(what string, err error) error {
	kind := supd.KindUnreachable
	if _, ok := errors.AsType[*AuthError](err); ok {
		kind = supd.KindAuth
	}
	return &supd.BackendError{Kind: kind, Err: fmt.Errorf("%s on %s: %w", what, b.Host, err)}
}

// maxLine bounds the stderr line quoted in an answer.
const maxLine = 500

// firstLine returns the first non-empty line of a script's stderr (the
// scripts write one line saying why they failed), shortened to maxLine.
func firstLine(stderr []byte) string {
	for line := range bytes.Lines(stderr) {
		if s := strings.TrimSpace(string(line)); s != "" {
			if len(s) > maxLine {
				s = strings.ToValidUTF8(s[:maxLine], "") + "…"
			}
			return s
		}
	}
	return "(nothing on stderr)"
}
