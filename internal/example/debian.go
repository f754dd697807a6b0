package example

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// pkg is one installed Debian package of the base layer.
type pkg struct {
	name, version, arch string
	cmds                []string // manual pages in section 1 or 8 ("8:name")
	domain              string   // gettext domain with translations, if any
}

// basePackages is a slice of bookworm's essential set: enough for the
// docs, manuals and translations culprits to be real, small enough for the
// example's size budget.
var basePackages = []pkg{
	{"apt", "2.6.1", "amd64", []string{"apt-get", "apt-cache", "8:apt-secure"}, "apt"},
	{"base-files", "12.4+deb12u5", "amd64", nil, ""},
	{"bash", "5.2.15-2+b2", "amd64", []string{"bash", "bashbug"}, "bash"},
	{"coreutils", "9.1-1", "amd64", []string{"cat", "cp", "ls", "mv", "rm", "sort"}, "coreutils"},
	{"dash", "0.5.12-2", "amd64", []string{"dash"}, ""},
	{"dpkg", "1.21.22", "amd64", []string{"dpkg", "dpkg-deb", "dpkg-query"}, "dpkg"},
	{"findutils", "4.9.0-4", "amd64", []string{"find", "xargs"}, "findutils"},
	{"grep", "3.8-5", "amd64", []string{"grep"}, "grep"},
	{"gzip", "1.12-1", "amd64", []string{"gzip", "zcat"}, ""},
	{"libc6", "2.36-9+deb12u4", "amd64", nil, "libc"},
	{"login", "1:4.13+dfsg1-1+b1", "amd64", []string{"login", "su"}, "shadow"},
	{"sed", "4.9-1", "amd64", []string{"sed"}, "sed"},
	{"tar", "1.34+dfsg-1.2+deb12u1", "amd64", []string{"tar", "8:rmt-tar"}, "tar"},
	{"zlib1g", "1:1.2.13.dfsg-1", "amd64", nil, ""},
}

// languages are the translations every package with a domain ships.
var languages = []string{"de", "es", "fr", "it", "ja", "pt_BR", "ru", "zh_CN"}

// debianPackages writes, for every base package, what dpkg would have
// unpacked besides the program itself: copyright and changelog, manual
// pages, message catalogues, and dpkg's own status and file lists.
func debianPackages(l *layer) {
	var status, log strings.Builder
	for i, p := range basePackages {
		var files []string
		add := func(name string, body []byte) {
			l.file(name, 0o644, body)
			files = append(files, name)
		}
		doc := "usr/share/doc/" + p.name + "/"
		add(doc+"copyright", []byte(copyright(p)))
		add(doc+"changelog.Debian.gz", gz([]byte(changelog(p))))
		for _, c := range p.cmds {
			sec := "1"
			if s, name, ok := strings.Cut(c, ":"); ok {
				sec, c = s, name
			}
			add(fmt.Sprintf("usr/share/man/man%s/%s.%s.gz", sec, c, sec), gz([]byte(manPage(p, c, sec))))
		}
		if p.domain != "" {
			for _, lang := range languages {
				add(fmt.Sprintf("usr/share/locale/%s/LC_MESSAGES/%s.mo", lang, p.domain), catalogue(p, lang))
			}
		}
		sort.Strings(files)
		var list, sums strings.Builder
		for _, f := range files {
			fmt.Fprintf(&list, "/%s\n", f)
			fmt.Fprintf(&sums, "%x  %s\n", md5.Sum(l.entries[f].body), f)
		}
		l.text("var/lib/dpkg/info/"+p.name+".list", list.String())
		l.text("var/lib/dpkg/info/"+p.name+".md5sums", sums.String())
		fmt.Fprintf(&status, "Package: %s\nEssential: yes\nStatus: install ok installed\nPriority: required\n"+
			"Section: admin\nInstalled-Size: %d\nMaintainer: Debian Developers <debian-devel@lists.debian.org>\n"+
			"Architecture: %s\nVersion: %s\nDescription: %s\n\n", p.name, 400+97*i, p.arch, p.version, summary(p))
		fmt.Fprintf(&log, "2024-01-23 18:%02d:%02d status installed %s:%s %s\n", i/6, (i*11)%60, p.name, p.arch, p.version)
	}
	l.text("var/lib/dpkg/status", status.String())
	l.text("var/log/dpkg.log", log.String())
}

func summary(p pkg) string { return "the " + p.name + " package of Debian's essential set" }

func copyright(p pkg) string {
	return "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n" +
		"Upstream-Name: " + p.name + "\n\nFiles: *\nCopyright: the " + p.name + " authors\nLicense: GPL-3+\n\n" +
		"License: GPL-3+\n This program is free software: you can redistribute it and/or modify\n" +
		" it under the terms of the GNU General Public License as published by\n" +
		" the Free Software Foundation, either version 3 of the License, or\n (at your option) any later version.\n .\n" +
		" On Debian systems, the complete text of the GNU General Public License\n" +
		" version 3 can be found in \"/usr/share/common-licenses/GPL-3\".\n"
}

func changelog(p pkg) string {
	var b strings.Builder
	for i := range 24 {
		fmt.Fprintf(&b, "%s (%s~%d) unstable; urgency=medium\n\n  * Upload %d of %s: rebuild against the toolchain of the day,\n"+
			"    refresh translations and fix a typo in the manual page.\n\n"+
			" -- Debian Developers <debian-devel@lists.debian.org>  Mon, %02d Jan 2024 12:00:00 +0000\n\n",
			p.name, p.version, 24-i, 24-i, p.name, 1+i)
	}
	return b.String()
}

func manPage(p pkg, cmd, sec string) string {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s %s \"January 2024\" \"%s %s\" \"User Commands\"\n.SH NAME\n%s \\- part of %s\n"+
		".SH SYNOPSIS\n.B %s\n[\\fIOPTION\\fR]... [\\fIFILE\\fR]...\n.SH DESCRIPTION\n",
		strings.ToUpper(cmd), sec, p.name, p.version, cmd, p.name, cmd)
	for i := range 30 {
		fmt.Fprintf(&b, ".TP\n\\fB\\-%c\\fR, \\fB\\-\\-option\\-%d\\fR\nchange how %s treats its input; see option %d.\n",
			'a'+rune(i%26), i, cmd, (i*7)%30)
	}
	fmt.Fprintf(&b, ".SH \"SEE ALSO\"\nThe full documentation for\n.B %s\nis maintained as a Texinfo manual.\n", cmd)
	return b.String()
}

// catalogue returns a valid GNU gettext .mo file with a few messages of the
// package translated (well, tagged) for lang.
func catalogue(p pkg, lang string) []byte {
	msgs := []string{""}
	for i := range 40 {
		msgs = append(msgs, fmt.Sprintf("%s: cannot process item %d: %%s", p.name, i))
	}
	sort.Strings(msgs)
	trans := make([]string, len(msgs))
	for i, m := range msgs {
		if m == "" {
			trans[i] = "Project-Id-Version: " + p.name + " " + p.version + "\nLanguage: " + lang +
				"\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"
			continue
		}
		trans[i] = "[" + lang + "] " + m
	}
	n := uint32(len(msgs))
	hdr := make([]uint32, 7, 7+4*n)
	origTab, transTab := uint32(28), 28+8*n
	off := transTab + 8*n
	hdr[0], hdr[2], hdr[3], hdr[4], hdr[6] = 0x950412de, n, origTab, transTab, off
	var data []byte
	var tabs [2][]uint32
	for k, list := range [2][]string{msgs, trans} {
		for _, s := range list {
			tabs[k] = append(tabs[k], uint32(len(s)), off+uint32(len(data)))
			data = append(append(data, s...), 0)
		}
	}
	hdr = append(append(hdr, tabs[0]...), tabs[1]...)
	out := binary.LittleEndian.AppendUint32(nil, hdr[0])
	for _, v := range hdr[1:] {
		out = binary.LittleEndian.AppendUint32(out, v)
	}
	return append(out, data...)
}
