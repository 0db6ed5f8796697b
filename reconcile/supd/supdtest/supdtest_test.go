package supdtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

func TestMergeEvents(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	ev := func(seq int64, sec int) api.Event {
		return api.Event{Seq: seq, Time: t0.Add(time.Duration(sec) * time.Second)}
	}
	logs := map[string][]api.Event{
		"b": {ev(1, 0), ev(2, 2), ev(3, 2)},
		"a": {ev(1, 1), ev(2, 2), ev(3, 3)},
	}
	var got []string
	for _, e := range MergeEvents(logs) {
		got = append(got, fmt.Sprintf("%s%d", e.FQDN, e.Event.Seq))
	}
	// By time; at the same time by server, then by seq.
	if want := "b1 a1 a2 b2 b3 a3"; strings.Join(got, " ") != want {
		t.Errorf("MergeEvents order = %s, want %s", strings.Join(got, " "), want)
	}
}

func TestReplayHealthy(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	doc := api.NewServer("a") // no ConfigMgr: not serving, which is healthy
	logs := map[string][]api.Event{"a": {
		{Seq: 1, Time: t0, Op: api.OpInit, Server: doc},
		{Seq: 2, Time: t0.Add(time.Second), Op: "op", Server: doc},
		{Seq: 3, Time: t0.Add(2 * time.Second), Op: "op", Server: doc},
	}}
	if n, err := ReplayHealthy(logs, t0, Site{Name: "A", SiteServer: "a", Servers: []string{"a"}}); n != 2 || err != nil {
		t.Errorf("ReplayHealthy = %d, %v; want 2 events replayed, healthy", n, err)
	}
	// A site whose site server has no log is unhealthy from the start.
	_, err := ReplayHealthy(logs, t0, Site{Name: "B", SiteServer: "b", Servers: []string{"b"}})
	if err == nil || !strings.Contains(err.Error(), "site B starts unhealthy") {
		t.Errorf("ReplayHealthy without the site server's log = %v, want an error", err)
	}
	logs["a"] = logs["a"][1:]
	if _, err := ReplayHealthy(logs, t0); err == nil || !strings.Contains(err.Error(), "does not start with init") {
		t.Errorf("ReplayHealthy of a log without init = %v, want an error", err)
	}
}
