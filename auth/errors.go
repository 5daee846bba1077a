package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// ErrReauthRequired means the sign-in is over: the refresh token was
// revoked, rotated away or has expired, the session was signed out, or
// there is no saved sign-in. Nothing but signing in again helps. Every
// call through a platform.Client whose token source says so fails with an
// error for which errors.Is(err, ErrReauthRequired) is true.
var ErrReauthRequired = errors.New("auth: sign-in required")

// ErrTokenExpired means a token's exp has passed: a static token that can
// no longer be used, or a token a Verifier refused for its age.
var ErrTokenExpired = errors.New("auth: token expired")

// ErrInvalidToken is what every refusal of a Verifier matches with
// errors.Is: the error's text says why (malformed, algorithm, unknown key,
// signature, issuer, audience, expiry).
var ErrInvalidToken = errors.New("auth: invalid token")

// tokenEndpointError words an error of the token endpoint, turning
// invalid_grant into ErrReauthRequired. The response body of the token
// endpoint never holds a token, so quoting it is safe.
func tokenEndpointError(what string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("auth: %s: %w", what, err)
	}
	desc := re.ErrorDescription
	if desc == "" {
		desc = strings.TrimSpace(string(re.Body))
		if len(desc) > 200 {
			desc = desc[:200] + "…"
		}
	}
	switch re.ErrorCode {
	case "invalid_grant":
		return fmt.Errorf("auth: %s: the server refused the grant (invalid_grant: %s); sign in again: %w", what, desc, ErrReauthRequired)
	case "invalid_client", "unauthorized_client":
		return fmt.Errorf("auth: %s: the server refused the client (%s: %s); check the client id and secret: %w", what, re.ErrorCode, desc, err)
	case "":
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Errorf("auth: %s: the token endpoint answered %d: %s", what, status, desc)
	}
	return fmt.Errorf("auth: %s: %s: %s: %w", what, re.ErrorCode, desc, err)
}

// jwtExpiry reads a JWT's exp without verifying anything. ok is false for
// a token that is not a JWT or has no exp.
func jwtExpiry(token string) (exp time.Time, ok bool, err error) {
	if strings.Count(token, ".") != 2 {
		return time.Time{}, false, nil
	}
	var c jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil {
		return time.Time{}, false, fmt.Errorf("auth: the token looks like a JWT but cannot be read: %v", shortJWTError(err))
	}
	if c.ExpiresAt == nil {
		return time.Time{}, false, nil
	}
	return c.ExpiresAt.Time, true, nil
}

// shortJWTError words a golang-jwt error without the token.
func shortJWTError(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed token"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "token is not valid yet"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "token was issued in the future"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "a required claim is missing"
	}
	return "invalid token"
}
