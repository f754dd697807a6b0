package example

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/atomicfile"
)

// RepoTag is the name the example image loads under in the Docker engine.
const RepoTag = "diet-example:latest"

// member is one file of the outer docker save archive.
type member struct {
	name string
	body []byte
}

// saveArchive renders layers and config as a classic `docker save` archive:
// <id>/{VERSION,json,layer.tar} per layer, <config digest>.json,
// manifest.json and repositories, in the lexical order docker save uses.
// It fills cfg.RootFS.DiffIDs from the layer tars it renders.
func saveArchive(ctx context.Context, layers []*layer, cfg *v1.ConfigFile) ([]member, error) {
	var (
		members       []member
		layerPaths    []string
		parent, chain string
		created       = cfg.Created.Format(time.RFC3339)
		diffIDs       []v1.Hash
	)
	for i, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tb, diffID, err := l.tarball()
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i+1, err)
		}
		diffIDs = append(diffIDs, v1.Hash{Algorithm: "sha256", Hex: diffID})
		// The v1 layer ID only has to be unique and stable: derive it from
		// the chain of diff IDs, as the engine's chain ID is.
		if chain == "" {
			chain = diffID
		} else {
			chain = fmt.Sprintf("%x", sha256.Sum256([]byte("sha256:"+chain+" sha256:"+diffID)))
		}
		id := fmt.Sprintf("%x", sha256.Sum256([]byte(parent+"\n"+chain)))
		js, err := json.Marshal(map[string]any{"id": id, "parent": parent, "created": created, "os": cfg.OS})
		if err != nil {
			return nil, err
		}
		members = append(members,
			member{name: id + "/"},
			member{name: id + "/VERSION", body: []byte("1.0")},
			member{name: id + "/json", body: js},
			member{name: id + "/layer.tar", body: tb})
		layerPaths = append(layerPaths, id+"/layer.tar")
		parent = id
	}
	cfg.RootFS = v1.RootFS{Type: "layers", DiffIDs: diffIDs}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	cfgName := fmt.Sprintf("%x.json", sha256.Sum256(cfgJSON))
	manifest, err := json.Marshal([]map[string]any{{
		"Config": cfgName, "RepoTags": []string{RepoTag}, "Layers": layerPaths,
	}})
	if err != nil {
		return nil, err
	}
	repo, tag := splitTag(RepoTag)
	repos, err := json.Marshal(map[string]map[string]string{repo: {tag: parent}})
	if err != nil {
		return nil, err
	}
	members = append(members,
		member{name: cfgName, body: cfgJSON},
		member{name: "manifest.json", body: manifest},
		member{name: "repositories", body: append(repos, '\n')})
	sort.Slice(members, func(i, j int) bool { return walkKey(members[i].name) < walkKey(members[j].name) })
	return members, nil
}

// splitTag splits "name:tag".
func splitTag(ref string) (string, string) {
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == ':' {
			return ref[:i], ref[i+1:]
		}
	}
	return ref, "latest"
}

// writeAtomic writes members as a tar to out through atomicfile: on any
// error or cancellation out is left untouched and no temporary file stays.
func writeAtomic(ctx context.Context, out string, members []member, mtime time.Time) error {
	return atomicfile.Write(ctx, out, 0o644, func(f *os.File) error {
		tw := tar.NewWriter(f)
		for _, m := range members {
			if err := ctx.Err(); err != nil {
				return err
			}
			h := &tar.Header{Typeflag: tar.TypeReg, Name: m.name, Mode: 0o644, Size: int64(len(m.body)), ModTime: mtime}
			if m.body == nil && m.name[len(m.name)-1] == '/' {
				h.Typeflag, h.Mode = tar.TypeDir, 0o755
			}
			if err := tw.WriteHeader(h); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			if _, err := tw.Write(m.body); err != nil {
				return fmt.Errorf("%s: %w", f.Name(), err)
			}
		}
		if err := tw.Close(); err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
		return nil
	})
}
