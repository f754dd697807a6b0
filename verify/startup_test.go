package verify

import (
	"errors"
	"testing"
	"time"
)

func TestStartup(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	dir := extracted(t, toolsImage(t))
	quick, err := Startup(t.Context(), dir, Command{Argv: []string{"ls", "--version"}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := Startup(t.Context(), dir, Command{Argv: []string{"sh", "-c", "sleep 0.3"}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// The sandbox's own cost is in both; the sleep only in one.
	if quick <= 0 || slow < quick+250*time.Millisecond {
		t.Errorf("Startup = %v for ls --version and %v for a 0.3 s sleep; want the second 0.3 s longer", quick, slow)
	}
	_, err = Startup(t.Context(), dir, Command{Argv: []string{"sleep", "60"}}, 1, WithTimeout(300*time.Millisecond))
	if !errors.Is(err, ErrNoExit) {
		t.Errorf("Startup of a command that does not exit: %v, want ErrNoExit", err)
	}
}
