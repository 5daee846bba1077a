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

// ValidPathID reports whether v can be an id in a path. Ids never hold
// slashes, spaces or dot segments.
func ValidPathID(v string) bool {
	if v == "" || len(v) > 128 || v == "." || v == ".." {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '@' || c == '-') {
			return false
		}
	}
	return true
}
