package report

import (
	"path"
	"strconv"
	"strings"

	"github.com/dietimage/diet/analyze"
)

func (p *printer) tree(r *analyze.Report) {
	if r.Tree == nil {
		return
	}
	p.section("Directories", "the final filesystem as du counts it (hard links once), % of "+Decimal(r.Size.FinalBytes))
	t := table{align: "rrl", style: []string{"", dim, ""}, fit: true, keepEnd: true}
	var walk func(d *analyze.Dir, depth int)
	walk = func(d *analyze.Dir, depth int) {
		indent := strings.Repeat("  ", depth)
		t.row(Decimal(d.Bytes), share(d.Bytes, r.Size.FinalBytes), indent+dirName(d.Path, depth))
		if len(d.Children) == 0 {
			return
		}
		// Make the level add up: what the listed children leave out is the
		// cut directories and the files directly inside d.
		here := d.Bytes - d.OtherBytes
		for _, c := range d.Children {
			walk(c, depth+1)
			here -= c.Bytes
		}
		if d.OtherBytes > 0 {
			t.row(Decimal(d.OtherBytes), share(d.OtherBytes, r.Size.FinalBytes), indent+"  (other directories)")
		}
		if here > 0 {
			t.row(Decimal(here), share(here, r.Size.FinalBytes), indent+"  (files in "+d.Path+")")
		}
	}
	walk(r.Tree, 0)
	p.table(&t)
}

// dirName is how a tree row names a directory: the root in full, the rest
// by their last element, as ncdu does.
func dirName(p string, depth int) string {
	if depth == 0 || p == "" {
		if p == "" {
			return "/"
		}
		return p
	}
	return path.Base(p) + "/"
}

func (p *printer) recommendations(r *analyze.Report) {
	if len(r.Recommendations) == 0 {
		p.section("Recommendations", "none: diet found nothing to save")
		return
	}
	p.section("Recommendations", "what each change saves on this image; savings can overlap")
	for i, rec := range r.Recommendations {
		p.printf("  %d. %s  %s\n", i+1, p.paint(green, "saves "+Human(rec.SavesBytes)), rec.Title)
		p.printf("     %s %s\n", p.paint(dim, "→"), rec.Action)
	}
}

func (p *printer) accounting(r *analyze.Report) {
	a := r.Accounting
	p.section("Accounting", "every byte of the "+strconv.Itoa(len(r.Layers))+" layer tars, adding up")
	t := table{align: "lrrl", style: []string{dim, "", dim, ""}}
	line := func(op string, n int64, what string) { t.row(op, Exact(n), Human(n), what) }
	// Symlink targets live inside the tar headers (or their PAX records),
	// so they add to docker's size but not to the tar: two sums.
	line(" ", a.FileBytes, "regular file bytes (hard links once)")
	line("+", a.TarHeaderBytes, "tar headers: 512 B an entry, more for PAX and long names")
	line("+", a.TarPaddingBytes, "tar padding of file bodies to 512-byte blocks")
	line("+", a.TarTrailerBytes, "tar end-of-archive blocks")
	tar := a.FileBytes + a.TarHeaderBytes + a.TarPaddingBytes + a.TarTrailerBytes
	line("=", a.TarBytes, "uncompressed layer tars, as docker save writes them"+check(tar, a.TarBytes))
	t.row("", "", "", "")
	line(" ", a.FileBytes, "regular file bytes (hard links once)")
	line("+", a.SymlinkBytes, "symlink target lengths (stored in the tar headers above)")
	line("=", a.DockerSizeBytes, "docker's size: docker image ls, docker image inspect .Size"+check(a.FileBytes+a.SymlinkBytes, a.DockerSizeBytes))
	t.row("", "", "", "")
	line(" ", a.ConfigBytes, "config")
	if a.ManifestBytes != nil {
		line("+", *a.ManifestBytes, "manifest")
	} else {
		t.row("+", "-", "", "manifest: none stored")
	}
	if a.CompressedBytes != nil {
		line("+", *a.CompressedBytes, "compressed layer blobs")
	} else {
		t.row("+", "-", "", "compressed layer blobs: unknown, the source stores layers uncompressed")
	}
	if a.ManifestBytes != nil && a.CompressedBytes != nil {
		line("=", a.ConfigBytes+*a.ManifestBytes+*a.CompressedBytes, "what a registry stores and docker pull downloads")
	}
	p.table(&t)
}

// check marks a total that its parts add up to, and says by how much it
// does not when they don't: the reader should never have to take it on trust.
func check(sum, total int64) string {
	if sum == total {
		return "  ✓"
	}
	return "  ✗ parts sum to " + Exact(sum) + ", off by " + Exact(total-sum)
}

func (p *printer) units(r *analyze.Report) {
	n := r.Size.UncompressedBytes
	p.section("Units", "docker prints decimal units, ls -h, du -h and ncdu binary ones")
	t := table{align: "lrl", style: []string{"", "", dim}}
	t.row("docker image ls", Decimal(n), "MB = 10^6 B = 1,000,000 B")
	t.row("ls -h, du -h", Binary(n), "MiB = 2^20 B = 1,048,576 B, shown as M")
	t.row("exactly", Exact(n)+" B", "the same bytes")
	p.table(&t)
	p.printf("  %s\n", p.paint(dim, "adding an ls -h figure to a docker one mixes units: 8.2 MiB is 8.6 MB, not 8.2 MB"))
}
