package tartest

import (
	"os"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Node is the host's node; NodeModules the node_modules of the npm it
// ships with, whose packages [NodePackageJSON] copies.
const (
	Node        = "/usr/bin/node"
	NodeModules = "/usr/lib/node_modules/npm/node_modules"
)

// NodeRepoLazy is the argument that makes [NodePackageJSON]'s entrypoint
// require a package its default run does not.
const NodeRepoLazy = "github:npm/cli"

const nodePackageJSON = `#!/usr/bin/node
// @npmcli/package-json requires hosted-git-info, one of its dependencies,
// only when a step needs it: normalizing a repository field does, the
// name field does not.
const PackageJson = require('@npmcli/package-json')
const repo = process.argv[2]
const pj = new PackageJson().fromContent({ name: 'demo', version: '1.0.0', repository: repo })
pj.normalize({ steps: repo ? ['fixRepositoryField'] : ['fixNameField'] }).then(() =>
  console.log(JSON.stringify(pj.content.repository ?? pj.content.name)))
`

// NodePackageJSON is an image whose entrypoint, /app/main.js, is a Node
// script run by the host's node that normalizes a package.json with
// @npmcli/package-json: its name by default (printing "demo"), its
// repository field given [NodeRepoLazy] (printing the git URL). Only the
// latter requires hosted-git-info, a dependency @npmcli/package-json
// requires lazily. /app/node_modules is a copy of the node_modules of the
// host's npm (1,700 files, 12 MB): every package @npmcli/package-json
// needs, and many it does not (ms, cacache, ...); /app/package.json
// depends on @npmcli/package-json. The test skips without node and npm.
func NodePackageJSON(t testing.TB) v1.Image {
	t.Helper()
	h := NewHost(t).Program(Node).Etc()
	if _, err := os.Stat(NodeModules + "/@npmcli/package-json/package.json"); err != nil {
		t.Skipf("this test copies the packages of the host's npm: %v", err)
	}
	h.Put(Dir("app"))
	h.Put(Exec("app/main.js", []byte(nodePackageJSON)))
	h.Put(File("app/package.json", `{"name": "demo-app", "version": "1.0.0", "dependencies": {"@npmcli/package-json": "^5.1.0"}}`+"\n"))
	h.CopyTree(NodeModules, "app/node_modules")
	return configured(t, h, "COPY node and app /", v1.Config{Entrypoint: []string{"/app/main.js"}, WorkingDir: "/app"})
}
