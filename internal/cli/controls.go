package cli

import (
	"fmt"
	"strings"
	"unicode"
)

// quoteControls escapes what a terminal would act on instead of showing:
// C0 and C1 control characters (ESC starts cursor moves and screen
// clears), DEL, and the bidirectional overrides that make text read other
// than it is. Dockerfile text echoed in lint and fix messages is written
// through it; tabs stay, and JSON and SARIF escape by their encoding.
func quoteControls(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !isControl(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	switch {
	case r == '\t':
		return false
	case unicode.IsControl(r): // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional embeddings, overrides, isolates and marks
	}
	return false
}
