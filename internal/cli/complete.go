package cli

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// This file holds shell completion: the values of the flags that take one
// of a fixed set, each with a word of description for shells that show it.

// flagValues are the values of the enumerated flags, by command and flag.
// A value added to a flag's parser belongs here too: TestCompletion feeds
// every value listed here back to the command.
var flagValues = map[string]map[string][]cobra.Completion{
	"analyze": {"format": analyzeFormats},
	"diff":    {"format": analyzeFormats},
	"lint": {
		"format": {
			cobra.CompletionWithDesc("text", "for people"),
			cobra.CompletionWithDesc("json", "for programs"),
			cobra.CompletionWithDesc("sarif", "SARIF 2.1.0, for GitHub code scanning"),
			cobra.CompletionWithDesc("checkstyle", "Checkstyle XML, as hadolint writes it"),
			cobra.CompletionWithDesc("gitlab", "GitLab Code Quality JSON"),
		},
	},
	"slim": {
		"level": {
			cobra.CompletionWithDesc("squash", "merge the layers above the base into one"),
			cobra.CompletionWithDesc("prune", "also leave out caches, sources, docs, locales and unused toolchains"),
			cobra.CompletionWithDesc("minimal", "keep only what the entrypoint needs, on an empty base"),
		},
		"verify-with": {
			cobra.CompletionWithDesc("sandbox", "bubblewrap on this machine"),
			cobra.CompletionWithDesc("docker", "the Docker engine, --network none"),
		},
	},
}

// analyzeFormats complete the --format of analyze and diff.
var analyzeFormats = []cobra.Completion{
	cobra.CompletionWithDesc("text", "for people"),
	cobra.CompletionWithDesc("json", "for programs"),
	cobra.CompletionWithDesc("markdown", "for a pull request comment or a GitHub step summary"),
	cobra.CompletionWithDesc("html", "one self-contained page with treemaps"),
}

// formatValues complete every flag whose value is a [format].
var formatValues = []cobra.Completion{
	cobra.CompletionWithDesc(string(formatText), "for people"),
	cobra.CompletionWithDesc(string(formatJSON), "for programs"),
}

// addCompletions registers the completion of the enumerated flags of
// root's commands. Values never fall back to file names.
func addCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		c.Flags().VisitAll(func(fl *pflag.Flag) {
			values := flagValues[c.Name()][fl.Name]
			if _, ok := fl.Value.(*format); ok {
				values = formatValues
			}
			if values == nil {
				return
			}
			// Each flag is registered once, on a fresh tree: the error
			// (a second registration) cannot happen.
			_ = c.RegisterFlagCompletionFunc(fl.Name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		})
	}
}
