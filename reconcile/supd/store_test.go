package supd_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// logFiles returns the audit log files beside the state file of dir.
func logFiles(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "state.json.log-*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// toggle makes n changes through c, each setting the client agent's scan
// schedule to 3 or 7 days (a change that keeps the site healthy), and
// returns the state after each, by version.
func toggle(t testing.TB, c *client.Client, from int64, n int) map[int64]api.State {
	t.Helper()
	out := map[int64]api.State{}
	v := from
	for i := range n {
		days := 7
		if v%2 == 1 {
			days = 3
		}
		agent := api.ClientAgent{Enabled: true, ScanSchedule: api.Schedule{Days: days},
			ReevaluationSchedule: api.Schedule{Days: 7}, DeadlineWindow: api.Schedule{Days: 7}}
		st, err := c.Op(context.Background(), v, "", mustOp(t, api.OpSetClientAgent, agent))
		if err != nil || st.Version != v+1 {
			t.Fatalf("change %d at version %d: %v (version %d)", i, v, err, st.Version)
		}
		v = st.Version
		out[v] = st
	}
	return out
}

// TestEventsPaging: GET /v1/events answers at most limit events (default
// 1,000, at most 10,000) with the cursor of the next page, and the client
// reads the whole log page by page.
func TestEventsPaging(t *testing.T) {
	dir := workdir(t)
	doc := initDoc()
	if err := supd.WriteSyntheticState(filepath.Join(dir, "state.json"), doc, 1_234); err != nil {
		t.Fatal(err)
	}
	p := startSupd(t, dir)
	c := p.Client(t, readToken)
	ctx := context.Background()

	page, err := c.EventsPage(ctx, 0, 0)
	if err != nil || len(page.Events) != api.DefaultEventsLimit || page.Next == nil || *page.Next != 1_000 {
		t.Fatalf("default page: %v, %d events, next %v; want 1000 events and next 1000", err, len(page.Events), page.Next)
	}
	page, err = c.EventsPage(ctx, *page.Next, 0)
	if err != nil || len(page.Events) != 234 || page.Events[0].Seq != 1_001 || page.Next != nil {
		t.Fatalf("last page: %v, %d events, next %v", err, len(page.Events), page.Next)
	}
	page, err = c.EventsPage(ctx, 10, 5)
	if err != nil || len(page.Events) != 5 || page.Events[0].Seq != 11 || page.Events[4].Seq != 15 || page.Next == nil || *page.Next != 15 {
		t.Fatalf("limit 5 since 10: %v %+v", err, page.Next)
	}
	all, err := c.Events(ctx, 0)
	if err != nil || len(all) != 1_234 {
		t.Fatalf("all events: %v, %d", err, len(all))
	}
	for i, ev := range all {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i+1, ev.Seq)
		}
	}
	for _, bad := range []string{"0", "10001", "-1", "x"} {
		if code, _, body := raw(t, "GET", p.URL+"/v1/events?limit="+bad, readToken, ""); code != 400 {
			t.Errorf("limit=%s: %d %s, want 400", bad, code, body)
		}
	}
	if code, _, body := raw(t, "GET", p.URL+"/v1/events?limit=10000", readToken, ""); code != 200 || strings.Count(body, `"seq":`) != 1_234 {
		t.Errorf("limit=10000: %d, %d events", code, strings.Count(body, `"seq":`))
	}
}

// TestEventsKeepCompacts: past --events-keep (plus a tenth) the log keeps
// its last events after an init event carrying the document they start
// from, so that it still replays; the compacted log survives a restart and
// only one log file remains.
func TestEventsKeepCompacts(t *testing.T) {
	dir := workdir(t)
	p := startSupd(t, dir, "--events-keep", "10")
	c := p.Client(t, writeToken)
	states := toggle(t, c, 1, 30)
	check := func(when string, evs []api.Event) {
		t.Helper()
		if len(evs) < 11 || len(evs) > 12 {
			t.Fatalf("%s: %d events kept, want the init one and 10 or 11 more", when, len(evs))
		}
		first := evs[0]
		want := states[first.Seq]
		if first.Op != api.OpInit || first.VersionBefore != 0 || first.VersionAfter != first.Seq || !reflect.DeepEqual(first.Server, want.Server) {
			t.Fatalf("%s: first kept event %s seq %d %d→%d; want init carrying the document of version %d", when, first.Op, first.Seq, first.VersionBefore, first.VersionAfter, first.Seq)
		}
		for i, ev := range evs[1:] {
			if ev.Seq != first.Seq+int64(i)+1 || !reflect.DeepEqual(ev.Server, states[ev.VersionAfter].Server) {
				t.Fatalf("%s: event %d: seq %d, or its document differs from the acknowledged one", when, i+1, ev.Seq)
			}
		}
		if last := evs[len(evs)-1]; last.Seq != 31 {
			t.Fatalf("%s: last event %d, want 31", when, last.Seq)
		}
		// The kept log replays: each event's document is the init one's
		// after the ops.
		n, err := supdtest.ReplayHealthy(map[string][]api.Event{siteFQDN: evs}, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
			supdtest.Site{Name: "P01", SiteServer: siteFQDN, Servers: []string{siteFQDN}})
		if err != nil || n != len(evs)-1 {
			t.Fatalf("%s: replay: %d, %v", when, n, err)
		}
	}
	evs, err := c.Events(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	check("served", evs)
	if files := logFiles(t, dir); len(files) != 1 {
		t.Fatalf("log files %v, want one", files)
	}
	if code := p.Stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
	loaded, err := supd.LoadState(filepath.Join(dir, "state.json"))
	if err != nil || loaded.Version != 31 {
		t.Fatalf("LoadState: %v %+v", err, loaded)
	}
	check("loaded", loaded.Events)
	p = startSupd(t, dir, "--events-keep", "10")
	if st, err := p.Client(t, readToken).GetState(context.Background()); err != nil || st.Version != 31 {
		t.Fatalf("after restart: %v version %d", err, st.Version)
	}
}

// TestTornLastRecord: a last record cut short (a crash while appending,
// never acknowledged) is dropped at start; a damaged record before the last
// is refused, never dropped.
func TestTornLastRecord(t *testing.T) {
	dir := workdir(t)
	p := startSupd(t, dir)
	toggle(t, p.Client(t, writeToken), 1, 3)
	p.Kill()
	files := logFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("log files %v", files)
	}
	good, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	// Half of a fifth record, as a kill during its write leaves it.
	lines := bytes.SplitAfter(good, []byte("\n"))
	torn := append(bytes.Clone(good), lines[3][:len(lines[3])/2]...)
	if err := os.WriteFile(files[0], torn, 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := supd.LoadState(p.StatePath)
	if err != nil || loaded.Version != 4 || loaded.TornTail != int64(len(lines[3])/2) {
		t.Fatalf("LoadState of a log with a torn tail: %v %+v", err, loaded)
	}
	p = startSupd(t, dir)
	if st, err := p.Client(t, readToken).GetState(context.Background()); err != nil || st.Version != 4 {
		t.Fatalf("after the torn record: %v version %d", err, st.Version)
	}
	toggle(t, p.Client(t, writeToken), 4, 1)
	p.Kill()
	if loaded, err := supd.LoadState(p.StatePath); err != nil || loaded.Version != 5 || loaded.TornTail != 0 {
		t.Fatalf("after a write past the dropped record: %v %+v", err, loaded)
	}

	// A record before the last damaged: refused.
	now, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	damaged := bytes.Replace(now, []byte(`"siteCode":"P01"`), []byte(`"siteCode":"P02"`), 1)
	if bytes.Equal(damaged, now) {
		t.Fatal("the edit changed nothing")
	}
	if err := os.WriteFile(files[0], damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := supd.LoadState(p.StatePath); err == nil || !strings.Contains(err.Error(), "record at offset 0 is damaged") {
		t.Fatalf("LoadState of a damaged first record: %v", err)
	}
	if _, err := supdtest.Launch(t, supdBin, options(dir)); err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Fatalf("start on a damaged log: %v", err)
	}
}

// TestLeasesDoNotWriteTheLog: taking, renewing and releasing a lease
// rewrite the small state file, never the audit log.
func TestLeasesDoNotWriteTheLog(t *testing.T) {
	dir := workdir(t)
	p := startSupd(t, dir)
	c := p.Client(t, writeToken)
	toggle(t, c, 1, 2)
	files := logFiles(t, dir)
	before, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := c.TakeLease(ctx, "apply", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RenewLease(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	loaded, err := supd.LoadState(p.StatePath)
	if err != nil || loaded.LeaseHolder != "apply" {
		t.Fatalf("the lease is not in the state file: %v %+v", err, loaded)
	}
	if err := c.ReleaseLease(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if now := logFiles(t, dir); len(now) != 1 || now[0] != files[0] || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		t.Fatalf("the lease calls wrote the log: %v, size %d → %d, mtime %v → %v", now, before.Size(), after.Size(), before.ModTime(), after.ModTime())
	}
}

// BenchmarkPostOpAtEvents: POST /v1/ops latency (p50, p99) on a real supd
// whose audit log already holds 1,000 or 50,000 events (issue 13: it was
// 6 ms and 162 ms when the log was rewritten whole on every write).
func BenchmarkPostOpAtEvents(b *testing.B) {
	for _, n := range []int{1_000, 50_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			dir := workdir(b)
			if err := supd.WriteSyntheticState(filepath.Join(dir, "state.json"), initDoc(), n); err != nil {
				b.Fatal(err)
			}
			p := startSupd(b, dir)
			c := p.Client(b, writeToken)
			ctx := context.Background()
			version := int64(n)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				flags := []string{}
				if i%2 == 0 {
					flags = []string{api.FlagSsl}
				}
				op := mustOp(b, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: flags})
				t0 := time.Now()
				st, err := c.Op(ctx, version, "", op)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				version = st.Version
			}
			elapsed := time.Since(start)
			b.StopTimer()
			reportLatencies(b, lat, elapsed)
		})
	}
}

// BenchmarkStartup: from exec to "listening on" for a supd whose audit log
// holds 1,000 or 50,000 events (issue 13: 2.2 s at 50,000 before).
func BenchmarkStartup(b *testing.B) {
	for _, n := range []int{1_000, 50_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			dir := workdir(b)
			if err := supd.WriteSyntheticState(filepath.Join(dir, "state.json"), initDoc(), n); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				p, err := supdtest.Launch(b, supdBin, options(dir))
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				p.Kill()
				b.StartTimer()
			}
			b.StopTimer()
			if info, err := os.Stat(logFiles(b, dir)[0]); err == nil {
				b.ReportMetric(float64(info.Size())/1e6, "log-MB")
			}
		})
	}
}
