package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dietimage/diet/dockerfile"
)

// LintCheckstyle writes the findings as Checkstyle XML, in the shape
// hadolint writes it so CI plugins that read hadolint's read diet's: one
// <file> per run of findings in the same file, one <error> per finding with
// line, column 1, hadolint's severity name, the message and the rule ID as
// source. Like hadolint, every character but ASCII letters, digits, space,
// '.' and '/' is written as a character reference; control characters,
// which XML 1.0 cannot carry even so, are written as Go escapes first.
func LintCheckstyle(w io.Writer, findings []dockerfile.Finding) error {
	var b strings.Builder
	b.WriteString("<?xml version='1.0' encoding='UTF-8'?><checkstyle version='4.3'>")
	for i, f := range findings {
		if i == 0 || findings[i-1].File != f.File {
			if i > 0 {
				b.WriteString("</file>")
			}
			b.WriteString("<file " + xmlAttr("name", f.File) + ">")
		}
		b.WriteString("<error " + xmlAttr("line", strconv.Itoa(f.Line)) + xmlAttr("column", "1") +
			xmlAttr("severity", f.Severity.String()) + xmlAttr("message", f.Message) + xmlAttr("source", f.ID) + "/>")
	}
	if len(findings) > 0 {
		b.WriteString("</file>")
	}
	b.WriteString("</checkstyle>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// xmlAttr writes name='value' and a space, as hadolint does.
func xmlAttr(name, value string) string {
	var b strings.Builder
	b.WriteString(name + "='")
	for _, r := range Escape(value) {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '.' || r == '/'):
			b.WriteRune(r)
		case r == 0xFFFE || r == 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r) // not XML characters
		default:
			fmt.Fprintf(&b, "&#%d;", r)
		}
	}
	b.WriteString("' ")
	return b.String()
}

// LintGitLab writes the findings as a GitLab Code Quality report (a subset
// of Code Climate's issue format): a JSON list of issues with description,
// check_name, fingerprint, severity and location. GitLab compares reports
// of two commits by fingerprint, so it leaves out the line: a finding keeps
// its fingerprint when lines are added above it. The n-th identical finding
// in a file gets n in its fingerprint, so two stay two.
//
// Severities keep diet's order on GitLab's scale (info < minor < major <
// critical): style is info, info is minor, warning major, error critical.
// hadolint maps info to info and style to minor, which ranks style above
// info; blocker is left for what must stop a merge.
func LintGitLab(w io.Writer, findings []dockerfile.Finding) error {
	issues := make([]gitlabIssue, 0, len(findings))
	seen := map[string]int{}
	for _, f := range findings {
		path := filepath.ToSlash(filepath.Clean(f.File))
		key := path + "\x00" + f.ID + "\x00" + f.Message
		n := seen[key]
		seen[key]++
		sum := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(n)))
		issues = append(issues, gitlabIssue{
			Type: "issue", CheckName: f.ID, Description: f.Message,
			Categories:  []string{"Performance"},
			Fingerprint: hex.EncodeToString(sum[:]),
			Severity:    gitlabSeverity(f.Severity),
			Location:    gitlabLocation{Path: path, Lines: gitlabLines{Begin: f.Line, End: max(f.EndLine, f.Line)}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(issues)
}

func gitlabSeverity(s dockerfile.Severity) string {
	switch s {
	case dockerfile.SeverityError:
		return "critical"
	case dockerfile.SeverityWarning:
		return "major"
	case dockerfile.SeverityInfo:
		return "minor"
	}
	return "info"
}

// The subset of the Code Climate issue format GitLab reads.
type (
	gitlabIssue struct {
		Type        string         `json:"type"`
		CheckName   string         `json:"check_name"`
		Description string         `json:"description"`
		Categories  []string       `json:"categories"`
		Fingerprint string         `json:"fingerprint"`
		Severity    string         `json:"severity"`
		Location    gitlabLocation `json:"location"`
	}
	gitlabLocation struct {
		Path  string      `json:"path"`
		Lines gitlabLines `json:"lines"`
	}
	gitlabLines struct {
		Begin int `json:"begin"`
		End   int `json:"end"`
	}
)
