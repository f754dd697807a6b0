//go:build !unix

// Package flock serializes work on a shared directory between processes,
// such as test binaries of several packages building one cached fixture.
package flock

import "context"

// Lock does nothing where flock is unavailable: concurrent users of one
// directory are then the caller's to avoid.
func Lock(context.Context, string) (unlock func(), err error) { return func() {}, nil }
