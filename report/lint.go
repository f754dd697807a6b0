package report

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"github.com/dietimage/diet/dockerfile"
)

// LintText writes one line per finding, as compilers do, so editors can
// jump to it: "file:line: ID severity message"; then a count.
// Strings reach the terminal through [Escape], as in [Text].
func LintText(w io.Writer, findings []dockerfile.Finding, o TextOptions) error {
	findings = *escaped(&findings)
	p := &printer{w: w, color: o.Color}
	colors := map[dockerfile.Severity]string{dockerfile.SeverityError: red, dockerfile.SeverityWarning: yellow}
	for _, f := range findings {
		sev := f.Severity.String()
		if c, ok := colors[f.Severity]; ok {
			sev = p.paint(c, sev)
		}
		p.printf("%s:%d: %s %s %s\n", f.File, f.Line, f.ID, sev, f.Message)
	}
	if len(findings) > 0 {
		fixable := 0
		for _, f := range findings {
			if f.Fixable {
				fixable++
			}
		}
		p.printf("%s, %d fixable with diet fix\n", plural(len(findings), "finding"), fixable)
	}
	return p.err
}

// LintJSON writes the findings as a JSON list, one finding a line.
func LintJSON(w io.Writer, findings []dockerfile.Finding) error {
	if findings == nil {
		findings = []dockerfile.Finding{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(findings); err != nil {
		return err
	}
	_, err := w.Write(indentShallow(buf.Bytes(), 1))
	return err
}

// RulesURL is where each rule's documentation lives, by anchor.
const RulesURL = "https://github.com/dietimage/diet/blob/main/docs/rules.md"

// LintSARIF writes the findings as a SARIF 2.1.0 log, the format GitHub
// code scanning uploads: every rule in the driver (with its hadolint
// aliases as tags), and each finding as a result at its file and lines.
func LintSARIF(w io.Writer, findings []dockerfile.Finding, version string) error {
	rules := dockerfile.Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "diet", InformationURI: "https://github.com/dietimage/diet", Version: version}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: r.ID, Name: r.Name,
			ShortDescription: sarifText{r.Summary}, FullDescription: sarifText{r.Doc},
			HelpURI:              RulesURL + "#" + strings.ToLower(r.ID),
			DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Severity)},
			Properties:           sarifProps{Tags: append([]string{"size"}, r.Aliases...)},
		})
	}
	results := []sarifResult{}
	for _, f := range findings {
		results = append(results, sarifResult{
			RuleID: f.ID, RuleIndex: index[f.ID], Level: sarifLevel(f.Severity), Message: sarifText{f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(filepath.Clean(f.File))},
				Region:           sarifRegion{StartLine: f.Line, EndLine: max(f.EndLine, f.Line)},
			}}},
		})
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// sarifLevel maps hadolint's severities onto SARIF's levels.
func sarifLevel(s dockerfile.Severity) string {
	switch s {
	case dockerfile.SeverityError:
		return "error"
	case dockerfile.SeverityWarning:
		return "warning"
	}
	return "note"
}

// The subset of SARIF 2.1.0 diet writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Version        string      `json:"version,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string      `json:"id"`
		Name                 string      `json:"name"`
		ShortDescription     sarifText   `json:"shortDescription"`
		FullDescription      sarifText   `json:"fullDescription"`
		HelpURI              string      `json:"helpUri"`
		DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
		Properties           sarifProps  `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifProps struct {
		Tags []string `json:"tags"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           sarifRegion   `json:"region"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
		EndLine   int `json:"endLine"`
	}
)
