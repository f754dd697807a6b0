package entry

import (
	"archive/tar"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"mvdan.cc/sh/v3/syntax"

	"github.com/dietimage/diet/elfdeps"
	"github.com/dietimage/diet/internal/test/tartest"
)

// elf is an executable that ScriptCalls takes for a program: it reads
// no further than the magic.
func elf() *fstest.MapFile { return &fstest.MapFile{Data: []byte("\x7fELF"), Mode: 0o755} }

func exe(body string) *fstest.MapFile  { return &fstest.MapFile{Data: []byte(body), Mode: 0o755} }
func text(body string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(body), Mode: 0o644} }
func link(target string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
}

// scriptRoot is a rootfs with a shell, a few programs and the files of
// one case, its script at /s.sh.
func scriptRoot(script string, files map[string]*fstest.MapFile) fstest.MapFS {
	m := fstest.MapFS{"s.sh": exe(script), "data": text("x"), "app/server": elf()}
	for _, p := range []string{"bin/sh", "bin/bash", "bin/echo", "usr/bin/data"} {
		m[p] = elf()
	}
	m["usr/bin/data"].Mode = 0o644
	for _, p := range strings.Fields("foo bar baz env nohup nice timeout gosu su-exec tini find xargs cat python3") {
		m["usr/bin/"+p] = elf()
	}
	for name, f := range files {
		m[name] = f
	}
	return m
}

// calls prints Calls compactly: a Dynamic as "script:line: word".
type calls struct {
	Programs, Sources, Dynamic, NotFound []string
}

func printCalls(c *Calls) calls {
	out := calls{Programs: c.Programs, Sources: c.Sources, NotFound: c.NotFound}
	for _, d := range c.Dynamic {
		out.Dynamic = append(out.Dynamic, fmt.Sprintf("%s:%d: %s", d.Script, d.Line, d.Word))
	}
	return out
}

func TestScriptCalls(t *testing.T) {
	const sh = "#!/bin/sh\n"
	for _, tc := range []struct {
		name   string
		script string
		files  map[string]*fstest.MapFile
		env    []string
		want   calls
	}{
		{name: "simple", script: sh + "foo a b\nbar\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/foo"}}},
		{name: "quote removal", script: sh + "'foo' x\n\"ba\"r\nf\\oo\n\"b\\az\"\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/foo"}, NotFound: []string{`b\az`}}},
		{name: "builtins", script: sh + "echo hi; printf '%s' x; test -f x; [ -f y ]; true; false; :\n" +
			"export A=1; set -e; read x; kill 1; pwd; cd /; type foo; hash foo; wait; umask 022; local v\n"},
		{name: "compound commands", script: sh + "if foo; then bar; elif baz; then :; else qux; fi\n" +
			"while foo; do bar; done\nuntil false; do break; done\ncase $x in a) foo ;; *) baz ;; esac\nfor i in 1 2; do bar; done\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/bin/foo"}, NotFound: []string{"qux"}}},
		{name: "lists pipelines subshells", script: sh + "foo | bar && baz || qux\n(cat)\n{ bar; }\n! baz\nfoo &\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/bin/cat", "/usr/bin/foo"}, NotFound: []string{"qux"}}},
		{name: "command substitutions", script: sh + "X=$(foo)\necho \"$(bar)\" `baz`\n[ \"$(cat /x)\" = y ]\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/bin/cat", "/usr/bin/foo"}}},
		{name: "here-document", script: sh + "cat <<EOF\n$(foo)\n${X}\nEOF\n",
			want: calls{Programs: []string{"/usr/bin/cat", "/usr/bin/foo"}}},
		{name: "here-document to a shell", script: sh + "sh <<'EOF'\nbar $X\nEOF\nsh <<EOF\n$X\nEOF\n",
			want: calls{Programs: []string{"/bin/sh", "/usr/bin/bar"}, Dynamic: []string{"/s.sh:5: <<EOF"}}},
		{name: "exec", script: sh + "exec foo \"$@\"\n",
			want: calls{Programs: []string{"/usr/bin/foo"}}},
		{name: "exec options and redirections", script: sh + "exec >/dev/null 2>&1\nexec -a name bar -x\n",
			want: calls{Programs: []string{"/usr/bin/bar"}}},
		{name: "exec passes builtins", script: sh + "exec echo hi\n",
			want: calls{Programs: []string{"/bin/echo"}}},
		{name: "command", script: sh + "command foo\ncommand -v bar >/dev/null\ncommand -V baz\n",
			want: calls{Programs: []string{"/usr/bin/foo"}}},
		{name: "command passes functions", script: sh + "foo() { command foo \"$@\"; }\nfoo x\n",
			want: calls{Programs: []string{"/usr/bin/foo"}}},
		{name: "functions", script: sh + "bar() { :; }\nmain() { helper; bar; }\nhelper() { baz; }\nmain\n",
			want: calls{Programs: []string{"/usr/bin/baz"}}},
		{name: "env", script: sh + "env -i A=1 B=2 foo -x\nenv -u HOME bar\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/env", "/usr/bin/foo"}}},
		{name: "wrappers", script: sh + "nohup nice -n 5 timeout -s KILL 10 gosu app su-exec app:app foo\n",
			want: calls{Programs: []string{"/usr/bin/foo", "/usr/bin/gosu", "/usr/bin/nice", "/usr/bin/nohup", "/usr/bin/su-exec", "/usr/bin/timeout"}}},
		{name: "tini", script: sh + "exec tini -s -- bar\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/tini"}}},
		{name: "dynamic", script: sh + "$APP\n\"${CMD:-foo}\" x\nexec \"$@\"\n$(which foo) y\n",
			want: calls{NotFound: []string{"which"}, Dynamic: []string{
				`/s.sh:2: $APP`, `/s.sh:3: "${CMD:-foo}"`, `/s.sh:4: "$@"`, `/s.sh:5: $(which foo)`}}},
		{name: "dynamic after a wrapper", script: sh + "exec gosu \"$USER\" $PROG --flag\n",
			want: calls{Programs: []string{"/usr/bin/gosu"}, Dynamic: []string{"/s.sh:2: $PROG"}}},
		{name: "paths", script: sh + "/app/server --port 80\n./tool\n", files: map[string]*fstest.MapFile{"tool": elf()},
			want: calls{Programs: []string{"/app/server", "/tool"}}},
		{name: "cd", script: sh + "cd /app && ./server\ncd lib\nfoo\n/usr/bin/bar\n",
			want: calls{Programs: []string{"/app/server", "/usr/bin/bar", "/usr/bin/foo"}}},
		{name: "not found", script: sh + "nope\n/missing/x\ndata\n",
			want: calls{NotFound: []string{"/missing/x", "data", "nope"}}},
		{name: "guarded", script: sh + "if command -v nope >/dev/null; then nope --x; fi\n",
			want: calls{NotFound: []string{"nope"}}},
		{name: "sh -c", script: sh + "sh -c 'foo && bar'\n",
			want: calls{Programs: []string{"/bin/sh", "/usr/bin/bar", "/usr/bin/foo"}}},
		{name: "bash -ec with arguments", script: sh + "bash -ec 'exec \"$@\"' bash baz\n",
			want: calls{Programs: []string{"/bin/bash", "/usr/bin/baz"}}},
		{name: "sh -c dynamic", script: sh + "sh -c \"$CMD\"\n",
			want: calls{Programs: []string{"/bin/sh"}, Dynamic: []string{`/s.sh:2: "$CMD"`}}},
		{name: "source", script: sh + ". /lib.sh\nsource lib2.sh\nhelper\n",
			files: map[string]*fstest.MapFile{"lib.sh": text("bar\nhelper() { baz; }\n"), "usr/local/bin/lib2.sh": text("foo\n")},
			want:  calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/bin/foo"}, Sources: []string{"/lib.sh", "/usr/local/bin/lib2.sh"}}},
		{name: "source dynamic or missing", script: sh + ". \"$(dirname \"$0\")/lib.sh\"\n. /nope.sh\n",
			want: calls{NotFound: []string{"/nope.sh", "dirname"}, Dynamic: []string{`/s.sh:2: "$(dirname "$0")/lib.sh"`}}},
		{name: "source cycle", script: sh + ". /a.sh\n",
			files: map[string]*fstest.MapFile{"a.sh": text(". /b.sh\nfoo\n"), "b.sh": text(". /a.sh\n. /s.sh\nbar\n")},
			want:  calls{Programs: []string{"/usr/bin/bar", "/usr/bin/foo"}, Sources: []string{"/a.sh", "/b.sh", "/s.sh"}}},
		{name: "called script", script: sh + "helper x\n",
			files: map[string]*fstest.MapFile{"usr/local/bin/helper": exe("#!/bin/bash\nbar \"$@\"\nexec baz\n")},
			want:  calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/local/bin/helper"}}},
		{name: "called script with arguments", script: sh + "helper foo\n",
			files: map[string]*fstest.MapFile{"usr/local/bin/helper": exe("#!/bin/sh\nexec \"$@\"\n")},
			want:  calls{Programs: []string{"/usr/bin/foo", "/usr/local/bin/helper"}}},
		{name: "called script through env", script: sh + "helper\n",
			files: map[string]*fstest.MapFile{"usr/local/bin/helper": exe("#!/usr/bin/env bash\nfoo\n")},
			want:  calls{Programs: []string{"/usr/bin/foo", "/usr/local/bin/helper"}}},
		{name: "called text without shebang", script: sh + "plain\n",
			files: map[string]*fstest.MapFile{"usr/local/bin/plain": exe("baz\n")},
			want:  calls{Programs: []string{"/usr/bin/baz"}, Sources: []string{"/usr/local/bin/plain"}}},
		{name: "called python script", script: sh + "tool\n",
			files: map[string]*fstest.MapFile{"usr/local/bin/tool": exe("#!/usr/bin/python3\nimport os\n")},
			want:  calls{Programs: []string{"/usr/local/bin/tool"}}},
		{name: "call cycle", script: sh + "ping\n",
			files: map[string]*fstest.MapFile{"usr/local/bin/ping": exe("#!/bin/sh\npong\n"), "usr/local/bin/pong": exe("#!/bin/sh\nping\nfoo\n/s.sh\n")},
			want:  calls{Programs: []string{"/s.sh", "/usr/bin/foo", "/usr/local/bin/ping", "/usr/local/bin/pong"}}},
		{name: "eval and trap", script: sh + "eval 'foo x'\ntrap 'bar; rm -f /tmp/x' EXIT\ntrap - INT\neval \"$X\"\ntrap \"baz $T; exit 1\" INT\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/bin/foo"}, NotFound: []string{"rm"},
				Dynamic: []string{`/s.sh:5: "$X"`, `/s.sh:6: "baz $T; exit 1"`}}},
		{name: "variables", script: "#!/bin/bash\nPG=foo\narr=( bar -v 1 )\narr+=( x )\n\"${arr[@]}\" x\n$PG\n$CMD\nexec $SERVER --port 1\n",
			env:  []string{"SERVER=/app/server"},
			want: calls{Programs: []string{"/app/server", "/usr/bin/bar", "/usr/bin/foo"}, Dynamic: []string{"/s.sh:7: $CMD"}}},
		{name: "variables that expand", script: sh + "X=foo\nX=$(baz)\n$X\nexport Y=bar Z=\"$1\"\n$Y\n\"$Z\"\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/bin/foo"}, Dynamic: []string{"/s.sh:4: $X", `/s.sh:7: "$Z"`}}},
		{name: "source a variable", script: sh + "LIB=/lib.sh\n. \"$LIB\"\n", files: map[string]*fstest.MapFile{"lib.sh": text("foo\n")},
			want: calls{Programs: []string{"/usr/bin/foo"}, Sources: []string{"/lib.sh"}}},
		{name: "eval with expansions", script: sh + "eval \"foo --x $ARGS\"\neval \"bar$X\"\neval 'baz \"' \"$Y\"\n",
			want: calls{Programs: []string{"/usr/bin/foo"}, Dynamic: []string{`/s.sh:2: "foo --x $ARGS"`, `/s.sh:3: "bar$X"`, `/s.sh:4: "$Y"`}}},
		{name: "the script itself", script: sh + "exec gosu app \"$BASH_SOURCE\" \"$@\"\n$0 x\n",
			want: calls{Programs: []string{"/s.sh", "/usr/bin/gosu"}}},
		{name: "find and xargs", script: sh + "find / -name x -exec foo {} \\; -exec bar {} +\nfoo | xargs -r -n 1 baz\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/bin/find", "/usr/bin/foo", "/usr/bin/xargs"}}},
		{name: "bash", script: "#!/bin/bash\n[[ -f x ]] && foo\narr=(a b)\nbar <<< \"x\"\ntime baz\ncoproc qux\nlocal y=$(cat)\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/baz", "/usr/bin/cat", "/usr/bin/foo"}, NotFound: []string{"qux"}}},
		{name: "bashisms under sh", script: sh + "if [[ -f x ]]; then foo; fi\narr=(1 2)\nbar\n",
			want: calls{Programs: []string{"/usr/bin/bar", "/usr/bin/foo"}}},
		{name: "set --", script: sh + "set -- foo \"$@\"\nexec \"$@\"\n",
			want: calls{Programs: []string{"/usr/bin/foo"}, Dynamic: []string{`/s.sh:3: "$@"`}}},
		{name: "globs and tilde", script: sh + "~/bin/x\n./*.sh\n",
			want: calls{Dynamic: []string{"/s.sh:2: ~/bin/x", "/s.sh:3: ./*.sh"}}},
		{name: "symlinked program", script: sh + "ln1\n", files: map[string]*fstest.MapFile{"usr/local/bin/ln1": link("../../../bin/sh")},
			want: calls{Programs: []string{"/usr/local/bin/ln1"}}},
		{name: "symlink loop", script: sh + "loop\n", files: map[string]*fstest.MapFile{"usr/local/bin/loop": link("loop")},
			want: calls{NotFound: []string{"loop"}}},
		{name: "PATH", script: sh + "foo\napp\n", env: []string{"PATH=/usr/bin", "PATH=/opt/bin"},
			files: map[string]*fstest.MapFile{"opt/bin/app": elf()},
			want:  calls{Programs: []string{"/opt/bin/app"}, NotFound: []string{"foo"}}},
		{name: "/../../etc", script: sh + "tool\nfoo\n", env: []string{"PATH=/evil:/usr/bin"},
			files: map[string]*fstest.MapFile{"evil": link("/../../etc"), "etc/tool": elf()},
			want:  calls{Programs: []string{"/evil/tool", "/usr/bin/foo"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ScriptCalls(scriptRoot(tc.script, tc.files), "/s.sh", tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, printCalls(got)); diff != "" {
				t.Errorf("ScriptCalls(%q) (-want +got):\n%s", tc.script, diff)
			}
		})
	}
}

func TestScriptCallsErrors(t *testing.T) {
	nested := map[string]*fstest.MapFile{}
	for i := range maxNesting + 2 {
		nested[fmt.Sprintf("n%d.sh", i)] = text(fmt.Sprintf(". /n%d.sh\n", i+1))
	}
	// Each $W is one of 8 wrappers, each running the next $W: 8^14 commands.
	multiply, wrappersOf := "#!/bin/sh\n", map[string]*fstest.MapFile{}
	for _, w := range strings.Fields("env nice nohup setsid tini dumb-init catatonit busybox") {
		multiply += "W=" + w + "\n"
		wrappersOf["usr/bin/"+w] = elf()
	}
	multiply += strings.Repeat("$W ", 14) + "foo\n"
	for _, tc := range []struct {
		name   string
		script string
		files  map[string]*fstest.MapFile
		is     error // errors.Is
		parse  bool  // a syntax.ParseError
	}{
		{name: "ELF", script: "\x7fELF\x02\x01\x01\x00", is: ErrNotShell},
		{name: "python", script: "#!/usr/bin/python3\nprint(1)\n", is: ErrNotShell},
		{name: "syntax", script: "#!/bin/sh\nif foo; then\n", parse: true},
		{name: "too large", script: "#!/bin/sh\n" + strings.Repeat("#", maxScriptSize), is: nil},
		{name: "nesting", script: "#!/bin/sh\n. /n0.sh\n", files: nested, is: errScriptLimit},
		{name: "variables multiply", script: multiply, files: wrappersOf, is: errScriptLimit},
		{name: "deep eval", script: "#!/bin/sh\n" + strings.Repeat("eval '", 300) + "foo" + strings.Repeat("'", 300), is: errScriptLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ScriptCalls(scriptRoot(tc.script, tc.files), "/s.sh", nil)
			_, isParse := errors.AsType[syntax.ParseError](err)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || isParse != tc.parse {
				t.Errorf("ScriptCalls = %v, want %v (parse error: %v)", err, tc.is, tc.parse)
			}
		})
	}
	if _, err := ScriptCalls(fstest.MapFS{}, "/nope.sh", nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ScriptCalls(/nope.sh) = %v, want %v", err, fs.ErrNotExist)
	}
	if _, err := ScriptCalls(fstest.MapFS{"dir/x.sh": text("foo\n")}, "/dir", nil); !errors.Is(err, ErrNotShell) {
		t.Errorf("ScriptCalls(/dir) = %v, want %v", err, ErrNotShell)
	}
}

// TestScriptCallsDeep feeds scripts that nest as deep as their size
// allows: the parser recurses on each level and would exhaust the stack,
// a fatal error, were it not stopped. Scripts that nest as deep as people
// write them parse.
func TestScriptCallsDeep(t *testing.T) {
	for _, tc := range []struct{ open, close string }{
		{"(", ")"}, {"((", "))"}, {"$(", ")"}, {`"$(`, `)"`}, {"${x:-", "}"}, {"{ ", "; }"}, {"if foo; then ", "; fi"},
		{"while foo; do ", "; done"}, {"case x in x) ", ";; esac"}, {"foo <<EOF\n$(", ")\nEOF\n"}, {"f() { ", "; }; f"},
	} {
		t.Run(tc.open, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{"sh", "bash"} {
				n := (maxScriptSize - 64) / len(tc.open+tc.close)
				deep := "#!/bin/" + lang + "\n" + strings.Repeat(tc.open, n) + "foo" + strings.Repeat(tc.close, n) + "\n"
				if _, err := ScriptCalls(scriptRoot(deep, nil), "/s.sh", nil); !errors.Is(err, errScriptLimit) {
					t.Errorf("%s: ScriptCalls(%d × %q) = %v, want %v", lang, n, tc.open, err, errScriptLimit)
				}
				fifty := "#!/bin/" + lang + "\n" + strings.Repeat(tc.open, 50) + "foo" + strings.Repeat(tc.close, 50) + "\n"
				if _, err := ScriptCalls(scriptRoot(fifty, nil), "/s.sh", nil); errors.Is(err, errScriptLimit) {
					t.Errorf("%s: ScriptCalls(50 × %q) = %v, want it read", lang, tc.open, err)
				}
			}
		})
	}
}

// TestScriptCallsStaysInRoot gives os.DirFS, which follows symlinks on
// the host, links that lead out of the root: none is followed there.
func TestScriptCallsStaysInRoot(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "a", "root")
	for name, body := range map[string]string{
		"outside/etc/tool": "\x7fELF", "outside/etc/lib.sh": "foo\n",
		"a/root/s.sh": "#!/bin/sh\ntool\n. lib.sh\n. passwd\n", "a/root/usr/bin/foo": "\x7fELF",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("../../outside/etc", filepath.Join(root, "rel"))
	os.Symlink("/../../etc", filepath.Join(root, "abs"))
	got, err := ScriptCalls(os.DirFS(root), "/s.sh", []string{"PATH=/rel:/abs:/usr/bin"})
	if err != nil {
		t.Fatal(err)
	}
	want := calls{NotFound: []string{"lib.sh", "passwd", "tool"}}
	if diff := cmp.Diff(want, printCalls(got)); diff != "" {
		t.Errorf("ScriptCalls (-want +got):\n%s", diff)
	}
}

// hostRoot is a rootfs of programs copied from this host with their
// libraries, /etc/passwd and /etc/group.
func hostRoot(t *testing.T, programs ...string) fstest.MapFS {
	h := tartest.NewHost(t)
	for _, p := range programs {
		h.Program(p)
	}
	h.Etc()
	m := fstest.MapFS{}
	for _, e := range h.Entries() {
		switch e.Type {
		case tar.TypeDir:
			m[e.Name] = &fstest.MapFile{Mode: fs.ModeDir | fs.FileMode(e.Mode)}
		case tar.TypeSymlink:
			m[e.Name] = link(e.Link)
		default:
			m[e.Name] = &fstest.MapFile{Data: e.Body, Mode: fs.FileMode(e.Mode)}
		}
	}
	return m
}

func TestNeedsShellScript(t *testing.T) {
	base := hostRoot(t, "/bin/sh", "/usr/bin/cat", "/usr/bin/head", "/usr/bin/sleep")
	for _, tc := range []struct {
		name  string
		argv  []string
		files map[string]*fstest.MapFile
		want  []string // programs whose closure is kept, with the files
		extra []string
	}{
		{name: "entrypoint script", argv: []string{"/entrypoint.sh", "--version"},
			files: map[string]*fstest.MapFile{"entrypoint.sh": exe("#!/bin/sh\nset -e\n[ -n \"$DEBUG\" ] && set -x\nexec /usr/bin/foo \"$@\"\n")},
			want:  []string{"/entrypoint.sh", "/usr/bin/foo"}},
		{name: "exec \"$@\" runs the command", argv: []string{"/entrypoint.sh", "head", "-n1"},
			files: map[string]*fstest.MapFile{"entrypoint.sh": exe("#!/bin/sh\nexec \"$@\"\n")},
			want:  []string{"/entrypoint.sh", "/usr/bin/head"}},
		{name: "sh -c", argv: []string{"/bin/sh", "-c", "cat /etc/passwd | head -n 1"},
			want: []string{"/bin/sh", "/usr/bin/cat", "/usr/bin/head"}},
		{name: "sourced", argv: []string{"/entrypoint.sh"},
			files: map[string]*fstest.MapFile{"entrypoint.sh": exe("#!/bin/sh\n. /lib.sh\n"), "lib.sh": text("head -n1 /etc/group\n")},
			want:  []string{"/entrypoint.sh", "/usr/bin/head"}, extra: []string{"/lib.sh"}},
		{name: "dynamic", argv: []string{"/entrypoint.sh"},
			files: map[string]*fstest.MapFile{"entrypoint.sh": exe("#!/bin/sh\nexec $APP nope\n")},
			want:  []string{"/entrypoint.sh"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := union(base, tc.files)
			fsys["usr/bin/foo"] = fsys["usr/bin/cat"]
			got, err := Needs(fsys, &v1.ConfigFile{Config: v1.Config{Entrypoint: tc.argv}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := elfdeps.Closure(fsys, tc.want)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Concat(res.Files, tc.extra, []string{"/", "/etc/group", "/etc/passwd", "/root", "/tmp"})
			slices.Sort(want)
			if diff := cmp.Diff(slices.Compact(want), got); diff != "" {
				t.Errorf("Needs(%q) (-want +got):\n%s", tc.argv, diff)
			}
			for _, p := range []string{"/usr/bin/sleep", "/usr/bin/dash"} {
				if want := p == "/usr/bin/dash"; slices.Contains(got, p) != want && slices.Contains(tc.want, "/entrypoint.sh") {
					t.Errorf("Needs(%q) keeps %s: %v, want %v", tc.argv, p, !want, want)
				}
			}
		})
	}
}

func union(base fstest.MapFS, more map[string]*fstest.MapFile) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range base {
		m[k] = v
	}
	for k, v := range more {
		m[k] = v
	}
	return m
}

func TestNeedsShellScriptRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		want   error
	}{
		{"syntax", "#!/bin/sh\nif foo; then\n", ErrInterpreted},
		{"python", "#!/bin/sh\nexec python3 /app.py\n", ErrInterpreted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := hostRoot(t, "/bin/sh")
			fsys["entrypoint.sh"] = exe(tc.script)
			fsys["usr/bin/python3"] = elf()
			_, err := Needs(fsys, &v1.ConfigFile{Config: v1.Config{Entrypoint: []string{"/entrypoint.sh"}}})
			if !errors.Is(err, tc.want) {
				t.Errorf("Needs = %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzScriptCalls reads arbitrary scripts, sourced files and here-documents:
// no panic, no stack exhaustion, and every program is slash-rooted.
func FuzzScriptCalls(f *testing.F) {
	for _, s := range []string{
		"#!/bin/sh\nfoo | bar && exec baz \"$@\"\n",
		"#!/bin/bash\narr=(foo x)\n\"${arr[@]}\"\neval \"bar $X\"\n. /lib.sh\n",
		"#!/bin/sh\nsh -c 'foo; sh -c \"bar\"'\nsh <<'EOF'\nbaz\nEOF\n",
		"#!/bin/sh\nf() { command foo; }\nset -- bar \"$@\"\nexec gosu app \"$@\"\n",
	} {
		f.Add(s, "bar\n. /s.sh\n")
	}
	f.Fuzz(func(t *testing.T, script, lib string) {
		fsys := scriptRoot(script, map[string]*fstest.MapFile{"lib.sh": text(lib), "usr/local/bin/helper": exe(lib)})
		c, err := ScriptCalls(fsys, "/s.sh", nil)
		if err != nil {
			return
		}
		for _, p := range c.Programs {
			if !strings.HasPrefix(p, "/") {
				t.Errorf("ScriptCalls(%q) calls %q, not slash-rooted", script, p)
			}
		}
	})
}
