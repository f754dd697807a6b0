package analyze

import "testing"

func TestInstruction(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/bin/sh -c #(nop) ADD file:9a4f in / ", "ADD file:9a4f in /"},
		{`/bin/sh -c #(nop)  CMD ["/bin/sh"]`, `CMD ["/bin/sh"]`},
		{"/bin/sh -c apk add --no-cache go", "RUN apk add --no-cache go"},
		{"|2 GOOS=linux GOARCH=amd64 /bin/sh -c go build -o /app .", "RUN go build -o /app ."},
		{"|0 /bin/sh -c true", "RUN true"},
		{"RUN /bin/sh -c apt-get update # buildkit", "RUN apt-get update"},
		{"RUN |1 V=1 /bin/sh -c make # buildkit", "RUN make"},
		{"COPY /src /dst # buildkit", "COPY /src /dst"},
		{"/bin/sh -c apk add \\\n\tgo \\\n\tgit", "RUN apk add \\ go \\ git"},
		{"|x not args", "|x not args"},
		{"|3 A=1 /bin/sh", "|3 A=1 /bin/sh"},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := Instruction(tc.in); got != tc.want {
				t.Errorf("Instruction(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
