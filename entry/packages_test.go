package entry_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/rootfs"
)

const (
	dist     = tartest.PythonDist
	stdlib   = "/usr/lib/python3.11"
	npmTree  = tartest.NodeModules
	jre      = "/usr/lib/jvm/jre"
	gemHome  = "/var/lib/gems/3.1.0"
	debianJS = "/usr/share/nodejs"
)

// packagesImage is an image of real Python and Node packages copied from
// this host (Debian's python3-yaml with its libyaml, python3-jwt,
// docopt, the standard library's json; npm's which, with its own isexe
// nested, isexe and ms) and of Debian's Node, Java and Ruby layouts
// written out: nothing in it runs.
func packagesImage(t *testing.T) string {
	t.Helper()
	h := tartest.NewHost(t).Etc()
	for _, p := range []string{dist + "/yaml", dist + "/_yaml", dist + "/PyYAML-6.0.dist-info", dist + "/jwt",
		dist + "/PyJWT-2.6.0.egg-info", dist + "/docopt.py", dist + "/docopt-0.6.2.egg-info", stdlib + "/json", stdlib + "/keyword.py",
		npmTree + "/which", npmTree + "/isexe", npmTree + "/ms"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("this test copies Debian's Python packages and npm's from the host: %v", err)
		}
	}
	for _, p := range []string{dist + "/yaml", dist + "/_yaml", dist + "/PyYAML-6.0.dist-info", dist + "/jwt",
		dist + "/PyJWT-2.6.0.egg-info", stdlib + "/json"} {
		h.AddTree(p)
	}
	h.Add(dist + "/docopt.py")
	h.AddTree(dist + "/docopt-0.6.2.egg-info")
	h.Add(stdlib + "/keyword.py")
	so, _ := filepath.Glob(dist + "/yaml/_yaml.cpython-*.so")
	if len(so) != 1 {
		t.Skipf("this test needs the libyaml extension of python3-yaml: %q", so)
	}
	h.Program(so[0]) // with libyaml and libc
	for _, p := range []string{"which", "isexe", "ms"} {
		h.CopyTree(npmTree+"/"+p, "app/node_modules/"+p)
	}
	for _, e := range []tartest.Entry{
		tartest.Exec("app/main.js", []byte("#!/usr/bin/node\nrequire('which')\n")),
		tartest.File("app/package.json", `{"name": "app", "dependencies": {"which": "*", "../../usr/share/nodejs/unrelated": "*", "@x": "*"}}`),
		// Debian's node-* packages: leftpad needs rightpad, unrelated is unrelated.
		tartest.Dir("usr/share"), tartest.Dir("usr/share/nodejs"),
		tartest.Dir("usr/share/nodejs/leftpad"), tartest.File("usr/share/nodejs/leftpad/index.js", "module.exports = require('rightpad')\n"),
		tartest.File("usr/share/nodejs/leftpad/package.json", `{"name": "leftpad", "dependencies": {"rightpad": "^1"}}`),
		tartest.Dir("usr/share/nodejs/rightpad"), tartest.File("usr/share/nodejs/rightpad/index.js", "module.exports = 1\n"),
		tartest.File("usr/share/nodejs/rightpad/package.json", `{"name": "rightpad"}`),
		tartest.Dir("usr/share/nodejs/unrelated"), tartest.File("usr/share/nodejs/unrelated/package.json", `{"name": "unrelated"}`),
		// A Java runtime as Debian lays it out, and the app's class path.
		tartest.Dir("usr/lib/jvm"), tartest.Dir("usr/lib/jvm/jre"), tartest.File("usr/lib/jvm/jre/release", "JAVA_VERSION=\"17\"\n"),
		tartest.Dir("usr/lib/jvm/jre/bin"), tartest.Exec("usr/lib/jvm/jre/bin/java", []byte("java")),
		tartest.Dir("usr/lib/jvm/jre/lib"), tartest.Sized("usr/lib/jvm/jre/lib/modules", 1000),
		tartest.Sized("usr/lib/jvm/jre/lib/libzip.so", 100), tartest.Sized("usr/lib/jvm/jre/lib/tzdb.dat", 10),
		tartest.Sized("usr/lib/jvm/jre/lib/ct.sym", 10), tartest.Dir("usr/lib/jvm/jre/lib/server"),
		tartest.Sized("usr/lib/jvm/jre/lib/server/classes.jsa", 10), tartest.Sized("usr/lib/jvm/jre/lib/server/classes_nocoops.jsa", 10),
		tartest.Dir("usr/lib/jvm/jre/conf"), tartest.Dir("usr/lib/jvm/jre/conf/security"),
		tartest.Symlink("usr/lib/jvm/jre/conf/security/java.security", "/etc/java-17/security/java.security"),
		tartest.Dir("etc/java-17"), tartest.Dir("etc/java-17/security"), tartest.File("etc/java-17/security/java.security", "x=1\n"),
		tartest.Dir("app/lib"), tartest.Sized("app/lib/a.jar", 10), tartest.Sized("app/lib/b.jar", 10), tartest.File("app/notes.txt", "x"),
		// Gems.
		tartest.Dir("var/lib/gems"), tartest.Dir("var/lib/gems/3.1.0"), tartest.Dir("var/lib/gems/3.1.0/specifications"),
		tartest.File("var/lib/gems/3.1.0/specifications/rack-3.0.0.gemspec", "spec"),
		tartest.File("var/lib/gems/3.1.0/specifications/puma-6.0.0.gemspec", "spec"),
		tartest.Dir("var/lib/gems/3.1.0/gems"), tartest.Dir("var/lib/gems/3.1.0/gems/rack-3.0.0"),
		tartest.Dir("var/lib/gems/3.1.0/gems/rack-3.0.0/lib"), tartest.File("var/lib/gems/3.1.0/gems/rack-3.0.0/lib/rack.rb", "rack"),
		tartest.Dir("var/lib/gems/3.1.0/gems/rack-3.0.0/lib/rack"), tartest.File("var/lib/gems/3.1.0/gems/rack-3.0.0/lib/rack/lazy.rb", "lazy"),
		tartest.Dir("var/lib/gems/3.1.0/gems/puma-6.0.0"), tartest.File("var/lib/gems/3.1.0/gems/puma-6.0.0/puma.rb", "puma"),
		tartest.Dir("var/lib/gems/3.1.0/extensions"), tartest.Dir("var/lib/gems/3.1.0/extensions/x86_64-linux"),
		tartest.Dir("var/lib/gems/3.1.0/extensions/x86_64-linux/3.1.0"),
		tartest.Dir("var/lib/gems/3.1.0/extensions/x86_64-linux/3.1.0/rack-3.0.0"),
		tartest.File("var/lib/gems/3.1.0/extensions/x86_64-linux/3.1.0/rack-3.0.0/gem.build_complete", ""),
	} {
		h.Put(e)
	}
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY / /", Entries: h.Entries()})
	root := filepath.Join(t.TempDir(), "rootfs")
	if err := rootfs.Extract(t.Context(), img, root); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestTracedPackages: a file the run used keeps its whole package.
// Python: the top-level package with its distribution's record, found by
// top_level.txt, without the bytecode of the modules the run did not
// import, and the libraries of an extension module the run did
// not load; a stdlib package; a single module with its record. Node: a package
// whole (not its nested node_modules) and its dependencies resolved as
// Node does (nested first), the app's dependencies from its package.json
// (no path tricks), Debian's global directory. Java: the runtime's lib/
// and conf/ (through its link to /etc) and the jars of -cp dir/*. Ruby:
// the gem, its specification and extensions. What no used file belongs
// to is left.
func TestTracedPackages(t *testing.T) {
	root := packagesImage(t)
	cf := &v1.ConfigFile{Config: v1.Config{Entrypoint: []string{"java", "-cp", "lib/*", "Main"}, WorkingDir: "/app"}}
	accessed := []string{
		dist + "/yaml/__pycache__/constructor.cpython-311.pyc", // a module of yaml
		stdlib + "/json/decoder.py",
		dist + "/docopt.py",
		"/app/main.js",
		debianJS + "/leftpad/index.js",
		jre + "/lib/modules",
		gemHome + "/gems/rack-3.0.0/lib/rack.rb",
	}
	got, err := entry.Traced(os.DirFS(root), accessed, cf)
	if err != nil {
		t.Fatal(err)
	}
	libyaml := realPath(t, "/lib/x86_64-linux-gnu/libyaml-0.so.2")
	nested := "/app/node_modules/which/node_modules/isexe"
	for _, want := range []string{
		dist + "/yaml/cyaml.py", dist + "/yaml/__pycache__/constructor.cpython-311.pyc", dist + "/PyYAML-6.0.dist-info/METADATA",
		libyaml, // what yaml's extension module, which the run did not load, links
		stdlib + "/json/tool.py", dist + "/docopt.py", dist + "/docopt-0.6.2.egg-info/top_level.txt",
		"/app/node_modules/which/lib/index.js", "/app/node_modules/which/package.json", nested + "/package.json",
		debianJS + "/leftpad/package.json", debianJS + "/rightpad/index.js",
		jre + "/lib/libzip.so", jre + "/lib/tzdb.dat", jre + "/lib/server/classes.jsa", jre + "/release", jre + "/conf/security/java.security",
		"/etc/java-17/security/java.security", "/app/lib/a.jar", "/app/lib/b.jar",
		gemHome + "/gems/rack-3.0.0/lib/rack/lazy.rb", gemHome + "/specifications/rack-3.0.0.gemspec",
		gemHome + "/extensions/x86_64-linux/3.1.0/rack-3.0.0/gem.build_complete",
	} {
		if !slices.Contains(got.Paths, want) {
			t.Errorf("Traced(%q) lacks %s", accessed, want)
		}
	}
	for _, not := range []string{
		dist + "/yaml/__pycache__/cyaml.cpython-311.pyc", // the cache of a module the run did not import
		dist + "/_yaml", dist + "/jwt", dist + "/PyJWT-2.6.0.egg-info", stdlib + "/keyword.py",
		"/app/node_modules/isexe", "/app/node_modules/ms", "/app/node_modules/which/node_modules/isexe/node_modules",
		debianJS + "/unrelated",                                      // the app names it by a path, which Node would not resolve
		jre + "/lib/ct.sym", jre + "/lib/server/classes_nocoops.jsa", // what no running program reads
		"/app/notes.txt", gemHome + "/gems/puma-6.0.0", gemHome + "/specifications/puma-6.0.0.gemspec",
	} {
		for _, p := range got.Paths {
			if p == not || strings.HasPrefix(p, not+"/") {
				t.Errorf("Traced(%q) keeps %s", accessed, p)
			}
		}
	}

	type pkg struct{ kind, name, path string }
	var pkgs []pkg
	for _, p := range got.Packages {
		pkgs = append(pkgs, pkg{p.Kind, p.Name, p.Path})
		if p.Files == 0 || p.Bytes <= 0 || p.AddedFiles <= 0 || p.AddedFiles > p.Files || p.AddedBytes > p.Bytes {
			t.Errorf("package %s keeps %d files of %d bytes, %d of %d bytes added: want some added", p.Path, p.Files, p.Bytes, p.AddedFiles, p.AddedBytes)
		}
	}
	want := []pkg{
		{entry.PackageJava, "classpath", "/app/lib/a.jar"},
		{entry.PackageJava, "classpath", "/app/lib/b.jar"},
		{entry.PackageNode, "which", "/app/node_modules/which"},
		{entry.PackageNode, "isexe", nested},
		{entry.PackageJava, "jre", jre},
		{entry.PackagePython, "yaml", dist + "/yaml"},
		{entry.PackagePython, "json", stdlib + "/json"},
		{entry.PackagePython, "docopt", dist + "/docopt.py"},
		{entry.PackageNode, "leftpad", debianJS + "/leftpad"},
		{entry.PackageNode, "rightpad", debianJS + "/rightpad"},
		{entry.PackageRuby, "rack-3.0.0", gemHome + "/gems/rack-3.0.0"},
	}
	slices.SortFunc(want, func(a, b pkg) int { return strings.Compare(a.path, b.path) })
	if !slices.Equal(pkgs, want) {
		t.Errorf("Traced(%q) packages = %v, want %v", accessed, pkgs, want)
	}
	t.Logf("packages: %+v", got.Packages)
}

// realPath is p with the host's symlinks resolved: the image copies them.
func realPath(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Skipf("this test looks for %s where Debian has it: %v", p, err)
	}
	return r
}
