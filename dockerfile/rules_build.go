package dockerfile

import (
	"fmt"
	"slices"
	"strings"
)

// toolchainPkg reports whether a package is a build toolchain or headers.
func toolchainPkg(p string) bool {
	switch p {
	case "go", "golang", "golang-go", "gcc", "g++", "gcc-c++", "clang", "llvm", "build-essential", "build-base",
		"make", "cmake", "autoconf", "automake", "libtool", "musl-dev", "libc-dev", "libc6-dev", "git",
		"rust", "rustc", "cargo", "default-jdk", "default-jdk-headless", "maven", "gradle":
		return true
	}
	return strings.HasSuffix(p, "-dev") || strings.HasSuffix(p, "-devel") || strings.HasPrefix(p, "golang-") ||
		(strings.Contains(p, "jdk") && !strings.Contains(p, "jre")) || strings.HasPrefix(p, "gcc-") ||
		(strings.HasPrefix(p, "java-") && strings.HasSuffix(p, "-devel"))
}

// toolchainImages are base images that are toolchains.
var toolchainImages = []string{"golang", "rust", "gcc", "maven", "gradle", "openjdk", "buildpack-deps", "dotnet/sdk", "mcr.microsoft.com/dotnet/sdk"}

func toolchainImage(ref string) bool {
	name := imageName(ref)
	if slices.Contains(toolchainImages, name) {
		return true
	}
	tag := imageTag(ref)
	return (name == "eclipse-temurin" || name == "amazoncorretto" || name == "ibmjava") && !strings.Contains(tag, "jre")
}

var ruleToolchain = Rule{
	ID: "DIET301", Name: "toolchain-in-final-image", Severity: SeverityWarning,
	Summary: "a compiler, headers or git end up in the final image",
	Doc: "A compiled program needs its toolchain to build, not to run: go, gcc, build-essential, " +
		"*-dev headers, git, rustc or a JDK in the final image are hundreds of MB it never uses (the " +
		"story's first image: 948 MB, of which the binary was 36 MB). diet reports toolchain packages " +
		"installed in a stage that ships and not removed in the same RUN, and a final image built on a " +
		"toolchain image (golang, rust, gcc, maven, a JDK). Build in a stage of its own and COPY --from " +
		"only the result.",
	Bad:  "FROM alpine:3.20\nRUN apk add --no-cache go git musl-dev\n",
	Good: "FROM golang:1.23-alpine AS build\nRUN go build -o /app .\nFROM alpine:3.20\nCOPY --from=build /app /app\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, s := range l.shipped() {
			if root := l.lineage(s)[0]; root == s && root.From != nil && toolchainImage(root.Base) {
				out = append(out, Finding{Line: root.From.Line, Message: fmt.Sprintf(
					"the final image is built on %s, a toolchain image: build in a stage FROM it and COPY --from only the result onto a small base", root.Base)})
			}
		}
		return append(out, l.eachRun(func(ra runAt, fc *facts) []Finding {
			var out []Finding
			for _, ins := range fc.installs {
				var left []string
				var bytes int64
				for _, p := range ins.pkgs {
					if toolchainPkg(p) && !removedIn(fc, ins, p) {
						left = append(left, p)
						bytes += pkgBytes(p)
					}
				}
				if len(left) == 0 {
					continue
				}
				size := ""
				if bytes > 0 {
					size = " (" + approx(bytes) + " or more)"
				}
				out = append(out, Finding{Line: ins.cmd.Line, EndLine: ins.cmd.EndLine, Bytes: bytes, Message: fmt.Sprintf(
					"%s stay%s in the final image%s: build in a separate stage, or remove %s in the same RUN",
					strings.Join(left, ", "), plural(len(left) == 1, "s"), size, plural(len(left) == 1, "it")+plural(len(left) > 1, "them"))})
			}
			return out
		})...)
	},
}

// removedIn reports whether the RUN that installed p also removes it.
func removedIn(fc *facts, ins install, p string) bool {
	return slices.ContainsFunc(fc.removes, func(r removal) bool {
		return r.mgr == ins.mgr && (slices.Contains(r.pkgs, p) || (ins.virtual != "" && slices.Contains(r.pkgs, ins.virtual)))
	})
}

// buildKind names the language a command compiles, "" if it does not.
func buildKind(c *Command) string {
	switch c.Name() {
	case "go":
		if c.HasArg("build", "install") {
			return "go"
		}
	case "cargo":
		if c.HasArg("build", "install") {
			return "rust"
		}
	case "make", "gcc", "g++", "cc", "c++", "clang", "clang++":
		return "c"
	case "cmake":
		if c.HasArg("--build") {
			return "c"
		}
	case "mvn", "mvnw":
		if c.HasArg("package", "install", "verify") {
			return "java"
		}
	case "gradle", "gradlew":
		return "java"
	case "dotnet":
		if c.HasArg("build", "publish") {
			return "dotnet"
		}
	}
	return ""
}

var ruleBuildInFinal = Rule{
	ID: "DIET302", Name: "build-in-final-image", Severity: SeverityWarning, Fixable: true,
	Summary: "a compiled build runs in the image that ships: use a multi-stage build",
	Doc: "Building in the final image ships the toolchain, the sources and every cache with the " +
		"binary; cleaning them in the same RUN (the story's 44 MB) still leaves the layer history " +
		"fragile, and a multi-stage build gets there without any cleanup. diet reports the first " +
		"build command (go build or install, cargo build, make, gcc, mvn package, gradle, dotnet " +
		"publish) in each stage that ships; in a single-stage Dockerfile that is the only stage. " +
		"diet fix rewrites Go builds into a build stage and a small final stage: scratch when the " +
		"build context (the Dockerfile's directory, or diet fix --context) shows no cgo in the " +
		"packages built, a slim glibc base when cgo is used or cannot be ruled out, and only a " +
		"suggestion when cgo links a library that base may lack.",
	Bad:  "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD [\"app\"]\n",
	Good: "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, s := range l.shipped() {
		stage:
			for _, in := range s.Instructions {
				if in.Run == nil {
					continue
				}
				for _, c := range in.Run.Commands {
					if kind := buildKind(c); kind != "" {
						tc := buildToolchain[kind]
						n := pkgBytes(tc)
						out = append(out, Finding{Line: c.Line, EndLine: c.EndLine, Fixable: kind == "go" && len(l.f.Stages) == 1 && clean(l.f), Bytes: n,
							Message: fmt.Sprintf("`%s` builds in the image that ships: its toolchain, sources and caches ship with the program%s; build in a separate stage and COPY --from only the binary",
								c.String(), stake(n, "the typical size of "+tc+" alone, sources and caches not counted"))})
						break stage
					}
				}
			}
		}
		return out
	},
}

// buildToolchain names, per buildKind, the package whose typical size
// estimates what a build in the final image ships.
var buildToolchain = map[string]string{"go": "go", "rust": "rust", "c": "gcc", "java": "default-jdk", "dotnet": "dotnet-sdk"}

// largeBases are base images far bigger than a static binary needs, with
// a typical compressed-to-disk size.
var largeBases = map[string]int64{
	"ubuntu": 78_000_000, "debian": 117_000_000, "centos": 200_000_000, "fedora": 180_000_000,
	"rockylinux": 180_000_000, "almalinux": 190_000_000, "amazonlinux": 160_000_000, "oraclelinux": 220_000_000,
	"golang": 800_000_000, "node": 1_000_000_000, "python": 1_000_000_000, "rust": 1_400_000_000,
	"openjdk": 470_000_000, "buildpack-deps": 800_000_000, "gcc": 1_300_000_000,
}

var ruleLargeBase = Rule{
	ID: "DIET305", Name: "large-base-for-static-binary", Severity: SeverityInfo,
	Summary: "the final stage only runs a static binary but starts from a large base image",
	Doc: "A statically linked program (Go with CGO_ENABLED=0, or linked with -static) needs no libc " +
		"and no shell: `FROM scratch` or a distroless static image holds it with a few hundred KB " +
		"of CA certificates and time zones at most. diet reports a final stage that runs no RUN, " +
		"copies its program from a build stage that links statically, and starts from a full " +
		"distribution or language image. It is a suggestion: only the binary itself tells for sure.",
	Bad:  "FROM golang:1.23 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM debian:bookworm\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
	Good: "FROM golang:1.23 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
	check: func(l *linter) []Finding {
		if l.final < 0 {
			return nil
		}
		s := l.f.Stages[l.final]
		size, large := largeBases[imageName(s.Base)]
		if s.From == nil || s.BaseStage >= 0 || !large || len(s.CopyFrom) == 0 ||
			slices.ContainsFunc(s.Instructions, func(in *Instruction) bool { return in.Run != nil }) {
			return nil
		}
		for _, ref := range s.CopyFrom {
			if ref.Stage < 0 || !staticBuild(l, l.f.Stages[ref.Stage]) {
				return nil
			}
		}
		return []Finding{{Line: s.From.Line, Bytes: size, Message: fmt.Sprintf(
			"the final stage only copies a statically linked program from a build stage, yet starts from %s (%s): FROM scratch or a distroless static image would do",
			s.Base, approx(size))}}
	},
}

// staticBuild reports whether a stage builds a static binary: Go with
// CGO_ENABLED=0, or a link with -static.
func staticBuild(l *linter, s *Stage) bool {
	for _, in := range s.Instructions {
		if in.Run == nil {
			continue
		}
		env := l.factsOf(in).env
		for _, c := range in.Run.Commands {
			cgo := env["CGO_ENABLED"]
			for _, e := range c.Env {
				if v, ok := strings.CutPrefix(e, "CGO_ENABLED="); ok {
					cgo = v
				}
			}
			if strings.Contains(in.Run.Script, "export CGO_ENABLED=0") {
				cgo = "0"
			}
			if (c.Name() == "go" && c.HasArg("build", "install") && cgo == "0") || strings.Contains(c.String(), "-static") {
				return true
			}
		}
	}
	return false
}

// clean reports whether every instruction is known and every shell parses:
// the condition for a rewrite of the whole file.
func clean(f *File) bool {
	return !slices.ContainsFunc(f.Instructions, func(in *Instruction) bool {
		return !in.Known || (in.Run != nil && in.Run.Err != nil) || (in.Trigger != nil && in.Trigger.Run != nil && in.Trigger.Run.Err != nil)
	})
}
