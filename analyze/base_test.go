package analyze

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestBaseLayers(t *testing.T) {
	layer := func(by string) v1.History { return v1.History{CreatedBy: by} }
	empty := func(by string) v1.History { return v1.History{CreatedBy: by, EmptyLayer: true} }
	for _, tc := range []struct {
		name    string
		history []v1.History
		want    int
	}{
		{"debian from the hub", []v1.History{layer("/bin/sh -c #(nop) ADD file:ab in / "), empty(`/bin/sh -c #(nop)  CMD ["bash"]`),
			layer("RUN apt-get install"), layer("COPY . /app"), empty(`CMD ["/app"]`)}, 1},
		{"a two-layer base", []v1.History{layer("ADD file:ab in /"), layer("RUN apk add ca-certificates"),
			empty(`CMD ["/bin/sh"]`), layer("RUN go build"), empty("ENTRYPOINT x")}, 2},
		{"docker import", []v1.History{{Comment: "debootstrap bookworm"}, empty("USER root"), layer("RUN apt-get install"),
			layer("COPY root/ /root/"), empty(`CMD ["nats-server"]`)}, 1},
		{"ADD without CMD", []v1.History{layer("ADD file:ab in /"), layer("RUN make")}, 1},
		{"no base to tell", []v1.History{layer("RUN make"), layer("COPY x /")}, 0},
		{"a single imported layer", []v1.History{{Comment: "imported"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			for _, h := range tc.history {
				if !h.EmptyLayer {
					n++
				}
			}
			if got := BaseLayers(tc.history, n); got != tc.want {
				t.Errorf("BaseLayers = %d, want %d", got, tc.want)
			}
		})
	}
}
