package report

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/dietimage/diet/analyze"
)

func (p *printer) header(r *analyze.Report) {
	p.section("Image", "")
	digest := "none stored (the source keeps no manifest, as a classic docker save)"
	if r.Image.Digest != nil {
		digest = *r.Image.Digest
	}
	t := table{align: "ll", style: []string{dim, ""}}
	t.row("ref", r.Image.Ref)
	t.row("id", r.Image.ID)
	t.row("digest", digest)
	if r.Image.Platform != "" {
		t.row("platform", r.Image.Platform)
	}
	t.row("entrypoint", argv(r.Image.Entrypoint))
	t.row("cmd", argv(r.Image.Cmd))
	if r.Image.User != "" {
		t.row("user", r.Image.User)
	}
	if r.Image.WorkingDir != "" {
		t.row("workdir", r.Image.WorkingDir)
	}
	p.table(&t)
}

// argv shows an exec-form command as the Dockerfile would spell it.
func argv(a []string) string {
	if a == nil {
		return "(none)"
	}
	b, _ := json.Marshal(a) // a []string always marshals
	return string(b)
}

func (p *printer) size(r *analyze.Report) {
	p.section("Size", "docker counts MB (10^6 B), ls -h and du -h MiB (2^20 B)")
	t := table{align: "lrrr", style: []string{"", "", "", dim}, head: true}
	t.row("", "MB", "MiB", "bytes")
	add := func(label string, n int64) { t.row(label, Decimal(n), Binary(n), Exact(n)) }
	add("uncompressed (docker image ls)", r.Size.UncompressedBytes)
	if c := r.Size.CompressedBytes; c != nil {
		label := "compressed (pulled, stored)"
		if r.Size.CompressedBy != "" {
			label = "compressed (" + r.Size.CompressedBy + ", as a push sends it)"
		}
		add(label, *c)
	} else {
		t.row("compressed (pulled, stored)", "unknown", "", "")
	}
	add("final filesystem (squashed)", r.Size.FinalBytes)
	add("wasted (a squash recovers)", r.WastedBytes)
	p.table(&t)
}

// shortDigest is the first 12 hex digits, as docker shows image IDs.
func shortDigest(d string) string {
	if _, hex, ok := strings.Cut(d, ":"); ok {
		d = hex
	}
	if len(d) > 12 {
		d = d[:12]
	}
	return d
}

// dash shows zero as "-", so that the figures that matter stand out.
func dash(n int64, f func(int64) string) string {
	if n == 0 {
		return "-"
	}
	return f(n)
}

func count(n int) string { return dash(int64(n), Exact) }

func (p *printer) layers(r *analyze.Report) {
	p.section("Layers", "base first; wasted: bytes later layers remove; removes: earlier bytes it hides, still shipped")
	t := table{align: "rlrrrrrrl", style: []string{dim, dim, "", green, cyan, red, yellow, red, ""}, head: true, fit: true}
	t.row("#", "digest", "size", "+", "~", "-", "wasted", "removes", "created by")
	var size, wasted, removed int64
	var added, modified, deleted int
	for _, l := range r.Layers {
		t.row(strconv.Itoa(l.Index), shortDigest(l.Digest), Decimal(l.SizeBytes),
			count(l.Added), count(l.Modified), count(l.Deleted), dash(l.WastedBytes, Decimal), dash(l.RemovedBytes, Decimal), analyze.Instruction(l.CreatedBy))
		size += l.SizeBytes
		wasted += l.WastedBytes
		removed += l.RemovedBytes
		added, modified, deleted = added+l.Added, modified+l.Modified, deleted+l.Deleted
	}
	t.row("", "total", Decimal(size), count(added), count(modified), count(deleted), dash(wasted, Decimal), dash(removed, Decimal), "")
	p.table(&t)
}
