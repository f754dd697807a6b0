package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/dietimage/diet/report"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/usr/bin/app", "/usr/bin/app"},
		{"naïve/日本", "naïve/日本"},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"a\rb\nc\td", `a\rb\nc\td`},
		{"\x7f\u009b31m", `\x7f\u009b31m`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"a real \ufffd stays", "a real \ufffd stays"},
	} {
		if got := report.Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// hostile is text an image can carry in its config, history and paths to
// take over the terminal: clear the screen, move the cursor, erase a line.
const hostile = "\x1b[2J\x1b[H\x1b[1Aroot\r\x1b[K"

// ownCodes are the only escape sequences the renderer may write: its colours.
var ownCodes = regexp.MustCompile(`\x1b\[[0-9]+m`)

// TestTextEscapesImageText puts control characters in every kind of
// image-supplied text and wants none of them on the terminal, in colour or
// not, while the report passed in stays as it was.
func TestTextEscapesImageText(t *testing.T) {
	for _, color := range []bool{false, true} {
		r := story()
		r.Image.User = hostile
		r.Image.Ref = "img" + hostile
		r.Image.Entrypoint = []string{"/app" + hostile}
		r.Layers[1].CreatedBy = "RUN make\t&& " + hostile
		r.Wasted[0].Path = "/tmp/" + hostile
		r.Tree.Children[0].Path = "/" + hostile
		r.Recommendations[0].Title = "drop " + hostile
		var buf bytes.Buffer
		if err := report.Text(&buf, r, report.TextOptions{Color: color, Width: 200}); err != nil {
			t.Fatal(err)
		}
		out := ownCodes.ReplaceAllString(buf.String(), "")
		if i := strings.IndexAny(out, "\x1b\r"); i >= 0 {
			t.Errorf("Text (color %v) wrote a raw control character at %d: %q", color, i, out[max(0, i-40):min(len(out), i+40)])
		}
		if !strings.Contains(out, `\x1b[2J`) {
			t.Errorf("Text (color %v) does not show the escaped text", color)
		}
		if r.Image.User != hostile || r.Layers[1].CreatedBy != "RUN make\t&& "+hostile {
			t.Errorf("Text modified the report it was given")
		}
	}
}
