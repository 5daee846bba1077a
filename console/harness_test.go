package console_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/console"
	"github.com/waooaw/waooaw-go/internal/testkit"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// env is a console in front of a mock server, both on loopback.
type env struct {
	mock *mockserver.TestServer
	hs   *httptest.Server
	url  string // the console's public URL, ending in "/"
	logs *syncBuffer
}

// syncBuffer is testkit.SyncBuffer.
type syncBuffer = testkit.SyncBuffer

// newEnv starts a mock server (frozen clock unless opts say otherwise) and
// the console mounted at prefix ("/" or e.g. "/ops/").
func newEnv(t testing.TB, prefix string, opts ...mockserver.Option) *env {
	t.Helper()
	mock := mockserver.Start(t, opts...)
	hs := httptest.NewUnstartedServer(nil)
	hs.Start()
	t.Cleanup(hs.Close)
	e := &env{mock: mock, hs: hs, url: hs.URL + prefix, logs: &syncBuffer{}}
	h, err := console.New(
		console.WithAPI(mock.URL),
		console.WithPublicURL(e.url),
		console.WithClient(mockserver.ConsoleClientID, mockserver.ConsoleClientSecret),
		console.WithHTTPClient(mock.HTTPClient()),
		console.WithLogger(slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	)
	if err != nil {
		t.Fatal(err)
	}
	if prefix == "/" {
		hs.Config.Handler = h
	} else {
		mux := http.NewServeMux()
		mux.Handle(prefix, h)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "the host program's page", 418) })
		hs.Config.Handler = mux
	}
	return e
}

// browser is an HTTP client with cookies, like a browser without script.
type browser struct {
	t   testing.TB
	e   *env
	c   *http.Client
	jar *cookiejar.Jar
}

func (e *env) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, e: e, jar: jar, c: &http.Client{Jar: jar}}
}

// signIn signs in as email through the platform's sign-in and returns the
// page it lands on.
func (e *env) signIn(t testing.TB, email string) *browser {
	t.Helper()
	b := e.browser(t)
	p := b.get("auth/start?login_hint=" + url.QueryEscape(email))
	if p.status != 200 || !strings.Contains(p.body, "Sign out") {
		t.Fatalf("sign in as %s: %d at %s\n%s", email, p.status, p.url, p.body)
	}
	return b
}

type page struct {
	status int
	url    string
	body   string
	header http.Header
}

// get fetches a path of the console (relative to its URL), following
// redirects.
func (b *browser) get(path string) page {
	b.t.Helper()
	return b.do("GET", path, nil, nil)
}

// noFollow fetches without following redirects.
func (b *browser) noFollow(method, path string, form url.Values) page {
	b.t.Helper()
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return b.send(&c, method, path, form, nil)
}

// post sends a form, with the page's CSRF token unless form has one.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf())
	}
	return b.do("POST", path, form, nil)
}

func (b *browser) do(method, path string, form url.Values, hdr http.Header) page {
	b.t.Helper()
	return b.send(b.c, method, path, form, hdr)
}

func (b *browser) send(c *http.Client, method, path string, form url.Values, hdr http.Header) page {
	b.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.e.url + strings.TrimPrefix(path, "/")
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, url: resp.Request.URL.String(), body: string(raw), header: resp.Header}
}

// csrf reads the session's CSRF token from the dashboard's sign-out form.
func (b *browser) csrf() string {
	b.t.Helper()
	p := b.get("")
	const mark = `name="csrf" value="`
	i := strings.Index(p.body, mark)
	if i < 0 {
		b.t.Fatalf("no CSRF token on the dashboard (%d at %s)", p.status, p.url)
	}
	rest := p.body[i+len(mark):]
	return rest[:strings.IndexByte(rest, '"')]
}

func (b *browser) cookie() string {
	u, _ := url.Parse(b.e.url)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "waooaw_console" {
			return c.Value
		}
	}
	return ""
}

// sdk is the SDK as the given user, to check what the console did.
func (e *env) sdk(t testing.TB, email string) *platform.Client {
	return e.mock.Client(email)
}
