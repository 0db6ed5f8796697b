package supd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// WriteSyntheticState writes a state file at path, and its audit log, as
// if supd had started from doc and applied n-1 ops since: each turns the
// sslFlags of the Inventory virtual root on or off, one second after the
// last. Tests and benchmarks use it to start supd on a long log without
// making every event through the API.
func WriteSyntheticState(path string, doc api.Server, n int) error {
	doc = doc.Clone()
	doc.Normalize()
	name := logName(path, 1)
	f, err := os.OpenFile(filepath.Join(filepath.Dir(path), name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for seq := int64(1); seq <= int64(n); seq++ {
		ev := api.Event{Seq: seq, Time: t0.Add(time.Duration(seq) * time.Second), Actor: "admin",
			VersionBefore: seq - 1, VersionAfter: seq}
		if seq == 1 {
			ev.Actor, ev.Op = "supd", api.OpInit
			ev.Args, _ = json.Marshal(doc)
		} else {
			flags := []string{}
			if seq%2 == 0 {
				flags = []string{api.FlagSsl}
			}
			doc.IIS.VRoots[api.VRootInventory] = flags
			ev.Op = api.OpSetSslFlags
			ev.Args, _ = json.Marshal(api.SetSslFlagsArgs{VRoot: api.VRootInventory, Flags: flags})
		}
		ev.Server = doc.Clone()
		raw, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if _, err := w.Write(frame(raw)); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync: %w", err)
	}
	snap, err := newSnapshot(int64(n), doc, nil, &eventLog{name: name})
	if err != nil {
		return err
	}
	return writeStateFile(path, snap)
}
