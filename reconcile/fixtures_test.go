package reconcile

import (
	"context"
	"errors"
	"testing"
)

// TestFixtures plans, applies and verifies every valid fixture repo against
// supd processes started from fixtures/servers: the demo's path.
func TestFixtures(t *testing.T) {
	for _, name := range []string{"mixed-http", "native-hierarchy", "current-branch"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := loadRepo(t, "../fixtures/valid/"+name)
			c := startCluster(t, fixtureDocs(t, name))
			r := c.reconciler(Options{})
			p, err := r.Plan(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !p.HasChanges() {
				t.Fatal("the fixture servers already match the config: the demo has nothing to do")
			}
			for _, sp := range p.Sites {
				if len(sp.Manual) > 0 {
					t.Fatalf("site %s needs manual steps: %+v", sp.Site, sp.Manual)
				}
			}
			if _, err := r.Apply(ctx, cfg, p, Fresh); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Verify(ctx, cfg, nil); err != nil {
				t.Fatal(err)
			}
			n := assertReplayHealthy(t, cfg, c.events(ctx))
			if n != p.Summary().Changes {
				t.Errorf("replayed %d ops, plan had %d steps", n, p.Summary().Changes)
			}
			if _, err := r.Verify(ctx, cfg, nil); errors.Is(err, ErrNotConverged) {
				t.Fatal(err)
			}
		})
	}
}
