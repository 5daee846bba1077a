package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/authority"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// controlRoutes are the test controls under /_mock/ (api/mock.yaml) and
// /healthz. They need no token.
func (s *Server) controlRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/healthz", Handle: s.healthz},
		{Method: "POST", Pattern: "/_mock/reset", Handle: s.resetControl, Exclusive: true},
		{Method: "POST", Pattern: "/_mock/tokens", Handle: s.tokenControl},
		{Method: "GET", Pattern: "/_mock/clock", Handle: s.clockControl},
		{Method: "POST", Pattern: "/_mock/clock/advance", Handle: s.advanceControl, Exclusive: true},
		{Method: "POST", Pattern: "/_mock/faults", Handle: s.addFaultControl},
		{Method: "GET", Pattern: "/_mock/faults", Handle: s.listFaultsControl},
		{Method: "DELETE", Pattern: "/_mock/faults", Handle: s.clearFaultsControl},
		{Method: "DELETE", Pattern: "/_mock/faults/{id}", Handle: s.removeFaultControl},
		{Method: "GET", Pattern: "/_mock/journal", Handle: s.journalControl},
	}
}

func (s *Server) addFaultControl(rc *httpapi.Request) (int, any, *core.Error) {
	var f Fault
	if e := rc.Decode(&f); e != nil {
		return 0, nil, e
	}
	id, e := s.faults.add(f)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusCreated, map[string]string{"id": id}, nil
}

func (s *Server) listFaultsControl(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, map[string]any{"faults": s.faults.infos()}, nil
}

func (s *Server) removeFaultControl(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	if !s.faults.remove(rc.Param("id")) {
		return 0, nil, core.NotFound("no fault %q: GET /_mock/faults lists them", rc.Param("id"))
	}
	return http.StatusNoContent, nil, nil
}

func (s *Server) clearFaultsControl(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	s.faults.clear()
	return http.StatusNoContent, nil, nil
}

func (s *Server) journalControl(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	f := JournalFilter{Method: q.Get("method"), Path: q.Get("path"), Code: q.Get("code"),
		Caller: q.Get("caller"), Fault: q.Get("fault")}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 599 {
			return 0, nil, core.InvalidField("status", "must be a status from 0 to 599")
		}
		f.Status = n
	}
	if v := q.Get("body"); v != "" {
		if !json.Valid([]byte(v)) {
			return 0, nil, core.InvalidField("body", `must be JSON the request bodies contain, e.g. {"template_id":"tmpl-memory"}`)
		}
		f.Body = json.RawMessage(v)
	}
	m, err := f.matcher()
	if err != nil {
		return 0, nil, core.InvalidField("body", err.Error())
	}
	entries := s.journal.entries(m)
	if entries == nil {
		entries = []JournalEntry{}
	}
	return http.StatusOK, map[string]any{"requests": entries, "count": len(entries)}, nil
}

func (s *Server) healthz(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, map[string]string{"status": "ok"}, nil
}

func (s *Server) resetControl(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	s.reset()
	return http.StatusNoContent, nil, nil
}

// TokenRequest asks POST /_mock/tokens for an access token.
type TokenRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// ExpiresIn is the token's life in seconds (default 900, at most a year).
	ExpiresIn int `json:"expires_in,omitempty"`
	// Audience replaces the aud claim, to test refusals of other audiences.
	Audience string `json:"audience,omitempty"`
}

// TokenResponse is the answer of POST /_mock/tokens.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

func (s *Server) tokenControl(rc *httpapi.Request) (int, any, *core.Error) {
	var req TokenRequest
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if !core.ValidEmail(req.Email) {
		return 0, nil, core.InvalidField("email", "must be an email address")
	}
	if _, ok := core.ParseRole(req.Role); !ok {
		return 0, nil, core.InvalidField("role", "must be viewer, operator or admin")
	}
	if req.ExpiresIn < 0 || req.ExpiresIn > 31536000 {
		return 0, nil, core.InvalidField("expires_in", "must be from 1 to 31536000 seconds")
	}
	ttl := authority.AccessTokenTTL
	if req.ExpiresIn > 0 {
		ttl = time.Duration(req.ExpiresIn) * time.Second
	}
	aud := authority.Audience
	if req.Audience != "" {
		aud = req.Audience
	}
	u := s.auth.User(req.Email)
	tok, _, err := s.auth.Mint(u, req.Role, ttl, aud)
	if err != nil {
		return 0, nil, core.Errorf(500, "internal", "minting a token: %v", err)
	}
	return http.StatusOK, TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(ttl / time.Second)}, nil
}

// ClockResponse is the answer of the clock controls.
type ClockResponse struct {
	Now time.Time `json:"now"`
}

func (s *Server) clockControl(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, ClockResponse{Now: s.clock.Now()}, nil
}

func (s *Server) advanceControl(rc *httpapi.Request) (int, any, *core.Error) {
	var req struct {
		Seconds *int64 `json:"seconds"`
	}
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if req.Seconds == nil || *req.Seconds < 1 || *req.Seconds > 31536000 {
		return 0, nil, core.InvalidField("seconds", "must be from 1 to 31536000")
	}
	d := time.Duration(*req.Seconds) * time.Second
	if !s.clock.Now().Add(d).Before(core.MaxTime) {
		return 0, nil, core.InvalidField("seconds", "would move the clock past the year 9999")
	}
	return http.StatusOK, ClockResponse{Now: s.advance(d)}, nil
}
