package dockerfile

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files: docs/rules.md")

// writeRulesDoc renders the rule registry as docs/rules.md.
func writeRulesDoc(w *bytes.Buffer, rules []Rule) {
	fmt.Fprint(w, `# diet lint rules

<!-- Generated from the rule registry by `+"`go test ./dockerfile -run TestRulesDoc -update`"+`. Do not edit. -->

`+"`diet lint`"+` finds size mistakes in Dockerfiles, with the line and, where it can, the bytes at stake.
Rule IDs are stable: rules are added and deprecated, never renumbered. Where a rule checks what a
hadolint rule checks, it carries the hadolint ID as an alias, shown in the JSON output (`+"`aliases`"+`),
and behaves the same on the same input except where its entry below says how diet is stricter or
smarter.

Silence a rule for one instruction with a comment on the line just above it:
`+"`# diet ignore=DIET201,DIET202`"+`. hadolint's `+"`# hadolint ignore=DL3009`"+` works too, through the
aliases. `+"`# diet global ignore=DIET110`"+` anywhere silences a rule for the whole file, and the config
file can turn rules off by ID or alias.

**Which stages count.** A rule about what a layer holds (caches, toolchains, downloads, copies) looks
only at the stages whose layers reach the final image: the final stage (or the `+"`--target`"+`) and the
stages it is built `+"`FROM`"+`, plus every `+"`ONBUILD RUN`"+`. A cache left in a build stage costs nothing once
only the binary is copied out. hadolint checks every stage; for a single-stage Dockerfile the two agree.
diet reports the line of the offending command inside a multi-line RUN, hadolint the RUN's first line.

| ID | name | hadolint | severity | fixable | summary |
|---|---|---|---|---|---|
`)
	for _, r := range rules {
		fmt.Fprintf(w, "| [%s](#%s) | %s | %s | %s | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Name, orDash(strings.Join(r.Aliases, ", ")),
			r.Severity, yesNo(r.Fixable), r.Summary)
	}
	for _, r := range rules {
		// An explicit anchor, so links can use the ID alone: rules.md#diet101.
		fmt.Fprintf(w, "\n<a id=\"%s\"></a>\n\n## %s %s\n\n", strings.ToLower(r.ID), r.ID, r.Name)
		fmt.Fprintf(w, "**%s** · %s · hadolint: %s\n\n", r.Severity, fixText(r.Fixable), orDash(strings.Join(r.Aliases, ", ")))
		fmt.Fprintf(w, "%s.\n\n%s\n\n", upper(r.Summary), r.Doc)
		fmt.Fprintf(w, "Bad:\n\n```dockerfile\n%s```\n\nGood:\n\n```dockerfile\n%s```\n", r.Bad, r.Good)
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func fixText(b bool) string {
	if b {
		return "fixable by `diet fix`"
	}
	return "not fixable"
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// TestRulesDoc keeps docs/rules.md equal to the registry; run with -update
// to rewrite it.
func TestRulesDoc(t *testing.T) {
	var buf bytes.Buffer
	writeRulesDoc(&buf, Rules())
	path := filepath.Join("..", "docs", "rules.md")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("docs/rules.md has drifted from the rules; run go test ./dockerfile -run TestRulesDoc -update (-want +got):\n%s", diff)
	}
}

// TestRuleExamples: every rule fires on its Bad example and not on its
// Good one, so the documentation cannot lie.
func TestRuleExamples(t *testing.T) {
	t.Parallel()
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			fires := func(src string) bool {
				f, err := Parse("Dockerfile", []byte(src))
				if err != nil {
					t.Fatalf("Parse(%q): %v", src, err)
				}
				opts := []Option{}
				if r.ID == "DIET105" { // needs a context without .dockerignore
					opts = append(opts, WithContextDir(t.TempDir()))
				}
				for _, fd := range Lint(f, opts...) {
					if fd.ID == r.ID {
						return true
					}
				}
				return false
			}
			if !fires(r.Bad) {
				t.Errorf("%s does not fire on its Bad example:\n%s", r.ID, r.Bad)
			}
			if r.ID != "DIET105" && fires(r.Good) {
				t.Errorf("%s fires on its Good example:\n%s", r.ID, r.Good)
			}
		})
	}
}

// TestRegistry checks the public shape of every rule: a stable ID in
// order, a name, a severity, docs, and aliases that resolve back to it.
func TestRegistry(t *testing.T) {
	t.Parallel()
	idRe := regexp.MustCompile(`^DIET\d{3}$`)
	nameRe := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	prev := ""
	names := map[string]bool{}
	for _, r := range Rules() {
		if !idRe.MatchString(r.ID) || r.ID <= prev {
			t.Errorf("rule ID %q after %q: want DIET### in increasing order", r.ID, prev)
		}
		prev = r.ID
		if !nameRe.MatchString(r.Name) || names[r.Name] {
			t.Errorf("%s: name %q is not kebab-case or not unique", r.ID, r.Name)
		}
		names[r.Name] = true
		if r.Severity < SeverityStyle || r.Severity > SeverityError {
			t.Errorf("%s: severity %d", r.ID, r.Severity)
		}
		if r.Summary == "" || r.Doc == "" || r.Bad == "" || r.Good == "" || !strings.HasSuffix(r.Bad, "\n") || !strings.HasSuffix(r.Good, "\n") {
			t.Errorf("%s: summary, doc, and Bad and Good examples ending in a newline are required", r.ID)
		}
		for _, a := range append([]string{r.ID, r.Name}, r.Aliases...) {
			if got, ok := Lookup(strings.ToLower(a)); !ok || got.ID != r.ID {
				t.Errorf("Lookup(%q) = %s, %v; want %s", a, got.ID, ok, r.ID)
			}
		}
	}
	if _, ok := Lookup("DL3008"); ok {
		t.Error("Lookup(DL3008) found a rule; DL3008 (pinning) is not a size rule")
	}
}
