package image

import (
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// transportList names the transports for messages, as they are written.
const transportList = "docker-archive:PATH, oci-archive:PATH, oci:DIR, docker://REF or docker-daemon:REF"

// transportWord is what a transport prefix looks like: lower-case words
// joined by dashes. An image reference's repository can look the same
// ("my-app:1"), so a word is taken for a misspelled transport only when it
// is close to a real one.
var transportWord = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)

// misspelled reports whether "t:rest" reads as a misspelled transport
// rather than a bare reference: t is within two edits of a transport, and
// either that transport is a two-word one (no one names an image
// "docker-archiv"), or rest looks like a file path, which no tag does, or
// the whole is no reference ("ocj:dir/x"; but "docks:5000/app" is one).
func misspelled(t, rest string) bool {
	if !transportWord.MatchString(t) {
		return false
	}
	for _, known := range []string{transportArchive, transportOCIArchive, transportDaemon, transportOCI, transportDocker} {
		if t == known || edits(t, known) > 2 {
			continue
		}
		if strings.Contains(known, "-") || looksLikePath(rest) {
			return true
		}
		if _, err := name.ParseReference(t + ":" + rest); err != nil {
			return true
		}
	}
	return false
}

// edits is the Levenshtein distance between two short ASCII words.
func edits(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
