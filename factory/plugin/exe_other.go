//go:build !unix

package plugin

// openFlags are added to O_RDONLY to open a candidate: none outside Unix.
const openFlags = 0
