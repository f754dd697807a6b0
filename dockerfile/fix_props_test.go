package dockerfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkFix runs Fix on src and checks what every fix must hold: no error,
// the output parses and has fewer findings when something changed
// (DIET110 aside: splitting RUNs differently may add one), the text is
// the same when nothing did, each change names a fixable rule and a line
// of the input, and fixing the output changes nothing.
func checkFix(t testing.TB, name string, src []byte, opts ...Option) *FixResult {
	t.Helper()
	f, err := Parse(name, src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	res, err := Fix(f, opts...)
	if err != nil {
		t.Fatalf("Fix(%q): %v", src, err)
	}
	out, err := Parse(name, res.Source)
	if err != nil {
		t.Fatalf("Fix(%q) = %q, which does not parse: %v", src, res.Source, err)
	}
	before, after := Lint(f, opts...), Lint(out, opts...)
	if len(res.Changes) == 0 && !bytes.Equal(res.Source, src) {
		t.Errorf("Fix(%q) changed the text but reports no change:\n%s", src, res.Source)
	}
	sizeRules := func(fds []Finding) int {
		return len(slices.DeleteFunc(slices.Clone(fds), func(fd Finding) bool { return fd.ID == layoutRule }))
	}
	if len(res.Changes) > 0 && sizeRules(after) >= sizeRules(before) {
		t.Errorf("Fix(%q) left %d findings of %d:\n%s", src, len(after), len(before), res.Source)
	}
	if fmt.Sprint(after) != fmt.Sprint(res.Suggestions) {
		t.Errorf("Fix(%q).Suggestions = %v, want Lint of the output %v", src, res.Suggestions, after)
	}
	lines := f.LineOf(len(src))
	for _, c := range res.Changes {
		r, ok := Lookup(c.ID)
		if !ok || !r.Fixable || c.Line < 1 || c.Line > lines || c.Message == "" || c.File != name {
			t.Errorf("Fix(%q): change %+v: want a fixable rule, a line of the input and a message", src, c)
		}
	}
	again, err := Fix(out, opts...)
	if err != nil {
		t.Fatalf("Fix(Fix(%q)): %v", src, err)
	}
	if !bytes.Equal(again.Source, res.Source) || len(again.Changes) > 0 {
		t.Errorf("fixing twice changes the file (%v):\nonce:\n%s\ntwice:\n%s", again.Changes, res.Source, again.Source)
	}
	return res
}

// TestFixRuleCases runs Fix on every snippet of the lint rule table.
func TestFixRuleCases(t *testing.T) {
	t.Parallel()
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			if tc.ctx != "" {
				opts = append(slices.Clone(opts), WithContextDir(t.TempDir()))
			}
			checkFix(t, "Dockerfile", []byte(tc.src), opts...)
		})
	}
}

// TestFixRuleExamples: each fixable rule's documented Bad example loses
// its finding (the go cache one to the multi-stage rewrite, which moves
// the caches into a build stage).
func TestFixRuleExamples(t *testing.T) {
	t.Parallel()
	for _, r := range Rules() {
		if !r.Fixable {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			res := checkFix(t, "Dockerfile", []byte(r.Bad))
			for _, fd := range res.Suggestions {
				if fd.ID == r.ID {
					t.Errorf("Fix(%s Bad) left %s: %s\n%s", r.ID, r.ID, fd.Message, res.Source)
				}
			}
			if len(res.Changes) == 0 {
				t.Errorf("Fix(%s Bad) changed nothing", r.ID)
			}
		})
	}
}

// TestFixFiles checks the properties on every Dockerfile in testdata.
func TestFixFiles(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.Dockerfile"))
	if len(files) < 5 {
		t.Fatalf("found %d Dockerfiles in testdata", len(files))
	}
	for _, p := range files {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			checkFix(t, filepath.Base(p), src)
		})
	}
}

// TestFixOnly: WithFixOnly applies the rules named and leaves the others'
// findings as suggestions.
func TestFixOnly(t *testing.T) {
	t.Parallel()
	src := []byte("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n")
	res := checkFix(t, "Dockerfile", src, WithFixOnly("DL3015"))
	want := "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends -y curl\n"
	if string(res.Source) != want {
		t.Errorf("Fix(WithFixOnly(DL3015)) =\n%s\nwant\n%s", res.Source, want)
	}
	if len(res.Changes) != 1 || res.Changes[0].ID != "DIET202" {
		t.Errorf("changes = %v, want one DIET202", res.Changes)
	}
	if !slices.ContainsFunc(res.Suggestions, func(fd Finding) bool { return fd.ID == "DIET201" }) {
		t.Errorf("suggestions = %v, want DIET201 left", res.Suggestions)
	}
	// Disabled rules are neither fixed nor suggested.
	res = checkFix(t, "Dockerfile", src, WithDisabled("DIET201", "DIET202"))
	if !bytes.Equal(res.Source, src) || len(res.Suggestions) != 0 {
		t.Errorf("Fix(WithDisabled) = %q, %v; want the input and no suggestions", res.Source, res.Suggestions)
	}
}

// TestFixKeepsText: lines no rewrite touches come out byte for byte,
// CRLF line ends and the escape directive included.
func TestFixKeepsText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, src, want string }{
		{"crlf", "FROM alpine:3.20\r\n# keep me\r\nRUN apk add curl\r\n", "FROM alpine:3.20\r\n# keep me\r\nRUN apk add --no-cache curl\r\n"},
		{"backtick escape", "# escape=`\nFROM debian:bookworm-slim\nRUN apt-get update `\n    && apt-get install -y --no-install-recommends curl\n",
			"# escape=`\nFROM debian:bookworm-slim\nRUN apt-get update `\n    && apt-get install -y --no-install-recommends curl `\n    && rm -rf /var/lib/apt/lists/*\n"},
		{"no final newline", "FROM alpine:3.20\nRUN apk add curl", "FROM alpine:3.20\nRUN apk add --no-cache curl"},
		{"comments inside a RUN", "FROM alpine:3.20\nRUN apk update \\\n    # the tools\n    && apk add curl \\\n    # done\n    && echo ok\n",
			"FROM alpine:3.20\nRUN apk add --no-cache curl \\\n    # done\n    && echo ok\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := checkFix(t, "Dockerfile", []byte(tc.src))
			if got := string(res.Source); got != tc.want {
				t.Errorf("Fix(%q) =\n%q\nwant\n%q", tc.src, got, tc.want)
			}
		})
	}
}

// TestFixUnchanged: a file with nothing to fix comes back as it is, the
// same slice, with no changes.
func TestFixUnchanged(t *testing.T) {
	t.Parallel()
	src := []byte("FROM alpine:3.20\n# nothing to do\nRUN apk add --no-cache curl\n")
	f, err := Parse("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fix(f)
	if err != nil || len(res.Changes) != 0 || &res.Source[0] != &src[0] {
		t.Errorf("Fix(clean file) = %q, %v, %v; want the input itself", res.Source, res.Changes, err)
	}
	if strings.Contains(string(res.Source), "\x00") {
		t.Error("NUL in output")
	}
}
