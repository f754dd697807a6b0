//go:build !unix

package example

import "context"

// lockFile does nothing where flock is unavailable: concurrent builds of the
// example on such systems must be avoided by the caller.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
