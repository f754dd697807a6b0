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
	h.Put(Dir("app"))
	h.Put(Exec("app/main.pl", []byte(perlScript)))
	img = Image(t, Step{CreatedBy: "COPY perl and app /", Entries: h.Entries()})
	img, err := mutate.Config(img, v1.Config{Entrypoint: []string{"/app/main.pl"}})
	if err != nil {
		t.Fatal(err)
	}
	return img, used, unused
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
