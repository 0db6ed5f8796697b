package supd_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// killTrials is the number of kill -9 trials; -short runs fewer.
const killTrials = 100

// TestKill9 starts supd on one state file over and over; each time a client
// streams writes (each waits for the previous answer) and the process gets
// SIGKILL at a random instant. After every kill the state file must load and
// hold every acknowledged write: the acknowledged version and document are
// in the audit log, and the file's version is the last acknowledged one or
// (when the kill hit between persisting and answering) one more.
func TestKill9(t *testing.T) {
	trials := killTrials
	if testing.Short() {
		trials = 10
	}
	dir := workdir(t)
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	type ack struct {
		version int64
		server  api.Server
	}
	var acked []ack
	totalAcked, midWrite := 0, 0
	for trial := range trials {
		p, err := supdtest.Launch(t, supdBin, options(dir))
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		c, err := client.New(p.URL, client.Options{Token: writeToken})
		if err != nil {
			t.Fatal(err)
		}
		st, err := c.GetState(ctx)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if n := len(acked); n > 0 && (st.Version < acked[n-1].version || st.Version > acked[n-1].version+1) {
			t.Fatalf("trial %d: restarted at version %d, last acknowledged %d", trial, st.Version, acked[n-1].version)
		}
		// What the restarted server reports is acknowledged too (it may hold
		// the write the last kill cut off before its answer).
		if n := len(acked); n == 0 || st.Version > acked[n-1].version {
			acked = append(acked, ack{st.Version, st.Server})
		}

		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			cur := st
			for i := 0; ; i++ {
				root := api.VRoots[(int(cur.Version)+i)%len(api.VRoots)]
				flags := []string{api.FlagSsl}
				if len(cur.Server.IIS.VRoots[root]) > 0 {
					flags = []string{}
				}
				op, _ := api.NewOp(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: root, Flags: flags})
				next, err := c.Op(ctx, cur.Version, "", op)
				if err != nil {
					return // killed
				}
				if next.Version != cur.Version+1 {
					t.Errorf("trial %d: write at %d answered version %d", trial, cur.Version, next.Version)
					return
				}
				acked = append(acked, ack{next.Version, next.Server})
				totalAcked++
				cur = next
			}
		}()
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		p.Kill()
		<-stopped
		if t.Failed() {
			t.FailNow()
		}

		loaded, err := supd.LoadState(p.StatePath)
		if err != nil {
			t.Fatalf("trial %d: the state file does not load after kill -9: %v", trial, err)
		}
		{
			last := acked[len(acked)-1].version
			switch loaded.Version {
			case last:
			case last + 1:
				midWrite++
			default:
				t.Fatalf("trial %d: file at version %d, last acknowledged %d", trial, loaded.Version, last)
			}
		}
		byVersion := map[int64]api.Server{}
		for _, ev := range loaded.Events {
			byVersion[ev.VersionAfter] = ev.Server
		}
		for _, a := range acked {
			if got, ok := byVersion[a.version]; !ok || !reflect.DeepEqual(got, a.server) {
				t.Fatalf("trial %d: acknowledged version %d is lost or differs in the log", trial, a.version)
			}
		}
	}
	// A clean start removes the temporary files kills left behind.
	p := startSupd(t, dir)
	if _, err := p.Client(t, readToken).GetState(ctx); err != nil {
		t.Fatal(err)
	}
	stale, _ := filepath.Glob(filepath.Join(dir, ".state.json.tmp-*"))
	if len(stale) != 0 {
		t.Fatalf("stale temporary files remain: %v", stale)
	}
	info, _ := os.Stat(p.StatePath)
	t.Logf("kill -9 trials: %d, acknowledged writes: %d, none lost; kills between persist and answer: %d; state file %s",
		trials, totalAcked, midWrite, fmt.Sprintf("%d bytes", info.Size()))
}
