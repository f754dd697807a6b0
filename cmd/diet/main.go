// Command diet explains and shrinks container images. See docs/cli.md.
package main

import (
	"os"

	"github.com/dietimage/diet/internal/cli"
)

func main() { os.Exit(cli.Main()) }
