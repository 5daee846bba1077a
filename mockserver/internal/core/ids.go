package core

import (
	"crypto/rand"
	"encoding/hex"
)

// RandomID is prefix and 24 random hex digits: an id no one can guess.
func RandomID(prefix string) string {
	var b [12]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
