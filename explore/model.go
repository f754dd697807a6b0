package explore

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/dietimage/diet/analyze"
)

// pane is what the right side shows.
type pane int

const (
	paneTree pane = iota
	paneWasted
	paneCulprits
	paneDetails
	paneHelp
)

// Model is diet explore's state: the report and the filesystem it walks,
// and what the user chose to see. Update changes it; View draws it.
type Model struct {
	r           *analyze.Report
	fs          *analyze.Filesystem
	w, h        int
	layer       int  // the selected layer
	only        bool // the tree shows only what the selected layer changed
	bySize      bool
	pane        pane
	focusLayers bool // keys move the layer list, not the tree

	expanded map[int]bool
	rows     []row
	cursor   int
	top      int // first row shown
	pick     int // the selected line of the wasted or culprits pane

	filter    *regexp.Regexp
	typing    bool // the filter is being typed
	input     string
	filterErr string
	copied    string
}

// row is one visible line of the tree.
type row struct {
	n      analyze.Node
	parent int // the directory's node
	depth  int
	open   bool // a directory shown open
}

// New returns the explorer of r and its filesystem (analyze.WithFilesystem),
// showing the last layer's.
func New(r *analyze.Report, fs *analyze.Filesystem) *Model {
	m := &Model{r: r, fs: fs, w: 80, h: 24, bySize: true, expanded: map[int]bool{}, layer: len(r.Layers) - 1}
	m.flatten()
	return m
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd { return nil }

// flatten lists the rows to show: the children of the open directories,
// asked of the filesystem as they come; with a filter, every path that
// matches and the directories above them, open.
func (m *Model) flatten() {
	m.rows = m.rows[:0]
	var keep map[int]bool
	if m.filter != nil {
		keep = m.fs.Match(m.filter, m.layer, m.only)
	}
	var walk func(dir, depth int)
	walk = func(dir, depth int) {
		kids := m.fs.Children(dir, m.layer, m.only)
		slices.SortFunc(kids, func(a, b analyze.Node) int {
			if m.bySize {
				if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
					return c
				}
			}
			return strings.Compare(a.Name, b.Name)
		})
		for _, c := range kids {
			if keep != nil && !keep[c.ID] {
				continue
			}
			open := c.Type == "dir" && (m.expanded[c.ID] || keep != nil)
			m.rows = append(m.rows, row{c, dir, depth, open})
			if open {
				walk(c.ID, depth+1)
			}
		}
	}
	walk(m.fs.Root(), 0)
	m.cursor = min(m.cursor, max(len(m.rows)-1, 0))
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.KeyPressMsg:
		return m, m.key(msg.String())
	}
	return m, nil
}

// key handles one key press, named as bubbletea names it ("up", "ctrl+c", "a").
func (m *Model) key(k string) tea.Cmd {
	if m.typing {
		switch k {
		case "enter":
			m.typing = false
		case "esc":
			m.typing, m.input, m.filter, m.filterErr = false, "", nil, ""
		case "backspace":
			if m.input != "" {
				m.input = m.input[:len(m.input)-1]
			}
		default:
			if len(k) == 1 || k == "space" {
				if k == "space" {
					k = " "
				}
				m.input += k
			}
		}
		m.setFilter()
		return nil
	}
	m.copied = ""
	switch k {
	case "q", "ctrl+c":
		return tea.Quit
	case "?":
		m.toggle(paneHelp)
	case "w":
		m.toggle(paneWasted)
	case "c":
		m.toggle(paneCulprits)
	case "i":
		m.toggle(paneDetails)
	case "tab":
		m.focusLayers = !m.focusLayers
	case "/":
		m.typing, m.pane = true, paneTree
	case "esc":
		m.filter, m.input, m.pane = nil, "", paneTree
		m.flatten()
	case "l":
		m.only = !m.only
		m.flatten()
	case "s":
		m.bySize = !m.bySize
		m.flatten()
	case "[", "pgup":
		m.selectLayer(m.layer - 1)
	case "]", "pgdown":
		m.selectLayer(m.layer + 1)
	case "up", "k":
		switch {
		case m.focusLayers:
			m.selectLayer(m.layer - 1)
		case m.pane == paneWasted || m.pane == paneCulprits:
			m.pick = max(m.pick-1, 0)
		default:
			m.cursor = max(m.cursor-1, 0)
		}
	case "down", "j":
		switch {
		case m.focusLayers:
			m.selectLayer(m.layer + 1)
		case m.pane == paneWasted || m.pane == paneCulprits:
			m.pick = min(m.pick+1, max(len(m.picks())-1, 0))
		default:
			m.cursor = min(m.cursor+1, max(len(m.rows)-1, 0))
		}
	case "home", "g":
		m.cursor = 0
	case "end", "G":
		m.cursor = max(len(m.rows)-1, 0)
	case "enter", "space", "right":
		if ps := m.picks(); m.pick < len(ps) {
			m.show(ps[m.pick].path, ps[m.pick].layer)
			return nil
		}
		if r := m.currentRow(); r != nil && r.n.Type == "dir" {
			m.expanded[r.n.ID] = k == "right" || !m.expanded[r.n.ID]
			m.flatten()
		}
	case "left":
		if r := m.currentRow(); r != nil {
			if m.expanded[r.n.ID] {
				m.expanded[r.n.ID] = false
				m.flatten()
			} else if r.parent != m.fs.Root() {
				parent := r.parent
				m.expanded[parent] = false
				m.flatten()
				m.cursor = m.indexOf(parent)
			}
		}
	case "a": // open all: every directory the walk meets
		var all func(dir int)
		all = func(dir int) {
			for _, c := range m.fs.Children(dir, m.layer, m.only) {
				if c.Type == "dir" {
					m.expanded[c.ID] = true
					all(c.ID)
				}
			}
		}
		all(m.fs.Root())
		m.flatten()
	case "z": // close all
		m.expanded = map[int]bool{}
		m.flatten()
		m.cursor = 0
	case "r": // the layer that removed a wasted or culprit line's path
		if ps := m.picks(); m.pick < len(ps) && ps[m.pick].removedBy >= 0 {
			m.show(ps[m.pick].path, ps[m.pick].removedBy)
		}
	case "y":
		if r := m.currentRow(); r != nil {
			m.copied = m.fs.Path(r.n.ID)
			return tea.SetClipboard(m.copied)
		}
	default:
		if i, err := strconv.Atoi(k); err == nil { // a digit selects that layer
			m.selectLayer(i)
		}
	}
	return nil
}

func (m *Model) toggle(p pane) {
	if m.pane == p {
		m.pane = paneTree
	} else {
		m.pane, m.pick = p, 0
	}
}

// place is a path in a layer: where a wasted or culprit line leads,
// and the layer that removed it (-1: none).
type place struct {
	path      string
	layer     int
	removedBy int
}

// picks are the places the wasted or culprits pane lists, in its order.
func (m *Model) picks() []place {
	var out []place
	switch m.pane {
	case paneWasted:
		for _, w := range m.r.Wasted {
			out = append(out, place{w.Path, w.AddedIn, w.Layer})
		}
	case paneCulprits:
		for _, c := range m.r.Culprits {
			removedBy := -1
			if c.RemovedBy != nil {
				removedBy = *c.RemovedBy
			}
			out = append(out, place{c.Path, c.Layer, removedBy})
		}
	}
	return out
}

// show opens the tree as of layer at path: its directories opened, the
// path selected.
func (m *Model) show(p string, layer int) {
	id, ok := m.fs.Lookup(p)
	if !ok {
		return
	}
	m.pane, m.only, m.filter, m.input = paneTree, false, nil, ""
	m.layer = layer
	for a := m.fs.Parent(id); a != m.fs.Root(); a = m.fs.Parent(a) {
		m.expanded[a] = true
	}
	m.flatten()
	m.cursor = m.indexOf(id)
}

func (m *Model) selectLayer(i int) {
	if i < 0 || i >= len(m.r.Layers) || i == m.layer {
		return
	}
	m.layer = i
	m.flatten()
}

func (m *Model) setFilter() {
	m.filterErr = ""
	if m.input == "" {
		m.filter = nil
	} else if re, err := regexp.Compile(m.input); err == nil {
		m.filter = re
	} else {
		m.filterErr = "bad regexp"
	}
	m.cursor = 0
	m.flatten()
}

func (m *Model) currentRow() *row {
	if m.cursor < len(m.rows) {
		return &m.rows[m.cursor]
	}
	return nil
}

func (m *Model) indexOf(id int) int {
	for i, r := range m.rows {
		if r.n.ID == id {
			return i
		}
	}
	return 0
}

// Styles: colour says what a layer did, and so does a letter, for those
// who see no colour (and NO_COLOR).
var (
	styleAdded   = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
	styleChanged = lipgloss.NewStyle().Foreground(lipgloss.Color("3"))
	styleRemoved = lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	styleTitle   = lipgloss.NewStyle().Bold(true)
	styleDim     = lipgloss.NewStyle().Faint(true)
	styleCursor  = lipgloss.NewStyle().Reverse(true)
)

var marks = map[string]string{"added": "A", "changed": "M", "removed": "R"}

// View implements tea.Model.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	return v
}

// Render is the screen as text, with styles.
func (m *Model) Render() string {
	left := max(m.w*2/5, 24)
	right := max(m.w-left-1, 20)
	body := m.h - 3 // a title line, a status line and the key line
	lp := m.layersPane(left, body)
	var rp []string
	switch m.pane {
	case paneWasted:
		rp = m.wastedPane(right, body)
	case paneCulprits:
		rp = m.culpritsPane(right, body)
	case paneDetails:
		rp = m.detailsPane(right, body)
	case paneHelp:
		rp = helpPane(right, body)
	default:
		rp = m.treePane(right, body)
	}
	var b strings.Builder
	r := m.r
	b.WriteString(styleTitle.Render(clip(fmt.Sprintf("diet explore %s — %s, %s wasted, dive efficiency %.1f%%",
		r.Image.Ref, human(r.Size.UncompressedBytes), human(r.WastedBytes), 100*r.Dive.Efficiency), m.w)))
	b.WriteByte('\n')
	for i := range body {
		l, rr := "", ""
		if i < len(lp) {
			l = lp[i]
		}
		if i < len(rp) {
			rr = rp[i]
		}
		b.WriteString(pad(l, left))
		b.WriteString("│")
		b.WriteString(rr)
		b.WriteByte('\n')
	}
	b.WriteString(m.status())
	b.WriteByte('\n')
	b.WriteString(styleDim.Render(clip("? keys  q quit  ↑↓ move  ←→ fold  [ ] layer  l changes  / filter  s sort  w wasted  c culprits  i image  y copy  tab layers", m.w)))
	return b.String()
}

func (m *Model) layersPane(width, height int) []string {
	out := []string{styleTitle.Render(clip("Layers", width))}
	for _, l := range m.r.Layers {
		line := fmt.Sprintf("%2d %8s %s", l.Index, human(l.SizeBytes), analyze.Instruction(l.CreatedBy))
		line = clip(line, width)
		if l.Index == m.layer {
			line = styleCursor.Render(pad(line, width))
		}
		out = append(out, line)
	}
	if m.layer >= 0 && m.layer < len(m.r.Layers) {
		l := m.r.Layers[m.layer]
		out = append(out, "", styleTitle.Render(clip(fmt.Sprintf("Layer %d", l.Index), width)))
		for _, s := range wrap(analyze.Instruction(l.CreatedBy), width) {
			out = append(out, s)
		}
		out = append(out, clip(fmt.Sprintf("+%d ~%d -%d, wasted %s, removes %s", l.Added, l.Modified, l.Deleted,
			human(l.WastedBytes), human(l.RemovedBytes)), width))
	}
	return out[:min(len(out), height)]
}

func (m *Model) treePane(width, height int) []string {
	what := "filesystem as of layer " + strconv.Itoa(m.layer)
	if m.only {
		what = "what layer " + strconv.Itoa(m.layer) + " changed"
	}
	out := []string{styleTitle.Render(clip(" "+what, width))}
	rows := height - 1
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+rows {
		m.top = m.cursor - rows + 1
	}
	for i := m.top; i < len(m.rows) && i < m.top+rows; i++ {
		r := m.rows[i]
		n := r.n
		mark := " "
		style := lipgloss.NewStyle()
		switch n.Kind {
		case "added":
			mark, style = marks[n.Kind], styleAdded
		case "changed":
			mark, style = marks[n.Kind], styleChanged
		case "removed":
			mark, style = marks[n.Kind], styleRemoved
		}
		fold, name := " ", n.Name
		if n.Type == "dir" {
			fold, name = "▸", name+"/"
			if r.open {
				fold = "▾"
			}
		}
		line := clip(fmt.Sprintf(" %s %8s %s%s %s", mark, human(n.Bytes), strings.Repeat("  ", r.depth), fold, name), width)
		if i == m.cursor && !m.focusLayers {
			line = styleCursor.Render(pad(line, width))
		} else {
			line = style.Render(line)
		}
		out = append(out, line)
	}
	if len(m.rows) == 0 {
		out = append(out, styleDim.Render(" (nothing)"))
	}
	return out
}

func (m *Model) wastedPane(width, height int) []string {
	var lines []string
	for _, w := range m.r.Wasted {
		lines = append(lines, fmt.Sprintf(" %8s %d▸%d %-10s %s", human(w.Bytes), w.AddedIn, w.Layer, w.Reason, w.Path))
	}
	title := fmt.Sprintf(" Wasted: %s in %d paths (stored by ▸ removed by; enter, r show them)", human(m.r.WastedBytes), len(m.r.Wasted))
	return m.pickList(title, lines, width, height)
}

func (m *Model) culpritsPane(width, height int) []string {
	var lines []string
	for _, c := range m.r.Culprits {
		lines = append(lines, fmt.Sprintf(" %8s %-16s %s (layer %d)", human(c.Bytes), c.Category, c.Path, c.Layer))
	}
	out := m.pickList(" Culprits (enter shows one)", lines, width, height-2-len(m.r.Recommendations))
	out = append(out, "", styleTitle.Render(clip(" Recommendations", width)))
	for _, rec := range m.r.Recommendations {
		out = append(out, clip(fmt.Sprintf(" %8s %s", human(rec.SavesBytes), rec.Title), width))
	}
	return out[:min(len(out), height)]
}

// pickList is a pane's title and the lines that fit under it, scrolled
// to keep the picked one in view and marked.
func (m *Model) pickList(title string, lines []string, width, height int) []string {
	out := []string{styleTitle.Render(clip(title, width))}
	rows := max(height-1, 1)
	first := max(m.pick-rows+1, 0)
	for i := first; i < len(lines) && i < first+rows; i++ {
		line := clip(lines[i], width)
		if i == m.pick {
			line = styleCursor.Render(pad(line, width))
		}
		out = append(out, line)
	}
	return out
}

// detailsPane is the image as a whole: what it is, its sizes as docker
// and a registry count them, what a squash would recover, and dive's
// figures with dive's definitions.
func (m *Model) detailsPane(width, height int) []string {
	r := m.r
	compressed := "unknown: stored uncompressed"
	if c := r.Size.CompressedBytes; c != nil {
		compressed = human(*c)
	}
	row := func(label, value string) string { return fmt.Sprintf(" %-17s %s", label, value) }
	lines := []string{
		" Image",
		row("reference", r.Image.Ref),
		row("id", r.Image.ID),
	}
	if r.Image.Platform != "" {
		lines = append(lines, row("platform", r.Image.Platform))
	}
	if len(r.Image.Entrypoint)+len(r.Image.Cmd) > 0 {
		lines = append(lines, row("runs", strings.Join(append(slices.Clone(r.Image.Entrypoint), r.Image.Cmd...), " ")))
	}
	lines = append(lines,
		row("layers", strconv.Itoa(len(r.Layers))),
		"",
		row("docker size", human(r.Size.UncompressedBytes)),
		row("compressed", compressed),
		row("final filesystem", human(r.Size.FinalBytes)),
		row("wasted", fmt.Sprintf("%s in %d paths (a squash recovers them)", human(r.WastedBytes), len(r.Wasted))),
		"",
		" dive's figures",
		row("efficiency", fmt.Sprintf("%.1f%%", 100*r.Dive.Efficiency)),
		row("wasted bytes", human(r.Dive.WastedBytes)),
		row("user wasted percent", fmt.Sprintf("%.1f%%", 100*r.Dive.UserWastedPercent)),
		row("inefficient files", strconv.Itoa(len(r.Dive.InefficientFiles))),
	)
	for i := range lines {
		lines[i] = clip(lines[i], width)
	}
	lines[0] = styleTitle.Render(lines[0])
	return lines[:min(len(lines), height)]
}

func helpPane(width, height int) []string {
	lines := []string{
		" Keys",
		" ↑ ↓ j k     move in the tree (in the layers, after tab)",
		" → enter     open a directory; ← close it, or go to its parent",
		" a z         open all, close all",
		" [ ] 0-9     select a layer: the tree shows the filesystem as of it",
		" l           only what the selected layer changed",
		" /           filter by path (a regular expression); esc clears",
		" s           sort by size or by name",
		" w           the wasted bytes: stored by ▸ removed by",
		" c           culprits and recommendations",
		" enter r     on a wasted or culprit line: its path as of the layer",
		"             that stored it, or the one that removed it",
		" i           the image: sizes, wasted, dive's figures",
		" y           copy the selected path (OSC 52)",
		" q ctrl+c    quit",
		"",
		" A added   M changed   R removed (by the selected layer)",
	}
	for i := range lines {
		lines[i] = clip(lines[i], width)
	}
	return lines[:min(len(lines), height)]
}

func (m *Model) status() string {
	switch {
	case m.typing:
		s := "filter: " + m.input + "█"
		if m.filterErr != "" {
			s += "  (" + m.filterErr + ")"
		}
		return clip(s, m.w)
	case m.copied != "":
		return clip("copied "+m.copied, m.w)
	case m.filter != nil:
		return clip(fmt.Sprintf("filter %s: %d rows (esc clears)", m.filter, len(m.rows)), m.w)
	}
	if r := m.currentRow(); r != nil && m.pane == paneTree {
		return clip(fmt.Sprintf("%s  %s %s", m.fs.Path(r.n.ID), r.n.Type, human(r.n.Bytes)), m.w)
	}
	return ""
}

// human is a byte count as docker prints it.
func human(n int64) string {
	f, i := float64(n), 0
	units := []string{"B", "kB", "MB", "GB", "TB"}
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + " B"
	}
	return strconv.FormatFloat(f, 'g', 3, 64) + " " + units[i]
}

// clip cuts s to width columns, with … where it cut. It also makes s
// safe: an image's paths and history lines may hold control characters,
// which would drive the terminal; they show as Go escapes.
func clip(s string, width int) string {
	s = safe(s)
	w := 0
	for i, c := range s {
		cw := lipgloss.Width(string(c))
		if w+cw > width {
			return cut(s[:i], width)
		}
		w += cw
	}
	return s
}

// cut shortens s, which is wider than width, to width-1 columns and an ellipsis.
func cut(s string, width int) string {
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r)) > width-1 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// safe escapes the control characters and invalid bytes of s.
func safe(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pad fills s with spaces to width columns.
func pad(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// wrap breaks s into lines of width runes at most.
func wrap(s string, width int) []string {
	r := []rune(safe(s))
	var out []string
	for len(r) > width && width > 0 {
		out = append(out, string(r[:width]))
		r = r[width:]
	}
	return append(out, string(r))
}
