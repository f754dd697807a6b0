package explore

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/internal/test/tartest"
)

// model explores a three-layer image: a base, a build that leaves a
// cache, and a cleanup that deletes it.
func model(t *testing.T) *Model {
	t.Helper()
	f := tartest.File
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "ADD base /", Entries: []tartest.Entry{f("etc/os-release", "debian\n"), tartest.Sized("usr/lib/libc.so.6", 4000)}},
		tartest.Step{CreatedBy: "RUN make", Entries: []tartest.Entry{tartest.Sized("root/.cache/go-build/ab", 2500), tartest.Sized("app/server", 900),
			f("etc/os-release", "debian 12\n"), f("app/\x1b[2Jevil", "x")}},
		tartest.Step{CreatedBy: "RUN rm -rf /root/.cache", Entries: []tartest.Entry{tartest.Whiteout("root/.cache")}},
	)
	var fs *analyze.Filesystem
	r, err := analyze.Image(t.Context(), img, analyze.WithFilesystem(func(f *analyze.Filesystem) { fs = f }))
	if err != nil {
		t.Fatal(err)
	}
	return New(r, fs)
}

// press sends keys, as bubbletea names them, to m.
func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.key(k)
	}
}

// current is the selected path, or "".
func (m *Model) current() string {
	if r := m.currentRow(); r != nil {
		return m.fs.Path(r.n.ID)
	}
	return ""
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// screen is m's render without styles.
func screen(m *Model) string { return ansi.ReplaceAllString(m.Render(), "") }

func TestTreeAsOfLayers(t *testing.T) {
	m := model(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	has := func(s, pattern string) bool { return regexp.MustCompile(`(?m)` + pattern).MatchString(s) }
	// The last layer: the cache it deleted shows where it was, removed
	// (R), its bytes no longer counted above it.
	press(m, "a")
	s := screen(m)
	if !strings.Contains(s, "filesystem as of layer 2") || !has(s, `│ R +2\.5 kB +▾ \.cache/`) || !has(s, `│ +0 B ▾ root/`) {
		t.Errorf("the last layer's filesystem:\n%s", s)
	}
	// The build layer: the cache is there, added; os-release changed.
	press(m, "1", "a")
	s = screen(m)
	for _, want := range []string{`filesystem as of layer 1`, `│ A +2\.5 kB +ab$`, `│ M +10 B +os-release$`, `│ A +2\.5 kB ▾ root/`, `│ +4 kB ▾ usr/`} {
		if !has(s, want) {
			t.Errorf("layer 1, all open: no %q in\n%s", want, s)
		}
	}
	// Only what the cleanup changed: the cache, removed.
	press(m, "2", "l", "a")
	s = screen(m)
	if !strings.Contains(s, "what layer 2 changed") || !has(s, `│ R +2\.5 kB +▾ \.cache/`) || strings.Contains(s, "os-release") {
		t.Errorf("layer 2, its changes only:\n%s", s)
	}
}

func TestFilterFoldAndPanes(t *testing.T) {
	m := model(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	press(m, "1", "/", "g", "o", "-", "b", "enter")
	s := screen(m)
	if !strings.Contains(s, "filter go-b: 4 rows") || !strings.Contains(s, "go-build/") || strings.Contains(s, "usr/") {
		t.Errorf("filter go-b: the matches and their directories only:\n%s", s)
	}
	press(m, "esc")
	if s := screen(m); !strings.Contains(s, "▸ usr/") || strings.Contains(s, "libc.so.6") {
		t.Errorf("esc clears the filter, directories closed:\n%s", s)
	}
	// Open usr/, then close it again from its child.
	for m.current() != "/usr" {
		press(m, "down")
	}
	press(m, "right", "down", "left")
	if s := screen(m); !strings.Contains(s, "▸ usr/") || m.current() != "/usr" {
		t.Errorf("left on a child closes its directory and selects it: at %s\n%s", m.current(), s)
	}
	press(m, "w")
	if s := screen(m); !strings.Contains(s, "Wasted: 2.51 kB in 2 paths") || !strings.Contains(s, "1▸2 deleted    /root/.cache/go-build/ab") {
		t.Errorf("the wasted pane:\n%s", s)
	}
	press(m, "c")
	if s := screen(m); !strings.Contains(s, "go-build-cache") || !strings.Contains(s, "Recommendations") {
		t.Errorf("the culprits pane:\n%s", s)
	}
	press(m, "?")
	if s := screen(m); !strings.Contains(s, "A added   M changed   R removed") {
		t.Errorf("the keys:\n%s", s)
	}
	if cmd := m.key("q"); cmd == nil {
		t.Error("q does not quit")
	}
}

// TestHostileNames: a path with an escape sequence shows escaped; the
// screen holds no control character but the styles' and line breaks.
func TestHostileNames(t *testing.T) {
	m := model(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	press(m, "a")
	s := screen(m)
	if !strings.Contains(s, `\x1b[2Jevil`) {
		t.Errorf("the hostile name does not show escaped:\n%q", s)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' }) {
		t.Errorf("a control character reaches the screen:\n%q", s)
	}
}

// TestSmallTerminal: 80×24 keeps every line within 80 columns and the
// screen within 24 lines.
func TestSmallTerminal(t *testing.T) {
	m := model(t)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "a")
	lines := strings.Split(screen(m), "\n")
	if len(lines) > 24 {
		t.Errorf("%d lines on a 24-line terminal", len(lines))
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("a line of %d columns: %q", n, l)
		}
	}
}

// TestJumpFromWastedAndCulprits: enter on a wasted line shows the tree as
// of the layer that stored the path, opened down to it and selected, r as
// of the layer that removed it; enter does the same from a culprit.
func TestJumpFromWastedAndCulprits(t *testing.T) {
	m := model(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	press(m, "w")
	for i, w := range m.r.Wasted {
		if w.Path == "/root/.cache/go-build/ab" {
			for range i {
				press(m, "down")
			}
		}
	}
	press(m, "enter")
	s := screen(m)
	if m.pane != paneTree || m.layer != 1 || m.current() != "/root/.cache/go-build/ab" || !strings.Contains(s, "filesystem as of layer 1") {
		t.Errorf("enter on the cache's wasted line: layer %d, at %q:\n%s", m.layer, m.current(), s)
	}
	// r: the same path as of the layer that removed it, marked removed.
	press(m, "w", "r")
	s = screen(m)
	if m.layer != 2 || m.current() != "/root/.cache/go-build/ab" || !regexp.MustCompile(`(?m)│ R +2\.5 kB +ab +$`).MatchString(s) {
		t.Errorf("r on the cache's wasted line: layer %d, at %q:\n%s", m.layer, m.current(), s)
	}
	press(m, "c", "enter")
	if c := m.r.Culprits[0]; m.pane != paneTree || m.current() != c.Path || m.layer != c.Layer {
		t.Errorf("enter on the first culprit %s (layer %d): at %q, layer %d", c.Path, c.Layer, m.current(), m.layer)
	}
}

// TestDetails: i shows the image as a whole, dive's figures with it.
func TestDetails(t *testing.T) {
	m := model(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	press(m, "i")
	s := screen(m)
	r := m.r
	for _, want := range []string{
		"│ Image",
		"│ id                " + r.Image.ID[:20],
		"│ layers            3",
		"│ wasted            2.51 kB in 2 paths",
		"│ compressed        " + human(*r.Size.CompressedBytes),
		fmt.Sprintf("│ efficiency        %.1f%%", 100*r.Dive.Efficiency),
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in the details:\n%s", want, s)
		}
	}
	if press(m, "i"); m.pane != paneTree {
		t.Error("i again does not go back to the tree")
	}
	// At 80 columns the key line still says where the keys are.
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if lines := strings.Split(screen(m), "\n"); !strings.HasPrefix(lines[len(lines)-1], "? keys  q quit") {
		t.Errorf("the key line at 80 columns: %q", lines[len(lines)-1])
	}
}
