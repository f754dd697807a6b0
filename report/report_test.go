package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

var textCases = []struct {
	name string
	r    func() *analyze.Report
	o    report.TextOptions
}{
	{"story", story, report.TextOptions{}},
	{"story-narrow-color", story, report.TextOptions{Color: true, Width: 60}},
	{"minimal", minimal, report.TextOptions{Width: 80}},
}

func TestTextGolden(t *testing.T) {
	for _, tc := range textCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := report.Text(&buf, tc.r(), tc.o); err != nil {
				t.Fatalf("Text: %v", err)
			}
			golden(t, tc.name+".txt", buf.Bytes())
			if !tc.o.Color && strings.Contains(buf.String(), "\x1b[") {
				t.Errorf("Text without Color wrote an escape code")
			}
		})
	}
}

func TestJSONGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    func() *analyze.Report
	}{{"story", story}, {"minimal", minimal}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			r := tc.r()
			if err := report.JSON(&buf, r); err != nil {
				t.Fatalf("JSON: %v", err)
			}
			golden(t, tc.name+".json", buf.Bytes())
			var back analyze.Report
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
				t.Fatalf("JSON output does not parse: %v", err)
			}
			if diff := cmp.Diff(tc.r(), r); diff != "" {
				t.Errorf("JSON modified its input (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJSONNull pins the one null list: duplicates not looked for.
func TestJSONNull(t *testing.T) {
	r := &analyze.Report{Schema: analyze.Schema}
	var buf bytes.Buffer
	if err := report.JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"layers", "wasted", "culprits", "recommendations"} {
		if m[k] == nil {
			t.Errorf("JSON(empty report)[%q] = null, want []", k)
		}
	}
	if m["duplicates"] != nil {
		t.Errorf("JSON(empty report)[duplicates] = %v, want null", m["duplicates"])
	}
}

// TestTextSections fails when a section of Text has no golden case.
func TestTextSections(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Text(&buf, story(), report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for line := range strings.Lines(buf.String()) {
		if line != "" && line[0] != ' ' && line != "\n" {
			got = append(got, strings.Fields(line)[0])
		}
	}
	if diff := cmp.Diff(report.Sections, got); diff != "" {
		t.Errorf("sections of Text(story) (-want +got):\n%s", diff)
	}
}

// TestFixtureCoversSchema fails when a field of analyze.Report is zero
// everywhere in the story fixture: a new field needs a case.
func TestFixtureCoversSchema(t *testing.T) {
	seen := map[string]bool{}
	all := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if !v.Type().Field(i).IsExported() {
					continue // not in the schema
				}
				name := v.Type().Name() + "." + v.Type().Field(i).Name
				all[name] = true
				if !v.Field(i).IsZero() {
					seen[name] = true
				}
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(story()))
	for name := range all {
		if !seen[name] && name != "Layer.Index" { // index 0 is zero, and present
			t.Errorf("story() leaves %s zero everywhere: add a case", name)
		}
	}
}

func TestTextDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := report.Text(&a, story(), report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := report.Text(&b, story(), report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("Text gave different bytes for the same report")
	}
}

// failWriter fails every write: renderers must return the error.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteError(t *testing.T) {
	if err := report.Text(failWriter{}, story(), report.TextOptions{}); err != os.ErrClosed {
		t.Errorf("Text(failing writer) = %v, want %v", err, os.ErrClosed)
	}
	if err := report.JSON(failWriter{}, story()); err != os.ErrClosed {
		t.Errorf("JSON(failing writer) = %v, want %v", err, os.ErrClosed)
	}
}
