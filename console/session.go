package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/platform"
)

const cookieName = "waooaw_console"

// maxSessions bounds the store: the oldest unused sessions go first.
const maxSessions = 10000

// session is one browser's sign-in, kept on the server.
type session struct {
	id   string
	csrf string

	mu       sync.Mutex
	pending  *auth.PendingLogin // a sign-in in progress
	next     string             // where to go after it
	client   *waooaw.Client     // nil until signed in
	user     *auth.UserInfo
	flash    *flash
	draft    factory.Request // the factory wizard's request so far
	lastUsed time.Time
}

// wizardDraft is the factory wizard's request so far.
func (s *session) wizardDraft() factory.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draft
}

func (s *session) setWizardDraft(r factory.Request) {
	s.mu.Lock()
	s.draft = r
	s.mu.Unlock()
}

// flash is a one-shot message shown on the next page.
type flash struct {
	Kind string // "ok" or "error"
	Text string
}

func (s *session) signedIn() (*waooaw.Client, *auth.UserInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client, s.user
}

func (s *session) setFlash(kind, text string) {
	s.mu.Lock()
	s.flash = &flash{Kind: kind, Text: text}
	s.mu.Unlock()
}

func (s *session) takeFlash() *flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flash
	s.flash = nil
	return f
}

type sessionStore struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]*session
}

func newSessionStore(ttl time.Duration) *sessionStore {
	return &sessionStore{ttl: ttl, now: time.Now, m: map[string]*session{}}
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create makes a new session, dropping expired ones (and the oldest when
// the store is full).
func (st *sessionStore) create() *session {
	now := st.now()
	s := &session{id: randomToken(), csrf: randomToken(), lastUsed: now}
	st.mu.Lock()
	defer st.mu.Unlock()
	var oldest *session
	var oldestUsed time.Time
	for id, o := range st.m {
		o.mu.Lock()
		used := o.lastUsed
		o.mu.Unlock()
		if now.Sub(used) > st.ttl {
			delete(st.m, id)
			continue
		}
		if oldest == nil || used.Before(oldestUsed) {
			oldest, oldestUsed = o, used
		}
	}
	if len(st.m) >= maxSessions && oldest != nil {
		delete(st.m, oldest.id)
	}
	st.m[s.id] = s
	return s
}

// get finds a live session and marks it used.
func (st *sessionStore) get(id string) *session {
	if id == "" {
		return nil
	}
	st.mu.Lock()
	s := st.m[id]
	st.mu.Unlock()
	if s == nil {
		return nil
	}
	now := st.now()
	s.mu.Lock()
	expired := now.Sub(s.lastUsed) > st.ttl
	if !expired {
		s.lastUsed = now
	}
	s.mu.Unlock() // before drop: create locks the store, then sessions
	if expired {
		st.drop(id)
		return nil
	}
	return s
}

func (st *sessionStore) drop(id string) {
	st.mu.Lock()
	delete(st.m, id)
	st.mu.Unlock()
}

// session returns the request's session, nil when it has none.
func (c *Console) session(r *http.Request) *session {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	return c.sessions.get(ck.Value)
}

func (c *Console) setCookie(w http.ResponseWriter, s *session) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: s.id, Path: c.base,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.cfg.public.Scheme == "https",
	})
}

func (c *Console) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: "", Path: c.base, MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.cfg.public.Scheme == "https",
	})
}

// safeNext keeps a ?next= that is a path of this console: relative,
// starting with one "/", no scheme, host or backslash. Anything else is
// the dashboard.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return u.RequestURI()
}

// href is a console path (starting with "/") under the public prefix.
func (c *Console) href(path string) string {
	return c.base + strings.TrimPrefix(path, "/")
}

// loginPage is GET /login: the sign-in button, and why the visitor is here.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	s := c.session(r)
	if s != nil {
		if cl, _ := s.signedIn(); cl != nil {
			http.Redirect(w, r, c.href(safeNext(r.URL.Query().Get("next"))), http.StatusSeeOther)
			return
		}
	}
	w.Header().Set("Content-Security-Policy", csp) // the form goes on to the platform's sign-in
	v := c.view(r, s, "login", "Sign in")
	v.Page = map[string]string{
		"Next":    safeNext(r.URL.Query().Get("next")),
		"Message": loginMessage(r.URL.Query().Get("why")),
	}
	c.render(w, r, http.StatusOK, "login", v)
}

func loginMessage(why string) string {
	switch why {
	case "signed-out":
		return "You have signed out."
	case "expired":
		return "Your session has ended. Sign in again."
	case "failed":
		return "The sign-in did not complete. Try again."
	case "required":
		return "Sign in to continue."
	}
	return ""
}

// startLogin is GET /auth/start: a new session with a pending sign-in,
// then off to the platform's /auth/google.
func (c *Console) startLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s := c.sessions.create()
	authURL, pending := c.login.Start(q.Get("login_hint"))
	s.mu.Lock()
	s.pending, s.next = &pending, safeNext(q.Get("next"))
	s.mu.Unlock()
	c.setCookie(w, s)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// callback is GET /auth/callback: the platform's redirect back.
func (c *Console) callback(w http.ResponseWriter, r *http.Request) {
	s := c.session(r)
	if s == nil {
		c.errorPage(w, r, http.StatusBadRequest, "Sign-in not started here",
			"This sign-in was not started from this browser, or it took too long. Start again from the sign-in page.")
		return
	}
	s.mu.Lock()
	pending, next := s.pending, s.next
	s.pending = nil // a pending sign-in is used once
	s.mu.Unlock()
	if pending == nil {
		c.errorPage(w, r, http.StatusBadRequest, "Sign-in already used",
			"This sign-in link has been used. Start again from the sign-in page.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	src, err := c.login.Finish(ctx, *pending, r.URL.Query())
	if err != nil {
		c.cfg.log.Warn("console: sign-in failed", "error", err.Error())
		c.errorPage(w, r, http.StatusForbidden, "Sign-in failed", plainAuthError(err))
		return
	}
	cl, err := waooaw.New(
		platform.WithBaseURL(c.cfg.api.String()),
		platform.WithHTTPClient(c.cfg.hc),
		platform.WithTokenSource(src),
		platform.WithoutEnvironment(),
		platform.WithUserAgent("waooaw-console"),
	)
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "Sign-in failed", err.Error())
		return
	}
	me, err := auth.Me(ctx, cl.Platform)
	if err != nil {
		c.errorPage(w, r, http.StatusBadGateway, "Sign-in failed", "The platform did not say who you are: "+plainError(err))
		return
	}
	// A fresh session id at sign-in: an id seen before it is worth nothing.
	c.sessions.drop(s.id)
	ns := c.sessions.create()
	ns.mu.Lock()
	ns.client, ns.user = cl, me
	ns.mu.Unlock()
	c.setCookie(w, ns)
	http.Redirect(w, r, c.href(next), http.StatusSeeOther)
}

func plainAuthError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "auth: ")
	msg = strings.TrimPrefix(msg, "login: ")
	return "The platform's sign-in answered: " + msg + ". Start again from the sign-in page."
}

// logout is POST /logout: revoke at the platform, forget the session.
func (c *Console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	cl, _ := s.signedIn()
	if cl != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		if err := auth.Logout(ctx, cl.Platform); err != nil && !errors.Is(err, auth.ErrReauthRequired) {
			c.cfg.log.Warn("console: logout at the platform failed", "error", err.Error())
		}
	}
	c.sessions.drop(s.id)
	c.clearCookie(w)
	http.Redirect(w, r, c.href("/login?why=signed-out"), http.StatusSeeOther)
}

// signedIn wraps a page that needs a session: a signed-out visitor goes to
// /login?next=PATH; a post needs the session's CSRF token.
func (c *Console) signedIn(h func(w http.ResponseWriter, r *http.Request, s *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := c.session(r)
		var cl *waooaw.Client
		if s != nil {
			cl, _ = s.signedIn()
		}
		if cl == nil {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				c.errorPage(w, r, http.StatusUnauthorized, "Signed out", "Your session has ended, so nothing was done. Sign in and try again.")
				return
			}
			if r.Header.Get("X-Console-Partial") != "" || r.URL.Path == "/events" {
				w.WriteHeader(http.StatusUnauthorized) // a script's fetch: it reloads the page
				return
			}
			http.Redirect(w, r, c.href("/login?why=required&next="+url.QueryEscape(r.URL.RequestURI())), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil {
				c.errorPage(w, r, http.StatusBadRequest, "Bad form", "The form could not be read.")
				return
			}
			got := r.PostForm.Get("csrf")
			if got == "" {
				got = r.Header.Get("X-CSRF-Token")
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
				c.errorPage(w, r, http.StatusForbidden, "Form expired",
					"This form is out of date or did not come from the console, so nothing was done. Reload the page and try again.")
				return
			}
		}
		h(w, r, s)
	}
}

// canOperate reports whether role may change things: restart agents,
// retry dead letters, pause workflows.
func canOperate(role auth.Role) bool { return role == "operator" || role == "admin" }

// canAdmin reports whether role may do what only admins may: create
// agents, upgrade them, change their config.
func canAdmin(role auth.Role) bool { return role == "admin" }
