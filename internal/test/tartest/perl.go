package tartest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// PerlOutput is what [PerlScript]'s entrypoint prints.
const PerlOutput = `{"base":"report.txt","max":9,"sum":55}` + "\n"

const perlScript = `#!/usr/bin/perl
use strict;
use warnings;
use JSON::PP;
use List::Util qw(sum max);
use File::Basename qw(basename);
print JSON::PP->new->canonical->encode({sum => sum(1..10), max => max(3, 9, 2), base => basename("/srv/report.txt")}), "\n";
`

// PerlScript is an image whose entrypoint, /app/main.pl, is a Perl script
// run by the host's perl: it uses JSON::PP, List::Util and File::Basename
// and prints [PerlOutput]. The image holds perl with its libraries, the
// module files the script loads (found by asking the host's perl, the XS
// library of List::Util among them) and modules it does not use. used and
// unused are their absolute paths. The test skips without perl.
func PerlScript(t testing.TB) (img v1.Image, used, unused []string) {
	t.Helper()
	h := NewHost(t).Program("/usr/bin/perl").Etc()
	used = perlFiles(t, "use strict; use warnings; use JSON::PP; use List::Util; use File::Basename;")
	for _, p := range used {
		h.Add(p)
	}
	for _, p := range perlFiles(t, "require Getopt::Long; require Text::Abbrev; require Text::Wrap;") {
		if !slices.Contains(used, p) {
			unused = append(unused, p)
			h.Add(p)
		}
	}
	return perlImage(t, h, "app/main.pl", perlScript, v1.Config{Entrypoint: []string{"/app/main.pl"}}), used, unused
}

const perlServer = `#!/usr/bin/perl
use strict;
use warnings;
use IO::Socket::INET;
my $srv = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!";
while (my $c = $srv->accept) {
    my $req = <$c>;
    next unless defined $req; # a readiness check: connected, said nothing
    while (my $l = <$c>) { last if $l =~ /^\r?\n$/ }
    require JSON::PP; # at the first request only
    my $body = JSON::PP->new->canonical->encode({path => (split " ", $req)[1]});
    print $c "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: " . length($body) . "\r\n\r\n$body";
    close $c;
}
`

// PerlServer is an image whose entrypoint, /app/server.pl, is a Perl HTTP
// server on 127.0.0.1:8080, EXPOSEd, that answers every request with
// {"path":PATH} in JSON. It loads JSON::PP at its first request only: lazy
// are the files that loads, which a run that serves nothing never opens.
// The test skips without perl.
func PerlServer(t testing.TB) (img v1.Image, lazy []string) {
	t.Helper()
	h := NewHost(t).Program("/usr/bin/perl").Etc()
	eager := perlFiles(t, "use strict; use warnings; use IO::Socket::INET;")
	for _, p := range eager {
		h.Add(p)
	}
	for _, p := range perlFiles(t, "use strict; use warnings; use IO::Socket::INET; require JSON::PP;") {
		if !slices.Contains(eager, p) {
			lazy = append(lazy, p)
			h.Add(p)
		}
	}
	cfg := v1.Config{Entrypoint: []string{"/app/server.pl"}, ExposedPorts: map[string]struct{}{"8080/tcp": {}}}
	return perlImage(t, h, "app/server.pl", perlServer, cfg), lazy
}

// perlImage is the image of h's entries and the script at name, run as cfg
// says.
func perlImage(t testing.TB, h *Host, name, script string, cfg v1.Config) v1.Image {
	t.Helper()
	h.Put(Dir("app"))
	h.Put(Exec(name, []byte(script)))
	img := Image(t, Step{CreatedBy: "COPY perl and app /", Entries: h.Entries()})
	img, err := mutate.Config(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// perlFiles are the files the host's perl loads for code: modules and
// XS libraries.
func perlFiles(t testing.TB, code string) []string {
	t.Helper()
	out, err := exec.Command("perl", "-e", code+` print "$_\n" for values %INC, @DynaLoader::dl_shared_objects`).Output()
	if err != nil {
		t.Skipf("this test copies the host's perl and its modules: %v", err)
	}
	return strings.Fields(string(out))
}
