package core

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// User is a person (or service account) who can sign in.
type User struct {
	Sub   string `json:"sub"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// Demo users, seeded in every server.
const (
	AdminEmail    = "admin@waooaw.ai"
	OperatorEmail = "ops@waooaw.ai"
	ViewerEmail   = "viewer@example.com"
)

// SubFor is a user's stable id, derived from the email.
func SubFor(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return "usr-" + hex.EncodeToString(sum[:8])
}

// ValidEmail reports whether e looks like an email address: one @, no
// spaces or control characters.
func ValidEmail(e string) bool {
	at := -1
	for i := 0; i < len(e); i++ {
		switch c := e[i]; {
		case c == '@':
			if at >= 0 {
				return false
			}
			at = i
		case c <= ' ' || c > '~':
			return false
		}
	}
	return at > 0 && at < len(e)-1 && len(e) <= 254
}

// Role is what a caller may do; each route needs one.
type Role int

// The roles, each allowed what the ones before it are.
const (
	RolePublic Role = iota // no token needed
	RoleViewer
	RoleOperator
	RoleAdmin
)

// String is the role as tokens carry it.
func (r Role) String() string {
	return [...]string{"public", "viewer", "operator", "admin"}[r]
}

// ParseRole reads a role as tokens and users carry it.
func ParseRole(s string) (Role, bool) {
	switch s {
	case "viewer":
		return RoleViewer, true
	case "operator":
		return RoleOperator, true
	case "admin":
		return RoleAdmin, true
	}
	return 0, false
}
