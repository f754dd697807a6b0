package shell

import (
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// wrapper says where the command a wrapper runs starts: after its options
// (valued ones take the next word; an option with an optional value takes
// it only attached, so it is not listed), the NAME=VALUE words of env and
// sudo (assigns), and its operands: gosu's user, timeout's duration.
type wrapper struct {
	valued   []string
	assigns  bool
	operands int
}

// wrappers are the programs, and the builtins exec, command and builtin,
// that run a command given after their own arguments. chroot is not one
// here: its command is found in another root.
var wrappers = map[string]wrapper{
	"builtin":   {},
	"busybox":   {},
	"catatonit": {},
	"chpst":     {valued: strings.Fields("-u -U -b -e -/ -n -l -L -m -d -o -p -f -c -r -t")},
	"command":   {},
	"dumb-init": {valued: []string{"-r", "--rewrite"}},
	"env":       {valued: []string{"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}, assigns: true},
	"exec":      {valued: []string{"-a"}},
	"gosu":      {operands: 1},
	"ionice":    {valued: []string{"-c", "-n", "-p", "-P", "-u", "--class", "--classdata"}},
	"nice":      {valued: []string{"-n", "--adjustment"}},
	"nohup":     {},
	"setpriv": {valued: strings.Fields("--reuid --regid --ruid --rgid --euid --egid --groups --inh-caps --ambient-caps " +
		"--bounding-set --securebits --pdeathsig --selinux-label --apparmor-profile")},
	"setsid":       {},
	"s6-setuidgid": {operands: 1},
	"stdbuf":       {valued: []string{"-i", "-o", "-e", "--input", "--output", "--error"}},
	"su-exec":      {operands: 1},
	"sudo": {valued: strings.Fields("-a -C -c -D -g -p -R -r -T -t -U -u --close-from --chdir --group --host " +
		"--login-class --prompt --chroot --role --command-timeout --type --other-user --user"), assigns: true},
	"taskset": {operands: 1},
	"time":    {valued: []string{"-f", "-o", "--format", "--output"}},
	"timeout": {valued: []string{"-s", "-k", "--signal", "--kill-after"}, operands: 1},
	"tini":    {valued: []string{"-e", "-p"}},
	"xargs": {valued: strings.Fields("-a -d -E -I -L -n -P -s --arg-file --delimiter --max-args --max-procs " +
		"--max-chars --process-slot-var")},
}

// Wrapped says where the command of argv starts when argv[0], by its base
// name, is a wrapper: a program such as sudo, env, gosu or tini, or the
// builtin exec or command, that runs a command given after its own
// options, NAME=VALUE words and operands. i is that command's index, or
// len(argv) when the wrapper is given none; ok is false when argv[0] is no
// wrapper or runs nothing ("command -v" asks where a command is).
//
// Options end at "--" and at the first word that does not start with "-".
// Give a word whose value is known only at run time as "", which is no
// option: it ends the options, though it may be an operand.
func Wrapped(argv []string) (i int, ok bool) {
	if len(argv) == 0 {
		return 0, false
	}
	name := path.Base(argv[0])
	wr, ok := wrappers[name]
	if !ok || (name == "command" && commandQuery(argv[1:])) {
		return 0, false
	}
	for i = 1; i < len(argv); i++ {
		v := argv[i]
		if v == "--" {
			i++
			break
		}
		if wr.assigns && isAssign(v) {
			continue
		}
		if !strings.HasPrefix(v, "-") {
			break
		}
		if slices.Contains(wr.valued, v) {
			i++
		}
	}
	return min(i+wr.operands, len(argv)), true
}

// commandQuery reports "command -v" and "command -V", which run nothing.
func commandQuery(args []string) bool {
	for _, v := range args {
		if v == "--" || !strings.HasPrefix(v, "-") {
			return false
		}
		if strings.ContainsAny(v, "vV") {
			return true
		}
	}
	return false
}

// isAssign reports a NAME=VALUE word.
func isAssign(v string) bool {
	name, _, ok := strings.Cut(v, "=")
	return ok && syntax.ValidName(name)
}
