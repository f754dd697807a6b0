package report

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes s safe to print on a terminal: control characters (C0,
// DEL, C1), which an image can put in a path, a user name, a label or a
// history line to move the cursor or erase lines, and bytes that are not
// UTF-8, become Go escapes such as \x1b, \n and \u009b. A backslash stays
// as it is: the output is for eyes, not for parsing back. Text without
// such characters is returned unchanged, at the cost of one scan.
func Escape(s string) string {
	i := strings.IndexFunc(s, needsEscape)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for s = s[i:]; s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[0])|0x100, 16)[1:]) // two hex digits
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r) // '\x1b', '\n', '\u009b'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

// needsEscape is true for what a terminal acts on rather than shows, and
// for the replacement rune that stands for a byte that is not UTF-8.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || r == utf8.RuneError
}

// escaped returns a deep copy of *v in which every string that needs it
// went through [Escape], for the text renderers: every string of a report
// may come from the image, and a copy leaves the caller's report as it was.
func escaped[T any](v *T) *T {
	c := escapeValue(reflect.ValueOf(v).Elem())
	out := c.Interface().(T)
	return &out
}

func escapeValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); strings.IndexFunc(s, needsEscape) >= 0 {
			return reflect.ValueOf(Escape(s)).Convert(v.Type())
		}
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.NumField() {
			if f := n.Field(i); f.CanSet() {
				f.Set(escapeValue(v.Field(i)))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(escapeValue(v.Index(i)))
		}
		return n
	case reflect.Array:
		n := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			n.Index(i).Set(escapeValue(v.Index(i)))
		}
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(escapeValue(v.Elem()))
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			n.SetMapIndex(escapeValue(it.Key()), escapeValue(it.Value()))
		}
		return n
	}
	return v
}
