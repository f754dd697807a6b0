package analyze

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestPrunes(t *testing.T) {
	programs := Programs(v1.Config{Entrypoint: []string{"/usr/local/go/bin/go", "run"}, Cmd: []string{"./x/../main.go", "/opt/app//server"}})
	for _, tc := range []struct {
		category, root string
		want           bool
	}{
		{"docs", "/usr/share/doc", true},
		{"toolchain-go", "/usr/local/go", false}, // the entrypoint runs from it
		{"toolchain-go", "/usr/lib/go", true},
		{"temp", "/opt/app", false}, // Programs cleans /opt/app//server
		{"temp", "/opt/ap", true},   // a sibling's prefix is not its root
		{"unstripped-elf", "/usr/local/bin/app", false},
	} {
		if got := Prunes(tc.category, tc.root, programs); got != tc.want {
			t.Errorf("Prunes(%q, %q, %q) = %v, want %v", tc.category, tc.root, programs, got, tc.want)
		}
	}
}
