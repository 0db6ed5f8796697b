package main

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/supctl/supctl/reconcile"
)

// applyEventsVersion is the version of apply --format json's events; it
// changes only when a field changes meaning or goes away.
const applyEventsVersion = 1

// applyEvent is one line of apply --format json (README "Machine output"):
//
//	plan      the plan about to be applied (plan --format json's object)
//	step      status start, then ok or fail (error), per step, with its duration
//	replan    a site was re-observed and re-planned (message)
//	lease-wait  another apply holds a lease; waiting (message)
//	site      a site finished: status ok or fail (error)
//	verify    the applied sites observed again: status ok or fail (error)
//	summary   last: status applied, no-changes, cancelled or failed; steps sent, exit code
type applyEvent struct {
	Version    int             `json:"version"`
	Type       string          `json:"type"`
	Time       string          `json:"time"`
	Site       string          `json:"site,omitempty"`
	Status     string          `json:"status,omitempty"`
	Index      int             `json:"index,omitempty"`
	Total      int             `json:"total,omitempty"`
	Step       *reconcile.Step `json:"step,omitempty"`
	DurationMS *int64          `json:"durationMs,omitempty"`
	Error      string          `json:"error,omitempty"`
	Message    string          `json:"message,omitempty"`
	Plan       *reconcile.Plan `json:"plan,omitempty"`
	Sites      []string        `json:"sites,omitempty"`
	Steps      *int            `json:"steps,omitempty"`
	ExitCode   *int            `json:"exitCode,omitempty"`
}

// applyEvents writes apply's events as JSON lines; safe for the concurrent
// progress of several sites. A nil *applyEvents writes nothing (text mode).
type applyEvents struct {
	mu  sync.Mutex
	enc *json.Encoder
	now func() time.Time
}

func newApplyEvents(w io.Writer) *applyEvents {
	return &applyEvents{enc: json.NewEncoder(w), now: time.Now}
}

func (ev *applyEvents) emit(e applyEvent) {
	if ev == nil {
		return
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	e.Version, e.Time = applyEventsVersion, ev.now().UTC().Format(time.RFC3339Nano)
	_ = ev.enc.Encode(e) // a closed stdout: the exit code still tells
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func okOrFail(err error) string {
	if err != nil {
		return "fail"
	}
	return "ok"
}

func (ev *applyEvents) plan(p *reconcile.Plan) { ev.emit(applyEvent{Type: "plan", Plan: p}) }

// progress turns the reconciler's progress into events.
func (ev *applyEvents) progress(p reconcile.Progress) {
	switch p.Kind {
	case reconcile.KindStepStart:
		ev.emit(applyEvent{Type: "step", Status: "start", Site: p.Site, Index: p.Index, Total: p.Total, Step: p.Step})
	case reconcile.KindStep:
		ms := p.Duration.Milliseconds()
		ev.emit(applyEvent{Type: "step", Status: okOrFail(p.Err), Site: p.Site, Index: p.Index, Total: p.Total, Step: p.Step, DurationMS: &ms, Error: errText(p.Err)})
	case reconcile.KindReplan, reconcile.KindLeaseWait:
		ev.emit(applyEvent{Type: p.Kind, Site: p.Site, Message: p.Message})
	case reconcile.KindSiteDone:
		ev.emit(applyEvent{Type: "site", Site: p.Site, Status: okOrFail(p.Err), Error: errText(p.Err)})
	}
}

func (ev *applyEvents) verify(sites []string, err error) {
	ev.emit(applyEvent{Type: "verify", Sites: sites, Status: okOrFail(err), Error: errText(err)})
}

// summary is the last event; it returns code.
func (ev *applyEvents) summary(status string, steps int, start time.Time, sites []string, code int) int {
	ms := time.Since(start).Milliseconds()
	ev.emit(applyEvent{Type: "summary", Status: status, Steps: &steps, DurationMS: &ms, Sites: sites, ExitCode: &code})
	return code
}
