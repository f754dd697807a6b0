package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dietimage/diet/dockerfile"
)

// hostileText is as report_test's hostile: terminal control from an image.
const hostileText = "\x1b[2J\x1b[H\x1b[1Aroot\r\x1b[K"

func TestSlimTextEscapes(t *testing.T) {
	r := slimReport()
	r.Removed[0].Path = "/x" + hostileText
	r.Verify.Output = hostileText
	r.Verify.Reason = hostileText
	var buf bytes.Buffer
	if err := SlimText(&buf, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(buf.String(), "\x1b\r") {
		t.Errorf("SlimText wrote a raw control character:\n%q", buf.String())
	}
}

func TestLintTextEscapes(t *testing.T) {
	var buf bytes.Buffer
	f := []dockerfile.Finding{{File: "Dockerfile" + hostileText, Line: 1, ID: "DL3000", Message: hostileText}}
	if err := LintText(&buf, f, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(buf.String(), "\x1b\r") {
		t.Errorf("LintText wrote a raw control character:\n%q", buf.String())
	}
}
