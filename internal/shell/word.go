package shell

import "strings"

// Unescape removes the backslashes of a literal as the shell does: outside
// quotes every one quotes the next byte, inside double quotes (dq) only one
// before $, `, ", \ or a newline does. A backslash and newline is a line
// continuation and disappears; a final backslash stays.
func Unescape(s string, dq bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (!dq || strings.IndexByte("$`\"\\\n", s[i+1]) >= 0) {
			i++
			if s[i] != '\n' {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
