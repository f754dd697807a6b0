package example

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// baseLayer builds a small Debian-bookworm-like root filesystem: the
// directory skeleton with merged /usr, the files in /etc that programs read,
// time zones taken from the Go toolchain's zoneinfo.zip, and the package
// metadata, docs, manuals and translations that every distribution image
// carries and no service needs.
func baseLayer(l *layer, goroot string) error {
	for _, d := range []string{
		"boot", "dev", "etc", "home", "media", "mnt", "opt", "proc", "run", "srv", "sys",
		"usr/bin", "usr/sbin", "usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/libexec",
		"usr/local/bin", "usr/local/etc", "usr/local/include", "usr/local/lib",
		"usr/local/sbin", "usr/local/share", "usr/local/src", "usr/src",
		"var/backups", "var/cache/apt/archives", "var/lib/apt/lists", "var/lib/dpkg/info",
		"var/lib/misc", "var/local", "var/log/apt", "var/mail", "var/opt", "var/spool",
	} {
		l.dir(d, 0o755)
	}
	l.dir("root", 0o700)
	l.dir("tmp", 0o1777)
	l.dir("var/tmp", 0o1777)
	l.dir("var/cache/apt/archives/partial", 0o700)
	l.dir("var/lib/apt/lists/partial", 0o700)
	for _, s := range []string{"bin", "lib", "lib64", "sbin"} {
		l.symlink(s, "usr/"+s)
	}
	l.symlink("var/run", "/run")
	l.symlink("var/lock", "/run/lock")
	l.symlink("etc/mtab", "../proc/self/mounts")
	l.symlink("etc/os-release", "../usr/lib/os-release")
	l.symlink("etc/localtime", "/usr/share/zoneinfo/Etc/UTC")
	for name, body := range etcFiles {
		l.text(name, body)
	}
	l.file("etc/shadow", 0o640, []byte(shadow()))
	l.text("etc/timezone", "Etc/UTC\n")
	if err := zoneinfo(l, filepath.Join(goroot, "lib", "time", "zoneinfo.zip")); err != nil {
		return err
	}
	debianPackages(l)
	return nil
}

// users are bookworm's static system accounts: name, uid, home, shell.
var users = [][4]string{
	{"root", "0", "/root", "/bin/bash"}, {"daemon", "1", "/usr/sbin", "/usr/sbin/nologin"},
	{"bin", "2", "/bin", "/usr/sbin/nologin"}, {"sys", "3", "/dev", "/usr/sbin/nologin"},
	{"sync", "4", "/bin", "/bin/sync"}, {"games", "5", "/usr/games", "/usr/sbin/nologin"},
	{"man", "6", "/var/cache/man", "/usr/sbin/nologin"}, {"lp", "7", "/var/spool/lpd", "/usr/sbin/nologin"},
	{"mail", "8", "/var/mail", "/usr/sbin/nologin"}, {"news", "9", "/var/spool/news", "/usr/sbin/nologin"},
	{"uucp", "10", "/var/spool/uucp", "/usr/sbin/nologin"}, {"proxy", "13", "/bin", "/usr/sbin/nologin"},
	{"www-data", "33", "/var/www", "/usr/sbin/nologin"}, {"backup", "34", "/var/backups", "/usr/sbin/nologin"},
	{"list", "38", "/var/list", "/usr/sbin/nologin"}, {"irc", "39", "/run/ircd", "/usr/sbin/nologin"},
	{"_apt", "42", "/nonexistent", "/usr/sbin/nologin"}, {"nobody", "65534", "/nonexistent", "/usr/sbin/nologin"},
}

func passwd() string {
	var b strings.Builder
	for _, u := range users {
		gid := u[1]
		if u[0] == "_apt" || u[0] == "nobody" {
			gid = "65534"
		}
		fmt.Fprintf(&b, "%s:x:%s:%s:%s:%s:%s\n", u[0], u[1], gid, u[0], u[2], u[3])
	}
	return b.String()
}

func shadow() string {
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "%s:*:19740:0:99999:7:::\n", u[0])
	}
	return b.String()
}

func group() string {
	var b strings.Builder
	for _, g := range []string{
		"root:0", "daemon:1", "bin:2", "sys:3", "adm:4", "tty:5", "disk:6", "lp:7", "mail:8",
		"news:9", "uucp:10", "man:12", "proxy:13", "kmem:15", "dialout:20", "cdrom:24",
		"sudo:27", "audio:29", "www-data:33", "backup:34", "operator:37", "list:38", "irc:39",
		"src:40", "shadow:42", "utmp:43", "video:44", "plugdev:46", "staff:50", "users:100",
		"nogroup:65534",
	} {
		name, gid, _ := strings.Cut(g, ":")
		fmt.Fprintf(&b, "%s:x:%s:\n", name, gid)
	}
	return b.String()
}

var etcFiles = map[string]string{
	"etc/passwd":         passwd(),
	"etc/group":          group(),
	"etc/hostname":       "buildkitsandbox\n",
	"etc/debian_version": "12.5\n",
	"etc/issue":          "Debian GNU/Linux 12 \\n \\l\n\n",
	"etc/issue.net":      "Debian GNU/Linux 12\n",
	"etc/shells":         "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n",
	"etc/resolv.conf":    "",
	"etc/environment":    "",
	"etc/host.conf":      "multi on\n",
	"etc/hosts":          "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
	"usr/lib/os-release": "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n",
	"etc/apt/sources.list.d/debian.sources": "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n" +
		"Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
	"etc/nsswitch.conf": "# /etc/nsswitch.conf\n#\n# Example configuration of GNU Name Service Switch functionality.\n\n" +
		"passwd:         files\ngroup:          files\nshadow:         files\ngshadow:        files\n\n" +
		"hosts:          files dns\nnetworks:       files\n\nprotocols:      db files\nservices:       db files\n" +
		"ethers:         db files\nrpc:            db files\n\nnetgroup:       nis\n",
	"etc/profile": "# /etc/profile: system-wide .profile file for the Bourne shell (sh(1))\n\n" +
		"if [ \"$(id -u)\" -eq 0 ]; then\n  PATH=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\nelse\n" +
		"  PATH=\"/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games\"\nfi\nexport PATH\n\n" +
		"if [ -d /etc/profile.d ]; then\n  for i in /etc/profile.d/*.sh; do\n    if [ -r $i ]; then\n      . $i\n    fi\n  done\n  unset i\nfi\n",
}

// zoneinfo copies a few real time zones out of the Go toolchain's
// lib/time/zoneinfo.zip into /usr/share/zoneinfo, as tzdata installs them.
func zoneinfo(l *layer, zipPath string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("time zones: %w", err)
	}
	defer zr.Close()
	want := map[string]bool{
		"Etc/UTC": true, "UTC": true, "Europe/Berlin": true, "Europe/London": true,
		"America/New_York": true, "America/Los_Angeles": true, "Asia/Shanghai": true, "Asia/Tokyo": true,
	}
	for _, f := range zr.File {
		if !want[f.Name] {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", zipPath, f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", zipPath, f.Name, err)
		}
		l.file("usr/share/zoneinfo/"+f.Name, 0o644, b)
		delete(want, f.Name)
	}
	if len(want) > 0 {
		return fmt.Errorf("%s: %d time zones missing", zipPath, len(want))
	}
	return nil
}

// gz compresses b the way Debian ships docs and manuals. With no name and
// no time in the header the output depends only on b and the Go version.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
