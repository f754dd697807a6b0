package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/explore"
)

func newExploreCmd(g *globals) *cobra.Command {
	var src imageFlags
	cmd := &cobra.Command{
		Use:   "explore IMAGE",
		Short: "Walk an image's layers, files and waste in the terminal",
		Long: "explore analyses IMAGE as analyze does and shows it in the terminal: the layers on the\n" +
			"left; on the right the filesystem as of the selected layer (or only what it changed, l),\n" +
			"marked A added, M changed, R removed by colour and by letter; the wasted bytes (w), the\n" +
			"culprits and recommendations (c), the image's sizes and dive's figures (i). ? lists the\n" +
			"keys. It needs a terminal: elsewhere, diet analyze prints the same figures.",
		Example: "  diet explore docker-daemon:app:1\n  diet explore app.tar",
		Args:    exactArgs(1, "one IMAGE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if tty, _ := terminal(cmd.OutOrStdout()); !tty {
				return usage(cmd, errors.New("explore draws on a terminal, and standard output is none: diet analyze prints the same figures"))
			}
			iopts, err := src.options(g, cmd.ErrOrStderr())
			if err != nil {
				return usage(cmd, err)
			}
			var fs *analyze.Filesystem
			r, err := diet.Analyze(cmd.Context(), args[0], diet.WithImage(iopts...),
				diet.WithAnalyze(analyze.WithFilesystem(func(f *analyze.Filesystem) { fs = f })))
			if err != nil {
				return err
			}
			return explore.Run(cmd.Context(), r, fs, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	src.add(cmd.Flags(), "explore")
	return cmd
}
