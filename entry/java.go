package entry

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// java keeps, when the run used a Java runtime's lib/modules (the image
// of its class library, which every JVM since 9 opens), the runtime's
// lib/ whole (the native libraries a class loads on first use: libzip,
// libnet, libnio, ...; the time zone and security data), its conf/ and
// its release file, and the class path of the image's command. A runtime
// is a directory holding lib/modules and release or bin/java. A jar the
// run used keeps the jars its manifest's Class-Path names (see
// classPathEntry).
func (k *packer) java(real string) {
	if strings.EqualFold(path.Ext(real), ".jar") {
		k.classPathEntry(rooted(real))
		return
	}
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
	k.walk(p, home+"/lib", k.javaUnused)
	k.walk(p, home+"/conf", nil)
	k.walk(p, home+"/release", nil)
	for _, e := range k.classPath() {
		k.classPathEntry(e)
	}
}

// javaUnused leaves out, unless the run used them, the files of a Java
// runtime's lib/ that a running program does without: the class-data
// sharing archive of a JVM without compressed pointers (a heap over 32
// GB, or -XX:-UseCompressedOops; without it the JVM starts without
// sharing, a little slower) and javac's symbol file ct.sym (javac's
// --release; the JRE never reads it). On Debian's JRE 17 they are 20 of
// the 24 MB that keeping lib/ whole adds.
func (k *packer) javaUnused(name string, d fs.DirEntry) bool {
	if d.IsDir() || k.traced[name] {
		return false
	}
	b := path.Base(name)
	return b == "ct.sym" || b == "classes_nocoops.jsa"
}

// javaValued are the options of the java launcher whose value is the next
// argument: the first other argument not starting with "-" is the main
// class, and those after it are the program's.
var javaValued = map[string]bool{
	"-cp": true, "-classpath": true, "--class-path": true, "-p": true, "--module-path": true,
	"--upgrade-module-path": true, "--add-modules": true, "--limit-modules": true, "--add-reads": true,
	"--add-exports": true, "--add-opens": true, "--patch-module": true, "--enable-native-access": true,
	"--source": true, "-d": true, "--describe-module": true,
}

// classPath lists the class path of the image's command when it runs
// java, slash-rooted as named: the jar of -jar alone (java ignores the
// others then), else its -cp, -classpath or --class-path, else CLASSPATH
// from the environment; "dir/*" is each jar in dir.
func (k *packer) classPath() []string {
	argv := append(slices.Clone(k.cf.Config.Entrypoint), k.cf.Config.Cmd...)
	if len(argv) == 0 || path.Base(argv[0]) != "java" {
		argv = nil
	}
	wd := path.Clean("/" + cmpOr(k.cf.Config.WorkingDir, "/"))
	abs := func(e string) string {
		if !path.IsAbs(e) {
			e = path.Join(wd, e)
		}
		return e
	}
	cp, set := "", false
args:
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-jar" && i+1 < len(argv):
			return []string{abs(argv[i+1])}
		case (a == "-cp" || a == "-classpath" || a == "--class-path") && i+1 < len(argv):
			cp, set = argv[i+1], true
			i++
		case strings.HasPrefix(a, "--class-path="):
			cp, set = strings.TrimPrefix(a, "--class-path="), true
		case javaValued[a]:
			i++
		case a == "-m" || a == "--module" || !strings.HasPrefix(a, "-"):
			break args // the main class or module: the program's arguments follow
		}
	}
	if !set {
		for _, e := range k.cf.Config.Env {
			if v, ok := strings.CutPrefix(e, "CLASSPATH="); ok {
				cp = v
			}
		}
	}
	var out []string
	for e := range strings.SplitSeq(cp, ":") {
		if e == "" {
			continue
		}
		e = abs(e)
		dir, wild := strings.CutSuffix(e, "/*")
		if !wild {
			out = append(out, e)
			continue
		}
		real, links, err := k.rt.Resolve(dir)
		if err != nil || real == "." {
			continue
		}
		for _, l := range links {
			k.keep = append(k.keep, rooted(l))
		}
		entries, _ := k.readDir(real)
		for _, de := range entries {
			if n := strings.ToLower(de.Name()); strings.HasSuffix(n, ".jar") {
				out = append(out, path.Join(dir, de.Name()))
			}
		}
	}
	return out
}
