package dockerfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return f
}

// cmdLine renders a command for comparison: line, statement, [operator],
// argv.
func cmdLine(c *Command) string {
	nested := ""
	if c.Nested {
		nested = " nested"
	}
	return fmt.Sprintf("%02d %d [%s]%s %s", c.Line, c.Stmt, c.Op, nested, strings.Join(c.Args, " "))
}

func itoa(n int) string { return fmt.Sprintf("%02d", n) }

func TestParseRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // cmdLine of the last instruction's commands
	}{
		{"chain", "FROM a\nRUN apt-get update && apt-get install -y curl || true; echo done\n",
			[]string{"02 0 [] apt-get update", "02 0 [&&] apt-get install -y curl", "02 0 [||] true", "02 1 [;] echo done"}},
		{"continuation lines and comments", "FROM a\nRUN apk add go \\\n# a comment\n\n    && go build \\\n    -o /x .\n",
			[]string{"02 0 [] apk add go", "05 0 [&&] go build -o /x ."}},
		{"pipe and subshell", "FROM a\nRUN curl -fsSL x | tar -xz && (cd /a && make)\n",
			[]string{"02 0 [] curl -fsSL x", "02 0 [|] tar -xz", "02 0 [&&] nested cd /a", "02 0 [&&] nested make"}},
		{"sh -c", "FROM a\nRUN set -e; sh -c 'apt-get update && rm -rf /x'\n",
			[]string{"02 0 [] set -e", "02 1 [;] sh -c apt-get update && rm -rf /x", "02 1 [;] nested apt-get update", "02 1 [&&] nested rm -rf /x"}},
		{"exec form", "FROM a\nRUN [\"/bin/sh\", \"-c\", \"a && b\"]\n",
			[]string{"02 0 [] /bin/sh -c a && b", "02 0 [;] nested a", "02 0 [&&] nested b"}},
		{"heredoc script", "FROM a\nRUN <<EOF\nset -e\napk add go\nEOF\n",
			[]string{"03 0 [] set -e", "04 1 [;] apk add go"}},
		{"heredoc to a file", "FROM a\nRUN cat <<EOF > /etc/x && echo ok\nnot a command\nEOF\n",
			[]string{"02 0 [] cat", "02 0 [&&] echo ok"}},
		{"python heredoc", "FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint('hi')\nEOF\n", nil},
		{"sudo and env", "FROM a\nRUN sudo -u app env FOO=1 pip install x\n", []string{"02 0 [] pip install x"}},
		{"if", "FROM a\nRUN if [ -f x ]; then rm x; fi\n", []string{"02 0 [] nested [ -f x ]", "02 0 [] nested rm x"}},
		{"onbuild", "FROM a\nONBUILD RUN apk add x\n", []string{"02 0 [] apk add x"}},
		{"powershell", "FROM a\nSHELL [\"powershell\", \"-command\"]\nRUN Get-ChildItem\n", nil},
		{"backtick escape", "# escape=`\nFROM a\nRUN apk add go `\n    && go build\n", []string{"03 0 [] apk add go", "04 0 [&&] go build"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := mustParse(t, tc.src)
			in := f.Instructions[len(f.Instructions)-1]
			if in.Trigger != nil {
				in = in.Trigger
			}
			if in.Run == nil {
				t.Fatalf("no Run on %+v", in)
			}
			if in.Run.Err != nil {
				t.Fatalf("shell error: %v", in.Run.Err)
			}
			var got []string
			for _, c := range in.Run.Commands {
				got = append(got, cmdLine(c))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("commands of %q (-want +got):\n%s", tc.src, diff)
			}
		})
	}
}

// TestWordOffsets: a literal word's offsets slice the source to the word
// as written, so fixes can edit it in place.
func TestWordOffsets(t *testing.T) {
	t.Parallel()
	src := "FROM alpine\nRUN --mount=type=cache,target=/x apk update \\\n  # comment\n  && apk add 'go' \"git\" \\\n\tmusl-dev\nRUN <<EOF\napt-get install -y curl\nEOF\n"
	f := mustParse(t, src)
	n := 0
	for _, in := range f.Instructions {
		if in.Run == nil {
			continue
		}
		for _, c := range in.Run.Commands {
			for _, w := range c.Words {
				if w.Offset < 0 {
					t.Errorf("word %q has no offset", w.Value)
					continue
				}
				raw := string(f.Source[w.Offset:w.End])
				if strings.Trim(raw, `'"`) != w.Value {
					t.Errorf("word %q: source[%d:%d] = %q", w.Value, w.Offset, w.End, raw)
				}
				if got := f.LineOf(w.Offset); got != w.Line {
					t.Errorf("word %q: Line %d, offset on line %d", w.Value, w.Line, got)
				}
				n++
			}
		}
	}
	if n != 11 {
		t.Errorf("checked %d words, want 11", n)
	}
}

func TestParseModel(t *testing.T) {
	t.Parallel()
	src := `# syntax=docker/dockerfile:1
ARG GO=1.23
FROM golang:${GO} AS build
WORKDIR /src
COPY --from=tools /bin/x /bin/x
RUN --mount=type=cache,target=/root/.cache/go-build,id=gocache \
    go build -o /app .
FROM build AS test
FROM alpine:3.20
ENV A=1 B="two words"
USER app:app
WORKDIR /srv
WORKDIR data
EXPOSE 8080 9090/udp
COPY --from=build /app /app
COPY --from=0 /src/x /x
ENTRYPOINT ["/app"]
CMD ["serve"]
`
	f := mustParse(t, src)
	if f.Syntax != "docker/dockerfile:1" {
		t.Errorf("Syntax = %q", f.Syntax)
	}
	if diff := cmp.Diff([]Var{{Name: "GO", Value: "1.23", Line: 2}}, f.Args); diff != "" {
		t.Errorf("global Args (-want +got):\n%s", diff)
	}
	if len(f.Stages) != 3 {
		t.Fatalf("%d stages, want 3", len(f.Stages))
	}
	build, test, final := f.Stages[0], f.Stages[1], f.Stages[2]
	if build.Name != "build" || build.Base != "golang:${GO}" || build.BaseStage != -1 || build.Final {
		t.Errorf("build stage = %+v", build)
	}
	if test.BaseStage != 0 || test.Final {
		t.Errorf("test stage: BaseStage %d, Final %v; want 0, false", test.BaseStage, test.Final)
	}
	if !final.Final || final.Workdir != "/srv/data" || final.User != "app:app" {
		t.Errorf("final stage: Final %v Workdir %q User %q", final.Final, final.Workdir, final.User)
	}
	if diff := cmp.Diff([]Var{{"A", "1", 10}, {"B", "two words", 10}}, final.Env); diff != "" {
		t.Errorf("Env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"8080", "9090/udp"}, final.Expose); diff != "" {
		t.Errorf("Expose (-want +got):\n%s", diff)
	}
	var refs []string
	for _, s := range f.Stages {
		for _, c := range s.CopyFrom {
			refs = append(refs, c.From+"="+itoa(c.Stage+1))
		}
	}
	if diff := cmp.Diff([]string{"tools=00", "build=01", "0=01"}, refs); diff != "" {
		t.Errorf("CopyFrom (stage+1) (-want +got):\n%s", diff)
	}
	if final.Entrypoint == nil || final.Entrypoint.Line != 17 || !final.Entrypoint.JSON || final.Cmd == nil || final.Cmd.Args[0] != "serve" {
		t.Errorf("Entrypoint %+v, Cmd %+v", final.Entrypoint, final.Cmd)
	}
	run := build.Instructions[3]
	if run.Line != 6 || run.EndLine != 7 || run.Run == nil {
		t.Fatalf("RUN = %+v", run)
	}
	if diff := cmp.Diff([]Mount{{Type: "cache", Target: "/root/.cache/go-build", ID: "gocache"}}, run.Run.Mounts); diff != "" {
		t.Errorf("Mounts (-want +got):\n%s", diff)
	}
	if got := string(f.Lines(6, 7)); got != "RUN --mount=type=cache,target=/root/.cache/go-build,id=gocache \\\n    go build -o /app .\n" {
		t.Errorf("Lines(6, 7) = %q", got)
	}
}

func TestParseHeredocLines(t *testing.T) {
	t.Parallel()
	f := mustParse(t, "FROM a\nCOPY <<one <<two /dst/\nfirst\nEOF\none\nsecond\ntwo\nRUN true\n")
	in := f.Instructions[1]
	if in.Line != 2 || in.EndLine != 7 {
		t.Errorf("COPY on lines %d-%d, want 2-7", in.Line, in.EndLine)
	}
	var got [][2]int
	for _, h := range in.Heredocs {
		got = append(got, [2]int{h.Line, h.EndLine})
	}
	if diff := cmp.Diff([][2]int{{3, 5}, {6, 7}}, got); diff != "" {
		t.Errorf("heredoc lines (-want +got):\n%s", diff)
	}
	if f.Instructions[2].Line != 8 {
		t.Errorf("RUN on line %d, want 8", f.Instructions[2].Line)
	}
}

// TestParseStoryMistake pins how BuildKit reads the story's mistake: line
// 15's backslash carries the RUN of line 9 over a blank line and a
// comment, through "RUN cd" to the dangling && of line 19.
func TestParseStoryMistake(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "story", "v1.02-mistake.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("v1.02-mistake.Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range f.Instructions {
		got = append(got, in.Cmd+":"+itoa(in.Line)+"-"+itoa(in.EndLine))
	}
	want := []string{"from:01-01", "user:03-03", "run:06-06", "run:09-19", "&&:20-24", "expose:26-26", "cmd:28-28"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("instructions (-want +got):\n%s", diff)
	}
	run := f.Instructions[3].Run
	if run.Err == nil || run.Err.Line != 19 {
		t.Errorf("Err = %v, want a shell error on line 19", run.Err)
	}
	if last := run.Commands[len(run.Commands)-1]; last.Name() != "go" || last.Line != 15 {
		t.Errorf("last recovered command %q on line %d, want go install on 15", last.String(), last.Line)
	}
	stray := f.Instructions[4]
	if stray.Known || stray.Run == nil || len(stray.Run.Commands) != 5 || stray.Run.Commands[0].String() != "apk del go git musl-dev" {
		t.Errorf("stray && line: Known %v, Run %+v", stray.Known, stray.Run)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		line int
	}{
		{"empty", "", 0},
		{"only comments", "# nothing\n", 1},
		{"unterminated heredoc", "FROM a\nRUN <<EOF\necho\n", 2},
		{"bad escape directive", "# escape=x\nFROM a\n", 0},
		{"ENV without value", "FROM a\nENV A\n", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := Parse("bad.Dockerfile", []byte(tc.src))
			pe, ok := errors.AsType[*ParseError](err)
			if !ok {
				t.Fatalf("Parse(%q) = %v, %v; want a *ParseError", tc.src, f, err)
			}
			if pe.Name != "bad.Dockerfile" || pe.Line != tc.line || pe.Err == nil {
				t.Errorf("Parse(%q) = %+v, want line %d", tc.src, pe, tc.line)
			}
			if !strings.HasPrefix(pe.Error(), "bad.Dockerfile:") {
				t.Errorf("Error() = %q, want it to start with the file name", pe.Error())
			}
		})
	}
}

func TestLineOffsets(t *testing.T) {
	t.Parallel()
	f := mustParse(t, "FROM a\nRUN b\r\nRUN c")
	for _, tc := range []struct{ line, offset int }{{0, 0}, {1, 0}, {2, 7}, {3, 14}, {4, 19}} {
		if got := f.Offset(tc.line); got != tc.offset {
			t.Errorf("Offset(%d) = %d, want %d", tc.line, got, tc.offset)
		}
	}
	if got := f.LineOf(15); got != 3 {
		t.Errorf("LineOf(15) = %d, want 3", got)
	}
	if got := string(f.Lines(2, 3)); got != "RUN b\r\nRUN c" {
		t.Errorf("Lines(2, 3) = %q", got)
	}
}

// TestCommandOffsets: a command's offsets cover it and its redirections,
// where a fix appends "&& rm ...".
func TestCommandOffsets(t *testing.T) {
	t.Parallel()
	f := mustParse(t, "FROM a\nRUN apk update >/dev/null \\\n  && FOO=1 apk add x 2>&1 | tee log\n")
	var got []string
	for _, c := range f.Instructions[1].Run.Commands {
		if c.Offset < 0 {
			t.Fatalf("command %q has no offset", c.String())
		}
		got = append(got, string(f.Source[c.Offset:c.End]))
	}
	want := []string{"apk update >/dev/null", "FOO=1 apk add x 2>&1", "tee log"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("command text (-want +got):\n%s", diff)
	}
}
