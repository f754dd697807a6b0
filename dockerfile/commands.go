package dockerfile

import (
	"path"
	"strings"
)

type cmdKind int

const (
	otherCmd   cmdKind = iota
	neutralCmd         // cd, true, echo: neither adds nor removes bytes
	cleanupCmd         // deletes, uninstalls or cleans a cache
)

var neutral = map[string]bool{"cd": true, "true": true, ":": true, "set": true, "echo": true, "exit": true, "ls": true, "du": true, "df": true}

// valueFlags lists, per package manager, the flags that take a value, so
// their values are not read as package names.
var valueFlags = map[string]string{
	"apk":    "-t --virtual -X --repository --repositories-file -p --root --arch --keys-dir --cache-dir",
	"apt":    "-o -t -c --target-release --option --config-file",
	"yum":    "-c --config --installroot --releasever --enablerepo --disablerepo --setopt -x --exclude",
	"zypper": "-r --repo --from -t --type",
	"pip":    "-r --requirement -c --constraint -i --index-url --extra-index-url -f --find-links -t --target --prefix --root",
	"npm":    "--prefix --registry",
}

// family maps a package manager command to its family.
func family(name string) string {
	switch {
	case name == "apk":
		return "apk"
	case name == "apt-get" || name == "apt" || name == "aptitude":
		return "apt"
	case name == "yum" || name == "dnf" || name == "dnf5" || name == "microdnf" || name == "tdnf":
		return "yum"
	case name == "zypper":
		return "zypper"
	case name == "npm":
		return "npm"
	}
	return ""
}

// operandsAfter returns the operands after the first argument equal to one
// of subs, skipping the values of the family's valued flags.
func operandsAfter(c *Command, fam string, subs ...string) ([]string, bool) {
	valued := strings.Fields(valueFlags[fam])
	args := c.args()
	for i, a := range args {
		found := false
		for _, s := range subs {
			found = found || a == s
		}
		if !found {
			continue
		}
		var out []string
		for j := i + 1; j < len(args); j++ {
			b := args[j]
			switch {
			case contains(valued, b):
				j++
			case strings.HasPrefix(b, "-"):
			default:
				out = append(out, b)
			}
		}
		return out, true
	}
	return nil, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pkgName cuts the version off a package argument.
func pkgName(fam, p string) string {
	cut := "=<>~"
	switch fam {
	case "apt":
		cut = "=/"
	case "pip":
		cut = "=<>!~[;@ "
	case "npm":
		if i := strings.LastIndexByte(p, '@'); i > 0 {
			return p[:i]
		}
		return p
	}
	if i := strings.IndexAny(p, cut); i > 0 {
		return p[:i]
	}
	return p
}

func pkgNames(fam string, args []string) []string {
	var out []string
	for _, a := range args {
		if n := pkgName(fam, a); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// isPipInstall is hadolint's test: pip* install, or python* -m pip install;
// pipx and pipenv are not pip.
func isPipInstall(c *Command) bool {
	n := c.Name()
	if strings.HasPrefix(n, "pipx") || strings.HasPrefix(n, "pipenv") {
		return false
	}
	if strings.HasPrefix(n, "pip") {
		return c.HasArg("install")
	}
	return strings.HasPrefix(n, "python") && seq(c.args(), "-m", "pip", "install")
}

func seq(args []string, want ...string) bool {
	for i := 0; i+len(want) <= len(args); i++ {
		ok := true
		for j, w := range want {
			ok = ok && args[i+j] == w
		}
		if ok {
			return true
		}
	}
	return false
}

// command records what one command does and says what kind it is.
func (fc *facts) command(c *Command, cwd string) cmdKind {
	name := c.Name()
	home := fc.env["HOME"]
	cache := func(p, what string) {
		fc.writes = append(fc.writes, write{path: p, what: what, cmd: c, kind: "cache", at: fc.at})
	}
	del := func(ps ...string) cmdKind {
		for _, p := range ps {
			fc.deletes = append(fc.deletes, deletion{path: fc.abs(p, cwd), cmd: c, at: fc.at})
		}
		return cleanupCmd
	}
	fam := family(name)
	switch {
	case neutral[name]:
		return neutralCmd
	case name == "rm":
		return del(c.Operands()...)
	case name == "find":
		if c.HasArg("-delete") || (c.HasArg("-exec") && c.HasArg("rm")) {
			var dirs []string
			for _, a := range c.args() {
				if strings.HasPrefix(a, "-") || a == "(" || a == "!" {
					break
				}
				dirs = append(dirs, a)
			}
			return del(dirs...)
		}
	case fam == "apk":
		switch {
		case c.HasArg("add"):
			pkgs, _ := operandsAfter(c, fam, "add")
			virtual, _ := c.FlagValue("t", "virtual")
			fc.installs = append(fc.installs, install{mgr: fam, pkgs: pkgNames(fam, pkgs), virtual: virtual, cmd: c})
			if !c.HasFlag("no-cache") {
				cache("/var/cache/apk", "the apk index in /var/cache/apk")
			}
		case c.HasArg("update", "upgrade"):
			if !c.HasFlag("no-cache") {
				cache("/var/cache/apk", "the apk index in /var/cache/apk")
			}
		case c.HasArg("del"):
			pkgs, _ := operandsAfter(c, fam, "del")
			fc.removes = append(fc.removes, removal{mgr: fam, pkgs: pkgNames(fam, pkgs), cmd: c})
			return cleanupCmd
		case c.HasArg("cache") && c.HasArg("clean", "purge"):
			return del("/var/cache/apk", "/etc/apk/cache")
		}
	case fam == "apt":
		switch {
		case c.HasArg("install"):
			pkgs, _ := operandsAfter(c, fam, "install")
			fc.installs = append(fc.installs, install{mgr: fam, pkgs: pkgNames(fam, pkgs), cmd: c})
			cache("/var/cache/apt", "the .deb cache in /var/cache/apt")
		case c.HasArg("update"):
			cache("/var/lib/apt/lists", "the apt lists in /var/lib/apt/lists")
		case c.HasArg("purge", "remove", "autoremove"):
			pkgs, _ := operandsAfter(c, fam, "purge", "remove", "autoremove")
			fc.removes = append(fc.removes, removal{mgr: fam, pkgs: pkgNames(fam, pkgs), cmd: c})
			return cleanupCmd
		case c.HasArg("clean", "autoclean"):
			return del("/var/cache/apt")
		}
	case fam == "yum":
		dir := yumCacheDir(name)
		switch {
		case yumDownloads(c):
			// upgrade and update download packages as install does
			pkgs, _ := operandsAfter(c, fam, "install", "upgrade", "update")
			fc.installs = append(fc.installs, install{mgr: fam, pkgs: pkgNames(fam, pkgs), cmd: c})
			cache(dir, "the "+name+" cache in "+dir)
		case c.HasArg("remove", "erase", "autoremove"):
			pkgs, _ := operandsAfter(c, fam, "remove", "erase", "autoremove")
			fc.removes = append(fc.removes, removal{mgr: fam, pkgs: pkgNames(fam, pkgs), cmd: c})
			return cleanupCmd
		case c.HasArg("clean") && c.HasArg("all"):
			return del("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5")
		}
	case fam == "zypper":
		switch {
		case c.HasArg("install", "in"):
			pkgs, _ := operandsAfter(c, fam, "install", "in")
			fc.installs = append(fc.installs, install{mgr: fam, pkgs: pkgNames(fam, pkgs), cmd: c})
			cache("/var/cache/zypp", "the zypper cache in /var/cache/zypp")
		case c.HasArg("remove", "rm"):
			pkgs, _ := operandsAfter(c, fam, "remove", "rm")
			fc.removes = append(fc.removes, removal{mgr: fam, pkgs: pkgNames(fam, pkgs), cmd: c})
			return cleanupCmd
		case c.HasArg("clean", "cc"):
			return del("/var/cache/zypp")
		}
	case isPipInstall(c):
		pkgs, _ := operandsAfter(c, "pip", "install")
		fc.installs = append(fc.installs, install{mgr: "pip", pkgs: pkgNames("pip", pkgs), cmd: c})
		if !c.HasArg("--no-cache-dir") {
			cache(home+"/.cache/pip", "the pip cache in "+home+"/.cache/pip")
		}
	case strings.HasPrefix(name, "pip") && c.HasArg("uninstall"):
		pkgs, _ := operandsAfter(c, "pip", "uninstall")
		fc.removes = append(fc.removes, removal{mgr: "pip", pkgs: pkgNames("pip", pkgs), cmd: c})
		return cleanupCmd
	case strings.HasPrefix(name, "pip") && c.HasArg("cache") && c.HasArg("purge", "remove"):
		return del(home + "/.cache/pip")
	case name == "npm":
		switch {
		case c.HasArg("cache") && c.HasArg("clean"):
			return del(home + "/.npm")
		case c.HasArg("uninstall", "remove", "rm", "un"):
			return cleanupCmd
		case c.HasArg("install", "i", "ci", "add"):
			cache(home+"/.npm", "the npm cache in "+home+"/.npm")
			fc.writes = append(fc.writes, write{path: path.Join(cwd, "node_modules"), what: "node_modules", cmd: c, kind: "build", at: fc.at})
		}
	case name == "yarn":
		switch {
		case c.HasArg("cache") && c.HasArg("clean"):
			return del(yarnCaches(home)...)
		case c.HasArg("remove"):
			return cleanupCmd
		case c.HasArg("install", "add") || len(c.Args) == 1:
			for _, p := range yarnCaches(home) {
				cache(p, "the yarn cache in "+p)
			}
		}
	case name == "go":
		return fc.goCommand(c, cwd, cache, del)
	case name == "cargo":
		switch {
		case c.HasArg("clean"):
			return del(path.Join(cwd, "target"))
		case c.HasArg("build", "install", "fetch"):
			ch := fc.env["CARGO_HOME"]
			cache(ch+"/registry", "the cargo registry in "+ch+"/registry")
			cache(ch+"/git", "cargo's git checkouts in "+ch+"/git")
			if c.HasArg("build") {
				cache(path.Join(cwd, "target"), "cargo's target directory "+path.Join(cwd, "target"))
			}
		}
	case name == "mvn" || name == "mvnw":
		cache(home+"/.m2", "the Maven repository in "+home+"/.m2")
	case name == "gradle" || name == "gradlew":
		dir := fc.env["GRADLE_USER_HOME"]
		if dir == "" {
			dir = home + "/.gradle"
		}
		cache(dir, "the Gradle caches in "+dir)
	case name == "wget" || name == "curl":
		if p, url := download(c); p != "" {
			p = fc.abs(p, cwd)
			fc.writes = append(fc.writes, write{path: p, what: path.Base(p) + " (downloaded from " + url + ")", cmd: c, kind: "download", at: fc.at})
		}
	case name == "tar" && tarExtract(c):
		dir, ok := c.FlagValue("C", "directory")
		if !ok {
			dir = cwd
		}
		fc.writes = append(fc.writes, write{path: fc.abs(dir, cwd), what: "files extracted to " + fc.abs(dir, cwd), cmd: c, kind: "extract", at: fc.at})
	case name == "git" && c.HasArg("clone"):
		ops, _ := operandsAfter(c, "", "clone")
		if len(ops) > 0 {
			dir := strings.TrimSuffix(path.Base(ops[0]), ".git")
			if len(ops) > 1 {
				dir = ops[1]
			}
			p := fc.abs(dir, cwd)
			fc.writes = append(fc.writes, write{path: p, what: "the clone in " + p, cmd: c, kind: "clone", at: fc.at})
		}
	case decompressor(c):
		for _, f := range c.Operands() {
			if !c.HasFlag("k") && !c.HasFlag("keep") {
				fc.deletes = append(fc.deletes, deletion{path: fc.abs(f, cwd), cmd: c, at: fc.at})
			}
		}
	}
	return otherCmd
}

// yumCacheDir returns where a yum-family command keeps its cache: dnf5
// (dnf on Fedora 41 and later is dnf5 too, and keeps /var/cache/dnf empty)
// in /var/cache/libdnf5.
func yumCacheDir(name string) string {
	switch name {
	case "dnf":
		return "/var/cache/dnf"
	case "dnf5":
		return "/var/cache/libdnf5"
	}
	return "/var/cache/yum"
}

// yumDownloads reports whether a yum, dnf or microdnf command downloads
// packages into its cache: install, and upgrade or update (the same thing
// in dnf; yum update upgrades too).
func yumDownloads(c *Command) bool { return c.HasArg("install", "upgrade", "update") }

func yarnCaches(home string) []string {
	return []string{"/usr/local/share/.cache/yarn", home + "/.cache/yarn", home + "/.yarn/berry/cache"}
}

// goCommand records the caches a go command fills and the ones go clean
// empties.
func (fc *facts) goCommand(c *Command, cwd string, cache func(p, what string), del func(...string) cmdKind) cmdKind {
	gocache, modcache, gopath := fc.env["GOCACHE"], fc.env["GOMODCACHE"], fc.env["GOPATH"]
	switch {
	case c.HasArg("clean"):
		var ps []string
		if c.HasArg("-cache") {
			ps = append(ps, gocache)
		}
		if c.HasArg("-modcache") {
			ps = append(ps, modcache)
		}
		if len(ps) == 0 {
			return otherCmd
		}
		return del(ps...)
	case c.HasArg("build", "install", "get", "test", "run", "generate", "vet"):
		cache(gocache, "the build cache in "+gocache)
		cache(modcache, "the module cache in "+modcache)
		if c.HasArg("get") {
			cache(gopath+"/src", "the sources in "+gopath+"/src")
		}
	case c.HasArg("mod") && c.HasArg("download"):
		cache(modcache, "the module cache in "+modcache)
	}
	return otherCmd
}
