package entry_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/tartest"
)

const (
	debianGems = "/usr/share/rubygems-integration/all"
	vendorRuby = "/usr/lib/ruby/vendor_ruby"
)

// TestTracedRubyDependencies: a gem keeps the gems its specification
// needs at run time, transitively, not its development ones, in both of
// Debian's layouts: ruby-xmlrpc's files in vendor_ruby, listed by its
// specification in rubygems-integration, need webrick, whose files are in
// a gem directory there; an app's gem installed as RubyGems does, whose
// specification the host's RubyGems wrote, needs Debian's rack. What
// nothing needs is left: rake, a development dependency of all three
// (rack's specification names it by add_dependency too, in the branch for
// an old RubyGems), and net-telnet.
func TestTracedRubyDependencies(t *testing.T) {
	rb, err := exec.LookPath("ruby")
	if err != nil {
		t.Skipf("this test writes a specification with the host's RubyGems (apt-get install ruby): %v", err)
	}
	spec, err := exec.Command(rb, "-e", `puts Gem::Specification.new { |s| s.name = "app"; s.version = "1.0"; s.files = ["lib/app.rb"]; `+
		`s.add_runtime_dependency "rack", ">= 2"; s.add_development_dependency "rake" }.to_ruby`).Output()
	if err != nil {
		t.Fatalf("ruby: %v", err)
	}
	h := tartest.NewHost(t).Etc()
	for _, p := range []string{vendorRuby + "/xmlrpc", vendorRuby + "/xmlrpc.rb", debianGems + "/specifications", debianGems + "/gems"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("this test copies Debian's ruby-xmlrpc, ruby-webrick and ruby-rack from the host: %v", err)
		}
		h.AddTree(p)
	}
	for _, p := range []string{"xmlrpc-0.3.2", "webrick-1.8.1", "rack-2.2.22", "rake-13.0.6"} {
		if _, err := os.Stat(debianGems + "/specifications/" + p + ".gemspec"); err != nil {
			t.Skipf("this test uses Debian bookworm's ruby-xmlrpc, ruby-webrick, ruby-rack and rake: %v", err)
		}
	}
	home := "var/lib/gems/3.1.0"
	for _, e := range []tartest.Entry{
		tartest.Dir("var/lib/gems"), tartest.Dir(home), tartest.Dir(home + "/specifications"), tartest.Dir(home + "/gems"),
		tartest.File(home+"/specifications/app-1.0.gemspec", string(spec)),
		tartest.Dir(home + "/gems/app-1.0"), tartest.Dir(home + "/gems/app-1.0/lib"), tartest.File(home+"/gems/app-1.0/lib/app.rb", "require 'rack'\n"),
	} {
		h.Put(e)
	}
	root := extract(t, h.Entries())
	accessed := []string{vendorRuby + "/xmlrpc/client.rb", "/" + home + "/gems/app-1.0/lib/app.rb"}
	got, err := entry.Traced(os.DirFS(root), accessed, &v1.ConfigFile{})
	if err != nil {
		t.Fatal(err)
	}
	keeps(t, accessed, got.Paths, []string{
		vendorRuby + "/xmlrpc.rb", vendorRuby + "/xmlrpc/server.rb", debianGems + "/specifications/xmlrpc-0.3.2.gemspec",
		debianGems + "/gems/webrick-1.8.1/lib/webrick/httpserver.rb", debianGems + "/specifications/webrick-1.8.1.gemspec",
		debianGems + "/gems/rack-2.2.22/lib/rack/request.rb", debianGems + "/specifications/rack-2.2.22.gemspec",
		"/" + home + "/specifications/app-1.0.gemspec",
	}, []string{
		debianGems + "/gems/rake-13.0.6", debianGems + "/specifications/rake-13.0.6.gemspec", // development dependencies
		debianGems + "/gems/net-telnet-0.2.0",
	})
	var gems []string
	for _, p := range got.Packages {
		if p.Kind == entry.PackageRuby {
			gems = append(gems, p.Name+" "+p.Path)
		}
	}
	want := []string{
		"rack-2.2.22 " + debianGems + "/gems/rack-2.2.22", "webrick-1.8.1 " + debianGems + "/gems/webrick-1.8.1",
		"xmlrpc-0.3.2 " + debianGems + "/specifications/xmlrpc-0.3.2.gemspec",
		"app-1.0 /" + home + "/gems/app-1.0",
	}
	slices.Sort(want)
	slices.SortFunc(gems, func(a, b string) int { return strings.Compare(strings.Fields(a)[1], strings.Fields(b)[1]) })
	slices.SortFunc(want, func(a, b string) int { return strings.Compare(strings.Fields(a)[1], strings.Fields(b)[1]) })
	if !slices.Equal(gems, want) {
		t.Errorf("Traced(%q) gems = %q, want %q", accessed, gems, want)
	}
}
