package watch

import (
	"errors"
	"fmt"
	"testing"
)

func TestTerminalErrorMatches(t *testing.T) {
	base := errors.New("manual step required")
	term := fmt.Errorf("plan: %w", TerminalError(base))
	if !errors.Is(term, TerminalError(nil)) {
		t.Error("a wrapped terminal error does not match TerminalError(nil)")
	}
	if !errors.Is(term, base) {
		t.Error("a terminal error hides its cause")
	}
	if errors.Is(base, TerminalError(nil)) {
		t.Error("a plain error matches TerminalError(nil)")
	}
	if term.Error() != "plan: manual step required" {
		t.Errorf("message %q", term.Error())
	}
}
