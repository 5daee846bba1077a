package auth

import (
	"errors"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// FromEnvironment is the one way the SDK reads credentials from the
// environment (waooaw.New passes it to platform.WithCredentials; it is a
// platform.CredentialsFunc):
//
//   - $WAOOAW_TOKEN: a static token (NewStaticSource), judged expired by
//     the platform (ErrTokenExpired once it is refused);
//   - else $WAOOAW_CLIENT_ID and $WAOOAW_CLIENT_SECRET: a service account
//     (NewClientCredentialsSource at base's /auth/token, reached with hc),
//     renewed before expiry and after a 401;
//   - else no source (nil, nil): calls go out without a token.
//
// One of the client id and secret without the other is an error, not
// unauthenticated calls.
func FromEnvironment(getenv func(string) string, base *url.URL, hc *http.Client) (oauth2.TokenSource, error) {
	if tok := getenv("WAOOAW_TOKEN"); tok != "" {
		return NewStaticSource(tok)
	}
	id, secret := getenv("WAOOAW_CLIENT_ID"), getenv("WAOOAW_CLIENT_SECRET")
	switch {
	case id == "" && secret == "":
		return nil, nil
	case secret == "":
		return nil, errors.New("auth: $WAOOAW_CLIENT_ID is set but $WAOOAW_CLIENT_SECRET is not; set both for client credentials, or neither")
	case id == "":
		return nil, errors.New("auth: $WAOOAW_CLIENT_SECRET is set but $WAOOAW_CLIENT_ID is not; set both for client credentials, or neither")
	}
	p, err := NewProvider(base.String())
	if err != nil {
		return nil, err
	}
	opts := []Option{}
	if hc != nil {
		opts = append(opts, WithHTTPClient(hc))
	}
	return NewClientCredentialsSource(p, id, secret, opts...)
}
