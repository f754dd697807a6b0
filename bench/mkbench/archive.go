package main

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/atomicfile"
)

// imageConfig is the configuration of an image made of layers, with one
// history entry per layer plus the empty-layer entries a build writes.
func imageConfig(layers []*layerFile) *v1.ConfigFile {
	cfg := &v1.ConfigFile{
		Architecture: "amd64", OS: "linux", Created: v1.Time{Time: epoch},
		Config: v1.Config{
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Cmd: []string{"/bin/sh"},
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	for i, l := range layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, l.diffID)
		cfg.History = append(cfg.History, v1.History{Created: cfg.Created, CreatedBy: l.createdBy})
		if i == 0 {
			cfg.History = append(cfg.History, v1.History{Created: cfg.Created, CreatedBy: "ENV LANG=C.UTF-8", EmptyLayer: true})
		}
	}
	cfg.History = append(cfg.History, v1.History{Created: cfg.Created, CreatedBy: `CMD ["/bin/sh"]`, EmptyLayer: true})
	return cfg
}

// member is one file of a docker save archive: bytes in memory or a file.
type member struct {
	name string
	body []byte
	file string
	size int64
}

// writeDockerArchive writes a classic `docker save` archive of layers to out
// through atomicfile.
func writeDockerArchive(ctx context.Context, out, tag string, layers []*layerFile) error {
	cfg, err := json.Marshal(imageConfig(layers))
	if err != nil {
		return err
	}
	cfgName := fmt.Sprintf("%x.json", sha256.Sum256(cfg))
	members := []member{{name: cfgName, body: cfg}}
	var paths []string
	parent := ""
	for _, l := range layers {
		id := fmt.Sprintf("%x", sha256.Sum256([]byte(parent+" "+l.diffID.String())))
		js, err := json.Marshal(map[string]string{"id": id, "parent": parent, "created": "2024-01-23T18:54:00Z", "os": "linux"})
		if err != nil {
			return err
		}
		members = append(members, member{name: id + "/"}, member{name: id + "/VERSION", body: []byte("1.0")},
			member{name: id + "/json", body: js}, member{name: id + "/layer.tar", file: l.path, size: l.size})
		paths = append(paths, id+"/layer.tar")
		parent = id
	}
	manifest, err := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{tag + ":latest"}, "Layers": paths}})
	if err != nil {
		return err
	}
	repos, err := json.Marshal(map[string]map[string]string{tag: {"latest": parent}})
	if err != nil {
		return err
	}
	members = append(members, member{name: "manifest.json", body: manifest}, member{name: "repositories", body: repos})
	sort.Slice(members, func(i, j int) bool { return walkKey(members[i].name) < walkKey(members[j].name) })

	return atomicfile.Write(ctx, out, 0o644, func(f *os.File) error {
		bw := bufio.NewWriterSize(f, 1<<20)
		tw := tar.NewWriter(bw)
		for _, m := range members {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := writeMember(tw, m); err != nil {
				return fmt.Errorf("%s: %s: %w", out, m.name, err)
			}
		}
		if err := tw.Close(); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// writeMember writes one member of the outer archive.
func writeMember(tw *tar.Writer, m member) error {
	h := &tar.Header{Typeflag: tar.TypeReg, Name: m.name, Mode: 0o644, ModTime: epoch, Size: int64(len(m.body))}
	if m.file != "" {
		h.Size = m.size
	} else if m.body == nil {
		h.Typeflag, h.Mode = tar.TypeDir, 0o755
	}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if m.file == "" {
		_, err := tw.Write(m.body)
		return err
	}
	f, err := os.Open(m.file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(tw, f, m.size)
	return err
}
