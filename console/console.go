// Package console is the WAOOAW operator console: the platform's dashboard,
// agents, queues and dead letters, workflows, the agent factory's wizard,
// servicing (versions, upgrades, rollback, config), the help desk, logs and
// alerts, in a browser, built on the public SDK only (package waooaw, auth
// and the area packages).
//
// New returns an http.Handler that mounts under any prefix of another
// program, asynqmon-style:
//
//	h, err := console.New(
//		console.WithAPI("https://api.waooaw.com"),
//		console.WithPublicURL("https://ops.example.com/console/"),
//		console.WithClient("waooaw-console", os.Getenv("WAOOAW_CONSOLE_CLIENT_SECRET")),
//	)
//	if err != nil { ... }
//	mux.Handle("/console/", h)
//
// People sign in with the platform's Google sign-in (the authorization code
// flow with PKCE, the console a confidential client). The browser holds only
// an opaque, HttpOnly, SameSite=Lax session cookie; state, verifier and
// tokens stay on the server, in memory, and refresh themselves. Logout
// revokes the session at the platform. Every form post carries a CSRF token.
// Pages render on the server and work without JavaScript; a little script
// adds live updates (the platform's event stream relayed per browser as
// Server-Sent Events, with polling when the stream is down), dialogs and
// confirmations.
//
// cmd/waooaw-console runs it, with an embedded mock server when no -api is
// given.
package console

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/auth"
)

// Option configures the console. Options check their arguments; New
// returns the first problem.
type Option func(*config) error

type config struct {
	api          *url.URL
	public       *url.URL
	clientID     string
	clientSecret string
	hc           *http.Client
	log          *slog.Logger
	sessionTTL   time.Duration
	loginHint    string
}

// DefaultClientID is the platform's OAuth client for the console.
const DefaultClientID = "waooaw-console"

// DefaultSessionTTL is how long a session lives without being used.
const DefaultSessionTTL = 12 * time.Hour

// WithAPI sets the platform's base URL, e.g. "https://api.waooaw.com".
// Required.
func WithAPI(baseURL string) Option {
	return func(c *config) error {
		u, err := absoluteURL(baseURL)
		if err != nil {
			return fmt.Errorf("console: WithAPI: %w", err)
		}
		c.api = u
		return nil
	}
}

// WithPublicURL sets the console's own URL as browsers reach it, with the
// prefix it is mounted under, e.g. "https://ops.example.com/console/". It
// gives the sign-in's callback URL (PublicURL + "auth/callback"), the
// cookie's path, and whether the cookie is Secure (https). Required.
func WithPublicURL(u string) Option {
	return func(c *config) error {
		pu, err := absoluteURL(u)
		if err != nil {
			return fmt.Errorf("console: WithPublicURL: %w", err)
		}
		if pu.RawQuery != "" || pu.Fragment != "" {
			return fmt.Errorf("console: WithPublicURL: %q has a query or fragment", u)
		}
		if !strings.HasSuffix(pu.Path, "/") {
			pu.Path += "/"
		}
		c.public = pu
		return nil
	}
}

// WithClient sets the console's OAuth client at the platform: its id
// (DefaultClientID unless given) and secret. Required.
func WithClient(id, secret string) Option {
	return func(c *config) error {
		if strings.TrimSpace(id) == "" || secret == "" {
			return errors.New("console: WithClient: the client needs an id and a secret")
		}
		c.clientID, c.clientSecret = id, secret
		return nil
	}
}

// WithHTTPClient sets the HTTP client for the console's calls to the
// platform (API and sign-in). Default: http.DefaultClient's transport with
// a 30 s timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("console: WithHTTPClient: nil client")
		}
		c.hc = hc
		return nil
	}
}

// WithLogger logs one line per request (method, path, status, duration)
// and the platform's refusals. Tokens, cookies and CSRF tokens are never
// logged. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("console: WithLogger: nil logger")
		}
		c.log = l
		return nil
	}
}

// WithSessionTTL sets how long an unused session lives (DefaultSessionTTL
// unless given); the platform's tokens are refreshed meanwhile.
func WithSessionTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Minute {
			return fmt.Errorf("console: WithSessionTTL: %v is under a minute", d)
		}
		c.sessionTTL = d
		return nil
	}
}

func absoluteURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http or https URL", raw)
	}
	return u, nil
}

// Console is the operator console's handler. Build it with New.
type Console struct {
	cfg      config
	base     string // the public URL's path: the prefix, ending in "/"
	login    *auth.WebLogin
	provider *auth.Provider
	sessions *sessionStore
	pages    *renderer
	mux      *http.ServeMux
}

// New returns the console's handler (a *Console). WithAPI, WithPublicURL
// and WithClient are required. New does no network I/O and starts no
// goroutine: sessions past their TTL are dropped as new ones are made.
func New(opts ...Option) (http.Handler, error) {
	cfg := config{
		clientID:   DefaultClientID,
		hc:         &http.Client{Timeout: 30 * time.Second},
		log:        slog.New(slog.DiscardHandler),
		sessionTTL: DefaultSessionTTL,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("console: a nil Option was given")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	switch {
	case cfg.api == nil:
		return nil, errors.New("console: WithAPI is required: the platform's URL")
	case cfg.public == nil:
		return nil, errors.New("console: WithPublicURL is required: the console's own URL, for the sign-in's callback")
	case cfg.clientSecret == "":
		return nil, errors.New("console: WithClient is required: the console's OAuth client id and secret")
	}
	p, err := auth.NewProvider(cfg.api.String())
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	callback := cfg.public.JoinPath("auth/callback").String()
	wl, err := auth.NewWebLogin(p, cfg.clientID, cfg.clientSecret, callback, auth.WithHTTPClient(cfg.hc))
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	pages, err := newRenderer()
	if err != nil {
		return nil, err
	}
	c := &Console{
		cfg:      cfg,
		base:     cfg.public.Path,
		login:    wl,
		provider: p,
		sessions: newSessionStore(cfg.sessionTTL),
		pages:    pages,
	}
	c.routes()
	return c, nil
}

// ServeHTTP serves the console at the public URL's path and below.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			c.cfg.log.Error("console: panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			if !rec.wrote {
				c.errorPage(rec, r, http.StatusInternalServerError, "Something went wrong", "The console hit a bug on this page. It has been logged; try again.")
			}
		}
		c.cfg.log.Info("console", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start).Round(time.Microsecond))
	}()
	h := rec.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", csp+"; form-action 'self'")
	rest, ok := strings.CutPrefix(r.URL.Path, c.base)
	if !ok {
		if r.URL.Path+"/" == c.base {
			http.Redirect(rec, r, c.base, http.StatusMovedPermanently)
			return
		}
		c.notFound(rec, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + rest
	r2.URL.RawPath = ""
	c.mux.ServeHTTP(rec, r2)
}

// csp is the pages' Content-Security-Policy. Forms post to the console
// only (form-action 'self'), except the sign-in form, whose answer
// redirects to the platform's sign-in and on to Google: browsers hold a
// form's redirects to form-action too.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"

// statusRecorder remembers the status for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Flush lets the event relay stream through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
