package report

import (
	"bytes"
	"encoding/json"
	"io"

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
	if v := r.Verify; v != nil {
		verdict := p.paint(green, "same behaviour")
		if !v.Same {
			verdict = p.paint(red, "DIFFERENT: "+v.Reason)
		}
		p.printf("\n%s (%s): %q  exit %d → %d  %s\n", p.paint(bold, "Verify"), v.With, v.Command, v.Original, v.Slimmed, verdict)
		if v.Output != "" {
			p.printf("  output: %s\n", trim(v.Output, p.width-10, false))
		}
	}
	return p.err
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
