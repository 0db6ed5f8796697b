// Package supd is the update point agent: one process per server, exposing
// that server's update-point configuration over an authenticated HTTP API
// (SPEC §6). The state lives in a small snapshot file and an append-only
// audit log beside it, every change appended and fsynced before the answer
// that reports it (see store.go for the format); a Backend
// (backend.go) gives the operations their effect: the "sim" model (package
// sim) or a real machine (package windows).
//
// Decisions the SPEC leaves open, made here:
//   - POST /v1/ops checks, in order: the body (400, 413 over 1 MiB), the
//     lease (423), whether the op's effect is already in place (then 200 with
//     the current version, no version bump, no event — even when If-Match is
//     stale, so that a client may safely re-send an op whose answer it lost),
//     If-Match (409), the op's validity (422), and only then changes anything.
//   - An unknown op name is a malformed request (400), like an unknown field.
//   - If-Match is optional: without it (or with "*") the write is unconditional.
//   - A write carrying a Lease-Id that is not the live lease (expired,
//     released, or someone else's) gets 423: a holder that lost its lease
//     learns it instead of writing unprotected.
//   - Renewing extends the lease by the TTL it was taken with; releasing or
//     renewing an unknown or expired lease is 404.
//
// With a backend that has a machine (SPEC §6.3):
//   - GET /v1/state reads the machine unless the last read is younger than
//     ReadCache; reads and ops are serialized (at most one script runs at a
//     time), the lease calls are not held up by them.
//   - A read that differs from the recorded document is appended to the
//     audit log as op "observe" by actor "outside", which bumps the version.
//   - POST /v1/ops re-reads first (without the cache), then checks as
//     above on what it read, runs the op, re-reads, and answers 200 only when
//     the op's effect is there (re-checking the op on the document read after
//     it finds it in place). The op is recorded with that document whatever
//     the outcome, with Outcome set when it failed, except when the machine
//     refused it (422) and nothing changed.
//   - A machine that cannot be reached is 503, any other failure of it 502;
//     /healthz stays 200 and supd_backend_errors_total{kind} counts them.
package supd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/atomicfile"
	"github.com/supctl/supctl/reconcile/supd/sim"
)

// MaxBodyBytes bounds request bodies.
const MaxBodyBytes = 1 << 20

// ErrNoState is returned by New when the state file does not exist and
// Options.Init gives no starting document to create it from.
var ErrNoState = errors.New("it does not exist and no starting document was given to create it")

// Options configure a Server. StatePath and Tokens are required.
type Options struct {
	// StatePath is the state file. Required.
	StatePath string
	// Init is the starting document, used (and required) when StatePath does
	// not exist yet. Ignored otherwise, and with a machine backend, whose
	// first read is the starting document.
	Init *api.Server
	// Tokens are the accepted bearer tokens. Required.
	Tokens *Tokens
	// Latency is added before every /v1/ request is handled. Default 0.
	Latency time.Duration
	// FailRate is the probability (0–1) that a /v1/ request gets 503 before
	// anything is done. Default 0.
	FailRate float64
	// CrashAfterOps, when > 0, makes the server call Crash right after
	// persisting the CrashAfterOps-th op that changed the state, before
	// answering it. Default 0 (never).
	CrashAfterOps int
	// Crash ends the process; required when CrashAfterOps > 0.
	Crash func()
	// Seed seeds the random source of FailRate. Default 0: a random seed.
	Seed uint64
	// Logger receives the server's logs. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock (lease expiry, event times). Default time.Now.
	Now func() time.Time
	// Backend gives the ops their effect. Default Sim{}.
	Backend Backend
	// EventsKeep is the number of audit events kept: past it (plus a
	// tenth) the log is compacted to its last EventsKeep events after an
	// init event carrying the document they start from. Default
	// DefaultEventsKeep.
	EventsKeep int
	// ReadCache is how long a read of a machine backend may be reused by
	// GET /v1/state. Default 0: every GET reads.
	ReadCache time.Duration
	// BackendTimeout is the longest one call of a machine backend may take
	// (its runner's timeout). An answer may wait for three (read, op,
	// read), so the HTTP write timeout grows by three times it. Default 0.
	BackendTimeout time.Duration
}

// Server is the agent. Create it with New and serve Handler.
type Server struct {
	opts    Options
	log     *slog.Logger
	metrics *metrics
	handler http.Handler

	lock       *stateLock               // held for the Server's life, released by Close
	mu         sync.Mutex               // serializes changes; readers use snap
	snap       atomic.Pointer[snapshot] // the last committed (persisted) state
	appliedOps int                      // ops that changed the state, this process

	backend   Backend
	machineMu sync.Mutex // serializes the machine's reads and ops; taken before mu
	readAt    time.Time  // when the last successful read of the machine started; under machineMu

	rngMu sync.Mutex
	rng   *mrand.Rand
}

// New locks the state file (a *LockedError when another process holds it),
// opens it (creating it from opts.Init when it does not exist) and returns
// a Server ready to serve. Close releases the lock.
func New(opts Options) (_ *Server, err error) {
	if opts.StatePath == "" {
		return nil, errors.New("new supd: StatePath is required")
	}
	if opts.Tokens == nil {
		return nil, errors.New("new supd: Tokens is required")
	}
	if opts.FailRate < 0 || opts.FailRate > 1 {
		return nil, fmt.Errorf("new supd: FailRate %v is outside 0–1", opts.FailRate)
	}
	if opts.Latency < 0 {
		return nil, fmt.Errorf("new supd: Latency %v is negative", opts.Latency)
	}
	if opts.CrashAfterOps > 0 && opts.Crash == nil {
		return nil, errors.New("new supd: Crash is required with CrashAfterOps")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Backend == nil {
		opts.Backend = Sim{}
	}
	if opts.EventsKeep == 0 {
		opts.EventsKeep = DefaultEventsKeep
	}
	if opts.EventsKeep < 0 {
		return nil, fmt.Errorf("new supd: EventsKeep %d is negative", opts.EventsKeep)
	}
	if opts.ReadCache < 0 || opts.BackendTimeout < 0 {
		return nil, fmt.Errorf("new supd: ReadCache %v or BackendTimeout %v is negative", opts.ReadCache, opts.BackendTimeout)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = mrand.Uint64()
	}
	s := &Server{
		opts:    opts,
		log:     opts.Logger,
		metrics: newMetrics(),
		backend: opts.Backend,
		rng:     mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
	if s.lock, err = lockState(opts.StatePath); err != nil {
		return nil, fmt.Errorf("new supd: %w", err)
	}
	defer func() {
		if err != nil {
			s.lock.release()
		}
	}()
	atomicfile.RemoveStale(opts.StatePath, s.log)
	snap, err := openState(opts.StatePath, s.log)
	switch {
	case err == nil:
		s.log.Info("state loaded", "path", opts.StatePath, "version", snap.version, "events", len(snap.log.offsets))
	case errors.Is(err, fs.ErrNotExist) && (opts.Init != nil || s.backend.Machine()):
		init := opts.Init
		if s.backend.Machine() {
			// The machine is the truth: it gives the starting document.
			doc, err := s.backend.Read(context.Background())
			if err != nil {
				return nil, fmt.Errorf("new supd: read the starting document: %w", err)
			}
			s.readAt = opts.Now()
			init = &doc
		}
		if snap, err = s.initSnapshot(*init); err != nil {
			return nil, err
		}
		if err := s.persist(snap); err != nil {
			return nil, err
		}
		s.log.Info("state created", "path", opts.StatePath, "fqdn", snap.server.FQDN)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("new supd: state file %s: %w", opts.StatePath, ErrNoState)
	default:
		return nil, fmt.Errorf("new supd: %w", err)
	}
	s.snap.Store(snap)
	s.handler = s.routes()
	return s, nil
}

func (s *Server) initSnapshot(doc api.Server) (*snapshot, error) {
	doc = doc.Clone()
	doc.Normalize()
	// A document read from a machine is what the machine is, even where the
	// backend cannot read a value (an empty site mode, say).
	if !s.backend.Machine() {
		if err := sim.CheckDocument(&doc); err != nil {
			return nil, fmt.Errorf("init document: %w", err)
		}
	}
	args, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode init document: %w", err)
	}
	ev, err := json.Marshal(api.Event{
		Seq: 1, Time: s.opts.Now().UTC(), Actor: "supd", Op: api.OpInit, Args: args,
		VersionBefore: 0, VersionAfter: 1, Server: doc,
	})
	if err != nil {
		return nil, fmt.Errorf("encode init event: %w", err)
	}
	l, err := createLog(s.opts.StatePath, 1, frame(ev))
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	return newSnapshot(1, doc, nil, l)
}

// persist writes the state file of snap (not its log, appended to apart).
func (s *Server) persist(snap *snapshot) error {
	if err := writeStateFile(s.opts.StatePath, snap); err != nil {
		return fmt.Errorf("persist: %w", err)
	}
	return nil
}

// Close closes the audit log and releases the state file's lock. The
// Server must not be used after.
func (s *Server) Close() error {
	s.snap.Load().log.f.Close()
	if err := s.lock.release(); err != nil {
		return fmt.Errorf("close supd: %w", err)
	}
	return nil
}

// Handler returns the HTTP handler of the API, /healthz and /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// State returns the last committed state.
func (s *Server) State() api.State {
	snap := s.snap.Load()
	return api.State{Version: snap.version, Server: snap.server.Clone()}
}

// NewHTTPServer returns an http.Server for h with timeouts set: 5 s to read
// the headers, 30 s to read the request, 30 s plus latency to write the
// answer, 2 min idle.
func NewHTTPServer(h http.Handler, latency time.Duration, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30*time.Second + latency,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve serves the server's handler on ln until ctx is done, then shuts down
// gracefully (in-flight requests get up to 10 s).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	wait := s.opts.Latency
	if s.backend.Machine() {
		wait += 3 * s.opts.BackendTimeout
	}
	hs := NewHTTPServer(s.Handler(), wait, s.log)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /v1/state", s.v1(ScopeRead, s.handleState))
	mux.Handle("POST /v1/ops", s.v1(ScopeWrite, s.handleOp))
	mux.Handle("POST /v1/lease", s.v1(ScopeWrite, s.handleTakeLease))
	mux.Handle("PUT /v1/lease/{id}", s.v1(ScopeWrite, s.handleRenewLease))
	mux.Handle("DELETE /v1/lease/{id}", s.v1(ScopeWrite, s.handleReleaseLease))
	mux.Handle("GET /v1/events", s.v1(ScopeRead, s.handleEvents))
	// Every other /v1/ request is authenticated too before it hears that
	// the path or method does not exist (SPEC §6: every /v1/ request needs
	// a token).
	mux.Handle("/v1/", s.v1(ScopeRead, func(w http.ResponseWriter, r *http.Request, _ string) {
		switch p := r.URL.Path; {
		case p == "/v1/state", p == "/v1/ops", p == "/v1/lease", p == "/v1/events", strings.HasPrefix(p, "/v1/lease/"):
			writeError(w, http.StatusMethodNotAllowed, api.ErrorBody{Error: r.Method + " is not allowed on " + p})
		default:
			writeError(w, http.StatusNotFound, api.ErrorBody{Error: "no such endpoint: " + p})
		}
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", s.metrics.handler())
	return s.metrics.countRequests(mux)
}

// v1 wraps an API handler: injected faults first (latency, then 503 with
// FailRate), then the bearer token and its scope (401, 403).
func (s *Server) v1(need Scope, h func(w http.ResponseWriter, r *http.Request, actor string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Latency > 0 {
			t := time.NewTimer(s.opts.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if s.opts.FailRate > 0 && s.roll() < s.opts.FailRate {
			writeError(w, http.StatusServiceUnavailable, api.ErrorBody{Error: "injected failure (--fail-rate)"})
			return
		}
		token, found := bearerToken(r.Header.Get("Authorization"))
		name, scope, ok := s.opts.Tokens.Lookup(token)
		if !found || !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="supd"`)
			writeError(w, http.StatusUnauthorized, api.ErrorBody{Error: "missing or unknown bearer token"})
			return
		}
		if scope < need {
			writeError(w, http.StatusForbidden, api.ErrorBody{Error: fmt.Sprintf("token %q has scope %s, this needs %s", name, scope, need)})
			return
		}
		h(w, r, name)
	})
}

func (s *Server) roll() float64 {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64()
}

func (s *Server) handleState(w http.ResponseWriter, r *http.Request, _ string) {
	snap := s.snap.Load()
	if s.backend.Machine() {
		s.machineMu.Lock()
		var err error
		snap, err = s.refresh(r.Context(), s.opts.ReadCache)
		s.machineMu.Unlock()
		if err != nil {
			s.backendFailed(w, "", err)
			return
		}
	}
	w.Header().Set("ETag", etag(snap.version))
	writeRaw(w, http.StatusOK, snap.stateJSON)
}

// handleEvents streams a page of the audit log: the events after since,
// at most limit, and the cursor of the next page when there are more. It
// reads the log file a buffer at a time, so a reader costs memory bounded
// by the buffer and one event, whatever the page size.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, _ string) {
	q := r.URL.Query()
	since, limit := int64(0), int64(api.DefaultEventsLimit)
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, api.ErrorBody{Error: fmt.Sprintf("since %q is not a sequence number", v)})
			return
		}
		since = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > api.MaxEventsLimit {
			writeError(w, http.StatusBadRequest, api.ErrorBody{Error: fmt.Sprintf("limit %q is not a number of events from 1 to %d", v, api.MaxEventsLimit)})
			return
		}
		limit = n
	}
	l := s.snap.Load().log
	// Events before the log's first were compacted away: the page starts
	// at the init event carrying the document they led to.
	from := max(since+1, l.first)
	to := min(from+limit-1, l.last())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	bw.WriteString(`{"events":[`)
	if from <= to {
		start := l.offsets[from-l.first]
		stop := l.end
		if to < l.last() {
			stop = l.offsets[to+1-l.first]
		}
		rd := bufio.NewReaderSize(io.NewSectionReader(l.f, start, stop-start), 64<<10)
		for seq := from; seq <= to; seq++ {
			line, err := readLine(rd)
			if err != nil || len(line) < recordPrefix+1 {
				// The page is cut short; the client sees broken JSON
				// rather than a complete-looking page.
				s.log.Error("read the audit log", "seq", seq, "err", err)
				return
			}
			if seq > from {
				bw.WriteByte(',')
			}
			bw.Write(line[recordPrefix : len(line)-1])
		}
	}
	bw.WriteString("]")
	if to < l.last() {
		bw.WriteString(`,"next":` + strconv.FormatInt(to, 10))
	}
	bw.WriteString("}\n")
}

func (s *Server) handleOp(w http.ResponseWriter, r *http.Request, actor string) {
	var op api.Op
	if code, err := decodeBody(w, r, &op); err != nil {
		s.metrics.op("", "bad_request")
		writeError(w, code, api.ErrorBody{Error: "decode op: " + err.Error()})
		return
	}
	args, err := api.DecodeArgs(op)
	if err != nil {
		s.metrics.op(op.Op, "bad_request")
		writeError(w, http.StatusBadRequest, api.ErrorBody{Error: "decode op: " + err.Error()})
		return
	}
	ifMatch, err := parseIfMatch(r.Header.Get(api.HeaderIfMatch))
	if err != nil {
		s.metrics.op(op.Op, "bad_request")
		writeError(w, http.StatusBadRequest, api.ErrorBody{Error: err.Error()})
		return
	}

	if s.backend.Machine() {
		s.machineOp(w, r, actor, op, args, ifMatch)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.snap.Load()
	if !s.admit(w, r, cur, op.Op, args, ifMatch) {
		return
	}
	after, err := s.backend.Apply(r.Context(), cur.server, op.Op, args)
	if err != nil {
		s.fail(w, op.Op, fmt.Errorf("apply: %w", err))
		return
	}
	snap, err := s.commitEvent(cur, api.Event{Actor: actor, Op: op.Op, Args: compactJSON(op.Args), Server: *after})
	if err != nil {
		s.fail(w, op.Op, err)
		return
	}
	s.applied(w, op.Op, actor, snap)
}

// machineOp is handleOp on a backend with a machine (see the package doc).
func (s *Server) machineOp(w http.ResponseWriter, r *http.Request, actor string, op api.Op, args any, ifMatch int64) {
	s.machineMu.Lock()
	defer s.machineMu.Unlock()
	if _, err := s.refresh(r.Context(), 0); err != nil {
		s.backendFailed(w, op.Op, err)
		return
	}
	s.mu.Lock()
	cur := s.snap.Load()
	ok := s.admit(w, r, cur, op.Op, args, ifMatch)
	s.mu.Unlock()
	if !ok {
		return
	}
	// Once started, the op runs to its end (bounded by the runner's
	// timeout) even if the client goes away: stopping a script half-way
	// would leave the machine half-changed.
	ctx := context.WithoutCancel(r.Context())
	started := s.opts.Now()
	after, err := s.backend.Apply(ctx, cur.server, op.Op, args)
	if err == nil {
		if _, still, cerr := s.backend.Check(*after, op.Op, args); cerr != nil || still {
			err = &BackendError{Kind: KindNoEffect, Err: errors.Join(
				fmt.Errorf("%s ran, but its effect is not on the machine when read after it", op.Op), cerr)}
		}
	}
	_, invalid := errors.AsType[*sim.InvalidError](err)
	if after != nil {
		s.readAt = started
	}
	if after != nil && (!invalid || !sameDocument(cur.server, *after)) {
		ev := api.Event{Actor: actor, Op: op.Op, Args: compactJSON(op.Args), Server: *after}
		if err != nil {
			ev.Outcome = err.Error()
		}
		s.mu.Lock()
		snap, cerr := s.commitEvent(s.snap.Load(), ev)
		s.mu.Unlock()
		if cerr != nil {
			s.fail(w, op.Op, errors.Join(err, cerr))
			return
		}
		if err == nil {
			s.applied(w, op.Op, actor, snap)
			return
		}
	}
	if err == nil { // cannot happen: Apply returns a document or an error
		s.fail(w, op.Op, errors.New("the backend returned neither a document nor an error"))
		return
	}
	s.backendFailed(w, op.Op, err)
}

// admit checks op on cur: the lease (423), whether its effect is already in
// place (200 with cur), If-Match (409) and its validity (422), in that
// order. It answers and returns false unless the op is to run.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, cur *snapshot, name string, args any, ifMatch int64) bool {
	if body := leaseBlocks(cur.lease, r.Header.Get(api.HeaderLeaseID), s.opts.Now()); body != nil {
		s.metrics.op(name, "locked")
		writeError(w, http.StatusLocked, *body)
		return false
	}
	_, changed, err := s.backend.Check(cur.server, name, args)
	switch {
	case err == nil && !changed:
		s.metrics.op(name, "noop")
		w.Header().Set("ETag", etag(cur.version))
		writeRaw(w, http.StatusOK, cur.stateJSON)
		return false
	case ifMatch >= 0 && ifMatch != cur.version:
		s.metrics.op(name, "conflict")
		writeError(w, http.StatusConflict, api.ErrorBody{
			Error:   fmt.Sprintf("version is %d, not %d", cur.version, ifMatch),
			Version: cur.version,
		})
		return false
	case err != nil:
		s.metrics.op(name, "invalid")
		writeError(w, http.StatusUnprocessableEntity, api.ErrorBody{Error: err.Error()})
		return false
	}
	return true
}

// applied answers 200 for an op committed as snap (and crashes first when
// CrashAfterOps says so).
func (s *Server) applied(w http.ResponseWriter, name, actor string, snap *snapshot) {
	s.metrics.op(name, "applied")
	s.log.Info("op applied", "op", name, "actor", actor, "version", snap.version)
	s.appliedOps++
	if s.opts.CrashAfterOps > 0 && s.appliedOps == s.opts.CrashAfterOps {
		s.log.Warn("crashing as asked (--crash-after-ops)", "ops", s.appliedOps, "version", snap.version)
		s.opts.Crash()
	}
	w.Header().Set("ETag", etag(snap.version))
	writeRaw(w, http.StatusOK, snap.stateJSON)
}

// refresh reads the machine, unless the last read started less than maxAge
// ago, and records a document that differs from the recorded one as an
// "observe" event by "outside". It returns the state after. The caller holds
// machineMu.
func (s *Server) refresh(ctx context.Context, maxAge time.Duration) (*snapshot, error) {
	started := s.opts.Now()
	if maxAge > 0 && !s.readAt.IsZero() && started.Sub(s.readAt) < maxAge {
		return s.snap.Load(), nil
	}
	doc, err := s.backend.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	s.readAt = started
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.snap.Load()
	if sameDocument(cur.server, doc) {
		return cur, nil
	}
	snap, err := s.commitEvent(cur, api.Event{Actor: api.ActorOutside, Op: api.OpObserve, Args: json.RawMessage("{}"), Server: doc})
	if err != nil {
		return nil, err
	}
	s.log.Warn("the machine changed outside supd", "version", snap.version)
	return snap, nil
}

// commitEvent appends ev (Actor, Op, Args, Server and Outcome set) to cur's
// audit log as the next version, fsynced, and publishes the result. Every
// event after init is appended here, and nothing else writes the log but
// compaction, which follows here when the log holds more than EventsKeep
// events plus a tenth. The caller holds mu.
func (s *Server) commitEvent(cur *snapshot, ev api.Event) (*snapshot, error) {
	ev.Server = ev.Server.Clone()
	ev.Server.Normalize()
	ev.Seq = cur.log.last() + 1
	ev.Time = s.opts.Now().UTC()
	ev.VersionBefore, ev.VersionAfter = cur.version, cur.version+1
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	l, err := cur.log.appendEvent(raw)
	if err != nil {
		return nil, err
	}
	snap, err := newSnapshot(ev.VersionAfter, ev.Server, cur.lease, l)
	if err != nil {
		return nil, err
	}
	s.snap.Store(snap)
	if keep := s.opts.EventsKeep; len(l.offsets) > keep+max(keep/10, 1) {
		// The event is durable already: a failed compaction is retried
		// after the next event.
		if c, err := compact(s.opts.StatePath, snap, keep); err != nil {
			s.log.Warn("audit log compaction failed", "err", err)
		} else {
			s.log.Info("audit log compacted", "first", c.log.first, "events", len(c.log.offsets))
			snap = c
			s.snap.Store(snap)
		}
	}
	return snap, nil
}

// backendFailed answers a failure of the backend: 422 when the machine
// refused the op, 503 when it could not be reached, 502 otherwise.
func (s *Server) backendFailed(w http.ResponseWriter, name string, err error) {
	if _, ok := errors.AsType[*sim.InvalidError](err); ok {
		s.metrics.op(name, "invalid")
		writeError(w, http.StatusUnprocessableEntity, api.ErrorBody{Error: err.Error()})
		return
	}
	kind, code, result := KindFailed, http.StatusBadGateway, "failed"
	if be, ok := errors.AsType[*BackendError](err); ok {
		kind = be.Kind
		if be.Transient() {
			code, result = http.StatusServiceUnavailable, "unavailable"
		}
	}
	s.metrics.backendErrors.WithLabelValues(string(kind)).Inc()
	if name != "" {
		s.metrics.op(name, result)
	}
	s.log.Error("backend failed", "op", name, "kind", kind, "err", err)
	writeError(w, code, api.ErrorBody{Error: err.Error()})
}

func (s *Server) fail(w http.ResponseWriter, op string, err error) {
	s.metrics.op(op, "error")
	s.log.Error("op failed", "op", op, "err", err)
	writeError(w, http.StatusInternalServerError, api.ErrorBody{Error: err.Error()})
}

func (s *Server) handleTakeLease(w http.ResponseWriter, r *http.Request, actor string) {
	var req api.LeaseRequest
	if code, err := decodeBody(w, r, &req); err != nil {
		writeError(w, code, api.ErrorBody{Error: "decode lease request: " + err.Error()})
		return
	}
	if req.Holder == "" || len(req.Holder) > 256 {
		writeError(w, http.StatusBadRequest, api.ErrorBody{Error: "holder must be 1–256 bytes"})
		return
	}
	if req.TTLSeconds < 1 || req.TTLSeconds > api.MaxLeaseTTLSeconds {
		writeError(w, http.StatusBadRequest, api.ErrorBody{Error: fmt.Sprintf("ttlSeconds must be 1–%d", api.MaxLeaseTTLSeconds)})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.snap.Load()
	now := s.opts.Now()
	if l := cur.lease; l != nil && now.Before(l.ExpiresAt) {
		exp := l.ExpiresAt
		writeError(w, http.StatusConflict, api.ErrorBody{Error: "lease held by " + l.Holder, Holder: l.Holder, ExpiresAt: &exp})
		return
	}
	id, err := newLeaseID()
	if err != nil {
		s.fail(w, "", err)
		return
	}
	lease := &storedLease{ID: id, Holder: req.Holder, TTLSeconds: req.TTLSeconds,
		ExpiresAt: now.Add(time.Duration(req.TTLSeconds) * time.Second).UTC()}
	if !s.commitLease(w, cur, lease) {
		return
	}
	s.log.Info("lease taken", "holder", req.Holder, "actor", actor, "ttlSeconds", req.TTLSeconds)
	writeJSON(w, http.StatusOK, api.Lease{ID: lease.ID, ExpiresAt: lease.ExpiresAt})
}

func (s *Server) handleRenewLease(w http.ResponseWriter, r *http.Request, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.snap.Load()
	now := s.opts.Now()
	l := liveLease(cur.lease, r.PathValue("id"), now)
	if l == nil {
		writeError(w, http.StatusNotFound, api.ErrorBody{Error: "no live lease with that id"})
		return
	}
	renewed := *l
	renewed.ExpiresAt = now.Add(time.Duration(l.TTLSeconds) * time.Second).UTC()
	if !s.commitLease(w, cur, &renewed) {
		return
	}
	writeJSON(w, http.StatusOK, api.Lease{ID: renewed.ID, ExpiresAt: renewed.ExpiresAt})
}

func (s *Server) handleReleaseLease(w http.ResponseWriter, r *http.Request, actor string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.snap.Load()
	l := liveLease(cur.lease, r.PathValue("id"), s.opts.Now())
	if l == nil {
		writeError(w, http.StatusNotFound, api.ErrorBody{Error: "no live lease with that id"})
		return
	}
	if !s.commitLease(w, cur, nil) {
		return
	}
	s.log.Info("lease released", "holder", l.Holder, "actor", actor)
	writeJSON(w, http.StatusOK, api.Lease{ID: l.ID, ExpiresAt: l.ExpiresAt})
}

// commitLease persists cur with lease in place of its lease; on failure it
// answers 500 and returns false.
func (s *Server) commitLease(w http.ResponseWriter, cur *snapshot, lease *storedLease) bool {
	snap := *cur
	snap.lease = lease
	if err := s.persist(&snap); err != nil {
		s.fail(w, "", err)
		return false
	}
	s.snap.Store(&snap)
	return true
}

// liveLease returns l when it is live and has the given id.
func liveLease(l *storedLease, id string, now time.Time) *storedLease {
	if l == nil || !now.Before(l.ExpiresAt) || subtle.ConstantTimeCompare([]byte(l.ID), []byte(id)) != 1 {
		return nil
	}
	return l
}

// leaseBlocks returns the 423 body when a write carrying leaseID must be
// refused: a live lease exists and leaseID is not its id, or leaseID names a
// lease that is not live.
func leaseBlocks(l *storedLease, leaseID string, now time.Time) *api.ErrorBody {
	live := l != nil && now.Before(l.ExpiresAt)
	switch {
	case live && liveLease(l, leaseID, now) == nil:
		exp := l.ExpiresAt
		return &api.ErrorBody{Error: "locked by the lease of " + l.Holder, Holder: l.Holder, ExpiresAt: &exp}
	case !live && leaseID != "":
		return &api.ErrorBody{Error: "lease " + leaseID + " is not live (expired or released)"}
	}
	return nil
}

func newLeaseID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("lease id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// parseIfMatch returns the version of an If-Match header ("N", N or W/"N"),
// or -1 when the header is absent or "*".
func parseIfMatch(h string) (int64, error) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return -1, nil
	}
	v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("If-Match %q is not a version", h)
	}
	return n, nil
}

func etag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// decodeBody decodes the request body strictly into v, answering the HTTP
// status to use on failure (413 over MaxBodyBytes, else 400).
func decodeBody(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := api.DecodeStrict(body, v); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return http.StatusRequestEntityTooLarge, err
		}
		return http.StatusBadRequest, err
	}
	return 0, nil
}

func compactJSON(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return json.RawMessage("null")
	}
	return b.Bytes()
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"encode answer"}`)
	}
	writeRaw(w, code, b)
}

func writeError(w http.ResponseWriter, code int, body api.ErrorBody) { writeJSON(w, code, body) }

func writeRaw(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(code)
	w.Write(b)
	w.Write([]byte{'\n'})
}
