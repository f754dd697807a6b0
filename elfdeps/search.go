package elfdeps

import (
	"debug/elf"
	"slices"
	"strings"
)

// searchDir is one directory a loader tries, and the configuration file
// that put it there when the file must be kept for the loader to look there.
type searchDir struct {
	dir  string
	conf string
}

// maxExpansions bounds the paths one search path element expands to.
const maxExpansions = 16

// dirs lists, in order, the directories searched for a library that o needs.
func (ns *namespace) dirs(o *object) []searchDir {
	if ns.musl != "" {
		return ns.muslDirs(o)
	}
	var ds []searchDir
	add := func(list []string, owner *object, conf string) {
		for _, d := range list {
			for _, x := range ns.expand(d, owner) {
				ds = append(ds, searchDir{dir: ns.c.o.abs(x), conf: conf})
			}
		}
	}
	if len(o.elf.runpath) == 0 {
		// The needer's DT_RPATH, then its loader's, up to the program's.
		// Objects with DT_RUNPATH have no DT_RPATH (elfFile drops it).
		for l := o; l != nil; l = l.loader {
			add(l.elf.rpath, l, "")
		}
	}
	add(ns.c.o.libraryPath, ns.exe, "")
	add(o.elf.runpath, o, "")
	if o.elf.nodeflib {
		return ds
	}
	// ld.so reads ld.so.cache, which ldconfig builds from ld.so.conf: a
	// library found there and in no default directory needs the cache.
	defaults := defaultDirs(o.elf)
	for _, d := range ns.c.ldconf() {
		conf := "/etc/ld.so.cache"
		if slices.Contains(defaults, d) {
			conf = ""
		}
		ds = append(ds, searchDir{dir: d, conf: conf})
	}
	for _, d := range defaults {
		ds = append(ds, searchDir{dir: d})
	}
	return ds
}

// muslDirs is musl's order: LD_LIBRARY_PATH, then the DT_RUNPATH (or else
// DT_RPATH) of the needer and of each object up the chain that loaded it,
// then the system path.
func (ns *namespace) muslDirs(o *object) []searchDir {
	var ds []searchDir
	for _, d := range ns.c.o.libraryPath {
		ds = append(ds, searchDir{dir: ns.c.o.abs(d)})
	}
	for l := o; l != nil; l = l.loader {
		rp := l.elf.runpath
		if len(rp) == 0 {
			rp = l.elf.rpath
		}
		var own []searchDir
		for _, d := range rp {
			x := ns.expand(d, l)
			if len(x) == 0 { // musl drops an rpath with a token it cannot expand
				own = nil
				break
			}
			own = append(own, searchDir{dir: ns.c.o.abs(x[0])})
		}
		ds = append(ds, own...)
	}
	mp := ns.c.muslPath(ns.musl)
	for _, d := range mp.dirs {
		ds = append(ds, searchDir{dir: d, conf: mp.conf})
	}
	return ds
}

// expand substitutes the dynamic string tokens of s for object o: $ORIGIN,
// and for glibc $LIB and $PLATFORM, each also spelt ${NAME}. $LIB has no one
// value across distributions (lib/x86_64-linux-gnu on Debian, lib64 on
// Fedora), so s expands to one path per candidate. An element that cannot
// be expanded yields nothing, and ld.so drops it the same way.
func (ns *namespace) expand(s string, o *object) []string {
	if !strings.Contains(s, "$") {
		return []string{s}
	}
	out := []string{""}
	appendAll := func(vals ...string) {
		var next []string
		for _, p := range out {
			for _, v := range vals {
				if len(next) < maxExpansions {
					next = append(next, p+v)
				}
			}
		}
		out = next
	}
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			appendAll(s)
			return out
		}
		appendAll(s[:i])
		tok, rest := dstToken(s[i+1:])
		switch {
		case tok == "ORIGIN":
			appendAll(o.origin)
		case tok == "LIB" && ns.musl == "":
			appendAll(libDirs(o.elf)...)
		case tok == "PLATFORM" && ns.musl == "":
			p := platform(o.elf)
			if p == "" {
				return nil
			}
			appendAll(p)
		case ns.musl != "":
			return nil
		default: // not a token: glibc keeps the '$'
			appendAll("$")
			rest = s[i+1:]
		}
		s = rest
	}
}

// dstToken splits "ORIGIN/x" or "{ORIGIN}/x" into the token name and the
// rest. A bare name ends at the first character that cannot be in an
// identifier, so "$ORIGINAL" is no $ORIGIN.
func dstToken(s string) (tok, rest string) {
	if strings.HasPrefix(s, "{") {
		if name, rest, ok := strings.Cut(s[1:], "}"); ok {
			return name, rest
		}
		return "", s
	}
	n := strings.IndexFunc(s, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if n < 0 {
		n = len(s)
	}
	return s[:n], s[n:]
}

// defaultDirs are ld.so's built-in directories for a needer of e's kind.
func defaultDirs(e *elfFile) []string {
	var ds []string
	for _, t := range triplets(e) {
		ds = append(ds, "/lib/"+t, "/usr/lib/"+t)
	}
	for _, l := range libDirs(e) {
		if !strings.Contains(l, "/") && l != "lib" {
			ds = append(ds, "/"+l, "/usr/"+l)
		}
	}
	return append(ds, "/lib", "/usr/lib")
}

// libDirs are the values $LIB may take for e's kind, most specific first.
func libDirs(e *elfFile) []string {
	var ls []string
	for _, t := range triplets(e) {
		ls = append(ls, "lib/"+t)
	}
	switch {
	case e.class == elf.ELFCLASS64:
		ls = append(ls, "lib64")
	case e.machine == elf.EM_X86_64:
		ls = append(ls, "libx32")
	case e.machine == elf.EM_386:
		ls = append(ls, "lib32")
	}
	return append(ls, "lib")
}

// triplets are the multiarch directory names for e's kind.
func triplets(e *elfFile) []string {
	is64, le := e.class == elf.ELFCLASS64, e.data == elf.ELFDATA2LSB
	pick := func(cond bool, a, b string) []string {
		if cond {
			return []string{a}
		}
		return []string{b}
	}
	switch e.machine {
	case elf.EM_X86_64:
		return pick(is64, "x86_64-linux-gnu", "x86_64-linux-gnux32")
	case elf.EM_386:
		return []string{"i386-linux-gnu"}
	case elf.EM_AARCH64:
		return pick(le, "aarch64-linux-gnu", "aarch64_be-linux-gnu")
	case elf.EM_ARM:
		return []string{"arm-linux-gnueabihf", "arm-linux-gnueabi"}
	case elf.EM_PPC64:
		return pick(le, "powerpc64le-linux-gnu", "powerpc64-linux-gnu")
	case elf.EM_PPC:
		return []string{"powerpc-linux-gnu"}
	case elf.EM_S390:
		return []string{"s390x-linux-gnu"}
	case elf.EM_RISCV:
		return []string{"riscv64-linux-gnu"}
	case elf.EM_LOONGARCH:
		return []string{"loongarch64-linux-gnu"}
	case elf.EM_MIPS:
		if is64 {
			return pick(le, "mips64el-linux-gnuabi64", "mips64-linux-gnuabi64")
		}
		return pick(le, "mipsel-linux-gnu", "mips-linux-gnu")
	}
	return nil
}

// platform is the AT_PLATFORM string $PLATFORM expands to, "" if unknown.
func platform(e *elfFile) string {
	switch e.machine {
	case elf.EM_X86_64:
		return "x86_64"
	case elf.EM_386:
		return "i686"
	case elf.EM_AARCH64:
		return "aarch64"
	case elf.EM_ARM:
		return "v7l"
	}
	return ""
}
