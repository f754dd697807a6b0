package entry

import (
	"encoding/json"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// maxPackageJSON bounds the package.json read.
const maxPackageJSON = 1 << 20

// nodeGlobal are the directories Node looks in after the node_modules up
// the tree: Debian's (its node adds them to module.globalPaths; packages
// such as node-express install there), and $PREFIX/lib/node. NODE_PATH
// comes first.
var nodeGlobal = []string{
	"usr/local/lib/nodejs", "usr/local/share/nodejs", "usr/share/nodejs", "usr/lib/nodejs",
	"usr/local/lib/node", "usr/lib/node",
}

// nodeDirs are the real paths of the image's global module directories.
type nodeDirs struct{ global []string }

// nodeFile keeps the Node package a file the run used belongs to, whole,
// with its dependencies (see nodePackage). For a script of no package
// (the app, outside node_modules) the dependencies its nearest
// package.json declares are kept, not the app's directory.
func (k *packer) nodeFile(real string) {
	if root, name, ok := k.nodeRoot(real); ok {
		k.nodePackage(root, name)
		return
	}
	switch path.Ext(real) {
	case ".js", ".cjs", ".mjs":
	default:
		return
	}
	for d := path.Dir(real); d != "."; d = path.Dir(d) {
		if path.Base(d) == "node_modules" {
			return
		}
		if k.isFile(d + "/package.json") {
			if !k.roots[d] {
				k.roots[d] = true
				for _, dep := range k.nodeDeps(d) {
					k.nodePackage(dep.root, dep.name)
				}
			}
			return
		}
	}
}

// nodeRoot is the package a real path lies in: the directory after the
// last node_modules or after a global directory (a @scope's next), when
// it holds a package.json.
func (k *packer) nodeRoot(real string) (root, name string, ok bool) {
	parts := strings.Split(real, "/")
	at := -1 // where the package's name starts
	for i := len(parts) - 2; i >= 0; i-- {
		if parts[i] == "node_modules" {
			at = i + 1
			break
		}
	}
	for _, g := range k.nodeGlobals() {
		if n := strings.Count(g, "/") + 1; n > at && strings.HasPrefix(real, g+"/") {
			at = n
		}
	}
	if at < 0 || at >= len(parts)-1 {
		return "", "", false
	}
	end := at + 1
	if strings.HasPrefix(parts[at], "@") {
		if end++; end >= len(parts) {
			return "", "", false
		}
	}
	root = strings.Join(parts[:end], "/")
	if !k.isFile(root + "/package.json") {
		return "", "", false
	}
	return root, strings.Join(parts[at:end], "/"), true
}

// nodePackage keeps the package at real path root whole, but for its
// nested node_modules, and then the packages its package.json's
// dependencies, optionalDependencies and peerDependencies name, resolved
// as Node resolves them from it (the nearest node_modules up the tree,
// then NODE_PATH and the global directories), transitively. A dependency
// the image lacks adds nothing: an optional one may be absent.
func (k *packer) nodePackage(root, name string) {
	queue := []string{root}
	names := map[string]string{root: name}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		p := k.add(PackageNode, names[dir], dir)
		if p == nil {
			continue
		}
		k.walk(p, dir, nestedModules)
		for _, dep := range k.nodeDeps(dir) {
			if !k.roots[dep.root] {
				names[dep.root] = dep.name
				queue = append(queue, dep.root)
			}
		}
	}
}

// nestedModules leaves out a package's nested node_modules: they hold
// packages, kept only as dependencies.
func nestedModules(_ string, d fs.DirEntry) bool { return d.IsDir() && d.Name() == "node_modules" }

type nodeDep struct{ name, root string }

// nodeDeps resolves the dependencies of the package.json in real path
// dir, keeping the symlinks on the way to each.
func (k *packer) nodeDeps(dir string) []nodeDep {
	b, err := k.rt.ReadFile(dir+"/package.json", maxPackageJSON)
	if err != nil {
		return nil
	}
	var pj struct {
		Dependencies         map[string]json.RawMessage `json:"dependencies"`
		OptionalDependencies map[string]json.RawMessage `json:"optionalDependencies"`
		PeerDependencies     map[string]json.RawMessage `json:"peerDependencies"`
	}
	if json.Unmarshal(b, &pj) != nil {
		return nil
	}
	var names []string
	for _, m := range []map[string]json.RawMessage{pj.Dependencies, pj.OptionalDependencies, pj.PeerDependencies} {
		for n := range m {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var deps []nodeDep
	for _, n := range slices.Compact(names) {
		if !validNodeName(n) {
			continue
		}
		if root, ok := k.resolveNode(dir, n); ok {
			deps = append(deps, nodeDep{n, root})
		}
	}
	return deps
}

// validNodeName accepts "name" and "@scope/name", with no path tricks.
func validNodeName(n string) bool {
	els := strings.Split(n, "/")
	switch {
	case len(els) > 2, len(els) == 2 && (len(els[0]) < 2 || els[0][0] != '@'), len(els) == 1 && strings.HasPrefix(n, "@"):
		return false
	}
	for _, el := range els {
		if el == "" || el == "." || el == ".." || strings.ContainsAny(el, "\x00\\") {
			return false
		}
	}
	return true
}

// resolveNode finds the package name as require(name) would from the
// package at real path from: the real path of its directory.
func (k *packer) resolveNode(from, name string) (string, bool) {
	for d := from; ; d = parentDir(d) {
		if path.Base(d) != "node_modules" {
			if real, ok := k.nodeDir(join(d, "node_modules/"+name)); ok {
				return real, true
			}
		}
		if d == "" {
			break
		}
	}
	for _, g := range k.nodeGlobals() {
		if real, ok := k.nodeDir(g + "/" + name); ok {
			return real, true
		}
	}
	return "", false
}

// nodeDir resolves a candidate directory of a package: its real path when
// it is a directory with a package.json, the symlinks on the way kept.
func (k *packer) nodeDir(cand string) (string, bool) {
	real, links, err := k.rt.Resolve(cand)
	if err != nil || real == "." || !k.isDir(real) || !k.isFile(real+"/package.json") {
		return "", false
	}
	for _, l := range links {
		k.keep = append(k.keep, rooted(l))
	}
	return real, true
}

// nodeGlobals are the real paths of NODE_PATH's directories and the
// global ones the image has (Debian's multiarch /usr/lib/TRIPLET/nodejs
// among them), in Node's order.
func (k *packer) nodeGlobals() []string {
	if k.node != nil {
		return k.node.global
	}
	k.node = &nodeDirs{}
	var cands []string
	for _, e := range k.cf.Config.Env {
		if v, ok := strings.CutPrefix(e, "NODE_PATH="); ok {
			for d := range strings.SplitSeq(v, ":") {
				if path.IsAbs(d) {
					cands = append(cands, d)
				}
			}
		}
	}
	cands = append(cands, nodeGlobal[:2]...)
	if entries, err := k.readDir("usr/lib"); err == nil {
		for _, e := range entries {
			if strings.Contains(e.Name(), "-linux-") {
				cands = append(cands, "usr/lib/"+e.Name()+"/nodejs")
			}
		}
	}
	cands = append(cands, nodeGlobal[2:]...)
	for _, c := range cands {
		if real, _, err := k.rt.Resolve(c); err == nil && real != "." && k.isDir(real) && !slices.Contains(k.node.global, real) {
			k.node.global = append(k.node.global, real)
		}
	}
	return k.node.global
}

// parentDir is the directory of a real path, "" for the root.
func parentDir(p string) string {
	if d := path.Dir(p); d != "." && d != "/" {
		return d
	}
	return ""
}
