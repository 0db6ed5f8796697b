package watch

import (
	"maps"
	"sync"
	"time"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

// Status is what the loop knows now, for the live page: the latest vet and,
// per site, its last reconcile and next check. Safe for concurrent use.
type Status struct {
	mu    sync.Mutex
	rep   *vet.Report
	sites map[string]SiteStatus
}

// SiteStatus is one site's state in the loop.
type SiteStatus struct {
	// Result is the last reconcile's result (ResultApplied, …), "" before the first.
	Result string
	// Err is the last reconcile's error message, "" when it succeeded.
	Err string
	// LastRun is when the last reconcile ended.
	LastRun time.Time
	// LastDrift is when a reconcile last found drift (zero: never).
	LastDrift time.Time
	// NextCheck is when the site runs next, unless its config changes first.
	NextCheck time.Time
}

// NewStatus returns an empty Status.
func NewStatus() *Status { return &Status{sites: map[string]SiteStatus{}} }

// Snapshot returns the latest vet report (nil before the first, or when the
// repo could not be read) and a copy of the sites' states.
func (s *Status) Snapshot() (*vet.Report, map[string]SiteStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rep, maps.Clone(s.sites)
}

func (s *Status) vetted(rep *vet.Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rep = rep
}

func (s *Status) reconciled(site, result string, err error, drift bool, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sites[site]
	st.Result, st.Err, st.LastRun = result, "", now
	if err != nil {
		st.Err = err.Error()
	}
	if drift {
		st.LastDrift = now
	}
	s.sites[site] = st
}

func (s *Status) scheduled(site string, next time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sites[site]
	st.NextCheck = next
	s.sites[site] = st
}

func (s *Status) removed(site string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sites, site)
}
