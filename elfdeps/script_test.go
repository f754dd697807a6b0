package elfdeps

import (
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestShebang(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300)
	tests := []struct {
		name   string
		data   string
		interp string
		args   []string
		ok     bool
	}{
		{"#!/bin/sh -e", "#!/bin/sh -e\nexec app\n", "/bin/sh", []string{"-e"}, true},
		{"#! /usr/bin/env python3 -u", "#! /usr/bin/env  python3 -u \n", "/usr/bin/env", []string{"python3 -u"}, true},
		{"#!/bin/bash CRLF", "#!/bin/bash\r\n", "/bin/bash\r", nil, true},
		{"#!/bin/sh without newline", "#!/bin/sh", "/bin/sh", nil, true},
		{"#!/bin/sh tab", "#!/bin/sh\t-x\t\n", "/bin/sh", []string{"-x"}, true},
		{"long argument is cut", "#!/bin/sh " + long + "\n", "/bin/sh", []string{long[:256-len("#!/bin/sh ")]}, true},
		{"long interpreter", "#!/" + long + "\n", "", nil, false},
		{"#! alone", "#!\n", "", nil, false},
		{"#! spaces", "#!   \n", "", nil, false},
		{"no #!", "echo hi\n", "", nil, false},
		{"empty", "", "", nil, false},
		{"ELF", "\x7fELF\x02\x01\x01", "", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"app/run": {Data: []byte(tc.data)}, "run": {Data: []byte("app/run"), Mode: fs.ModeSymlink}}
			for _, name := range []string{"/app/run", "run"} {
				interp, args, ok := Shebang(fsys, name)
				if interp != tc.interp || !reflect.DeepEqual(args, tc.args) || ok != tc.ok {
					t.Errorf("Shebang(%q) = %q, %q, %v; want %q, %q, %v", name, interp, args, ok, tc.interp, tc.args, tc.ok)
				}
			}
		})
	}
}

func TestEnvCommand(t *testing.T) {
	t.Parallel()
	tests := []struct{ arg, want string }{
		{"python3", "python3"},
		{"-S python3 -u", "python3"},
		{"-Spython3", "python3"},
		{"-i PATH=/opt/bin node", "node"},
		{"-u HOME -C /srv ruby", "ruby"},
		{"-- bash", "bash"},
		{"-i", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := envCommand(tc.arg); got != tc.want {
			t.Errorf("envCommand(%q) = %q, want %q", tc.arg, got, tc.want)
		}
	}
}

func TestIsELF(t *testing.T) {
	t.Parallel()
	root := makeRoot(t, map[string]any{
		"/bin/prog": exe(), "/bin/link": link("prog"), "/bin/script": text("#!/bin/sh\n"),
		"/bin/short": text("\x7fEL"), "/dir": nil, "/outside": link("/../../../../usr/bin/ls"),
	})
	for name, want := range map[string]bool{
		"/bin/prog": true, "bin/link": true, "/bin/script": false, "/bin/short": false,
		"/dir": false, "/absent": false, "/outside": false,
	} {
		if got := IsELF(os.DirFS(root), name); got != want {
			t.Errorf("IsELF(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestLdconf reads ld.so.conf as glibc's ldconfig does, hostile includes
// and all.
func TestLdconf(t *testing.T) {
	t.Parallel()
	root := makeRoot(t, map[string]any{
		"/etc/ld.so.conf": text("# system\ninclude /etc/ld.so.conf.d/*.conf\n/usr/local/lib\nhwcap 0 nosegneg\n" +
			"include  missing/*.conf   /etc/more.conf\n"),
		"/etc/ld.so.conf.d/a.conf":       text("/opt/a/lib/\t# trailing\ninclude ../ld.so.conf\n"),
		"/etc/ld.so.conf.d/b.conf":       link("/srv/b.conf"), // absolute: inside the root
		"/etc/ld.so.conf.d/.hidden.conf": text("/opt/hidden\n"),
		"/etc/ld.so.conf.d/c.txt":        text("/opt/txt\n"),
		"/etc/ld.so.conf.d/d.conf":       link("/../../../../etc/ld.so.conf"),
		"/srv/b.conf":                    text("/opt/b/lib\n/usr/local/lib\n"),
		"/etc/more.conf":                 text("/opt/more\n"),
	})
	c := &closer{root: NewRoot(os.DirFS(root))}
	want := []string{"/opt/a/lib", "/opt/b/lib", "/usr/local/lib", "/opt/more"}
	if got := c.ldconf(); !reflect.DeepEqual(got, want) {
		t.Errorf("ldconf() = %q, want %q", got, want)
	}
}
