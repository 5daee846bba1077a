package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// Sandboxes: isolated copies of the server inside one process, so that
// parallel suites in any language can share one binary. POST
// /_mock/sandboxes makes one: a Server of its own, built from the same
// options (seed data, templates, clock mode, bounds), with its own data,
// clock, faults, journal, users and keys, reachable under its base URL
// /sandboxes/{id}/… (its /_mock/ controls too), or at the root URL with
// the header X-Mock-Sandbox: {id}. It goes on DELETE
// /_mock/sandboxes/{id}, or once unused for Limits.SandboxIdle (real
// time). At most Limits.Sandboxes live at once.

// SandboxHeader routes a request at the server's root URL to a sandbox.
const SandboxHeader = "X-Mock-Sandbox"

// SandboxInfo describes a sandbox (POST and GET /_mock/sandboxes).
type SandboxInfo struct {
	ID string `json:"id"`
	// BaseURL is the sandbox's base URL: the server's issuer (its URL)
	// and /sandboxes/{id}.
	BaseURL string `json:"base_url"`
	// IdleTimeoutSeconds is how long the sandbox lives unused.
	IdleTimeoutSeconds int64 `json:"idle_timeout_seconds"`
	// LastUsed is when it was last used, in real time.
	LastUsed time.Time `json:"last_used"`
}

type sandbox struct {
	srv  *Server
	info SandboxInfo
	used time.Time // real time of the last request
}

// sandboxSet is a server's sandboxes.
type sandboxSet struct {
	mu   sync.Mutex
	byID map[string]*sandbox
	now  func() time.Time // real time; tests replace it
}

// sweep removes the sandboxes idle for longer than idle; set.mu held. It
// returns them, to end their streams outside the lock.
func (set *sandboxSet) sweep(idle time.Duration) []*sandbox {
	now := set.now()
	var gone []*sandbox
	for id, sb := range set.byID {
		if now.Sub(sb.used) > idle {
			delete(set.byID, id)
			gone = append(gone, sb)
		}
	}
	return gone
}

// sandboxFor returns the sandbox a request is for: by the /sandboxes/{id}
// prefix (and the path within it) or the X-Mock-Sandbox header. ok is
// false when the request is for the server itself.
func (s *Server) sandboxFor(r *http.Request) (sb *sandbox, id, rest string, ok bool) {
	if s.sandboxed {
		return nil, "", "", false // sandboxes do not nest
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/sandboxes/"):
		id, rest, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/sandboxes/"), "/")
		rest = "/" + rest
	case r.Header.Get(SandboxHeader) != "":
		id, rest = r.Header.Get(SandboxHeader), r.URL.Path
	default:
		return nil, "", "", false
	}
	set := &s.sandboxes
	set.mu.Lock()
	gone := set.sweep(s.limits.SandboxIdle)
	sb = set.byID[id]
	if sb != nil {
		sb.used = set.now()
	}
	set.mu.Unlock()
	endAll(gone)
	return sb, id, rest, true
}

func endAll(sbs []*sandbox) {
	for _, sb := range sbs {
		sb.srv.endStreams()
	}
}

// serveSandbox passes r to its sandbox, with the path within it.
func (s *Server) serveSandbox(w http.ResponseWriter, r *http.Request, sb *sandbox, id, rest string) {
	if sb == nil {
		rid := r.Header.Get("X-Request-Id")
		if !validRequestID(rid) {
			rid = s.reqPfx + "sb"
		}
		w.Header().Set("X-Request-Id", rid)
		httpapi.WriteError(w, rid, core.NotFound("no sandbox %q: POST /_mock/sandboxes makes one (they go when deleted or unused for %v)", id, s.limits.SandboxIdle))
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = rest, ""
	if r.URL.RawPath != "" && strings.HasPrefix(r.URL.RawPath, "/sandboxes/") {
		_, raw, _ := strings.Cut(strings.TrimPrefix(r.URL.RawPath, "/sandboxes/"), "/")
		r2.URL.RawPath = "/" + raw
	}
	r2.RequestURI = r2.URL.RequestURI()
	r2.Header.Del(SandboxHeader)
	sb.srv.ServeHTTP(w, r2) // the server's middleware has seen the request already
}

func (s *Server) sandboxRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "POST", Pattern: "/_mock/sandboxes", Handle: s.createSandbox},
		{Method: "GET", Pattern: "/_mock/sandboxes", Handle: s.listSandboxes},
		{Method: "DELETE", Pattern: "/_mock/sandboxes/{id}", Handle: s.deleteSandbox},
	}
}

func (s *Server) createSandbox(rc *httpapi.Request) (int, any, *core.Error) {
	var req struct {
		Empty bool `json:"empty"`
	}
	if e := rc.DecodeOptional(&req); e != nil {
		return 0, nil, e
	}
	if s.sandboxed {
		return 0, nil, core.Invalid("sandboxes do not nest: make sandboxes at the server's root URL")
	}
	set := &s.sandboxes
	set.mu.Lock()
	gone := set.sweep(s.limits.SandboxIdle)
	n := len(set.byID)
	set.mu.Unlock()
	endAll(gone)
	if n >= s.limits.Sandboxes {
		return 0, nil, core.Conflict("%d sandboxes exist, the most there can be: DELETE /_mock/sandboxes/{id} one you are done with", n)
	}
	var b [6]byte
	rand.Read(b[:])
	id := "sb-" + hex.EncodeToString(b[:])
	base := s.auth.Issuer() + "/sandboxes/" + id
	opts := append(slices.Clip(s.opts), WithIssuer(base), func(sb *Server) { sb.sandboxed = true })
	if req.Empty {
		opts = append(opts, WithEmptyStart())
	}
	srv := New(opts...)
	if err := srv.SeedErr(); err != nil {
		return 0, nil, core.Errorf(http.StatusInternalServerError, "internal", "the sandbox's seed was refused: %v", err)
	}
	now := set.now()
	sb := &sandbox{srv: srv, used: now, info: SandboxInfo{ID: id, BaseURL: base,
		IdleTimeoutSeconds: int64(s.limits.SandboxIdle / time.Second)}}
	set.mu.Lock()
	if len(set.byID) >= s.limits.Sandboxes { // another create came first
		set.mu.Unlock()
		return 0, nil, core.Conflict("%d sandboxes exist, the most there can be: DELETE /_mock/sandboxes/{id} one you are done with", s.limits.Sandboxes)
	}
	if set.byID == nil {
		set.byID = map[string]*sandbox{}
	}
	set.byID[id] = sb
	set.mu.Unlock()
	info := sb.info
	info.LastUsed = now
	rc.Header = http.Header{"Location": {base}}
	return http.StatusCreated, info, nil
}

func (s *Server) listSandboxes(rc *httpapi.Request) (int, any, *core.Error) {
	set := &s.sandboxes
	set.mu.Lock()
	gone := set.sweep(s.limits.SandboxIdle)
	out := make([]SandboxInfo, 0, len(set.byID))
	for _, sb := range set.byID {
		info := sb.info
		info.LastUsed = sb.used
		out = append(out, info)
	}
	set.mu.Unlock()
	endAll(gone)
	slices.SortFunc(out, func(a, b SandboxInfo) int { return a.LastUsed.Compare(b.LastUsed) })
	return http.StatusOK, map[string]any{"sandboxes": out}, nil
}

func (s *Server) deleteSandbox(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	id := rc.Param("id")
	set := &s.sandboxes
	set.mu.Lock()
	sb := set.byID[id]
	delete(set.byID, id)
	set.mu.Unlock()
	if sb == nil {
		return 0, nil, core.NotFound("no sandbox %q: GET /_mock/sandboxes lists them", id)
	}
	sb.srv.endStreams()
	return http.StatusNoContent, nil, nil
}

// closeSandboxStreams ends the streams of every sandbox (the server's own
// are ending): for good when forGood.
func (s *Server) closeSandboxStreams(forGood bool) {
	set := &s.sandboxes
	set.mu.Lock()
	all := make([]*sandbox, 0, len(set.byID))
	for _, sb := range set.byID {
		all = append(all, sb)
	}
	set.mu.Unlock()
	for _, sb := range all {
		sb.srv.closeStreams(forGood)
	}
}

// String names the sandbox for messages.
func (sb *sandbox) String() string { return fmt.Sprintf("sandbox %s", sb.info.ID) }
