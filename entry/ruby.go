// This file is the package closure of Ruby: gems and their runtime
// dependencies, as RubyGems and Debian install them.

package entry

import (
	"path"
	"slices"
	"strings"
)

// Bounds on what is read of Ruby's specifications.
const (
	maxGemspec = 1 << 20
	maxGems    = 1024 // the gems a closure reaches
)

// rubyHomes are the gem directories (holding specifications/ and gems/)
// of a Ruby image, real paths up to one "*" a component: RubyGems' own
// (Debian's ruby, a gem install as root, the official image's bundle) and
// Debian's rubygems-integration, where its ruby-* packages put their
// specifications (with the gem's files under gems/, or, in the older
// layout, in vendor_ruby).
var rubyHomes = []string{
	"usr/local/bundle", "usr/local/lib/ruby/gems/*", "var/lib/gems/*", "usr/lib/ruby/gems/*",
	"usr/share/rubygems-integration/*", "usr/lib/*/rubygems-integration/*",
}

// rubyVendor are the directories of Debian's older layout, where a gem's
// lib/ is installed: Ruby's path has them.
var rubyVendor = []string{"usr/lib/ruby/vendor_ruby", "usr/lib/*/ruby/vendor_ruby/*"}

// gemspec is what is read of a specification.
type gemspec struct {
	real string   // its real path
	gem  string   // NAME-VERSION
	deps []string // the names of the gems it needs at run time
	libs []string // the first components of the files it lists under lib/
}

// rubyIndex are the specifications of the image's gem directories.
type rubyIndex struct {
	vendorDirs []string              // real paths of rubyVendor
	byName     map[string][]*gemspec // gem name → its installed versions' specifications
	vendor     map[string]*gemspec   // a first component under vendor_ruby → the specification listing it
}

// ruby keeps the gem a file the run used belongs to, whole, and the gems
// it needs at run time, transitively (see rubyGem): a file in a gem's
// directory (GEM_HOME/gems/NAME-VERSION), or in Debian's vendor_ruby
// that a specification lists.
func (k *packer) ruby(real string) {
	parts := strings.Split(real, "/")
	for i := len(parts) - 3; i >= 0; i-- {
		if parts[i] != "gems" {
			continue
		}
		gem, home := parts[i+1], strings.Join(parts[:i], "/")
		if !strings.Contains(gem, "-") || !k.isDir(join(home, "specifications")) {
			return
		}
		k.rubyGem(join(home, "specifications/"+gem+".gemspec"), home, gem)
		return
	}
	if !strings.Contains(real, "/vendor_ruby/") {
		return
	}
	for _, v := range k.gems().vendorDirs {
		if rest, ok := strings.CutPrefix(real, v+"/"); ok {
			top, _, _ := strings.Cut(rest, "/")
			if s := k.gems().vendor[strings.TrimSuffix(top, ".rb")]; s != nil {
				k.rubyGem(s.real, "", s.gem)
			}
			return
		}
	}
}

// rubyGem keeps the gem of the specification spec (a real path): its
// directory home/gems/GEM whole, with its specification and its compiled
// extensions (home/extensions/PLATFORM/ABI/GEM); for a gem with no such
// directory, what its specification lists under lib/ in vendor_ruby.
// Then the gems its specification needs at run time, each in every
// version installed (the specification's requirements are Ruby, not read).
func (k *packer) rubyGem(spec, home, gem string) {
	queue := []string{spec}
	homes := map[string]string{spec: home}
	for n := 0; len(queue) > 0 && n < maxGems; n++ {
		spec, queue = queue[0], queue[1:]
		home, gem = homes[spec], strings.TrimSuffix(path.Base(spec), ".gemspec")
		root := join(home, "gems/"+gem)
		if home == "" || !k.isDir(root) {
			root = spec
		}
		p := k.add(PackageRuby, gem, root)
		if p == nil {
			continue
		}
		k.walk(p, spec, nil)
		s := k.readGemspec(spec)
		if root != spec {
			k.walk(p, root, nil)
			platforms, _ := k.readDir(join(home, "extensions"))
			for _, pl := range platforms {
				abis, _ := k.readDir(join(home, "extensions/"+pl.Name()))
				for _, abi := range abis {
					k.walk(p, join(home, "extensions/"+pl.Name()+"/"+abi.Name()+"/"+gem), nil)
				}
			}
		} else {
			for _, v := range k.gems().vendorDirs {
				for _, l := range s.libs {
					k.walk(p, v+"/"+l, nil)
					k.walk(p, v+"/"+l+".rb", nil)
				}
			}
		}
		for _, d := range s.deps {
			for _, dep := range k.gems().byName[d] {
				if _, ok := homes[dep.real]; !ok {
					homes[dep.real] = path.Dir(path.Dir(dep.real))
					queue = append(queue, dep.real)
				}
			}
		}
	}
}

// gems indexes the specifications of the image's gem directories, once.
func (k *packer) gems() *rubyIndex {
	if k.rubyIdx != nil {
		return k.rubyIdx
	}
	idx := &rubyIndex{vendorDirs: k.expand(rubyVendor), byName: map[string][]*gemspec{}, vendor: map[string]*gemspec{}}
	k.rubyIdx = idx
	for _, home := range k.expand(rubyHomes) {
		specs, _ := k.readDir(home + "/specifications")
		for _, e := range specs {
			gem, ok := strings.CutSuffix(e.Name(), ".gemspec")
			if !ok || !e.Type().IsRegular() {
				continue // default/, whose gems are the standard library's
			}
			name := gemName(gem)
			real := home + "/specifications/" + e.Name()
			s := &gemspec{real: real, gem: gem}
			idx.byName[name] = append(idx.byName[name], s)
			if !k.isDir(home + "/gems/" + gem) {
				for _, l := range k.readGemspec(real).libs {
					if _, ok := idx.vendor[l]; !ok {
						idx.vendor[l] = s
					}
				}
			}
		}
	}
	return idx
}

// readGemspec reads the specification at real, once: a specification
// past maxGemspec reads as none.
func (k *packer) readGemspec(real string) *gemspec {
	if s, ok := k.specs[real]; ok {
		return s
	}
	s := &gemspec{real: real, gem: strings.TrimSuffix(path.Base(real), ".gemspec")}
	k.specs[real] = s
	b, err := k.rt.ReadFile(real, maxGemspec)
	if err != nil {
		return s
	}
	s.deps, s.libs = parseGemspec(string(b))
	return s
}

// parseGemspec reads a specification as RubyGems writes one
// (Gem::Specification#to_ruby), line by line, without running it: the
// gems named by add_runtime_dependency and add_dependency, but in the
// branch older RubyGems wrote for a RubyGems without
// add_runtime_dependency, where add_dependency names the development
// dependencies too ("if s.respond_to? :add_runtime_dependency then ...
// else ... end"); and the first components of the files "s.files" lists
// under lib/.
func parseGemspec(src string) (deps, libs []string) {
	var inIf, inElse bool
	for l := range strings.SplitSeq(src, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "if s.respond_to? :add_runtime_dependency"):
			inIf = true
		case inIf && l == "else":
			inElse = true
		case inIf && l == "end":
			inIf, inElse = false, false
		case inElse:
		case strings.Contains(l, ".add_runtime_dependency"):
			deps = appendName(deps, l[strings.Index(l, ".add_runtime_dependency"):])
		case strings.Contains(l, ".add_dependency"):
			deps = appendName(deps, l[strings.Index(l, ".add_dependency"):])
		case strings.HasPrefix(l, "s.files = ["):
			for _, f := range quoted(l) {
				if rest, ok := strings.CutPrefix(f, "lib/"); ok {
					top, _, _ := strings.Cut(strings.TrimSuffix(rest, ".rb"), "/")
					if validGemName(top) && !slices.Contains(libs, top) {
						libs = append(libs, top)
					}
				}
			}
		}
	}
	return deps, libs
}

// appendName appends the first name call (a dependency's) gives, written
// %q<NAME> or quoted, when it is one.
func appendName(names []string, call string) []string {
	var n string
	if _, rest, ok := strings.Cut(call, "%q<"); ok {
		n, _, _ = strings.Cut(rest, ">")
	} else if q := quoted(call); len(q) > 0 {
		n = q[0]
	}
	if !validGemName(n) || slices.Contains(names, n) {
		return names
	}
	return append(names, n)
}

// quoted are the strings in double or single quotes in l, unescaped not.
func quoted(l string) []string {
	var out []string
	for {
		i := strings.IndexAny(l, `"'`)
		if i < 0 {
			return out
		}
		j := strings.IndexByte(l[i+1:], l[i])
		if j < 0 {
			return out
		}
		out = append(out, l[i+1:i+1+j])
		l = l[i+j+2:]
	}
}

// validGemName reports whether s is a name RubyGems allows: never a path.
func validGemName(s string) bool {
	return s != "" && s != "." && s != ".." && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
}

// gemName is the name of gem NAME-VERSION[-PLATFORM]: up to the first "-"
// before a digit (net-telnet-0.2.0, nokogiri-1.15.0-x86_64-linux).
func gemName(gem string) string {
	for i := 0; i+1 < len(gem); i++ {
		if gem[i] == '-' && gem[i+1] >= '0' && gem[i+1] <= '9' {
			return gem[:i]
		}
	}
	return gem
}

// expand lists the directories (real paths) that patterns name, a "*"
// component matching any directory; what a symlink leads to is not
// listed (the image's layout, not the host's).
func (k *packer) expand(patterns []string) []string {
	var out []string
	for _, pat := range patterns {
		dirs := []string{""}
		for c := range strings.SplitSeq(pat, "/") {
			var next []string
			for _, d := range dirs {
				if c != "*" {
					if k.isDir(join(d, c)) {
						next = append(next, join(d, c))
					}
					continue
				}
				entries, _ := k.readDir(d)
				for _, e := range entries {
					if e.IsDir() {
						next = append(next, join(d, e.Name()))
					}
				}
			}
			dirs = next
		}
		out = append(out, dirs...)
	}
	return out
}
