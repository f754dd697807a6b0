package entry_test

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/tartest"
)

const debianJava = "/usr/share/java"

// jarTool builds a jar with the host's jar tool, whose manifest has the
// Class-Path cp (wrapped at 72 bytes, as the manifest format wants).
func jarTool(t *testing.T, cp string) []byte {
	t.Helper()
	tool, err := exec.LookPath("jar")
	if err != nil {
		t.Skipf("this test builds a jar with the JDK's jar tool: %v", err)
	}
	dir := t.TempDir()
	mf := filepath.Join(dir, "manifest.txt")
	if err := os.WriteFile(mf, []byte("Main-Class: Main\nClass-Path: "+cp+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Main.class"), []byte("not a class: nothing runs"), 0o644); err != nil {
		t.Fatal(err)
	}
	jar := filepath.Join(dir, "out.jar")
	if out, err := exec.Command(tool, "cfm", jar, mf, "-C", dir, "Main.class").CombinedOutput(); err != nil {
		t.Fatalf("jar: %v: %s", err, out)
	}
	b, err := os.ReadFile(jar)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// zipJar is a jar written by archive/zip with the manifest mf.
func zipJar(t *testing.T, mf string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("meta-inf/manifest.mf") // java.util.jar finds it in any case
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(mf))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestTracedJavaClassPath: the jar of `java -jar` keeps the jars its
// manifest's Class-Path names (relative to it, percent-encoded, on a
// continuation line), transitively, and Debian's /usr/share/java jars
// with their symlink chains, as Debian's own cdi-api names its
// dependencies; a jar named but missing, one that is no zip and a
// Class-Path of another scheme are passed over; the program's arguments
// after the jar are not a class path; what nothing names is left.
func TestTracedJavaClassPath(t *testing.T) {
	h := tartest.NewHost(t).Etc()
	for _, p := range []string{"cdi-api-1.2.jar", "atinject-jsr330-api.jar", "geronimo-interceptor-3.0-spec.jar", "aopalliance.jar"} {
		if _, err := os.Stat(debianJava + "/" + p); err != nil {
			t.Skipf("this test copies Debian's jars (libgeronimo-interceptor-3.0-spec-java, libcdi-api-java) from the host: %v", err)
		}
		h.Add(debianJava + "/" + p)
	}
	app := jarTool(t, "lib/dep.jar lib/with%20space.jar "+debianJava+"/cdi-api-1.2.jar lib/missing.jar lib/garbage.jar http://example.com/x.jar")
	for _, e := range []tartest.Entry{
		tartest.Dir("app"), tartest.Dir("app/lib"),
		{Name: "app/app.jar", Type: '0', Mode: 0o644, Body: app},
		{Name: "app/lib/dep.jar", Type: '0', Mode: 0o644, Body: zipJar(t, "Manifest-Version: 1.0\r\nClass-Path: deep.jar\r\n\r\nName: x\r\nClass-Path: other.jar\r\n")},
		{Name: "app/lib/deep.jar", Type: '0', Mode: 0o644, Body: zipJar(t, "Manifest-Version: 1.0\nClass-Path: ../app.jar dep.jar\n")}, // a cycle
		{Name: "app/lib/with space.jar", Type: '0', Mode: 0o644, Body: zipJar(t, "Manifest-Version: 1.0\n")},
		tartest.File("app/lib/garbage.jar", "PK\x05\x06 no zip at all"),
		{Name: "app/lib/other.jar", Type: '0', Mode: 0o644, Body: zipJar(t, "Manifest-Version: 1.0\n")},
		tartest.Dir("usr/lib/jvm"), tartest.Dir("usr/lib/jvm/jre"), tartest.File("usr/lib/jvm/jre/release", "JAVA_VERSION=\"17\"\n"),
		tartest.Dir("usr/lib/jvm/jre/lib"), tartest.Sized("usr/lib/jvm/jre/lib/modules", 1000),
	} {
		h.Put(e)
	}
	root := extract(t, h.Entries())
	cf := &v1.ConfigFile{Config: v1.Config{
		Entrypoint: []string{"/usr/lib/jvm/jre/bin/java", "-Xmx64m", "-jar", "app.jar", "-cp", "/app/lib/other.jar"},
		Env:        []string{"CLASSPATH=/app/lib/other.jar"}, WorkingDir: "/app",
	}}
	accessed := []string{"/app/app.jar", jre + "/lib/modules"}
	got, err := entry.Traced(os.DirFS(root), accessed, cf)
	if err != nil {
		t.Fatal(err)
	}
	keeps(t, accessed, got.Paths, []string{
		"/app/app.jar", "/app/lib/dep.jar", "/app/lib/deep.jar", "/app/lib/with space.jar", "/app/lib/garbage.jar",
		debianJava + "/cdi-api-1.2.jar", debianJava + "/cdi-api.jar", // a link, and the jar it leads to
		debianJava + "/atinject-jsr330-api.jar", debianJava + "/atinject-jsr330-api-1.0.jar",
		debianJava + "/geronimo-interceptor-3.0-spec.jar",
	}, []string{"/app/lib/other.jar", debianJava + "/aopalliance.jar", debianJava + "/aopalliance-1.0.jar"})
	var jars []string
	for _, p := range got.Packages {
		if p.Kind == entry.PackageJava && p.Name == "classpath" {
			jars = append(jars, p.Path)
		}
	}
	want := []string{"/app/lib/deep.jar", "/app/lib/dep.jar", "/app/lib/garbage.jar", "/app/lib/with space.jar",
		debianJava + "/atinject-jsr330-api-1.0.jar", debianJava + "/cdi-api.jar", debianJava + "/geronimo-interceptor-3.0-spec.jar"}
	if !slices.Equal(jars, want) {
		t.Errorf("Traced(%q) class path packages = %q, want %q", accessed, jars, want)
	}
}

// TestTracedJavaClassPathOption: without -jar, the class path is -cp's
// (the last given), before the main class; CLASSPATH is then ignored.
func TestTracedJavaClassPathOption(t *testing.T) {
	root := extract(t, []tartest.Entry{
		tartest.Dir("app"), tartest.Dir("app/lib"),
		{Name: "app/lib/a.jar", Type: '0', Mode: 0o644, Body: zipJar(t, "Class-Path: b.jar\n")},
		{Name: "app/lib/b.jar", Type: '0', Mode: 0o644, Body: zipJar(t, "Manifest-Version: 1.0\n")},
		{Name: "app/lib/env.jar", Type: '0', Mode: 0o644, Body: zipJar(t, "Manifest-Version: 1.0\n")},
		{Name: "app/lib/arg.jar", Type: '0', Mode: 0o644, Body: zipJar(t, "Manifest-Version: 1.0\n")},
		tartest.Dir("usr"), tartest.Dir("usr/lib"), tartest.Dir("usr/lib/jvm"), tartest.Dir("usr/lib/jvm/jre"),
		tartest.File("usr/lib/jvm/jre/release", "JAVA_VERSION=\"17\"\n"),
		tartest.Dir("usr/lib/jvm/jre/lib"), tartest.Sized("usr/lib/jvm/jre/lib/modules", 1000),
	})
	cf := &v1.ConfigFile{Config: v1.Config{
		Entrypoint: []string{"java", "--add-modules", "lib/arg.jar", "-cp", "lib/a.jar", "Main", "-cp", "lib/arg.jar"},
		Env:        []string{"CLASSPATH=/app/lib/env.jar"}, WorkingDir: "/app",
	}}
	accessed := []string{jre + "/lib/modules"}
	got, err := entry.Traced(os.DirFS(root), accessed, cf)
	if err != nil {
		t.Fatal(err)
	}
	keeps(t, accessed, got.Paths, []string{"/app/lib/a.jar", "/app/lib/b.jar"}, []string{"/app/lib/env.jar", "/app/lib/arg.jar"})
}
