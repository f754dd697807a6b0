package entry

import "strings"

// ruby keeps the gem directory (GEM_HOME/gems/NAME-VERSION) a file the
// run used lies in, whole, with its specification and its compiled
// extensions (GEM_HOME/extensions/PLATFORM/ABI/NAME-VERSION). The gems it
// depends on are not read from its specification (Ruby code): a gem the
// run never required is left.
func (k *packer) ruby(real string) {
	parts := strings.Split(real, "/")
	for i := len(parts) - 3; i >= 0; i-- {
		if parts[i] != "gems" {
			continue
		}
		gem, home := parts[i+1], strings.Join(parts[:i], "/")
		if !strings.Contains(gem, "-") || !k.isDir(join(home, "specifications")) {
			return
		}
		root := join(home, "gems/"+gem)
		p := k.add(PackageRuby, gem, root)
		if p == nil {
			return
		}
		k.walk(p, root, nil)
		k.walk(p, join(home, "specifications/"+gem+".gemspec"), nil)
		platforms, _ := k.readDir(join(home, "extensions"))
		for _, pl := range platforms {
			abis, _ := k.readDir(join(home, "extensions/"+pl.Name()))
			for _, abi := range abis {
				k.walk(p, join(home, "extensions/"+pl.Name()+"/"+abi.Name()+"/"+gem), nil)
			}
		}
		return
	}
}
