package dockerfile

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: Parse and Lint never panic, and every position they report
// stays inside the input.
func FuzzParse(f *testing.F) {
	stories, _ := filepath.Glob(filepath.Join("testdata", "story", "*.Dockerfile"))
	for _, p := range stories {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, tc := range ruleCases {
		f.Add([]byte(tc.src))
	}
	f.Add([]byte("FROM a\nRUN sh -c \"sh -c 'sh -c \\\"a && b\\\"'\"\n"))
	f.Add([]byte("# escape=`\nFROM a\nRUN a `\n  && b\n"))
	f.Add([]byte("FROM a\nRUN <<EOF bash\nset -e\nEOF\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("Dockerfile", src)
		if err != nil {
			return
		}
		lines := file.LineOf(len(src))
		for _, in := range file.Instructions {
			if in.Line < 1 || in.EndLine < in.Line || in.EndLine > lines {
				t.Fatalf("instruction %q on lines %d-%d of %d", in.Cmd, in.Line, in.EndLine, lines)
			}
			for _, r := range []*Run{in.Run, triggerRun(in)} {
				if r == nil {
					continue
				}
				for _, c := range r.Commands {
					for _, w := range c.Words {
						if w.Offset > w.End || w.End > len(src) || w.Line < 1 || w.Line > lines {
							t.Fatalf("word %q at %d-%d, line %d, of %d bytes", w.Value, w.Offset, w.End, w.Line, len(src))
						}
					}
				}
			}
		}
		for _, fd := range Lint(file, WithContextDir(t.TempDir())) {
			if fd.Line < 1 || fd.Line > lines || fd.EndLine < fd.Line || fd.ID == "" || fd.Message == "" {
				t.Fatalf("finding %+v for a file of %d lines", fd, lines)
			}
		}
	})
}

func triggerRun(in *Instruction) *Run {
	if in.Trigger == nil {
		return nil
	}
	return in.Trigger.Run
}
