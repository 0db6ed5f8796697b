package reconcile

import (
	"context"
	"errors"
	"fmt"

	"github.com/supctl/supctl/schema"
)

// Verify observes the selected sites again (SPEC §5.7): the plan from the
// new observation must have no step and no manual step, and every site must
// be healthy; otherwise the error wraps ErrNotConverged. The plan is
// returned for display whenever one could be made.
func (r *Reconciler) Verify(ctx context.Context, cfg *schema.Config, codes []string) (*Plan, error) {
	p, err := r.Plan(ctx, cfg, codes)
	if err != nil {
		if errors.Is(err, ErrUnsafe) {
			return nil, fmt.Errorf("%w: %w", ErrNotConverged, err)
		}
		return nil, err
	}
	var errs []error
	for _, sp := range p.Sites {
		switch {
		case len(sp.Steps) > 0 || len(sp.Manual) > 0:
			errs = append(errs, fmt.Errorf("site %s: %w: %d changes and %d manual steps remain", sp.Site, ErrNotConverged, len(sp.Steps), len(sp.Manual)))
		case !sp.Health.Healthy:
			errs = append(errs, fmt.Errorf("site %s: %w: %s", sp.Site, ErrNotConverged, sp.Health))
		}
	}
	return p, errors.Join(errs...)
}
