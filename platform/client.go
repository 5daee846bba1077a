package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// DefaultBaseURL is used when neither WithBaseURL nor $WAOOAW_API_URL is set.
const DefaultBaseURL = "https://api.waooaw.com"

// Client talks to the platform API. It is safe for concurrent use; build one
// with New and share it.
type Client struct {
	base      *url.URL
	userAgent string
	tokens    oauth2.TokenSource // nil: requests go out without a token
	hc        *http.Client       // one attempt, with the per-attempt timeout
	stream    *http.Client       // no per-attempt timeout, for event streams
	policy    retryPolicy
	logger    *slog.Logger
	clock     Clock
	poll      time.Duration

	// Agents is the dashboard's agents: list, get, restart, start, stop.
	Agents *AgentService
	// Logs is the platform's log: list, newest first.
	Logs *LogService
	// Alerts is the platform's alerts: list, acknowledge, resolve.
	Alerts *AlertService
}

type settings struct {
	baseURL     string
	tokens      oauth2.TokenSource
	httpClient  *http.Client
	timeout     time.Duration
	policy      retryPolicy
	logger      *slog.Logger
	userAgent   string
	clock       Clock
	getenv      func(string) string
	credentials CredentialsFunc
	poll        time.Duration
}

// Option configures a Client. Options validate their arguments; New returns
// the first problem.
type Option func(*settings) error

// WithBaseURL sets the API's base URL, e.g. "http://127.0.0.1:8000". It must
// be absolute http or https. Default: $WAOOAW_API_URL, else DefaultBaseURL.
func WithBaseURL(raw string) Option {
	return func(s *settings) error {
		if _, err := parseBaseURL(raw); err != nil {
			return err
		}
		s.baseURL = raw
		return nil
	}
}

// WithTokenSource authenticates every request with a token from ts, asked
// once per attempt. Sources from package auth also implement Invalidate,
// which the client calls once after a 401 before trying again.
// Default: the source WithCredentials makes from the environment (waooaw.New
// gives it auth's), else no token.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(s *settings) error {
		if ts == nil {
			return errors.New("platform: WithTokenSource: nil token source")
		}
		s.tokens = ts
		return nil
	}
}

// WithHTTPClient sets the HTTP client whose transport carries the requests
// (for proxies, custom TLS, or an in-process transport in tests). Its
// Timeout, if set, replaces the per-attempt timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("platform: WithHTTPClient: nil client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each attempt of a call (not event streams). Default 30s.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("platform: WithTimeout: %v is not positive", d)
		}
		s.timeout = d
		return nil
	}
}

// WithRetries sets how many times a failed call may be retried (0 disables
// retries; the one retry after a 401 is not counted). Default 3.
func WithRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 || n > 20 {
			return fmt.Errorf("platform: WithRetries: %d is outside 0-20", n)
		}
		s.policy.maxRetries = n
		return nil
	}
}

// WithBackoff sets the first and the longest wait between attempts when the
// server gives no Retry-After. Waits double from min up to max, with jitter.
// Default 500ms and 30s.
func WithBackoff(min, max time.Duration) Option {
	return func(s *settings) error {
		if min < 0 || max < min {
			return fmt.Errorf("platform: WithBackoff: need 0 <= min <= max, got %v and %v", min, max)
		}
		s.policy.minWait, s.policy.maxWait = min, max
		return nil
	}
}

// WithRetryAfterCap caps how long the client honours a server's Retry-After.
// Default 60s.
func WithRetryAfterCap(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return fmt.Errorf("platform: WithRetryAfterCap: %v is negative", d)
		}
		s.policy.retryAfterCap = d
		return nil
	}
}

// WithLogger logs retries and failures at debug level. Default: silent.
// Tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("platform: WithLogger: nil logger")
		}
		s.logger = l
		return nil
	}
}

// WithUserAgent prepends app (e.g. "acme-ops/1.2") to the User-Agent.
func WithUserAgent(app string) Option {
	return func(s *settings) error {
		if strings.ContainsAny(app, "\r\n") {
			return errors.New("platform: WithUserAgent: line breaks are not allowed")
		}
		s.userAgent = app
		return nil
	}
}

// WithClock sets the clock the client reads (Retry-After dates, polling).
// Default: the system clock.
func WithClock(c Clock) Option {
	return func(s *settings) error {
		if c == nil {
			return errors.New("platform: WithClock: nil clock")
		}
		s.clock = c
		return nil
	}
}

// DefaultPollInterval is how often Watch and Wait read a resource that is
// changing (an agent, a workflow, a deployment, an upgrade) unless
// WithPollInterval says otherwise.
const DefaultPollInterval = 2 * time.Second

// WithPollInterval sets how often Watch and Wait read a resource that is
// changing, in every area. It must be positive. Default DefaultPollInterval.
func WithPollInterval(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("platform: WithPollInterval: %v is not positive: %w", d, ErrInvalidArgument)
		}
		s.poll = d
		return nil
	}
}

// CredentialsFunc makes the token source of a client given none: from the
// environment (getenv reads it; it answers "" for everything after
// WithoutEnvironment), for the API at base, reaching the token endpoint
// with hc (the client's transport and per-attempt timeout). It answers a
// nil source when the environment holds no credentials.
type CredentialsFunc func(getenv func(string) string, base *url.URL, hc *http.Client) (oauth2.TokenSource, error)

// WithCredentials sets how a client given no WithTokenSource finds its
// credentials in the environment. waooaw.New passes auth.FromEnvironment
// ($WAOOAW_TOKEN, else $WAOOAW_CLIENT_ID and $WAOOAW_CLIENT_SECRET), so
// environment tokens expire, refresh and fail the same way as any auth
// source. Without it, New refuses to run with credentials in the
// environment that nothing would read.
func WithCredentials(f CredentialsFunc) Option {
	return func(s *settings) error {
		if f == nil {
			return errors.New("platform: WithCredentials: nil function")
		}
		s.credentials = f
		return nil
	}
}

// WithoutEnvironment makes New ignore the $WAOOAW_* variables.
func WithoutEnvironment() Option {
	return func(s *settings) error {
		s.getenv = func(string) string { return "" }
		return nil
	}
}

// New builds a Client. It does no network I/O.
func New(opts ...Option) (*Client, error) {
	s := settings{
		timeout: 30 * time.Second,
		policy: retryPolicy{
			maxRetries:    3,
			minWait:       500 * time.Millisecond,
			maxWait:       30 * time.Second,
			retryAfterCap: 60 * time.Second,
		},
		logger: slog.New(slog.DiscardHandler),
		clock:  SystemClock{},
		getenv: os.Getenv,
		poll:   DefaultPollInterval,
	}
	for _, o := range opts {
		if err := o(&s); err != nil {
			return nil, err
		}
	}
	if s.baseURL == "" {
		s.baseURL = s.getenv("WAOOAW_API_URL")
	}
	if s.baseURL == "" {
		s.baseURL = DefaultBaseURL
	}
	base, err := parseBaseURL(s.baseURL)
	if err != nil {
		return nil, err
	}

	hc := &http.Client{Timeout: s.timeout}
	var rt http.RoundTripper = http.DefaultTransport
	if s.httpClient != nil {
		if s.httpClient.Transport != nil {
			rt = s.httpClient.Transport
		}
		if s.httpClient.Timeout > 0 {
			hc.Timeout = s.httpClient.Timeout
		}
		hc.Jar = s.httpClient.Jar
	}
	ua := "waooaw-go/" + Version + " " + strings.Replace(runtime.Version(), "go", "go/", 1)
	if s.userAgent != "" {
		ua = s.userAgent + " " + ua
	}
	if s.tokens == nil {
		if s.tokens, err = envCredentials(s, base, &http.Client{Transport: rt, Timeout: hc.Timeout}); err != nil {
			return nil, err
		}
	}
	tr := &transport{base: rt, tokens: s.tokens, userAgent: ua}
	hc.Transport = tr
	// Redirects would carry the token elsewhere; the API never redirects.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	c := &Client{
		base:      base,
		userAgent: ua,
		tokens:    s.tokens,
		policy:    s.policy,
		logger:    s.logger,
		clock:     s.clock,
		poll:      s.poll,
		hc:        hc,
		stream:    &http.Client{Transport: tr, CheckRedirect: hc.CheckRedirect},
	}
	c.Agents = &AgentService{c: c}
	c.Logs = &LogService{c: c}
	c.Alerts = &AlertService{c: c}
	return c, nil
}

// BaseURL returns the API's base URL.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// PollInterval is how often Watch and Wait read a changing resource (see
// WithPollInterval).
func (c *Client) PollInterval() time.Duration { return c.poll }

// Clock returns the client's clock.
func (c *Client) Clock() Clock { return c.clock }

// TokenSource returns the client's token source, nil when requests go out
// without a token.
func (c *Client) TokenSource() oauth2.TokenSource { return c.tokens }

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("platform: base URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("platform: base URL %q: want an absolute http or https URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("platform: base URL %q: no query, fragment or user info allowed", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// envCredentials is the token source of a client given none: the one
// WithCredentials makes from the environment. Without WithCredentials,
// credentials in the environment are an error rather than silently unused.
func envCredentials(s settings, base *url.URL, hc *http.Client) (oauth2.TokenSource, error) {
	if s.credentials != nil {
		ts, err := s.credentials(s.getenv, base, hc)
		if err != nil {
			return nil, fmt.Errorf("platform: credentials from the environment: %w", err)
		}
		return ts, nil
	}
	for _, name := range []string{"WAOOAW_TOKEN", "WAOOAW_CLIENT_ID", "WAOOAW_CLIENT_SECRET"} {
		if s.getenv(name) != "" {
			return nil, fmt.Errorf("platform: $%s is set, but platform.New does not read credentials: use waooaw.New, or pass WithCredentials(auth.FromEnvironment), WithTokenSource or WithoutEnvironment", name)
		}
	}
	return nil, nil
}

// tokenWithin asks ts for a token but stops waiting when ctx is done
// (oauth2.TokenSource takes no context; a slow source must not hold a call
// past its deadline). The source's own call ends when it returns.
func tokenWithin(ctx context.Context, ts oauth2.TokenSource) (*oauth2.Token, error) {
	if ctx.Done() == nil {
		return ts.Token()
	}
	type result struct {
		tok *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		tok, err := ts.Token()
		ch <- result{tok, err}
	}()
	select {
	case r := <-ch:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// transport sets the User-Agent and a fresh token on every attempt.
type transport struct {
	base      http.RoundTripper
	tokens    oauth2.TokenSource
	userAgent string
}

// tokenError marks a failure of the token source: never retried.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "platform: token source: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.userAgent)
	if t.tokens != nil && r.Header.Get("Authorization") == "" {
		tok, err := tokenWithin(req.Context(), t.tokens)
		if err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, &tokenError{err}
		}
		tok.SetAuthHeader(r)
	}
	return t.base.RoundTrip(r)
}
