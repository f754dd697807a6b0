package dockerfile

import (
	"fmt"
	"slices"
)

// cacheRule reports, once per RUN, the first command that fills caches
// the RUN neither deletes nor mounts.
func cacheRule(fills func(*Command) bool, advice string, bytes int64, basis string, fixable bool) func(*linter) []Finding {
	return func(l *linter) []Finding {
		return l.eachRun(func(ra runAt, fc *facts) []Finding {
			var first *Command
			var left []string
			for _, w := range fc.writes {
				if w.kind != "cache" || !fills(w.cmd) || fc.deletedAfter(w.path, w.at) || slices.Contains(left, w.what) {
					continue
				}
				if first == nil {
					first = w.cmd
				}
				left = append(left, w.what)
			}
			if first == nil {
				return nil
			}
			return []Finding{{Line: first.Line, EndLine: first.EndLine, Fixable: fixable && editable(ra.in), Bytes: bytes,
				Message: fmt.Sprintf("`%s` leaves %s in this layer%s: %s", first.String(), joinList(left), stake(bytes, basis), advice)}}
		})
	}
}

func named(names ...string) func(*Command) bool {
	return func(c *Command) bool { return slices.Contains(names, c.Name()) }
}

var ruleYarnCache = Rule{
	ID: "DIET208", Name: "yarn-cache", Aliases: []string{"DL3060"}, Severity: SeverityInfo, Fixable: true,
	Summary: "yarn install without yarn cache clean leaves the yarn cache in the layer",
	Doc: "yarn keeps a copy of every package tarball in its cache. As hadolint DL3060, which reports " +
		"the final stage and stages used as a base (diet: the stages that ship). diet also reads a bare " +
		"`yarn` and `yarn add` (both install), and accepts removing the cache directory or mounting a " +
		"cache on it. The clean must come after the install: `yarn cache clean && yarn install` " +
		"cleans nothing the install leaves.",
	Bad:   "FROM node:22-slim\nRUN yarn install --frozen-lockfile\n",
	Good:  "FROM node:22-slim\nRUN yarn install --frozen-lockfile && yarn cache clean\n",
	check: cacheRule(named("yarn"), "add `&& yarn cache clean` to the same RUN", npmCacheBytes, "a typical yarn cache of a small app", true),
}

var ruleNpmCache = Rule{
	ID: "DIET209", Name: "npm-cache", Severity: SeverityInfo, Fixable: true,
	Summary: "npm install or npm ci leaves the npm cache in the layer",
	Doc: "npm keeps every package it fetches in ~/.npm/_cacache, often as large as node_modules. " +
		"Clean it in the same RUN (`npm cache clean --force`), delete ~/.npm, or mount a cache on it. " +
		"hadolint has no such rule.",
	Bad:   "FROM node:22-slim\nRUN npm ci --omit=dev\n",
	Good:  "FROM node:22-slim\nRUN npm ci --omit=dev && npm cache clean --force\n",
	check: cacheRule(named("npm"), "add `&& npm cache clean --force` to the same RUN", npmCacheBytes, "a typical npm cache of a small app", true),
}

var ruleGoCache = Rule{
	ID: "DIET210", Name: "go-cache", Severity: SeverityWarning, Fixable: true,
	Summary: "go build, install or get leaves the build and module caches in the layer",
	Doc: "Go keeps compiled packages in GOCACHE (~/.cache/go-build) and downloaded modules in " +
		"GOMODCACHE (GOPATH/pkg/mod); `go get` in GOPATH mode adds the sources under GOPATH/src " +
		"(471 MB in the story's image). In a stage that ships they ship. Best: build in a stage of " +
		"its own; else `--mount=type=cache` on both, or `go clean -cache -modcache` in the same RUN. " +
		"diet reads GOPATH, GOCACHE and GOMODCACHE from ENV (golang images set GOPATH=/go).",
	Bad:   "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\n",
	Good:  "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app . && go clean -cache -modcache\n",
	check: cacheRule(named("go"), "build in a separate stage, mount a cache (--mount=type=cache) or add `&& go clean -cache -modcache` to the same RUN", goCacheBytes, "typical Go build and module caches", true),
}

var ruleCargoCache = Rule{
	ID: "DIET211", Name: "cargo-cache", Severity: SeverityWarning,
	Summary: "cargo leaves its registry and target directory in the layer",
	Doc: "cargo downloads crates into CARGO_HOME/registry and builds into ./target, often hundreds " +
		"of MB. Build in a stage of its own and copy the binary out, or mount caches on both.",
	Bad:   "FROM rust:1.80\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n",
	Good:  "FROM rust:1.80 AS build\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\nFROM debian:bookworm-slim\nCOPY --from=build /src/target/release/app /usr/local/bin/app\n",
	check: cacheRule(named("cargo"), "build in a separate stage or mount caches on them (--mount=type=cache)", cargoCacheBytes, "a typical cargo registry and target directory", false),
}

var ruleJavaCache = Rule{
	ID: "DIET212", Name: "maven-gradle-cache", Severity: SeverityWarning,
	Summary: "Maven or Gradle leaves its dependency cache in the layer",
	Doc: "Maven keeps every dependency in ~/.m2 and Gradle in ~/.gradle; a build in a stage that " +
		"ships keeps them there. Build in a stage of its own, or mount a cache on the directory.",
	Bad:   "FROM maven:3.9-eclipse-temurin-21\nCOPY . /src\nRUN mvn -f /src package\n",
	Good:  "FROM maven:3.9-eclipse-temurin-21 AS build\nCOPY . /src\nRUN --mount=type=cache,target=/root/.m2 mvn -f /src package\nFROM eclipse-temurin:21-jre\nCOPY --from=build /src/target/app.jar /app.jar\n",
	check: cacheRule(named("mvn", "mvnw", "gradle", "gradlew"), "build in a separate stage or mount a cache on it (--mount=type=cache)", mavenCacheBytes, "a typical Maven or Gradle dependency cache", false),
}
