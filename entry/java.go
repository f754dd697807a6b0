package entry

import (
	"path"
	"slices"
	"strings"
)

// java keeps, when the run used a Java runtime's lib/modules (the image
// of its class library, which every JVM since 9 opens), the runtime's
// lib/ whole (the native libraries a class loads on first use: libzip,
// libnet, libnio, ...; the time zone and security data), its conf/ and
// its release file, and the class path of the image's command. A runtime
// is a directory holding lib/modules and release or bin/java.
func (k *packer) java(real string) {
	if path.Base(real) != "modules" || path.Base(path.Dir(real)) != "lib" {
		return
	}
	home := path.Dir(path.Dir(real))
	if home == "." || !k.isFile(home+"/release") && !k.isFile(home+"/bin/java") {
		return
	}
	p := k.add(PackageJava, path.Base(home), home)
	if p == nil {
		return
	}
	k.walk(p, home+"/lib", nil)
	k.walk(p, home+"/conf", nil)
	k.walk(p, home+"/release", nil)
	for _, e := range k.classPath() {
		if p := k.add(PackageJava, "classpath", e); p != nil {
			k.walk(p, e, nil)
		}
	}
}

// classPath lists the real paths of the class path of the image's command
// when it runs java: its -cp, -classpath or --class-path, else CLASSPATH
// from the environment; "dir/*" is each jar in dir. The jar of -jar is in
// the trace; the Class-Path of its manifest is not read.
func (k *packer) classPath() []string {
	argv := append(slices.Clone(k.cf.Config.Entrypoint), k.cf.Config.Cmd...)
	if len(argv) == 0 || path.Base(argv[0]) != "java" {
		argv = nil
	}
	cp, set := "", false
	for i := 1; i+1 < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-cp" || a == "-classpath" || a == "--class-path":
			cp, set = argv[i+1], true
		case strings.HasPrefix(a, "--class-path="):
			cp, set = strings.TrimPrefix(a, "--class-path="), true
		}
	}
	if !set {
		for _, e := range k.cf.Config.Env {
			if v, ok := strings.CutPrefix(e, "CLASSPATH="); ok {
				cp = v
			}
		}
	}
	wd := path.Clean("/" + cmpOr(k.cf.Config.WorkingDir, "/"))
	var out []string
	for e := range strings.SplitSeq(cp, ":") {
		if e == "" {
			continue
		}
		if !path.IsAbs(e) {
			e = path.Join(wd, e)
		}
		dir, wild := strings.CutSuffix(e, "/*")
		real, links, err := k.rt.Resolve(dir)
		if err != nil || real == "." {
			continue
		}
		for _, l := range links {
			k.keep = append(k.keep, rooted(l))
		}
		if !wild {
			out = append(out, real)
			continue
		}
		entries, _ := k.readDir(real)
		for _, de := range entries {
			if n := strings.ToLower(de.Name()); strings.HasSuffix(n, ".jar") {
				out = append(out, real+"/"+de.Name())
			}
		}
	}
	return out
}

// ruby keeps the gem directory (GEM_HOME/gems/NAME-VERSION) a file the
// run used lies in, whole, with its specification and its compiled
// extensions (GEM_HOME/extensions/PLATFORM/ABI/NAME-VERSION). The gems it
// depends on are not read from its specification (Ruby code): a gem the
// run never required is left.
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
		root := join(home, "gems/"+gem)
		p := k.add(PackageRuby, gem, root)
		if p == nil {
			return
		}
		k.walk(p, root, nil)
		k.walk(p, join(home, "specifications/"+gem+".gemspec"), nil)
		platforms, _ := k.readDir(join(home, "extensions"))
		for _, pl := range platforms {
			abis, _ := k.readDir(join(home, "extensions/"+pl.Name()))
			for _, abi := range abis {
				k.walk(p, join(home, "extensions/"+pl.Name()+"/"+abi.Name()+"/"+gem), nil)
			}
		}
		return
	}
}
