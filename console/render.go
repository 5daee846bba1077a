package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/platform"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageNames are the templates that are whole pages, each with the layout.
var pageNames = []string{"login", "error", "confirm", "dashboard", "agent", "queues", "queue", "workflows", "workflow",
	"factory", "deployment", "servicing", "servicing-agent", "upgrade", "helpdesk", "customer", "playbook", "logs", "alerts"}

type renderer struct {
	pages map[string]*template.Template
}

func newRenderer() (*renderer, error) {
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	r := &renderer{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

// navItem is one entry of the navigation.
type navItem struct {
	Key, Label, Path string
	Ready            bool // false: not in the console yet (part 2)
}

var nav = []navItem{
	{"dashboard", "Dashboard", "/", true},
	{"queues", "Queues", "/queues", true},
	{"workflows", "Workflows", "/workflows", true},
	{"factory", "Factory", "/factory", true},
	{"servicing", "Servicing", "/servicing", true},
	{"helpdesk", "Help desk", "/helpdesk", true},
	{"logs", "Logs", "/logs", true},
	{"alerts", "Alerts", "/alerts", true},
}

// view is what every page template gets.
type view struct {
	Base       string // the prefix, ending in "/"
	Title      string
	Nav        string // the current page's key
	NavItems   []navItem
	User       *auth.UserInfo
	CanOperate bool
	CanAdmin   bool
	CSRF       string
	Flash      *flash
	// Live says which event topics refresh the page, and PollSeconds how
	// often it is read again when the stream is down (0: never).
	Live        string
	PollSeconds int
	Refresh     int // seconds until the page reloads itself (0: never)
	Page        any
}

func (c *Console) view(r *http.Request, s *session, key, title string) *view {
	v := &view{Base: c.base, Title: title, Nav: key, NavItems: nav}
	if s != nil {
		_, v.User = s.signedIn()
		v.CSRF = s.csrf
		if r.Header.Get("X-Console-Partial") == "" { // a script's refresh leaves the message for the page
			v.Flash = s.takeFlash()
		}
		if v.User != nil {
			v.CanOperate = canOperate(v.User.Role)
			v.CanAdmin = canAdmin(v.User.Role)
		}
	}
	return v
}

// render writes a page; a script asking for the page's main part
// (X-Console-Partial) gets only that.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t := c.pages.pages[name]
	var buf bytes.Buffer
	root := "layout"
	if r.Header.Get("X-Console-Partial") != "" {
		root = "main"
	}
	if err := t.ExecuteTemplate(&buf, root, v); err != nil {
		c.cfg.log.Error("console: rendering", "page", name, "error", err.Error())
		http.Error(w, "the console could not draw this page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage is a whole page that says what went wrong, in plain words.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	v := c.view(r, c.session(r), "", title)
	retry := 0
	if status == http.StatusBadGateway || status == http.StatusServiceUnavailable {
		retry = 10
		w.Header().Set("Retry-After", "10")
	}
	v.Page = map[string]any{"Status": status, "Text": text, "Retry": retry}
	v.Refresh = retry
	c.render(w, r, status, "error", v)
}

// confirmPage asks before an action that cannot be undone, for browsers
// without script (with script, the form's data-confirm asks first).
func (c *Console) confirmPage(w http.ResponseWriter, r *http.Request, s *session, title, text, button, back string) {
	v := c.view(r, s, "", title)
	fields := map[string]string{}
	for k, vs := range r.PostForm {
		if k != "csrf" && k != "confirm" && len(vs) == 1 {
			fields[k] = vs[0]
		}
	}
	v.Page = map[string]any{"Text": text, "Button": button, "Action": c.href(r.URL.Path), "Fields": fields, "Back": back}
	c.render(w, r, http.StatusOK, "confirm", v)
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.errorPage(w, r, http.StatusNotFound, "Not found", "There is no such page in the console. Check the address, or go back to the dashboard.")
}

// platformError answers a failed platform call: a lapsed sign-in goes back
// to /login, a missing thing is a 404 page, a platform that does not answer
// a 502 page that retries, anything else a page with the platform's words.
func (c *Console) platformError(w http.ResponseWriter, r *http.Request, s *session, what string, err error) {
	switch {
	case isAuthLapse(err):
		if s != nil {
			c.sessions.drop(s.id)
		}
		c.clearCookie(w)
		http.Redirect(w, r, c.href("/login?why=expired&next="+url.QueryEscape(r.URL.RequestURI())), http.StatusSeeOther)
	case errors.Is(err, platform.ErrNotFound):
		c.errorPage(w, r, http.StatusNotFound, "Not found", plainError(err))
	case isUnavailable(err):
		c.cfg.log.Warn("console: the platform is not answering", "what", what, "error", err.Error())
		c.errorPage(w, r, http.StatusBadGateway, "The platform is not answering",
			"The console could not read "+what+": "+plainError(err)+". It tries again in 10 seconds.")
	default:
		c.errorPage(w, r, http.StatusBadGateway, "The platform refused", "Reading "+what+": "+plainError(err))
	}
}

// isAuthLapse reports a sign-in that can no longer be used.
func isAuthLapse(err error) bool {
	return errors.Is(err, auth.ErrReauthRequired) || errors.Is(err, auth.ErrTokenExpired) || errors.Is(err, platform.ErrUnauthenticated)
}

// isUnavailable reports a platform that does not answer, or answers 5xx.
func isUnavailable(err error) bool {
	return errors.Is(err, platform.ErrUnavailable) || errors.Is(err, platform.ErrInternal)
}

// plainError is the platform's own words for err, without the SDK's
// prefixes.
func plainError(err error) string {
	var pe *platform.Error
	if errors.As(err, &pe) {
		msg := pe.Message
		if msg == "" {
			msg = http.StatusText(pe.StatusCode)
		}
		var parts []string
		for _, d := range pe.Details {
			parts = append(parts, d.Field+": "+d.Issue)
		}
		if len(parts) > 0 {
			msg += " (" + strings.Join(parts, "; ") + ")"
		}
		switch {
		case errors.Is(err, platform.ErrPermissionDenied):
			return "your role cannot do that: " + msg
		}
		return msg
	}
	return err.Error()
}

var funcs = template.FuncMap{
	// ago says how long before now t was, in words: "2 minutes ago".
	"ago": func(t *time.Time, now time.Time) string {
		if t == nil || t.IsZero() {
			return "never"
		}
		return ago(now.Sub(*t))
	},
	"href": func(base, path string) string { return base + strings.TrimPrefix(path, "/") },
	"pct":  func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
	"ms": func(ms *int64) string {
		if ms == nil {
			return "–"
		}
		return (time.Duration(*ms) * time.Millisecond).String()
	},
	"clock": func(t *time.Time) string {
		if t == nil {
			return "–"
		}
		return t.UTC().Format("15:04:05")
	},
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"age":        func(t time.Time, now time.Time) string { return ago(now.Sub(t)) },
	"list":       func(s ...string) []string { return s },
	"money":      money,
	"keyOf":      keyOf,
	"hasPrefix":  strings.HasPrefix,
	"trimPrefix": strings.TrimPrefix,
	"trimSuffix": strings.TrimSuffix,
	"json": func(v any) string {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	},
	"actionLabel": func(a any) string {
		switch fmt.Sprint(a) {
		case "restart-agent":
			return "Restart Agent"
		case "clear-cache":
			return "Clear Cache"
		case "retry-workflow":
			return "Retry Workflow"
		}
		return fmt.Sprint(a)
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"title": func(s string) string { return strings.ToUpper(s[:1]) + s[1:] },
	"svg":   func(s string) template.HTML { return template.HTML(s) }, // only for the SDK's escaped SVG
	"statusWord": func(s any) string {
		return strings.ReplaceAll(fmt.Sprint(s), "_", " ")
	},
}

// keyOf is the key that, after "g", opens a page of the navigation.
func keyOf(navKey string) string {
	switch navKey {
	case "helpdesk":
		return "h"
	case "alerts":
		return "a"
	}
	return navKey[:1]
}

func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return "just now"
	case d < 2*time.Minute:
		return "1 minute ago"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d/time.Minute))
	case d < 2*time.Hour:
		return "1 hour ago"
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// static serves the embedded CSS and script, cached for a day.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}
