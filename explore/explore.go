// Package explore is diet explore: the analysis of an image walked in the
// terminal. A layer list on the left; on the right the filesystem as of the
// selected layer (or only what that layer changed), the wasted bytes, the
// culprits and recommendations. It works on analyze's data alone: the
// report must carry each layer's files (analyze.WithFiles).
package explore

import (
	"context"
	"io"

	tea "charm.land/bubbletea/v2"

	"github.com/dietimage/diet/analyze"
)

// Run shows r and its filesystem on the terminal at in and out until the
// user quits, and restores the terminal.
func Run(ctx context.Context, r *analyze.Report, fs *analyze.Filesystem, in io.Reader, out io.Writer) error {
	p := tea.NewProgram(New(r, fs), tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	_, err := p.Run()
	return err
}
