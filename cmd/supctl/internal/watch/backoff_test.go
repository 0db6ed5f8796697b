package watch

import (
	"testing"
	"time"
)

func TestBackoffDoublesToTheCap(t *testing.T) {
	b := backoff{base: time.Second, max: 5 * time.Minute}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300}
	for i, w := range want {
		if got := b.next(); got != w*time.Second {
			t.Fatalf("failure %d: wait %v, want %v", i+1, got, w*time.Second)
		}
	}
	b.reset()
	if got := b.next(); got != time.Second {
		t.Fatalf("after a success: wait %v, want 1s", got)
	}
}

func TestJitterStaysWithinTenPercent(t *testing.T) {
	d := 5 * time.Minute
	for range 1000 {
		got := jitter(d, intervalJitter)
		if got < 270*time.Second || got > 330*time.Second {
			t.Fatalf("jitter(5m) = %v, outside ±10%%", got)
		}
	}
	if got := jitter(0, intervalJitter); got != 0 {
		t.Fatalf("jitter(0) = %v", got)
	}
}
