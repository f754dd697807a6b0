package report_test

import (
	"strings"

	"github.com/dietimage/diet/analyze"
)

func ptr[T any](v T) *T { return &v }

func hash(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }

// story is a hand-written report shaped like the story's v1.01 image
// (design.md): alpine, one RUN that installs Go and builds micro, a
// separate RUN that cleans up too late, and a COPY. Its figures add up the
// way analyze's do; it exercises every section of Text and every field of
// the schema (TestFixtureCoversSchema checks).
func story() *analyze.Report {
	dirs := func(path string, bytes int64, files int, other int64, kids ...*analyze.Dir) *analyze.Dir {
		layer := 1 // the RUN that installed Go: most bytes are its
		if path == "/etc" || path == "/lib" {
			layer = 0
		}
		return &analyze.Dir{Path: path, Bytes: bytes, Files: files, OtherBytes: other, Children: kids, Layer: layer}
	}
	waste := func(path string, bytes int64, layer int, reason string) analyze.Waste {
		return analyze.Waste{Path: path, Bytes: bytes, Layer: layer, AddedIn: 1, Reason: reason}
	}
	return &analyze.Report{
		Schema: analyze.Schema,
		Image: analyze.ImageInfo{
			Ref:        "docker-archive:micro-v1.01.tar",
			ID:         hash('c'),
			Digest:     ptr(hash('d')),
			Platform:   "linux/amd64",
			Entrypoint: []string{"/root/go/bin/micro"},
			Cmd:        []string{"api"},
			User:       "root",
			WorkingDir: "/root/go",
		},
		Size: analyze.Size{
			UncompressedBytes: 948_232_576,
			CompressedBytes:   ptr[int64](312_456_789),
			FinalBytes:        828_112_202,
			CompressedBy:      "gzip", // --compressed gzip: the archive stores none
		},
		Layers: []analyze.Layer{
			{Index: 0, Digest: hash('0'), DiffID: hash('a'), SizeBytes: 5_578_430, TarBytes: 5_934_944,
				CompressedBytes: ptr[int64](2_811_203), Entries: 480, Added: 480,
				CreatedBy: "/bin/sh -c #(nop) ADD file:9a4f77dfaba7fd2aa78186e4ef0e7486ad55101cefc1fabbc1b385601bb38920 in / "},
			{Index: 1, Digest: hash('1'), DiffID: hash('b'), SizeBytes: 942_650_000, TarBytes: 961_301_122,
				CompressedBytes: ptr[int64](309_640_000), Entries: 30_000, Added: 29_950, Modified: 50,
				WastedBytes: 120_120_374,
				CreatedBy:   "|1 MICRO_VERSION=v1.0.0 /bin/sh -c apk add go git musl-dev \t&& go get github.com/micro/micro@${MICRO_VERSION}\n"},
			{Index: 2, Digest: hash('2'), DiffID: hash('e'), SizeBytes: 0, TarBytes: 3_584,
				CompressedBytes: ptr[int64](32), Entries: 5, Deleted: 3, RemovedBytes: 120_118_374,
				CreatedBy: "/bin/sh -c rm -rf /root/go/src /root/go/pkg /root/.cache /var/cache/apk/*"},
			{Index: 3, Digest: hash('3'), DiffID: hash('f'), SizeBytes: 4_146, TarBytes: 6_656,
				CompressedBytes: ptr[int64](5_554), Entries: 2, Modified: 1, RemovedBytes: 2_000,
				CreatedBy: "COPY config.yaml /etc/micro/ # buildkit", Comment: "buildkit.dockerfile.v0",
				// as --files lists them (the other layers' lists are left out)
				Files: &[]analyze.LayerFile{
					{Path: "/etc/micro/config.yaml", Kind: "changed", Type: "file", Bytes: 4_146},
					{Path: "/etc/micro/old.yaml", Kind: "removed", Type: "file", Bytes: 0, Cause: "whiteout"},
				}},
		},
		WastedBytes: 120_120_374,
		Dive: analyze.Dive{
			Efficiency:        0.8734,
			WastedBytes:       120_124_520,
			UserWastedPercent: 0.12743,
			SizeBytes:         948_219_746,
			UserSizeBytes:     942_653_646,
			InefficientFiles: []analyze.DiveFile{
				{Path: "/root/go/pkg/linux_amd64/github.com/micro/micro.a", Copies: 2, Bytes: 48_211_456},
				{Path: "/etc/micro/config.yaml", Copies: 2, Bytes: 6_146},
			},
		},
		Wasted: []analyze.Waste{
			waste("/root/go/pkg/linux_amd64/github.com/micro/micro.a", 48_211_456, 2, analyze.ReasonDeleted),
			waste("/root/go/src/github.com/micro/micro/.git/objects/pack/pack-3f2a.pack", 41_943_040, 2, analyze.ReasonDeleted),
			waste("/root/.cache/go-build/4e/4e1b9c0d-d", 9_437_184, 2, analyze.ReasonOpaque),
			waste("/root/go/src/github.com/golang/protobuf/.git/objects/pack/pack-77c1.pack", 6_291_456, 2, analyze.ReasonDeleted),
			waste("/root/go/src/google.golang.org/grpc/.git/objects/pack/pack-0a9e.pack", 5_242_880, 2, analyze.ReasonDeleted),
			waste("/root/go/src/github.com/micro/go-micro/.git/objects/pack/pack-19bd.pack", 3_145_728, 2, analyze.ReasonDeleted),
			waste("/root/go/src/golang.org/x/net/.git/objects/pack/pack-c07e.pack", 2_621_440, 2, analyze.ReasonDeleted),
			waste("/var/cache/apk/APKINDEX.5022a8a2.tar.gz", 1_468_006, 2, analyze.ReasonDeleted),
			waste("/root/go/src/golang.org/x/sys/unix/zerrors_linux_amd64.go", 1_048_576, 2, analyze.ReasonDeleted),
			waste("/var/cache/apk/APKINDEX.70c88391.tar.gz", 700_416, 2, analyze.ReasonDeleted),
			waste("/root/go/src/github.com/micro/micro/README.md", 8_192, 2, analyze.ReasonDeleted),
			waste("/etc/micro/config.yaml", 2_000, 3, analyze.ReasonOverwritten),
		},
		Culprits: []analyze.Culprit{
			{Category: "toolchain-go", Path: "/usr/lib/go", Bytes: 480_000_000, Files: 12_000, Layer: 1},
			{Category: "toolchain-gcc", Path: "/usr/lib/gcc", Bytes: 120_000_000, Files: 400, Layer: 1},
			{Category: "toolchain-gcc", Path: "/usr/libexec/gcc", Bytes: 66_000_000, Files: 30, Layer: 1},
			{Category: "source-tree", Path: "/root/go/src", Bytes: 58_000_000, Files: 9_000, Layer: 1, RemovedBy: ptr(2)},
			{Category: "headers", Path: "/usr/include", Bytes: 12_000_000, Files: 1_500, Layer: 1},
			{Category: "unstripped-elf", Path: "/root/go/bin/micro", Bytes: 9_830_400, Files: 1, Layer: 1,
				Detail: "strip would save 9830400 of 36200000 bytes"},
			{Category: "go-build-cache", Path: "/root/.cache/go-build", Bytes: 9_437_184, Files: 1, Layer: 1, RemovedBy: ptr(2)},
			{Category: "apk-cache", Path: "/var/cache/apk", Bytes: 2_168_422, Files: 2, Layer: 1, RemovedBy: ptr(2)},
			{Category: "docs", Path: "/usr/share/doc", Bytes: 1_200_000, Files: 310, Layer: 1},
			{Category: "docs", Path: "/usr/share/doc", Bytes: 20_000, Files: 4, Layer: 0},
		},
		Duplicates: []analyze.Duplicate{
			{SHA256: strings.Repeat("9", 64), Size: 1_048_576, WastedBytes: 1_048_576, Copies: []analyze.Location{
				{Path: "/usr/lib/go/pkg/tool/linux_amd64/asm", Layer: 1}, {Path: "/usr/libexec/go/asm", Layer: 1}}},
			{SHA256: strings.Repeat("8", 64), Size: 11_357, WastedBytes: 22_714, Copies: []analyze.Location{
				{Path: "/usr/share/licenses/musl/COPYRIGHT", Layer: 0},
				{Path: "/usr/share/licenses/musl-dev/COPYRIGHT", Layer: 1},
				{Path: "/usr/share/licenses/musl-utils/COPYRIGHT", Layer: 1}}},
		},
		Recommendations: []analyze.Recommendation{
			{ID: "multi-stage", SavesBytes: 670_000_000,
				Title:  "Build in a separate stage: toolchains, sources, headers and build caches stay out of the final image",
				Action: "use a multi-stage Dockerfile and COPY --from=build only the artifacts (diet fix does it), or diet slim --level minimal"},
			{ID: "squash", SavesBytes: 120_120_374,
				Title:  "Squash the layers above the base: their deleted and overwritten bytes go",
				Action: "diet slim --level squash IMAGE -o OUT"},
			{ID: "same-run-cleanup", SavesBytes: 120_118_374,
				Title:  "Layer 2 deletes or replaces files of earlier layers; the bytes stay in the image",
				Action: "move `rm -rf /root/go/src /root/go/pkg /root/.cache /var/cache/apk/*` into the instruction that created the files (layer 1: `apk add go git musl-dev && go get github.com/micro/micro`)"},
			{ID: "strip-binaries", SavesBytes: 9_830_400,
				Title:  "Strip symbol tables and debug sections from binaries",
				Action: "build Go with -ldflags='-s -w' -trimpath, strip --strip-unneeded others, or diet slim --strip"},
			{ID: "slim-prune", SavesBytes: 1_220_000,
				Title:  "Prune docs, man pages, locales, logs and temp files",
				Action: "diet slim --level prune IMAGE -o OUT"},
		},
		Tree: dirs("/", 828_099_372, 28_950, 6_000_000,
			dirs("/usr", 780_900_000, 25_000, 0,
				dirs("/usr/lib", 650_100_000, 20_000, 50_000_000,
					dirs("/usr/lib/go", 480_000_000, 12_000, 0),
					dirs("/usr/lib/gcc", 120_000_000, 400, 0)),
				dirs("/usr/libexec", 66_000_000, 300, 0),
				dirs("/usr/share", 64_800_000, 4_700, 0)),
			dirs("/root", 36_200_000, 3, 0,
				dirs("/root/go", 36_200_000, 3, 0,
					dirs("/root/go/bin", 36_200_000, 1, 0))),
			dirs("/lib", 4_000_000, 60, 0),
			dirs("/etc", 999_372, 87, 0)),
		Accounting: analyze.Accounting{
			FileBytes:       948_219_746,
			SymlinkBytes:    12_830,
			TarHeaderBytes:  15_652_352,
			TarPaddingBytes: 7_370_112,
			TarTrailerBytes: 4_096,
			TarBytes:        971_246_306,
			ConfigBytes:     1_512,
			ManifestBytes:   ptr[int64](1_089),
			CompressedBytes: ptr[int64](312_456_789),
			DockerSizeBytes: 948_232_576,
		},
	}
}

// minimal is the smallest report: one layer of an uncompressed archive,
// nothing wasted, nothing found, duplicates looked for and none found.
func minimal() *analyze.Report {
	return &analyze.Report{
		Schema: analyze.Schema,
		Image:  analyze.ImageInfo{Ref: "docker-archive:hello.tar", ID: hash('7')},
		Size:   analyze.Size{UncompressedBytes: 1_130_278, FinalBytes: 1_130_278},
		Layers: []analyze.Layer{{Index: 0, Digest: hash('6'), DiffID: hash('6'), SizeBytes: 1_130_278,
			TarBytes: 1_143_296, Entries: 9, Added: 9, CreatedBy: "COPY hello / # buildkit"}},
		Dive:       analyze.Dive{Efficiency: 1, SizeBytes: 1_130_235},
		Duplicates: []analyze.Duplicate{},
		Tree:       &analyze.Dir{Path: "/", Bytes: 1_130_235, Files: 3},
		Accounting: analyze.Accounting{
			FileBytes: 1_130_235, SymlinkBytes: 43, TarHeaderBytes: 10_752, TarPaddingBytes: 1_285,
			TarTrailerBytes: 1_024, TarBytes: 1_143_296, ConfigBytes: 487, DockerSizeBytes: 1_130_278,
		},
	}
}
