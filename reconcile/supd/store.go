package supd

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/atomicfile"
)

// StateFormat is the value of the "format" field of a state file.
const StateFormat = "supd-state/2"

// DefaultEventsKeep is the default of Options.EventsKeep.
const DefaultEventsKeep = 100_000

// The state lives in two files in one directory.
//
// The state file (--state FILE) is a small JSON snapshot, replaced
// atomically (atomicfile.Write) when a lease changes and when the log is
// compacted, never on an op:
//
//	{
//	  "format":  "supd-state/2",
//	  "version": 7,                   // the document's version when written
//	  "server":  {…§6.1 document…},    // the document at that version
//	  "lease":   null | {"id", "holder", "ttlSeconds", "expiresAt"},
//	  "log":     "FILE.log-1"         // the audit log's file, beside it
//	}
//
// The audit log is append-only: one line per event, "CCCCCCCC JSON\n", where
// JSON is the api.Event and CCCCCCCC its CRC-32C in hex. An event is
// appended and fsynced before its answer is sent, so an acknowledged event
// survives a crash; the document and version in force are the last event's.
// A crash while appending can leave only the last line torn (no newline, or
// a checksum that fails): it was never acknowledged, and it is dropped at
// start. A damaged line before the last is refused, never dropped.
//
// The log's first event is "init", carrying the starting document: seq 1
// (versions 0→1) as created, or, once the log was compacted, seq K with
// versions 0→K, carrying the document after the dropped event K. Compaction
// happens past EventsKeep events (plus a tenth): a new log file named by
// its first seq is written and fsynced, the snapshot is switched to it, and
// the old file is removed, so that a crash leaves one log or the other in
// force (a log file the snapshot does not name is removed at start).
// Invariants checked on load: events are numbered without gaps, every
// event's versionAfter is its seq, the snapshot's version lies within the
// log and its document is the one the log has at that version.
type stateFile struct {
	Format  string       `json:"format"`
	Version int64        `json:"version"`
	Server  api.Server   `json:"server"`
	Lease   *storedLease `json:"lease"`
	Log     string       `json:"log"`
}

// storedLease is the live lease as kept in the state file.
type storedLease struct {
	ID         string    `json:"id"`
	Holder     string    `json:"holder"`
	TTLSeconds int       `json:"ttlSeconds"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// crcTable is CRC-32C (Castagnoli), hardware-assisted on common CPUs.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// recordPrefix is the length of a log line's checksum and its space.
const recordPrefix = 9

// eventLog is a published view of the audit log: the records seq first …
// first+len(offsets)-1 of file f, the last ending at end. Views are
// immutable: an append publishes a new view whose offsets may share the
// array of the old one past the old one's length, which the old one never
// reads.
type eventLog struct {
	f       *os.File // read and written with ReadAt and WriteAt
	name    string   // base name of the file
	first   int64    // seq of the first record
	offsets []int64  // offset of each record
	end     int64    // offset past the last record
}

// last returns the seq of the last event.
func (l *eventLog) last() int64 { return l.first + int64(len(l.offsets)) - 1 }

// record returns the JSON of event seq (first ≤ seq ≤ last).
func (l *eventLog) record(seq int64) ([]byte, error) {
	i := seq - l.first
	stop := l.end
	if i+1 < int64(len(l.offsets)) {
		stop = l.offsets[i+1]
	}
	b := make([]byte, stop-l.offsets[i])
	if _, err := l.f.ReadAt(b, l.offsets[i]); err != nil {
		return nil, fmt.Errorf("read event %d: %w", seq, err)
	}
	return b[recordPrefix : len(b)-1], nil
}

// event decodes event seq.
func (l *eventLog) event(seq int64) (api.Event, error) {
	var ev api.Event
	raw, err := l.record(seq)
	if err != nil {
		return ev, err
	}
	if err := api.DecodeStrict(bytes.NewReader(raw), &ev); err != nil {
		return ev, fmt.Errorf("event %d: %w", seq, err)
	}
	return ev, nil
}

// frame returns the log line of an encoded event.
func frame(raw []byte) []byte {
	line := make([]byte, 0, recordPrefix+len(raw)+1)
	line = fmt.Appendf(line, "%08x ", crc32.Checksum(raw, crcTable))
	line = append(line, raw...)
	return append(line, '\n')
}

// appendEvent writes raw as the next record and fsyncs it. On failure the
// file is cut back to l.end, so that the next append starts clean.
func (l *eventLog) appendEvent(raw []byte) (*eventLog, error) {
	line := frame(raw)
	_, err := l.f.WriteAt(line, l.end)
	if err == nil {
		err = l.f.Sync()
	}
	if err != nil {
		l.f.Truncate(l.end)
		return nil, fmt.Errorf("append to the audit log: %w", err)
	}
	next := *l
	next.offsets = append(l.offsets, l.end)
	next.end += int64(len(line))
	return &next, nil
}

// snapshot is one committed state. It is immutable once published.
type snapshot struct {
	version   int64
	server    api.Server
	lease     *storedLease
	log       *eventLog
	stateJSON []byte // encoded api.State, the body of GET /v1/state
}

func newSnapshot(version int64, server api.Server, lease *storedLease, log *eventLog) (*snapshot, error) {
	body, err := json.Marshal(api.State{Version: version, Server: server})
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return &snapshot{version: version, server: server, lease: lease, log: log, stateJSON: body}, nil
}

// writeStateFile replaces the state file at path with s's snapshot.
func writeStateFile(path string, s *snapshot) error {
	data, err := json.Marshal(stateFile{Format: StateFormat, Version: s.version, Server: s.server, Lease: s.lease, Log: s.log.name})
	if err != nil {
		return fmt.Errorf("encode state file: %w", err)
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write state file: %w", err)
	}
	return nil
}

// logName is the base name of the audit log of the state file at path
// whose first event is seq first.
func logName(path string, first int64) string {
	return filepath.Base(path) + ".log-" + strconv.FormatInt(first, 10)
}

// createLog creates (truncating) the log file name beside path holding the
// lines, fsyncs it and its directory, and returns its view, first event seq
// first.
func createLog(path string, first int64, lines ...[]byte) (*eventLog, error) {
	name := logName(path, first)
	full := filepath.Join(filepath.Dir(path), name)
	f, err := os.OpenFile(full, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create audit log: %w", err)
	}
	l := &eventLog{f: f, name: name, first: first}
	for _, line := range lines {
		l.offsets = append(l.offsets, l.end)
		l.end += int64(len(line))
	}
	if _, err := f.Write(bytes.Join(lines, nil)); err != nil {
		f.Close()
		return nil, fmt.Errorf("write audit log: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("fsync audit log: %w", err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// LoadedState is a state file read by LoadState.
type LoadedState struct {
	// Version is the document's version (the last event's).
	Version int64
	// Server is the document at Version.
	Server api.Server
	// Events is the whole audit log kept, its init event first.
	Events []api.Event
	// LeaseHolder and LeaseExpiresAt describe the lease recorded in the
	// file (live or not); LeaseHolder is empty when there is none.
	LeaseHolder    string
	LeaseExpiresAt time.Time
	// TornTail is the size of a torn last record that a start would drop
	// (0 when the log ends cleanly).
	TornTail int64
}

// LoadState reads and checks the state file at path and its audit log (see
// the format above), changing nothing.
func LoadState(path string) (*LoadedState, error) {
	snap, torn, err := loadSnapshot(path, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer snap.log.f.Close()
	ls := &LoadedState{Version: snap.version, Server: snap.server, TornTail: torn}
	for seq := snap.log.first; seq <= snap.log.last(); seq++ {
		ev, err := snap.log.event(seq)
		if err != nil {
			return nil, fmt.Errorf("load state %s: %w", path, err)
		}
		ls.Events = append(ls.Events, ev)
	}
	if snap.lease != nil {
		ls.LeaseHolder, ls.LeaseExpiresAt = snap.lease.Holder, snap.lease.ExpiresAt
	}
	return ls, nil
}

// loadSnapshot reads the state file at path and scans its audit log, opened
// with flag (os.O_RDONLY or os.O_RDWR). It returns the size of a torn last
// record, which the caller drops (openState) or reports (LoadState).
func loadSnapshot(path string, flag int) (_ *snapshot, torn int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("load state: %w", err)
	}
	var sf stateFile
	if err := api.DecodeStrict(bytes.NewReader(data), &sf); err != nil {
		return nil, 0, fmt.Errorf("load state %s: %w", path, err)
	}
	if sf.Format != StateFormat {
		return nil, 0, fmt.Errorf("load state %s: format %q, want %q", path, sf.Format, StateFormat)
	}
	if sf.Log == "" || sf.Log != filepath.Base(sf.Log) || !strings.HasPrefix(sf.Log, filepath.Base(path)+".log-") {
		return nil, 0, fmt.Errorf("load state %s: log %q is not a log file of this state file", path, sf.Log)
	}
	f, err := os.OpenFile(filepath.Join(filepath.Dir(path), sf.Log), flag, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("load state %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	l, torn, err := scanLog(f, sf.Log)
	if err != nil {
		return nil, 0, fmt.Errorf("load state %s: audit log %s: %w", path, sf.Log, err)
	}
	snap, err := checkLog(&sf, l)
	if err != nil {
		return nil, 0, fmt.Errorf("load state %s: audit log %s: %w", path, sf.Log, err)
	}
	return snap, torn, nil
}

// scanLog reads the log f through, checking every record's checksum and
// seq, and returns its view and the size of a torn last record.
func scanLog(f *os.File, name string) (*eventLog, int64, error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, 0, err
	}
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 1<<20)
	l := &eventLog{f: f, name: name}
	var line []byte
	for l.end < size {
		line, err = readLine(r)
		if err == io.EOF || err == nil && !validRecord(line) {
			if l.end+int64(len(line)) == size {
				break // the last record is torn: never acknowledged
			}
			return nil, 0, fmt.Errorf("record at offset %d is damaged", l.end)
		}
		if err != nil {
			return nil, 0, err
		}
		seq, ok := recordSeq(line[recordPrefix:])
		switch {
		case !ok:
			return nil, 0, fmt.Errorf("record at offset %d does not start with its seq", l.end)
		case len(l.offsets) == 0:
			l.first = seq
		case seq != l.last()+1:
			return nil, 0, fmt.Errorf("event %d follows event %d", seq, l.last())
		}
		l.offsets = append(l.offsets, l.end)
		l.end += int64(len(line))
	}
	if len(l.offsets) == 0 {
		return nil, 0, errors.New("the audit log is empty")
	}
	return l, size - l.end, nil
}

// readLine returns the next line of r with its newline, or what is left
// and io.EOF when no newline ends it.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		rest, err := r.ReadBytes('\n')
		return append(bytes.Clone(line), rest...), err
	}
	return line, err
}

// validRecord reports whether line (newline included) is a whole record
// whose checksum matches.
func validRecord(line []byte) bool {
	if len(line) < recordPrefix+2 || line[recordPrefix-1] != ' ' || line[len(line)-1] != '\n' {
		return false
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], line[:recordPrefix-1]); err != nil {
		return false
	}
	want := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	return crc32.Checksum(line[recordPrefix:len(line)-1], crcTable) == want
}

// recordSeq reads the seq an encoded api.Event starts with ({"seq":N,…}:
// Seq is its first field) without decoding the rest.
func recordSeq(raw []byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(raw, []byte(`{"seq":`))
	if !ok {
		return 0, false
	}
	end := bytes.IndexByte(rest, ',')
	if end < 0 {
		return 0, false
	}
	seq, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	return seq, err == nil && seq > 0
}

// checkLog checks the invariants between the state file sf and its log l,
// decoding only the first event, the last and the one at sf.Version, and
// returns the state in force: the last event's.
func checkLog(sf *stateFile, l *eventLog) (*snapshot, error) {
	first, err := l.event(l.first)
	if err != nil {
		return nil, err
	}
	if first.Op != api.OpInit || first.VersionBefore != 0 || first.VersionAfter != first.Seq {
		return nil, fmt.Errorf("event %d is %q %d→%d, want %q 0→%d", first.Seq, first.Op, first.VersionBefore, first.VersionAfter, api.OpInit, first.Seq)
	}
	last, err := l.event(l.last())
	if err != nil {
		return nil, err
	}
	if last.Seq > first.Seq && (last.VersionAfter != last.Seq || last.VersionBefore != last.Seq-1) {
		return nil, fmt.Errorf("event %d goes %d→%d", last.Seq, last.VersionBefore, last.VersionAfter)
	}
	if sf.Version < l.first || sf.Version > l.last() {
		return nil, fmt.Errorf("the state file is at version %d, outside the log's %d–%d: acknowledged events are missing", sf.Version, l.first, l.last())
	}
	at, err := l.event(sf.Version)
	if err != nil {
		return nil, err
	}
	if !sameDocument(sf.Server, at.Server) {
		return nil, fmt.Errorf("the state file's document differs from the log's at version %d", sf.Version)
	}
	doc := last.Server
	doc.Normalize()
	return newSnapshot(last.VersionAfter, doc, sf.Lease, l)
}

// sameDocument reports whether a and b are the same document once normalized.
func sameDocument(a, b api.Server) bool {
	a, b = a.Clone(), b.Clone()
	a.Normalize()
	b.Normalize()
	return reflect.DeepEqual(a, b)
}

// openState loads the state file at path for serving: it drops a torn last
// record and removes log files the state file does not name.
func openState(path string, log *slog.Logger) (*snapshot, error) {
	snap, torn, err := loadSnapshot(path, os.O_RDWR)
	if err != nil {
		return nil, err
	}
	if torn > 0 {
		log.Warn("dropping the torn last record of the audit log (it was never acknowledged)", "bytes", torn)
		err := snap.log.f.Truncate(snap.log.end)
		if err == nil {
			err = snap.log.f.Sync()
		}
		if err != nil {
			snap.log.f.Close()
			return nil, fmt.Errorf("load state %s: drop the torn last record: %w", path, err)
		}
	}
	removeOtherLogs(path, snap.log.name, log)
	return snap, nil
}

// removeOtherLogs removes the log files of the state file at path other
// than keep: left by a compaction that a crash interrupted, or not removable
// by it.
func removeOtherLogs(path, keep string, log *slog.Logger) {
	logs, _ := filepath.Glob(filepath.Join(filepath.Dir(path), filepath.Base(path)+".log-*"))
	for _, f := range logs {
		if filepath.Base(f) == keep {
			continue
		}
		if err := os.Remove(f); err != nil {
			log.Warn("remove old audit log", "path", f, "err", err)
		}
	}
}

// compact returns cur with its log cut to its last keep events after a new
// init event carrying the document the first of them started from. The new
// log file is written and fsynced, then the state file is switched to it,
// then the old one is removed (a reader still holding it keeps reading it).
func compact(path string, cur *snapshot, keep int) (*snapshot, error) {
	l := cur.log
	k := l.last() - int64(keep) // the event whose document starts the kept log
	base, err := l.event(k)
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	args, err := json.Marshal(base.Server)
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	raw, err := json.Marshal(api.Event{Seq: k, Time: base.Time, Actor: "supd", Op: api.OpInit, Args: args,
		VersionBefore: 0, VersionAfter: k, Server: base.Server})
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	from := l.offsets[k+1-l.first]
	kept := make([]byte, l.end-from)
	if _, err := l.f.ReadAt(kept, from); err != nil {
		return nil, fmt.Errorf("compact: read the kept events: %w", err)
	}
	initLine := frame(raw)
	nl, err := createLog(path, k, initLine, kept)
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	// createLog counted the kept events as one record: index them.
	shift := int64(len(initLine)) - from
	nl.offsets = nl.offsets[:1]
	for _, off := range l.offsets[k+1-l.first:] {
		nl.offsets = append(nl.offsets, off+shift)
	}
	next, err := newSnapshot(cur.version, cur.server, cur.lease, nl)
	if err != nil {
		nl.f.Close()
		return nil, err
	}
	if err := writeStateFile(path, next); err != nil {
		nl.f.Close()
		os.Remove(filepath.Join(filepath.Dir(path), nl.name))
		return nil, fmt.Errorf("compact: %w", err)
	}
	// The old file is left to readers that still hold it; the runtime
	// closes it once they are done with it.
	os.Remove(filepath.Join(filepath.Dir(path), l.name))
	return next, nil
}
