package example

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
)

// debs are the archives `apt-get install ca-certificates curl git` leaves in
// the cache, with their compressed sizes scaled down about 20 times.
var debs = []struct {
	name string
	size int
}{
	{"ca-certificates_20230311_all.deb", 8_100},
	{"curl_7.88.1-10+deb12u12_amd64.deb", 15_800},
	{"git-man_1%3a2.39.5-0+deb12u2_all.deb", 105_000},
	{"git_1%3a2.39.5-0+deb12u2_amd64.deb", 365_000},
	{"libcurl3-gnutls_7.88.1-10+deb12u12_amd64.deb", 19_300},
	{"libcurl4_7.88.1-10+deb12u12_amd64.deb", 19_500},
	{"liberror-perl_0.17029-2_all.deb", 1_500},
	{"libexpat1_2.5.0-1+deb12u1_amd64.deb", 4_900},
	{"libperl5.36_5.36.0-7+deb12u2_amd64.deb", 207_000},
	{"openssl_3.0.16-1~deb12u1_amd64.deb", 70_500},
	{"perl-modules-5.36_5.36.0-7+deb12u2_all.deb", 141_000},
	{"perl_5.36.0-7+deb12u2_amd64.deb", 12_400},
}

// aptArchives writes each .deb as a real ar archive (debian-binary,
// control.tar.gz, data.tar.gz); data.tar.gz holds incompressible bytes so
// the file has about the size a compressed package would.
func aptArchives(l *layer) {
	for _, d := range debs {
		pkgName, rest, _ := strings.Cut(d.name, "_")
		version, _, _ := strings.Cut(rest, "_")
		control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: amd64\n"+
			"Maintainer: Debian Developers <debian-devel@lists.debian.org>\nDescription: %s\n",
			pkgName, strings.ReplaceAll(version, "%3a", ":"), pkgName)
		var ar bytes.Buffer
		ar.WriteString("!<arch>\n")
		arMember(&ar, "debian-binary", []byte("2.0\n"))
		arMember(&ar, "control.tar.gz", gz(tarOf("./control", []byte(control))))
		arMember(&ar, "data.tar.gz", gz(tarOf("./usr/share/doc/"+pkgName+"/data", noise(d.name, d.size))))
		l.file("var/cache/apt/archives/"+d.name, 0o644, ar.Bytes())
	}
	l.file("var/cache/apt/archives/lock", 0o640, nil)
}

// arMember appends one member to a common-format ar archive.
func arMember(w *bytes.Buffer, name string, body []byte) {
	fmt.Fprintf(w, "%-16s%-12d%-6d%-6d%-8o%-10d`\n", name, 1706036044, 0, 0, 0o100644, len(body))
	w.Write(body)
	if len(body)%2 == 1 {
		w.WriteByte('\n')
	}
}

// tarOf is a one-file tar.
func tarOf(name string, body []byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write(body)
	tw.Close()
	return buf.Bytes()
}

// noise is n deterministic, incompressible bytes derived from seed.
func noise(seed string, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	for i := 0; len(out) < n; i++ {
		s := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", seed, i)))
		out = append(out, s[:]...)
	}
	return out[:n]
}

// listWords and listPrefixes make plausible package names for the lists.
var (
	listPrefixes = []string{"lib", "python3-", "golang-", "node-", "r-cran-", "fonts-"}
	listWords    = []string{
		"acl", "attr", "audit", "bz2", "cap", "crypt", "curl", "db", "expat", "ffi", "gcrypt",
		"gmp", "gnutls", "gif", "icu", "idn2", "jpeg", "json", "lz4", "lzma", "nettle", "pam",
		"pcre2", "png", "selinux", "sqlite3", "ssl", "systemd", "tasn1", "tiff", "tinfo", "udev",
		"unistring", "uuid", "webp", "xml2", "xxhash", "yaml", "zstd", "zlib",
	}
)

// aptLists writes the files `apt-get update` leaves in /var/lib/apt/lists:
// an InRelease and a Packages index per suite, much shorter than the real
// 45 MB ones, in the same format.
func aptLists(l *layer) {
	const dir = "var/lib/apt/lists/"
	suites := []struct {
		host, archive, suite string
		every                int // keep every n-th package name
	}{
		{"deb.debian.org", "debian", "bookworm", 1},
		{"deb.debian.org", "debian", "bookworm-updates", 9},
		{"deb.debian.org", "debian-security", "bookworm-security", 5},
	}
	for _, s := range suites {
		var pk strings.Builder
		n := 0
		for _, p := range listPrefixes {
			for _, w := range listWords {
				n++
				if n%s.every != 0 {
					continue
				}
				name := p + w
				fmt.Fprintf(&pk, "Package: %s\nVersion: %d.%d-%d\nInstalled-Size: %d\n"+
					"Maintainer: Debian Developers <debian-devel@lists.debian.org>\nArchitecture: amd64\n"+
					"Depends: libc6 (>= 2.34)\nDescription: %s for Debian\nHomepage: https://salsa.debian.org/%s\n"+
					"Section: libs\nPriority: optional\nFilename: pool/main/%c/%s/%s_%d.%d-%d_amd64.deb\n"+
					"Size: %d\nSHA256: %x\n\n",
					name, n%7+1, n%13, n%3+1, 100+n*37%4000, name, name,
					name[0], name, name, n%7+1, n%13, n%3+1, 20000+n*911%300000,
					sha256.Sum256([]byte(s.suite+name)))
			}
		}
		base := fmt.Sprintf("%s_%s_dists_%s_", s.host, s.archive, s.suite)
		packages := pk.String()
		l.text(dir+base+"main_binary-amd64_Packages", packages)
		l.text(dir+base+"InRelease", fmt.Sprintf("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"+
			"Origin: Debian\nLabel: Debian\nSuite: %s\nCodename: %s\nDate: Tue, 23 Jan 2024 18:00:00 UTC\n"+
			"Architectures: all amd64 arm64\nComponents: main\nSHA256:\n %x %d main/binary-amd64/Packages\n"+
			"-----BEGIN PGP SIGNATURE-----\n\n%x\n-----END PGP SIGNATURE-----\n",
			s.suite, strings.TrimSuffix(strings.TrimSuffix(s.suite, "-updates"), "-security"),
			sha256.Sum256([]byte(packages)), len(packages), noise(s.suite, 512)))
	}
	l.file(dir+"lock", 0o640, nil)
}
