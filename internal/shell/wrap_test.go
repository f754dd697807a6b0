package shell

import (
	"strings"
	"testing"
)

func TestWrapped(t *testing.T) {
	for _, tc := range []struct {
		argv string // split on spaces; "$" stands for a word known only at run time
		want string // the command's argv; "-" when argv[0] is no wrapper
	}{
		{"apt-get install x", "-"},
		{"sudo -u app -E make install", "make install"},
		{"sudo --user app PATH=/x make", "make"},
		{"sudo -v", ""},
		{"/usr/bin/env -i A=1 B=2 foo -x", "foo -x"},
		{"env -u HOME bar", "bar"},
		{"env - foo", "foo"},
		{"env", ""},
		{"nice -n 5 make", "make"},
		{"nice FOO=1 make", "FOO=1 make"},
		{"nohup foo &", "foo &"},
		{"timeout -s KILL 10 foo", "foo"},
		{"timeout 10", ""},
		{"gosu app foo", "foo"},
		{"gosu $ $ --flag", "$ --flag"},
		{"su-exec app:app foo", "foo"},
		{"tini -s -- bar", "bar"},
		{"tini -e 143 bar", "bar"},
		{"dumb-init --rewrite 15:2 bar", "bar"},
		{"exec -a name bar -x", "bar -x"},
		{"command foo", "foo"},
		{"command -p foo", "foo"},
		{"command -v foo", "-"},
		{"command -V foo", "-"},
		{"builtin echo", "echo"},
		{"xargs -r -n 1 baz", "baz"},
		{"xargs -I {} cp {} /x", "cp {} /x"},
		{"xargs -i cp {} /x", "cp {} /x"},
		{"setpriv --reuid 1000 --regid 1000 --clear-groups foo", "foo"},
		{"busybox wget x", "wget x"},
		{"env $ foo", "$ foo"},
		{"chroot /x foo", "-"},
	} {
		argv := strings.Fields(tc.argv)
		for i, a := range argv {
			if a == "$" {
				argv[i] = ""
			}
		}
		i, ok := Wrapped(argv)
		got := "-"
		if ok {
			rest := strings.Fields(tc.argv)[i:]
			got = strings.Join(rest, " ")
		}
		if got != tc.want {
			t.Errorf("Wrapped(%q) = %d, %v: command %q, want %q", tc.argv, i, ok, got, tc.want)
		}
	}
}
