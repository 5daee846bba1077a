// Package auth signs people and programs in to the WAOOAW platform and
// checks the platform's tokens.
//
// Every way in ends in a token source for platform.WithTokenSource:
//
//   - LoginWithBrowser: a person signs in with the browser (authorization
//     code with PKCE over a loopback redirect); the Source it returns keeps
//     the sign-in fresh with the refresh grant.
//   - NewRefreshingSource: the same, from a token saved earlier (WithCache
//     and a FileCache keep a sign-in between runs, safely shared by several
//     processes).
//   - NewClientCredentialsSource: a service account (scripts, CI).
//   - NewStaticSource: an access token you were given; it fails clearly
//     once the token's exp has passed.
//
// The sources read a token's expiry from its exp claim on a clock you can
// set (WithClock), renew it RefreshMargin early, share one renewal among
// concurrent callers, and implement platform.Invalidator, so a 401 makes
// the platform client renew once and try again. When the sign-in is over
// (a revoked session, a spent refresh token), every call fails with an
// error matching ErrReauthRequired: sign in again.
//
//	p, _ := auth.NewProvider("https://api.waooaw.com")
//	src, err := auth.LoginWithBrowser(ctx, p)
//	if err != nil { ... }
//	pc, err := platform.New(platform.WithBaseURL(p.Issuer), platform.WithTokenSource(src))
//	me, err := auth.Me(ctx, pc)
//
// Me and Logout are the session: who the token belongs to, and signing out
// (which revokes the session's tokens on the server and ends the Source).
//
// A Verifier checks the platform's access tokens in services that receive
// them, against the issuer's JWKS (see NewVerifier); with
// WithAudience(client id) it checks ID tokens too. It accepts EdDSA (access
// tokens) and RS256 (ID tokens, by default) signatures. Discover reads the
// issuer's OpenID configuration when its endpoints are not the platform's
// standard ones (NewProvider).
package auth
