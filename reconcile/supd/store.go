package supd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// StateFormat is the value of the "format" field of a state file.
const StateFormat = "supd-state/1"

// The state file is one JSON object:
//
//	{
//	  "format":  "supd-state/1",
//	  "version": 7,                        // the document's version
//	  "server":  {…§6.1 document…},         // the document at that version
//	  "lease":   null | {"id", "holder", "ttlSeconds", "expiresAt"},
//	  "events":  [{…api.Event…}, …]         // the whole audit log, seq 1 = init
//	}
//
// It is rewritten whole on every change: written to a temporary file in the
// same directory, fsynced, renamed over the old one, and the directory
// fsynced, so that a crash leaves either the old or the new file. Invariants
// checked on load: events are numbered 1, 2, … without gaps, the first is
// "init", each event's versionBefore is the previous one's versionAfter, and
// the last event's versionAfter and document are the file's version and
// document.
type stateFile struct {
	Format  string            `json:"format"`
	Version int64             `json:"version"`
	Server  api.Server        `json:"server"`
	Lease   *storedLease      `json:"lease"`
	Events  []json.RawMessage `json:"events"`
}

// storedLease is the live lease as kept in the state file.
type storedLease struct {
	ID         string    `json:"id"`
	Holder     string    `json:"holder"`
	TTLSeconds int       `json:"ttlSeconds"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// snapshot is one committed state. It is immutable once published: events
// only ever grow by appending past the published length.
type snapshot struct {
	version   int64
	server    api.Server
	lease     *storedLease
	events    []json.RawMessage // each an encoded api.Event
	stateJSON []byte            // encoded api.State, the body of GET /v1/state
}

func newSnapshot(version int64, server api.Server, lease *storedLease, events []json.RawMessage) (*snapshot, error) {
	body, err := json.Marshal(api.State{Version: version, Server: server})
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return &snapshot{version: version, server: server, lease: lease, events: events, stateJSON: body}, nil
}

// encode renders the state file. Events are already encoded, so a write
// costs a copy of the log, not a re-encoding of it.
func (s *snapshot) encode() ([]byte, error) {
	server, err := json.Marshal(s.server)
	if err != nil {
		return nil, fmt.Errorf("encode server: %w", err)
	}
	lease, err := json.Marshal(s.lease)
	if err != nil {
		return nil, fmt.Errorf("encode lease: %w", err)
	}
	size := 128 + len(server) + len(lease)
	for _, e := range s.events {
		size += len(e) + 2
	}
	var b bytes.Buffer
	b.Grow(size)
	fmt.Fprintf(&b, "{\"format\":%q,\n\"version\":%d,\n\"server\":%s,\n\"lease\":%s,\n\"events\":[", StateFormat, s.version, server, lease)
	for i, e := range s.events {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n")
		b.Write(e)
	}
	b.WriteString("]}\n")
	return b.Bytes(), nil
}

// LoadedState is a state file read by LoadState.
type LoadedState struct {
	// Version is the document's version.
	Version int64
	// Server is the document at Version.
	Server api.Server
	// Events is the whole audit log, seq 1 first.
	Events []api.Event
	// LeaseHolder and LeaseExpiresAt describe the lease recorded in the
	// file (live or not); LeaseHolder is empty when there is none.
	LeaseHolder    string
	LeaseExpiresAt time.Time
}

// LoadState reads and checks the state file at path (see the format above).
func LoadState(path string) (*LoadedState, error) {
	snap, err := loadSnapshot(path)
	if err != nil {
		return nil, err
	}
	ls := &LoadedState{Version: snap.version, Server: snap.server}
	for _, raw := range snap.events {
		var ev api.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("load state %s: %w", path, err)
		}
		ls.Events = append(ls.Events, ev)
	}
	if snap.lease != nil {
		ls.LeaseHolder, ls.LeaseExpiresAt = snap.lease.Holder, snap.lease.ExpiresAt
	}
	return ls, nil
}

func loadSnapshot(path string) (*snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	var f stateFile
	if err := api.DecodeStrict(bytes.NewReader(data), &f); err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, err)
	}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, err)
	}
	f.Server.Normalize()
	return newSnapshot(f.Version, f.Server, f.Lease, f.Events)
}

func (f *stateFile) check() error {
	if f.Format != StateFormat {
		return fmt.Errorf("format %q, want %q", f.Format, StateFormat)
	}
	if len(f.Events) == 0 {
		return errors.New("the audit log is empty")
	}
	var prev api.Event
	for i, raw := range f.Events {
		var ev api.Event
		if err := api.DecodeStrict(bytes.NewReader(raw), &ev); err != nil {
			return fmt.Errorf("event %d: %w", i+1, err)
		}
		if ev.Seq != int64(i+1) {
			return fmt.Errorf("event %d has seq %d", i+1, ev.Seq)
		}
		switch {
		case i == 0 && (ev.Op != api.OpInit || ev.VersionBefore != 0 || ev.VersionAfter != 1):
			return fmt.Errorf("event 1 is %q %d→%d, want %q 0→1", ev.Op, ev.VersionBefore, ev.VersionAfter, api.OpInit)
		case i > 0 && (ev.VersionBefore != prev.VersionAfter || ev.VersionAfter != ev.VersionBefore+1):
			return fmt.Errorf("event %d goes %d→%d after version %d", ev.Seq, ev.VersionBefore, ev.VersionAfter, prev.VersionAfter)
		}
		prev = ev
	}
	if prev.VersionAfter != f.Version {
		return fmt.Errorf("version %d, but the last event ends at %d", f.Version, prev.VersionAfter)
	}
	a, b := f.Server.Clone(), prev.Server.Clone()
	a.Normalize()
	b.Normalize()
	if !reflect.DeepEqual(a, b) {
		return errors.New("the document differs from the last event's")
	}
	return nil
}
