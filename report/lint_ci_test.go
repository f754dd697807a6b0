package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/dockerfile"
	"github.com/dietimage/diet/report"
)

// ciFindings covers every severity, two files, and messages with what XML
// and JSON must escape: quotes, <, &, non-ASCII and a terminal escape.
func ciFindings() []dockerfile.Finding {
	return []dockerfile.Finding{
		{File: "Dockerfile", Line: 3, EndLine: 4, ID: "DIET201", Severity: dockerfile.SeverityWarning,
			Message: "`apt-get update` leaves the package lists (~20–40 MB): add `&& rm -rf /var/lib/apt/lists/*`"},
		{File: "Dockerfile", Line: 7, ID: "DIET108", Severity: dockerfile.SeverityError, Message: `ADD 'app.tgz' <not a URL>`},
		{File: "./svc/Dockerfile", Line: 2, ID: "DIET110", Severity: dockerfile.SeverityInfo, Message: "merge\x1b[2J RUNs"},
		{File: "./svc/Dockerfile", Line: 9, ID: "DIET304", Severity: dockerfile.SeverityStyle, Message: `"-trimpath"`},
	}
}

func TestLintCheckstyle(t *testing.T) {
	for _, tc := range []struct {
		name     string
		findings []dockerfile.Finding
	}{
		{"lint.checkstyle.xml", ciFindings()},
		{"lint-empty.checkstyle.xml", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.LintCheckstyle(&buf, tc.findings); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, buf.Bytes())
		})
	}
}

// TestLintCheckstyleParses reads the XML back with a real parser: every
// finding is there with its message (control characters as Go escapes).
func TestLintCheckstyleParses(t *testing.T) {
	var buf bytes.Buffer
	if err := report.LintCheckstyle(&buf, ciFindings()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Files []struct {
			Name   string `xml:"name,attr"`
			Errors []struct {
				Line     int    `xml:"line,attr"`
				Severity string `xml:"severity,attr"`
				Message  string `xml:"message,attr"`
				Source   string `xml:"source,attr"`
			} `xml:"error"`
		} `xml:"file"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("xml.Unmarshal: %v\n%s", err, buf.Bytes())
	}
	var flat []dockerfile.Finding
	for _, f := range got.Files {
		for _, e := range f.Errors {
			sev, err := dockerfile.ParseSeverity(e.Severity)
			if err != nil {
				t.Fatal(err)
			}
			flat = append(flat, dockerfile.Finding{File: f.Name, Line: e.Line, ID: e.Source, Severity: sev, Message: e.Message})
		}
	}
	want := ciFindings()
	for i := range want {
		want[i].EndLine = 0
		want[i].Message = report.Escape(want[i].Message)
	}
	if diff := cmp.Diff(want, flat); diff != "" {
		t.Errorf("checkstyle read back (-want +got):\n%s", diff)
	}
}

func TestLintGitLab(t *testing.T) {
	var buf bytes.Buffer
	if err := report.LintGitLab(&buf, ciFindings()); err != nil {
		t.Fatal(err)
	}
	golden(t, "lint.gitlab.json", buf.Bytes())
	buf.Reset()
	if err := report.LintGitLab(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "[]\n" {
		t.Errorf("LintGitLab(nil) = %q, want an empty list", got)
	}
}

type gitlabIssue struct {
	CheckName   string `json:"check_name"`
	Description string `json:"description"`
	Fingerprint string `json:"fingerprint"`
	Severity    string `json:"severity"`
	Location    struct {
		Path  string `json:"path"`
		Lines struct {
			Begin int `json:"begin"`
		} `json:"lines"`
	} `json:"location"`
}

func gitlabIssues(t *testing.T, findings []dockerfile.Finding) []gitlabIssue {
	t.Helper()
	var buf bytes.Buffer
	if err := report.LintGitLab(&buf, findings); err != nil {
		t.Fatal(err)
	}
	var out []gitlabIssue
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("json.Unmarshal: %v\n%s", err, buf.Bytes())
	}
	return out
}

// TestLintGitLabFields checks what GitLab reads: the severity scale, the
// path and line, and fingerprints that are unique, and stable when lines
// move.
func TestLintGitLabFields(t *testing.T) {
	issues := gitlabIssues(t, ciFindings())
	var sevs []string
	for _, is := range issues {
		sevs = append(sevs, is.Severity)
	}
	if diff := cmp.Diff([]string{"major", "critical", "minor", "info"}, sevs); diff != "" {
		t.Errorf("severities (-want +got):\n%s", diff)
	}
	if is := issues[2]; is.Location.Path != "svc/Dockerfile" || is.Location.Lines.Begin != 2 || is.CheckName != "DIET110" {
		t.Errorf("issue 2 = %+v, want DIET110 at svc/Dockerfile:2", is)
	}

	twice := append(ciFindings(), ciFindings()[0])
	twice[len(twice)-1].Line = 30
	seen := map[string]bool{}
	for _, is := range gitlabIssues(t, twice) {
		if len(is.Fingerprint) == 0 || seen[is.Fingerprint] {
			t.Errorf("fingerprint %q of %s at line %d is empty or repeated", is.Fingerprint, is.CheckName, is.Location.Lines.Begin)
		}
		seen[is.Fingerprint] = true
	}

	moved := ciFindings()
	for i := range moved {
		moved[i].Line += 5
	}
	for i, is := range gitlabIssues(t, moved) {
		if is.Fingerprint != issues[i].Fingerprint {
			t.Errorf("issue %d: fingerprint changed when its line moved: %s, was %s", i, is.Fingerprint, issues[i].Fingerprint)
		}
	}
}
