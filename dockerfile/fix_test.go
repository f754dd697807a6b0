package dockerfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixCase is one row of the rewrite table: a Dockerfile, what Fix makes
// of it ("" when it must stay as it is) and the rules of the changes, in
// order.
type fixCase struct {
	name string
	src  string
	want string
	ids  string // space-separated rule IDs of res.Changes
	opts []Option
}

var fixCases = []fixCase{
	// DIET101: the cleanup moves into the RUN that installed.
	{name: "cleanup into the previous RUN",
		src:  "FROM alpine:3.20\nRUN apk add --no-cache gcc\nRUN apk del gcc\n",
		want: "FROM alpine:3.20\nRUN apk add --no-cache gcc && apk del gcc\n", ids: "DIET101"},
	{name: "cleanup across an inert instruction, with its comment",
		src:  "FROM alpine:3.20\nRUN apk add --no-cache gcc \\\n    && make\nEXPOSE 80\n# clean up\nRUN apk del gcc\n",
		want: "FROM alpine:3.20\nRUN apk add --no-cache gcc \\\n    && make \\\n    # clean up\n    && apk del gcc\nEXPOSE 80\n", ids: "DIET101"},
	{name: "a RUN that cds runs in a subshell",
		src:  "FROM alpine:3.20\nRUN apk add --no-cache gcc && cd /src\nRUN make\nRUN apk del gcc\n",
		want: "FROM alpine:3.20\nRUN ( apk add --no-cache gcc && cd /src ) \\\n    && make \\\n    && apk del gcc\n", ids: "DIET101"},
	{name: "a cleanup of several statements runs as a group",
		src:  "FROM alpine:3.20\nRUN apk add --no-cache gcc\nRUN apk del gcc; rm -rf /tmp/*\n",
		want: "FROM alpine:3.20\nRUN apk add --no-cache gcc && { apk del gcc; rm -rf /tmp/*; }\n", ids: "DIET101"},
	{name: "the deleted RUN takes one blank line with it",
		src:  "FROM alpine:3.20\nRUN apk add --no-cache gcc\n\nRUN apk del gcc\n\nCMD [\"sh\"]\n",
		want: "FROM alpine:3.20\nRUN apk add --no-cache gcc && apk del gcc\n\nCMD [\"sh\"]\n", ids: "DIET101"},
	{name: "ENV between stays a suggestion",
		src: "FROM alpine:3.20\nRUN apk add --no-cache gcc\nENV CC=gcc\nRUN make\nRUN apk del gcc\n"},
	{name: "WORKDIR between stays a suggestion",
		src: "FROM alpine:3.20\nRUN apk add --no-cache gcc\nWORKDIR /src\nRUN apk del gcc\n"},
	{name: "different RUN flags stay a suggestion",
		src: "FROM alpine:3.20\nRUN --network=none apk add --no-cache gcc\nRUN apk del gcc\n"},
	{name: "cleanup of a COPY stays a suggestion",
		src: "FROM alpine:3.20\nCOPY big.tar /tmp/big.tar\nRUN rm -f /tmp/big.tar\n"},

	// DIET102: delete the archive in the RUN that downloads it.
	{name: "downloaded archive",
		src:  "FROM debian:bookworm-slim\nWORKDIR /opt\nRUN wget https://example.com/x.tar.gz && tar -xzf x.tar.gz\n",
		want: "FROM debian:bookworm-slim\nWORKDIR /opt\nRUN wget https://example.com/x.tar.gz && tar -xzf x.tar.gz && rm -f /opt/x.tar.gz\n", ids: "DIET102"},
	{name: "decompressed in place, the tar is deleted",
		src:  "FROM alpine:3.20\nRUN wget https://example.com/u.tar.xz \\\n  && xz -d u.tar.xz \\\n  && tar -xf u.tar\n",
		want: "FROM alpine:3.20\nRUN wget https://example.com/u.tar.xz \\\n  && xz -d u.tar.xz \\\n  && tar -xf u.tar \\\n  && rm -f /u.tar\n", ids: "DIET102"},
	{name: "archive used by a later instruction stays",
		src: "FROM debian:bookworm-slim\nRUN wget https://example.com/x.tar.gz && tar -xzf x.tar.gz\nRUN sha256sum x.tar.gz\n"},

	// DIET103: COPY --chown instead of RUN chown -R.
	{name: "chown under /opt",
		src:  "FROM node:22-slim\nCOPY . /opt/app\nUSER node\nRUN chown -R node:node /opt/app\n",
		want: "FROM node:22-slim\nCOPY --chown=node:node . /opt/app\nUSER node\n", ids: "DIET103"},
	{name: "chmod with an octal mode",
		src:  "FROM alpine:3.20\nCOPY bin/ /app/bin/\nRUN chmod -R 755 /app/bin\n",
		want: "FROM alpine:3.20\nCOPY --chmod=755 bin/ /app/bin/\n", ids: "DIET103"},
	{name: "symbolic chmod stays",
		src: "FROM alpine:3.20\nCOPY bin/ /app/bin/\nRUN chmod -R u+x /app/bin\n"},
	{name: "WORKDIR made the directory: chown -R also changes it",
		src: "FROM node:22-slim\nWORKDIR /app\nCOPY . /app\nRUN chown -R node:node /app\n"},
	{name: "a RUN between may write there",
		src: "FROM node:22-slim\nCOPY . /app\nRUN touch /app/log\nRUN chown -R node:node /app\n"},
	{name: "a directory the base may have",
		src: "FROM node:22-slim\nCOPY . /home/node/app\nRUN chown -R node:node /home/node/app\n"},

	// DIET107, DIET108.
	{name: "useradd -l", src: "FROM debian:bookworm-slim\nRUN useradd -u 123456 app\n",
		want: "FROM debian:bookworm-slim\nRUN useradd -l -u 123456 app\n", ids: "DIET107"},
	{name: "sudo useradd", src: "FROM debian:bookworm-slim\nRUN sudo useradd --uid 123456 app\n",
		want: "FROM debian:bookworm-slim\nRUN sudo useradd -l --uid 123456 app\n", ids: "DIET107"},
	{name: "ADD to COPY", src: "FROM alpine:3.20\nADD --chown=1:1 app.py /app/\n",
		want: "FROM alpine:3.20\nCOPY --chown=1:1 app.py /app/\n", ids: "DIET108"},
	{name: "lower-case add", src: "from alpine:3.20\nadd app.py /app/\n",
		want: "from alpine:3.20\ncopy app.py /app/\n", ids: "DIET108"},
	{name: "ADD with an archive among the sources stays",
		src: "FROM alpine:3.20\nADD app.py vendor.tar.gz /app/\n"},

	// DIET201, DIET202: apt.
	{name: "apt lists and recommends",
		src:  "FROM debian:bookworm-slim\nRUN apt-get update \\\n    && apt-get install -y curl\n",
		want: "FROM debian:bookworm-slim\nRUN apt-get update \\\n    && apt-get install --no-install-recommends -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n", ids: "DIET201 DIET202"},
	{name: "lists a later RUN relies on stay",
		src:  "FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n",
		want: ""},
	{name: "lists in a trailing if stay",
		src: "FROM debian:bookworm-slim\nRUN apt-get update && if true; then apt-get install -y --no-install-recommends curl; fi\n"},
	{name: "apt in sh -c", src: "FROM debian:bookworm-slim\nRUN sh -c 'apt-get update && apt-get install -y curl' && echo done\n",
		want: "FROM debian:bookworm-slim\nRUN sh -c 'apt-get update && apt-get install --no-install-recommends -y curl' && echo done && rm -rf /var/lib/apt/lists/*\n",
		ids:  "DIET201 DIET202"},

	// DIET203: apk.
	{name: "apk update dropped", src: "FROM alpine:3.20\nRUN apk update && apk add curl\n",
		want: "FROM alpine:3.20\nRUN apk add --no-cache curl\n", ids: "DIET203"},
	{name: "apk update in the middle", src: "FROM alpine:3.20\nRUN echo a && apk update && apk add curl\n",
		want: "FROM alpine:3.20\nRUN echo a && apk add --no-cache curl\n", ids: "DIET203"},
	{name: "apk update last", src: "FROM alpine:3.20\nRUN apk add curl; apk update\n",
		want: "FROM alpine:3.20\nRUN apk add --no-cache curl\n", ids: "DIET203"},
	{name: "RUN apk update alone", src: "FROM alpine:3.20\nRUN apk update\nRUN apk add --no-cache curl\n",
		want: "FROM alpine:3.20\nRUN apk add --no-cache curl\n", ids: "DIET203"},
	{name: "apk update piped stays", src: "FROM alpine:3.20\nRUN apk update | tee log && apk add --no-cache curl\n"},
	{name: "an index a later RUN relies on stays",
		src:  "FROM alpine:3.20\nRUN apk update\n# hadolint ignore=DL3019\nRUN apk add curl\n",
		want: ""},

	// DIET204 to DIET209.
	{name: "pip", src: "FROM python:3.12-slim\nRUN pip install -r requirements.txt\n",
		want: "FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n", ids: "DIET204"},
	{name: "python -m pip", src: "FROM python:3.12-slim\nRUN python3 -m pip install flask\n",
		want: "FROM python:3.12-slim\nRUN python3 -m pip install --no-cache-dir flask\n", ids: "DIET204"},
	{name: "yum", src: "FROM centos:7\nRUN yum install -y httpd\n",
		want: "FROM centos:7\nRUN yum install -y httpd && yum clean all\n", ids: "DIET205"},
	{name: "dnf", src: "FROM fedora:40\nRUN dnf install -y httpd\n",
		want: "FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n", ids: "DIET206"},
	{name: "microdnf", src: "FROM fedora:40\nRUN microdnf install -y tar\n",
		want: "FROM fedora:40\nRUN microdnf install -y tar && microdnf clean all\n", ids: "DIET206"},
	{name: "npm", src: "FROM node:22-slim\nRUN npm ci --omit=dev\n",
		want: "FROM node:22-slim\nRUN npm ci --omit=dev && npm cache clean --force\n", ids: "DIET209"},
	{name: "zypper", src: "FROM opensuse/leap:15.6\nRUN zypper install -y curl\n",
		want: "FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean --all\n", ids: "DIET207"},
	{name: "yarn", src: "FROM node:22-slim\nRUN yarn install --frozen-lockfile\n",
		want: "FROM node:22-slim\nRUN yarn install --frozen-lockfile && yarn cache clean\n", ids: "DIET208"},

	// DIET210: go caches, in a file the multi-stage rewrite leaves.
	{name: "go caches", src: "FROM golang:1.23\nRUN go vet ./... && go build -trimpath -ldflags=-s ./...\n",
		want: "FROM golang:1.23\nRUN go vet ./... && go build -trimpath -ldflags=-s ./... && go clean -cache -modcache\n", ids: "DIET210"},
	{name: "go get sources", src: "FROM alpine:3.20\nRUN apk add --no-cache go && go get example.com/x\nRUN echo done\n",
		want: "FROM alpine:3.20\nRUN apk add --no-cache go && go get example.com/x && go clean -cache -modcache && rm -rf /root/go/src\nRUN echo done\n",
		ids:  "DIET210"},

	// DIET303, DIET304 in a multi-stage file.
	{name: "strip and trimpath",
		src:  "FROM golang:1.23 AS b\nRUN go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\n",
		want: "FROM golang:1.23 AS b\nRUN go build -trimpath -ldflags=\"-s -w\" -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", ids: "DIET303 DIET304"},
	{name: "in a double-quoted sh -c",
		src:  "FROM golang:1.23 AS b\nRUN sh -c \"go build -trimpath -o /app .\"\nFROM scratch\nCOPY --from=b /app /app\n",
		want: "FROM golang:1.23 AS b\nRUN sh -c \"go build -ldflags='-s -w' -trimpath -o /app .\"\nFROM scratch\nCOPY --from=b /app /app\n", ids: "DIET303"},
	{name: "other ldflags stay", src: "FROM golang:1.23 AS b\nRUN go build -trimpath -ldflags=\"-X main.v=1\" -o /app .\nFROM scratch\nCOPY --from=b /app /app\n"},

	// DIET302: the multi-stage rewrite.
	{name: "golang to scratch",
		src:  "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD [\"app\"]\n",
		want: "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /usr/local/bin/app .\n\nFROM scratch\nWORKDIR /src\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /usr/local/bin/app /usr/local/bin/app\nCMD [\"/usr/local/bin/app\"]\n",
		ids:  "DIET302 DIET303 DIET304"},
	{name: "shell-form CMD becomes exec form on scratch",
		src:  "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\nCMD /app --port 80\n",
		want: "FROM golang:1.23 AS build\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /app .\n\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app /app\nCMD [\"/app\", \"--port\", \"80\"]\n",
		ids:  "DIET302 DIET303 DIET304"},
	{name: "CGO_ENABLED=0 set: scratch, unedited build",
		src:  "FROM golang:1.23-alpine\nENV CGO_ENABLED=0\nRUN go build -trimpath -ldflags=-s -o /app .\nENTRYPOINT [\"/app\"]\n",
		want: "FROM golang:1.23-alpine AS build\nENV CGO_ENABLED=0\nRUN go build -trimpath -ldflags=-s -o /app .\n\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n",
		ids:  "DIET302"},
	{name: "go install with GOPATH from ENV, named stage",
		src:  "FROM alpine:3.19 AS dev\nENV GOPATH=/gopath TZ=UTC\nRUN apk add --no-cache go gcc musl-dev tzdata && go install -trimpath -ldflags=-s example.com/cmd/tool/v2@v2.1.0\nUSER 1000:1000\nCMD [\"tool\"]\n",
		want: "FROM alpine:3.19 AS dev\nENV GOPATH=/gopath TZ=UTC\nRUN apk add --no-cache go gcc musl-dev tzdata && go install -trimpath -ldflags=-s example.com/cmd/tool/v2@v2.1.0\nUSER 1000:1000\n\nFROM alpine:3.19\nENV TZ=UTC\nCOPY --from=dev /usr/share/zoneinfo /usr/share/zoneinfo\nCOPY --from=dev /gopath/bin/tool /usr/local/bin/tool\nUSER 1000:1000\nCMD [\"tool\"]\n",
		ids:  "DIET302"},
	{name: "go build . named by the CMD",
		src:  "FROM golang:1.23\nWORKDIR /app\nCOPY . .\nRUN go build -trimpath -ldflags=-s && go clean -cache -modcache\nCMD [\"./server\"]\n",
		want: "FROM golang:1.23 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -ldflags=-s && go clean -cache -modcache\n\nFROM scratch\nWORKDIR /app\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app/server /app/server\nCMD [\"./server\"]\n",
		ids:  "DIET302"},
	{name: "a runtime file copied after the build moves with it",
		src:  "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -ldflags=-s -o /app .\nCOPY config.yaml /etc/app/\nCMD [\"/app\"]\n",
		want: "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -ldflags=-s -o /app .\n\nFROM scratch\nWORKDIR /src\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app /app\nCOPY config.yaml /etc/app/\nCMD [\"/app\"]\n",
		ids:  "DIET302"},
	{name: "debian without ca-certificates: nothing to copy",
		src:  "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends golang-go gcc libc6-dev && rm -rf /var/lib/apt/lists/*\nRUN go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nCMD [\"/app\"]\n",
		want: "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y --no-install-recommends golang-go gcc libc6-dev && rm -rf /var/lib/apt/lists/*\nRUN go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\n\nFROM debian:12-slim\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
		ids:  "DIET302"},
	{name: "a user made by useradd stays a suggestion",
		src: "FROM golang:1.23\nRUN go build -trimpath -ldflags=-s -o /app . && useradd app\nUSER app\nCMD [\"/app\"]\n", ids: "DIET210"},
	{name: "a runtime package stays a suggestion",
		src: "FROM alpine:3.20\nRUN apk add --no-cache go ffmpeg && go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nCMD [\"/app\"]\n"},
	{name: "a C library stays a suggestion",
		src: "FROM alpine:3.20\nRUN apk add --no-cache go gcc sqlite-dev && go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nCMD [\"/app\"]\n"},
	{name: "a binary the build deletes stays a suggestion",
		src: "FROM alpine:3.20\nRUN apk add --no-cache go && go install -trimpath -ldflags=-s example.com/app@latest && rm -rf /root/go /root/.cache\n"},
	{name: "a cross build stays a suggestion",
		src: "FROM golang:1.23\nRUN GOARCH=arm64 go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nCMD [\"/app\"]\n"},
	{name: "a name scratch cannot resolve stays a suggestion",
		src: "FROM golang:1.23\nCOPY . .\nRUN go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nUSER www-data\nCMD [\"/app\"]\n"},
	{name: "a shell CMD scratch cannot run stays a suggestion",
		src: "FROM golang:1.23\nCOPY . .\nRUN go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nCMD /app > /tmp/log\n"},
	{name: "a binary copied to a bin directory",
		src:  "FROM golang:1.23-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -trimpath -ldflags=-s -o app . && cp app /usr/local/bin/ && go clean -cache -modcache\nCMD [\"app\"]\n",
		want: "FROM golang:1.23-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -ldflags=-s -o app . && cp app /usr/local/bin/ && go clean -cache -modcache\n\nFROM scratch\nWORKDIR /src\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /usr/local/bin/app /usr/local/bin/app\nCMD [\"/usr/local/bin/app\"]\n",
		ids:  "DIET302"},
	{name: "a binary renamed on the way stays a suggestion",
		src: "FROM golang:1.23\nRUN go build -trimpath -ldflags=-s -o app . && mv app /opt/server && go clean -cache -modcache\nCMD [\"/opt/server\"]\n"},
	{name: "sources copied into the tree the build runs in",
		src:  "FROM golang:1.23\nCOPY . /src\nRUN cd /src/cmd/app && go build -trimpath -ldflags=-s -o /app && go clean -cache -modcache\nCMD [\"/app\"]\n",
		want: "FROM golang:1.23 AS build\nCOPY . /src\nRUN cd /src/cmd/app && CGO_ENABLED=0 go build -trimpath -ldflags=-s -o /app && go clean -cache -modcache\n\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
		ids:  "DIET302"},
	{name: "a config written outside the build stays a suggestion",
		src: "FROM golang:1.23\nCOPY . .\nRUN echo 'port: 80' > /etc/app.yaml && go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nCMD [\"/app\"]\n"},
	{name: "a file copied outside the build before it stays a suggestion",
		src: "FROM golang:1.23\nWORKDIR /src\nCOPY config.yaml /etc/app/\nCOPY . .\nRUN go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nCMD [\"/app\"]\n"},
	{name: "a HEALTHCHECK stays a suggestion",
		src: "FROM golang:1.23\nRUN go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nHEALTHCHECK CMD [\"/app\", \"-ping\"]\nCMD [\"/app\"]\n"},
	{name: "lower-case keywords and an ubuntu build",
		src:  "from ubuntu:24.04\nrun apt-get update && apt-get install -y --no-install-recommends golang-go gcc && rm -rf /var/lib/apt/lists/*\nrun go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\nexpose 80\ncmd [\"/app\"]\n",
		want: "from ubuntu:24.04 as build\nrun apt-get update && apt-get install -y --no-install-recommends golang-go gcc && rm -rf /var/lib/apt/lists/*\nrun go build -trimpath -ldflags=-s -o /app . && go clean -cache -modcache\n\nfrom ubuntu:24.04\ncopy --from=build /app /app\nexpose 80\ncmd [\"/app\"]\n",
		ids:  "DIET302"},
	{name: "with --only DIET302 the build is not stripped",
		src:  "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
		want: "FROM golang:1.23 AS build\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
		ids:  "DIET302", opts: []Option{WithFixOnly("DIET302")}},
}

func TestFix(t *testing.T) {
	t.Parallel()
	for _, tc := range fixCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The build context holds a Go module without cgo, so that the
			// multi-stage rewrite may build a static binary.
			opts := append([]Option{WithContextDir(pureGoContext(t))}, tc.opts...)
			res := checkFix(t, "Dockerfile", []byte(tc.src), opts...)
			want := tc.want
			if want == "" {
				want = tc.src
				if tc.ids == "" && slices.ContainsFunc(res.Changes, func(Change) bool { return true }) {
					t.Errorf("Fix(%q) made changes %v, want none", tc.src, res.Changes)
				}
			}
			if want != tc.src || tc.ids == "" {
				if diff := cmp.Diff(want, string(res.Source)); diff != "" {
					t.Errorf("Fix(%q) (-want +got):\n%s", tc.src, diff)
				}
			}
			var ids []string
			for _, c := range res.Changes {
				ids = append(ids, c.ID)
			}
			if got := strings.Join(ids, " "); got != tc.ids {
				t.Errorf("Fix(%q) changes %q, want %q", tc.src, got, tc.ids)
			}
		})
	}
}

// TestFixCoversRules fails when a rule lint marks fixable has no rewrite,
// a rewrite has no fixable rule, or either has no case in the table.
func TestFixCoversRules(t *testing.T) {
	cased := map[string]bool{}
	for _, tc := range fixCases {
		for _, id := range strings.Fields(tc.ids) {
			cased[id] = true
		}
	}
	for _, r := range Rules() {
		if _, ok := fixers[r.ID]; ok != r.Fixable {
			t.Errorf("%s: Fixable is %v, but a rewrite exists: %v", r.ID, r.Fixable, ok)
		}
		if r.Fixable && !cased[r.ID] {
			t.Errorf("%s has no case in fixCases", r.ID)
		}
	}
	for id := range fixers {
		if _, ok := Lookup(id); !ok {
			t.Errorf("rewrite for %s, which is no rule", id)
		}
	}
	if n := len(fixCases); n < 60 {
		t.Errorf("%d rewrite cases, want at least 60", n)
	}
}

// pureGoContext writes a build context holding a Go module without cgo:
// a main package at its root and one in cmd/app, which imports another
// package of the module and the standard library.
func pureGoContext(t testing.TB) string {
	t.Helper()
	return writeContext(t, map[string]string{
		"go.mod":                  "module example.com/app\n\ngo 1.23\n",
		"main.go":                 "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n",
		"cmd/app/main.go":         "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/app/internal/serve\"\n)\n\nfunc main() { http.ListenAndServe(\":80\", serve.Handler()) }\n",
		"internal/serve/serve.go": "package serve\n\nimport \"net/http\"\n\nfunc Handler() http.Handler { return http.NotFoundHandler() }\n",
	})
}

// writeContext writes files, by slash-separated path, into a new
// directory and returns it.
func writeContext(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
