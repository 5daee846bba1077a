package authority

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// Audience is the aud claim of the platform's access tokens.
const Audience = "waooaw-api"

// AccessTokenTTL is how long an access token lives on the server's clock.
const AccessTokenTTL = 15 * time.Minute

// signingKey is one generation of the server's key set: an Ed25519 key
// (access tokens, and ID tokens when asked for EdDSA) and an RSA key (ID
// tokens, RS256), rotated and retired together.
type signingKey struct {
	kid       string // the Ed25519 key's
	priv      ed25519.PrivateKey
	pub       ed25519.PublicKey
	rsaKid    string
	retired   atomic.Bool
	rotatedAt time.Time // when a newer key replaced it; zero while current

	// The RSA key is made on first use: most servers never need one, and
	// making it costs more than the rest of a server's start.
	rsaOnce sync.Once
	rsaPriv *rsa.PrivateKey
}

// rsaKey returns the generation's RSA key, making it the first time.
func (k *signingKey) rsaKey() *rsa.PrivateKey {
	k.rsaOnce.Do(func() {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("mockserver: generating an RSA key: %v", err)) // crypto/rand never fails
		}
		k.rsaPriv = priv
	})
	return k.rsaPriv
}

// has reports whether kid names one of the generation's keys.
func (k *signingKey) has(kid string) bool { return kid == k.kid || kid == k.rsaKid }

// session is one sign-in; revoking it revokes its tokens.
type session struct {
	id      string
	sub     string
	revoked atomic.Bool
}

// principal is a verified caller.
type principal struct {
	httpapi.Caller
	sess *session
	key  *signingKey
}

// claims are the access token's claims.
type claims struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	SID   string `json:"sid"`
	// Nonce is the authorization request's, in ID tokens only.
	Nonce string `json:"nonce,omitempty"`
	jwt.RegisteredClaims
}

// Authority issues and verifies tokens and keeps users, keys and sessions.
type Authority struct {
	clock  *core.Clock
	issuer string

	mu       sync.RWMutex
	keys     []*signingKey // the last one signs
	users    map[string]*core.User
	sessions map[string]*session
	sessOrd  []string // session ids, oldest first (sessOrd[sessHead:] are live)
	sessHead int
	maxSess  int          // Limits.Sessions: also the bound of made-up users
	madeUp   []*core.User // the users made up on first sign-in, oldest first
	oauth    oauthState
	idAlg    string // how ID tokens are signed: RS256 (the default) or EdDSA

	// verified caches verified tokens until they expire, so a request does
	// not pay for a signature check; revocation and key retirement are
	// still checked on every hit through the pointers it holds.
	verified sync.Map // token string → *principal
	nverify  atomic.Int64
}

// maxVerified bounds the cache of verified tokens.
const maxVerified = 20000

// New is an authority on clock c issuing tokens as issuer, keeping at most
// maxSessions sessions (and as many made-up users).
func New(c *core.Clock, issuer string, maxSessions int) *Authority {
	a := &Authority{clock: c, issuer: issuer, maxSess: maxSessions}
	a.Reset()
	return a
}

// Issuer is the issuer (iss) of the authority's tokens.
func (a *Authority) Issuer() string { return a.issuer }

// Mint mints a token for u with role living ttl, for audience, in a new
// session; exp is when it expires.
func (a *Authority) Mint(u *core.User, role string, ttl time.Duration, audience string) (tok string, exp time.Time, err error) {
	return a.mint(u, role, ttl, audience, a.newSession(u.Sub))
}

// Reset forgets every session, login and user but the demo users, and
// goes back to one key generation.
func (a *Authority) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = []*signingKey{newKey()}
	a.users = map[string]*core.User{}
	a.sessions = map[string]*session{}
	a.sessOrd, a.sessHead, a.madeUp = nil, 0, nil
	a.oauth = newOAuthState()
	a.idAlg = "RS256"
	for _, u := range []struct{ email, name, role string }{
		{core.AdminEmail, "Ada Admin", "admin"},
		{core.OperatorEmail, "Oscar Ops", "operator"},
		{core.ViewerEmail, "Vera Viewer", "viewer"},
	} {
		a.users[u.email] = &core.User{Sub: core.SubFor(u.email), Email: u.email, Name: u.name, Role: u.role}
	}
	a.verified.Clear()
	a.nverify.Store(0)
}

func newKey() *signingKey {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("mockserver: generating a key: %v", err)) // crypto/rand never fails
	}
	sum := sha256.Sum256(pub)
	id := hex.EncodeToString(sum[:6])
	return &signingKey{kid: "key-" + id, rsaKid: "rsa-" + id, priv: priv, pub: pub}
}

// User finds a user by email; unknown emails get a new user with the
// default role for their domain.
func (a *Authority) User(email string) *core.User {
	email = strings.ToLower(strings.TrimSpace(email))
	a.mu.Lock()
	defer a.mu.Unlock()
	if u, ok := a.users[email]; ok {
		return u
	}
	r := "viewer"
	if strings.HasSuffix(email, "@waooaw.ai") {
		r = "operator"
	}
	name, _, _ := strings.Cut(email, "@")
	u := &core.User{Sub: core.SubFor(email), Email: email, Name: name, Role: r}
	a.users[email] = u
	// Users made up on first sign-in are bounded like sessions: past the
	// bound the oldest made-up one goes (it is made again if it signs in).
	a.madeUp = append(a.madeUp, u)
	if len(a.madeUp) > a.maxSess {
		if old := a.madeUp[0]; a.users[old.Email] == old { // not replaced by addUser since
			delete(a.users, old.Email)
		}
		a.madeUp[0] = nil
		a.madeUp = a.madeUp[1:]
	}
	return u
}

// addUser adds or replaces a user.
func (a *Authority) addUser(email, name, r string) *core.User {
	email = strings.ToLower(strings.TrimSpace(email))
	u := &core.User{Sub: core.SubFor(email), Email: email, Name: name, Role: r}
	a.mu.Lock()
	a.users[email] = u
	a.mu.Unlock()
	return u
}

// newSession starts a session for sub.
func (a *Authority) newSession(sub string) *session {
	s := &session{id: core.RandomID("ses-"), sub: sub}
	a.mu.Lock()
	a.addSession(s)
	a.mu.Unlock()
	return s
}

// addSession keeps s; past Limits.Sessions the oldest session is
// forgotten (its tokens are refused: unknown session); a.mu held.
func (a *Authority) addSession(s *session) {
	a.sessions[s.id] = s
	a.sessOrd = append(a.sessOrd, s.id)
	for len(a.sessOrd)-a.sessHead > a.maxSess {
		delete(a.sessions, a.sessOrd[a.sessHead])
		a.sessOrd[a.sessHead] = ""
		a.sessHead++
	}
	if a.sessHead > 0 && a.sessHead >= len(a.sessOrd)/2 {
		a.sessOrd = append(a.sessOrd[:0], a.sessOrd[a.sessHead:]...)
		a.sessHead = 0
	}
}

// mint signs an access token for u with role r in session sess.
func (a *Authority) mint(u *core.User, r string, ttl time.Duration, audience string, sess *session) (string, time.Time, error) {
	now := a.clock.Now()
	exp := now.Add(ttl)
	a.mu.RLock()
	k := a.keys[len(a.keys)-1]
	a.mu.RUnlock()
	c := claims{
		Email: u.Email, Name: u.Name, Role: r, SID: sess.id,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    a.issuer,
			Subject:   u.Sub,
			Audience:  jwt.ClaimStrings{audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        core.RandomID("jti-"),
		},
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = k.kid
	s, err := t.SignedString(k.priv)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("signing: %w", err)
	}
	return s, exp, nil
}

// revoke revokes session sid; it reports whether there is one.
func (a *Authority) revoke(sid string) bool {
	a.mu.RLock()
	sess := a.sessions[sid]
	a.mu.RUnlock()
	if sess == nil {
		return false
	}
	sess.revoked.Store(true)
	return true
}

// Authenticate checks the request's bearer token.
func (a *Authority) Authenticate(r *http.Request) (*httpapi.Caller, *core.Error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		e := core.Errorf(http.StatusUnauthorized, "unauthenticated", "no bearer token: send Authorization: Bearer <token>")
		e.Header = http.Header{"Www-Authenticate": {`Bearer realm="waooaw"`}}
		return nil, e
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil, badToken("the Authorization header is not a bearer token")
	}
	p, err := a.verify(tok)
	if err != nil {
		return nil, badToken(err.Error())
	}
	return &p.Caller, nil
}

func badToken(why string) *core.Error {
	e := core.Errorf(http.StatusUnauthorized, "unauthenticated", "invalid token: %s", why)
	e.Header = http.Header{"Www-Authenticate": {`Bearer realm="waooaw", error="invalid_token"`}}
	return e
}

// verify checks a token: signature by a live key, issuer, audience, expiry
// on the server's clock, and that its session is not revoked.
func (a *Authority) verify(tok string) (*principal, error) {
	now := a.clock.Now()
	if v, ok := a.verified.Load(tok); ok {
		p := v.(*principal)
		if err := p.live(now); err != nil {
			return nil, err
		}
		return p, nil
	}
	var c claims
	t, err := jwt.ParseWithClaims(tok, &c, a.keyFor,
		jwt.WithValidMethods([]string{"EdDSA"}),
		jwt.WithIssuer(a.issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(a.clock.Now),
	)
	if err != nil {
		return nil, tokenProblem(err)
	}
	r, ok := core.ParseRole(c.Role)
	if !ok {
		return nil, fmt.Errorf("unknown role %q", c.Role)
	}
	a.mu.RLock()
	sess := a.sessions[c.SID]
	kid, _ := t.Header["kid"].(string)
	key := a.keyByID(kid)
	a.mu.RUnlock()
	if sess == nil || sess.sub != c.Subject {
		return nil, errors.New("unknown session")
	}
	p := &principal{Caller: httpapi.Caller{Sub: c.Subject, Email: c.Email, Name: c.Name, Role: r,
		Expires: c.ExpiresAt.Time, Session: sess.id}, sess: sess, key: key}
	if err := p.live(now); err != nil {
		return nil, err
	}
	if a.nverify.Add(1)%4096 == 0 {
		a.sweep(now)
	}
	if a.nverify.Load() >= maxVerified {
		// A cache, bounded: forget it all (tokens are checked again) rather
		// than grow with every token a client mints.
		a.verified.Clear()
		a.nverify.Store(0)
	}
	a.verified.Store(tok, p)
	return p, nil
}

func (p *principal) live(now time.Time) error {
	switch {
	case !now.Before(p.Expires):
		return errors.New("token has expired")
	case p.sess.revoked.Load():
		return errors.New("session was revoked")
	case p.key != nil && p.key.retired.Load():
		return errors.New("token signed by a retired key")
	}
	return nil
}

// sweep drops expired tokens from the cache.
func (a *Authority) sweep(now time.Time) {
	a.verified.Range(func(k, v any) bool {
		if !now.Before(v.(*principal).Expires) {
			a.verified.Delete(k)
		}
		return true
	})
}

func (a *Authority) keyFor(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	a.mu.RLock()
	k := a.keyByID(kid)
	a.mu.RUnlock()
	if k == nil {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	if kid != k.kid {
		return nil, fmt.Errorf("key %q signs ID tokens, not access tokens", kid)
	}
	if k.retired.Load() {
		return nil, errors.New("token signed by a retired key")
	}
	return k.pub, nil
}

// keyByID finds the key generation of either of its key ids; a.mu must
// be held.
func (a *Authority) keyByID(kid string) *signingKey {
	for _, k := range a.keys {
		if k.has(kid) {
			return k
		}
	}
	return nil
}

// tokenProblem words a jwt error without echoing the token.
func tokenProblem(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errors.New("malformed token")
	case errors.Is(err, jwt.ErrTokenExpired):
		return errors.New("token has expired")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return errors.New("bad signature")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return fmt.Errorf("wrong audience: want %q", Audience)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return errors.New("wrong issuer")
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		// keyFor's own words: an unknown key id, or a retired key.
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return fmt.Errorf("unverifiable token: %s", msg)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return errors.New("a required claim is missing")
	}
	return errors.New("invalid token")
}
