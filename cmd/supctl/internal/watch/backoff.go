package watch

import (
	"math/rand/v2"
	"time"
)

// backoff is a per-site exponential backoff: base, 2·base, 4·base, … capped
// at max.
type backoff struct {
	base, max time.Duration
	failures  int
}

// next records a failure and returns how long to wait before the retry.
func (b *backoff) next() time.Duration {
	d := b.base
	for i := 0; i < b.failures && d < b.max; i++ {
		d *= 2
	}
	b.failures++
	return min(d, b.max)
}

// reset records a success.
func (b *backoff) reset() { b.failures = 0 }

// jitter returns d moved by a random amount in [-frac·d, +frac·d].
func jitter(d time.Duration, frac float64) time.Duration {
	if d <= 0 || frac <= 0 {
		return d
	}
	f := 1 + frac*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}
