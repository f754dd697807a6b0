package dockerfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// storyWant is what lint finds in each of the story's Dockerfiles
// (testdata/story, copied from seed/000_26fbc6309f6dd1f7.txt): each
// mistake the story found, on its line, and nothing where it got it right.
var storyWant = map[string][]string{
	// toolchain and GOPATH left in the image; apk update without
	// --no-cache; a compiled build in a single stage; unstripped.
	"v1.01.Dockerfile": {
		"DIET203@5",  // apk update && apk add go git musl-dev: the apk index
		"DIET301@5",  // go, git, musl-dev ship
		"DIET210@16", // go get: /root/go/src, module and build caches
		"DIET302@17", // go install builds in the only stage
		"DIET303@17", // no -ldflags "-s -w"
		"DIET304@17", // no -trimpath
	},
	// cleanup in a later instruction than the install: the bytes stay. As
	// printed, line 15's backslash swallows line 18's RUN and line 19's
	// dangling && ends the shell; line 20 is then no instruction at all.
	"v1.02-mistake.Dockerfile": {
		"DIET203@6", "DIET301@6", // the install RUN, no better for the cleanup below
		"DIET210@14",                             // go get's caches, not removed in its RUN
		"DIET302@15", "DIET303@15", "DIET304@15", // go install (with "RUN cd" as arguments)
		"DIET002@18", // RUN cd is part of the RUN on line 9
		"DIET001@19", // && at the end of the shell
		"DIET003@20", // "&&" is not an instruction
		"DIET101@20", // apk del, rm -rf: cleanup in a later layer
	},
	// install, build and cleanup in one RUN: nothing about caches or the
	// toolchain; still a single stage and an unstripped binary.
	"v1.02.Dockerfile": {"DIET302@16", "DIET303@16", "DIET304@16"},
	// multi-stage: nothing about the toolchain or caches of the build
	// stage; the binary it copies is still unstripped.
	"v1.03.Dockerfile": {"DIET303@16", "DIET304@16"},
	// strip and upx in the build stage: only -trimpath is left.
	"v1.04.Dockerfile": {"DIET304@16"},
}

func lintStory(t *testing.T, name string) []Finding {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "story", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(name, src)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return Lint(f)
}

func TestStory(t *testing.T) {
	t.Parallel()
	for name, want := range storyWant {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, fd := range lintStory(t, name) {
				got = append(got, fmt.Sprintf("%s@%d", fd.ID, fd.Line))
				if fd.File != name || fd.Message == "" || fd.EndLine < fd.Line {
					t.Errorf("finding %+v: want File %q, a message and EndLine >= Line", fd, name)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Lint(%s) (-want +got):\n%s", name, diff)
			}
		})
	}
}

// TestStoryMistake checks what the story's mistake finding says: the
// cleanup lines, the install lines it cannot shrink, and the bytes.
func TestStoryMistake(t *testing.T) {
	t.Parallel()
	for _, fd := range lintStory(t, "v1.02-mistake.Dockerfile") {
		if fd.ID != "DIET101" {
			continue
		}
		if fd.Line != 20 || fd.EndLine != 24 {
			t.Errorf("DIET101 on lines %d-%d, want 20-24 (apk del to rm -rf /var/cache/apk/*)", fd.Line, fd.EndLine)
		}
		for _, part := range []string{"line 6: packages go, git, musl-dev", "/var/cache/apk", "line 9:", "/root/go/src", "/root/.cache/go-build"} {
			if !strings.Contains(fd.Message, part) {
				t.Errorf("DIET101 message %q does not name %q", fd.Message, part)
			}
		}
		if fd.Bytes < 200_000_000 {
			t.Errorf("DIET101 puts %d bytes at stake, want the toolchain's 200 MB or more", fd.Bytes)
		}
		return
	}
	t.Error("no DIET101 in v1.02-mistake.Dockerfile")
}

// TestStoryOrder: each step of the story leaves fewer or lighter
// findings, v1.04 the least.
func TestStoryOrder(t *testing.T) {
	t.Parallel()
	weight := func(name string) (n int) {
		for _, fd := range lintStory(t, name) {
			n += int(fd.Severity)
		}
		return n
	}
	steps := []string{"v1.01.Dockerfile", "v1.02.Dockerfile", "v1.03.Dockerfile", "v1.04.Dockerfile"}
	for i := 1; i < len(steps); i++ {
		if a, b := weight(steps[i-1]), weight(steps[i]); b >= a {
			t.Errorf("%s weighs %d, %s %d: want each step lighter", steps[i-1], a, steps[i], b)
		}
	}
}
