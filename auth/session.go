package auth

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// Role is what a signed-in caller may do on the platform.
type Role string

// The platform's roles, each allowed what the one before it is, and more.
const (
	RoleViewer   Role = "viewer"   // reads everything
	RoleOperator Role = "operator" // also restarts agents, retries work, handles alerts
	RoleAdmin    Role = "admin"    // also creates agents, upgrades, rolls back, patches config
)

// UserInfo is who a token belongs to: the answer of GET /auth/me.
type UserInfo struct {
	Subject   string    `json:"sub"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	SessionID string    `json:"session_id"`
	ExpiresAt time.Time `json:"expires_at"` // when the token used for the call expires
}

// Me tells who pc is signed in as (GET /auth/me).
func Me(ctx context.Context, pc *platform.Client) (*UserInfo, error) {
	var u UserInfo
	if err := pc.Do(ctx, http.MethodGet, "/auth/me", nil, nil, &u); err != nil {
		return nil, fmt.Errorf("auth: me: %w", err)
	}
	return &u, nil
}

// Logout signs pc's session out (POST /auth/logout): the server revokes
// the session, its refresh tokens and its access tokens. When pc's token
// source is a Source (or a NotifyingSource around one) it is ended too:
// its cached sign-in is cleared and every later call fails at once with
// an error matching ErrReauthRequired.
func Logout(ctx context.Context, pc *platform.Client) error {
	if err := pc.Do(ctx, http.MethodPost, "/auth/logout", nil, nil, nil); err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	if so, ok := pc.TokenSource().(signOuter); ok {
		if err := so.signOut(); err != nil {
			return fmt.Errorf("auth: logout: signed out, but %w", err)
		}
	}
	return nil
}
