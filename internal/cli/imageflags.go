package cli

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/dietimage/diet/image"
)

// imageFlags are the flags of every command that opens images: which
// image of a multi-platform index, and whether registries may be plain.
type imageFlags struct {
	platform string
	insecure bool
}

// add registers the flags; verb says what the command does with the image.
func (f *imageFlags) add(fs *pflag.FlagSet, verb string) {
	fs.StringVar(&f.platform, "platform", "", "image of a multi-platform index to "+verb+", as os/arch[/variant] (default: this machine's)")
	fs.BoolVar(&f.insecure, "insecure", false, "allow plain HTTP and unverified TLS for docker:// registries (without it, localhost and private addresses need HTTPS too)")
}

// options are the image options the flags and the environment ask for:
// the platform, plain registries, the free space to leave (DIET_MIN_FREE)
// and how docker-daemon: is read: from the layer store unless
// DIET_LAYER_STORE=0, saying on stderr, once per image opened, when it
// reads the engine's save stream (the slow way) and why. It opens nothing.
func (f *imageFlags) options(g *globals, stderr io.Writer) ([]image.Option, error) {
	if g.minFreeErr != nil {
		return nil, g.minFreeErr
	}
	opts := []image.Option{image.WithInsecure(f.insecure), image.WithMinFree(g.minFree),
		image.WithLayerStore(!g.saveStream), image.WithFallback(func(reason error) {
			fmt.Fprintf(stderr, "diet: reading the engine's save stream, not its layer store: %v\n", reason)
		})}
	if f.platform != "" {
		p, err := image.ParsePlatform(f.platform)
		if err != nil {
			return nil, fmt.Errorf("--platform: %w", err)
		}
		opts = append(opts, image.WithPlatform(p))
	}
	return opts, nil
}
