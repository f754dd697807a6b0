package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dietimage/diet/slim"
)

// SlimText writes what diet slim did: sizes before and after (MB and MiB),
// what each rule removed, and the verification's outcome.
// Strings reach the terminal through [Escape], as in [Text].
func SlimText(w io.Writer, r *slim.Report, o TextOptions) error {
	r = escaped(r)
	p := &printer{w: w, color: o.Color, width: o.Width}
	if p.width <= 0 {
		p.width = DefaultWidth
	}
	p.printf("%s  %s → %s  (level %s, %s kept byte-identical)\n", p.paint(bold, "Slim"), r.Input, r.Output,
		r.Level, plural(r.KeepBase, "base layer"))
	p.printf("  before  %-24s %s\n", Human(r.Before.Bytes), plural(r.Before.Layers, "layer"))
	p.printf("  after   %-24s %s\n", Human(r.After.Bytes), plural(r.After.Layers, "layer"))
	p.printf("  saved   %-24s %s of the image\n", p.paint(green, Human(r.SavedBytes)), share(r.SavedBytes, r.Before.Bytes))
	// The saving line by line: squash, rules, strip and upx add up to it.
	p.printf("  squash  %-24s deleted and overwritten bytes of the layers above the base\n", Human(r.SquashedBytes))
	p.printf("  rules   %-24s removed by the rules below\n", Human(removed(r)))
	if r.Stripped > 0 {
		p.printf("  strip   %-24s from %s\n", Human(r.StrippedBytes), plural(r.Stripped, "ELF file"))
	}
	if u := r.UPX; u != nil {
		p.printf("  upx     %-24s from %s", Human(u.SavedBytes), plural(len(u.Packed), "executable"))
		if len(u.Skipped) > 0 {
			p.printf(", %d left as they were (%s: %s)", len(u.Skipped), u.Skipped[0].Path, u.Skipped[0].Reason)
		}
		p.printf("\n")
		if s := u.Startup; s != nil && s.Note != "" {
			p.printf("  start-up not measured: %s\n", s.Note)
		} else if s != nil {
			p.printf("  start-up %.1f ms → %.1f ms (%+.1f ms), median of %d runs of %q\n", s.BeforeMS, s.AfterMS,
				s.AfterMS-s.BeforeMS, s.Runs, s.Command)
		}
	}
	if len(r.Removed) > 0 {
		p.printf("\n%s\n", p.paint(bold, "Removed by rule"))
		for _, rm := range r.Removed {
			p.printf("  %10s  %6d files  %-18s %s\n", Decimal(rm.Bytes), rm.Files, rm.Rule, trim(rm.Path, p.width-50, true))
		}
	}
	if len(r.Kept) > 0 {
		p.printf("\n%s\n", p.paint(bold, "Kept, and why"))
		for _, k := range r.Kept {
			count := plural(k.Files, "file")
			if k.Reason == slim.ReasonBase {
				count = plural(k.Layers, "layer")
			}
			p.printf("  %10s  %9s  %-18s %s\n", Decimal(k.Bytes), count, k.Reason, trim(keptWhy(k, r), p.width-46, false))
		}
	}
	if m := r.Minimal; m != nil && m.Trace != nil {
		p.printf("\n%s found by tracing %q: the run used %s, %s; kept with their ELF closure\n", p.paint(bold, "Minimal"),
			m.Trace.Command, plural(m.Trace.Files, "file"), Human(m.Trace.Bytes))
		p.traceRun(m.Trace)
		p.traceReasons(m)
		p.tracePackages(m.Trace.Packages)
	} else if m != nil && m.Files > 0 {
		p.printf("\n%s kept %s, %s: the entrypoint's closure and the files always kept\n", p.paint(bold, "Minimal"),
			plural(m.Files, "file"), Human(m.Bytes))
	}
	if len(r.Warnings) > 0 {
		p.printf("\n%s\n", p.paint(yellow, "Warnings"))
		for _, w := range r.Warnings {
			p.printf("  %s\n", warning(w))
		}
	}
	if v := r.Verify; v != nil {
		verdict := p.paint(green, "same behaviour")
		if !v.Same {
			verdict = p.paint(red, "DIFFERENT: "+v.Reason)
		}
		p.printf("\n%s (%s): %q  exit %d → %d  %s\n", p.paint(bold, "Verify"), v.With, v.Command, v.Original, v.Slimmed, verdict)
		if v.Output != "" {
			p.printf("  output: %s\n", trim(v.Output, p.width-10, false))
		}
		if sv := v.Server; sv != nil {
			p.printf("  ready on %s: original %s, slimmed %s\n", ports(sv.Ports), yesNo(sv.OriginalReady), yesNo(sv.SlimmedReady))
			for _, c := range sv.Probes {
				verdict := p.paint(green, "same")
				if c.Difference != "" {
					verdict = p.paint(red, c.Difference)
				}
				if c.OriginalExit != nil && c.SlimmedExit != nil {
					p.printf("  %-30s exit %d → %d  %s\n", c.Probe, *c.OriginalExit, *c.SlimmedExit, verdict)
					continue
				}
				p.printf("  %-30s %3s → %3s  %s\n", c.Probe, status(c.Original), status(c.Slimmed), verdict)
			}
		}
		if !v.Same && v.FirstMissing != "" {
			p.printf("  try %s (the first file the slimmed run missed)\n", KeepFlag(v.FirstMissing))
		}
	}
	return p.err
}

// traceRun says what the traced run did: its processes, the programs
// they ran, the probes it was sent.
func (p *printer) traceRun(tr *slim.Trace) {
	if tr.Processes > 0 {
		var ran []string
		for _, pr := range tr.Programs {
			s := pr.Path
			if pr.Runs > 1 {
				s += fmt.Sprintf(" ×%d", pr.Runs)
			}
			ran = append(ran, s)
		}
		procs := "1 process"
		if tr.Processes != 1 {
			procs = Exact(int64(tr.Processes)) + " processes"
		}
		p.printf("  %s, which ran %s\n", procs, trim(strings.Join(ran, ", "), p.width-30, false))
	}
	for _, a := range tr.Probes {
		answer := status(a.Status)
		switch {
		case a.Exit != nil:
			answer = fmt.Sprintf("exit %d", *a.Exit)
		case a.Error != "":
			answer = a.Error
		}
		p.printf("  traced %-30s %s\n", a.Probe, answer)
	}
}

// traceReasons sets what a traced minimal kept beside its floor, the
// essential files (what the run used and their ELF closure), and says
// why each file is kept.
func (p *printer) traceReasons(m *slim.MinimalSet) {
	tr := m.Trace
	if len(tr.Reasons) == 0 {
		return
	}
	p.printf("  essential  %s in %s: the run's files and their ELF closure, the floor\n", Human(tr.EssentialBytes),
		plural(tr.EssentialFiles, "file"))
	p.printf("  kept       %s in %s", Human(m.Bytes), plural(m.Files, "file"))
	if tr.EssentialBytes > 0 {
		p.printf(": %.2f × essential", float64(m.Bytes)/float64(tr.EssentialBytes))
	}
	p.printf(", by reason\n")
	for _, k := range tr.Reasons {
		if k.Files == 0 {
			continue
		}
		p.printf("  %10s  %11s  %-8s %s\n", Decimal(k.Bytes), plural(k.Files, "file"), k.Reason, traceWhy(k.Reason))
	}
}

// traceWhy says in words why a traced minimal keeps files for reason.
func traceWhy(reason string) string {
	switch reason {
	case slim.TraceTraced:
		return "the run used them"
	case slim.TraceELF:
		return "ELF closure: loader, libraries, #! interpreters the run used unseen"
	case slim.TracePackage:
		return "packages kept whole (below)"
	case slim.TraceScript:
		return "what its shell scripts call on the routes the run did not take"
	case slim.TraceAlways:
		return "kept always: passwd, group, certificates, hosts, time zones"
	case slim.TraceKeep:
		return "--keep"
	}
	return ""
}

// maxPackageLines bounds the packages listed one a line; the rest are
// summed up.
const maxPackageLines = 12

// tracePackages says which packages a traced minimal kept whole and what
// that cost beside what the run used, the costliest first.
func (p *printer) tracePackages(pkgs []slim.Package) {
	if len(pkgs) == 0 {
		return
	}
	var added int64
	for _, pk := range pkgs {
		added += pk.AddedBytes
	}
	p.printf("  and %s whole, so that an import the run did not make finds its files: %s more\n",
		plural(len(pkgs), "package"), Human(added))
	pkgs = slices.Clone(pkgs)
	slices.SortStableFunc(pkgs, func(a, b slim.Package) int { return cmp.Compare(b.AddedBytes, a.AddedBytes) })
	for i, pk := range pkgs {
		if i == maxPackageLines {
			var rest int64
			for _, pk := range pkgs[i:] {
				rest += pk.AddedBytes
			}
			p.printf("  %10s  and %s\n", "+"+Decimal(rest), plural(len(pkgs)-i, "more package"))
			break
		}
		p.printf("  %10s  %-6s %-16s %s (%s, %s)\n", "+"+Decimal(pk.AddedBytes), pk.Kind, trim(pk.Name, 16, false),
			trim(pk.Path, p.width-52, true), plural(pk.Files, "file"), Decimal(pk.Bytes))
	}
}

// ports lists ports as "8080, 9090".
func ports(ps []int) string {
	s := make([]string, len(ps))
	for i, n := range ps {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// status is an HTTP status code, or "—" when no answer came.
func status(code int) string {
	if code == 0 {
		return "—"
	}
	return strconv.Itoa(code)
}

// removed sums what the rules removed.
func removed(r *slim.Report) int64 {
	var n int64
	for _, rm := range r.Removed {
		n += rm.Bytes
	}
	return n
}

// keptWhy says in words why a group was kept.
func keptWhy(k slim.Kept, r *slim.Report) string {
	switch {
	case k.Reason == slim.ReasonBase:
		return "byte-identical; --keep-base 0 slims them too"
	case k.Reason == slim.ReasonEntrypoint && k.Path != "":
		return "holds the entrypoint or command: " + k.Path
	case k.Reason == slim.ReasonEntrypoint && r.Minimal != nil && r.Minimal.By == slim.MinimalByTrace:
		return "what the traced run used, with its closure"
	case k.Reason == slim.ReasonEntrypoint:
		return "what the entrypoint needs: its closure"
	case k.Reason == slim.ReasonConfig:
		return "named by the image's configuration"
	case k.Reason == slim.ReasonOverBase:
		return "newer versions of base-layer paths: left out, the base's would show through"
	case strings.HasPrefix(k.Reason, "keep:"):
		return "--keep: a rule would have removed them"
	}
	return "no rule of level " + r.Level + " removes them"
}

// warning says in words what was asked for and not done, and what does it.
func warning(w slim.Warning) string {
	at := func() string { return Decimal(w.Bytes) + " in " + plural(w.Files, "file") }
	switch w.Kind {
	case slim.WarnPruneInBase:
		return "prune left " + at() + " of the base layers as they were; --keep-base 0 prunes them too"
	case slim.WarnRemoveInBase:
		return "--remove " + w.Glob + " matches " + at() + " of the base layers, left as they were; --keep-base 0 removes them"
	case slim.WarnKeepUnmatched:
		return "--keep " + w.Glob + " matches no path of the image"
	case slim.WarnRemoveUnmatched:
		return "--remove " + w.Glob + " matches no path of the image"
	}
	return w.Kind + " " + w.Glob
}

// KeepFlag is the --keep flag that keeps path p and nothing else, as a
// shell reads it: glob characters escaped, quoted where the shell would
// split or expand it.
func KeepFlag(p string) string {
	var b strings.Builder
	for _, c := range p {
		if strings.ContainsRune(`\*?[]`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	g := b.String()
	if strings.IndexFunc(g, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/._-+,:=@%", c))
	}) >= 0 {
		g = "'" + strings.ReplaceAll(g, "'", `'\''`) + "'"
	}
	return "--keep " + g
}

// SlimJSON writes r as JSON, one list item a line.
func SlimJSON(w io.Writer, r *slim.Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(indentShallow(buf.Bytes(), 2))
	return err
}
