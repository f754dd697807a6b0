// Package diet is the library's front door: the calls a Go program makes
// to do what the diet command does. [Analyze] says where every byte of an
// image goes; [Slim] makes an image smaller without a rebuild and, when
// asked, proves that it still runs.
//
// The work flows one way, one package a step, as the folders show it:
//
//	image    open an image by transport (archive, layout, registry, engine)
//	  │
//	layerfs  read each layer's tar once: the merged tree, each path's history
//	  │
//	  ├── analyze  waste, culprits, accounting, advice -> a Report (data)
//	  │
//	  └── entry    what the entrypoint needs (ELF closure, shell scripts)
//	        │
//	      slim     plan by level, rewrite the kept entries into one new layer
//	        │
//	      verify   run the original and the result in a sandbox, compare
//	        │
//	      image.Write   the sink: archive, layout, registry, engine
//
// Verify runs before the write: a slimmed image that does not run like the
// original is not written.
//
// rootfs unpacks an image to a directory for entry and verify. The
// packages return data; report renders it, and internal/cli wires flags to
// these calls. Each step's package can be used alone: this package only
// strings them together with the defaults the command uses.
package diet
