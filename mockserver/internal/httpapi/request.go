package httpapi

import (
	"net/http"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// Request is one request on its way through the server: what a handler
// reads, and what it adds to the answer.
type Request struct {
	R      *http.Request
	Params map[string]string // the route's path parameters
	ID     string            // the request id (X-Request-Id)
	// Who is the caller, when the route checks a token (nil on public
	// routes).
	Who  *Caller
	Body []byte
	// Header holds headers the handler adds to its answer.
	Header http.Header
	// Now is the server's clock when the request's transaction began: one
	// time for the whole request.
	Now time.Time
	// JournalBody, when set, is the body the journal keeps instead of the
	// one sent (sensitive values masked).
	JournalBody []byte
}

// Caller is who sent a request, as its verified token says.
type Caller struct {
	Sub, Email, Name string
	Role             core.Role
	Expires          time.Time
	Session          string // the token's session id (sid)
}

// Param is the path parameter name.
func (rc *Request) Param(name string) string { return rc.Params[name] }

// Decode decodes the required JSON body into v (strict).
func (rc *Request) Decode(v any) *core.Error {
	if len(rc.Body) == 0 {
		return core.Invalid("a JSON body is required")
	}
	return DecodeStrict(rc.Body, v)
}

// DecodeOptional decodes the body into v when there is one.
func (rc *Request) DecodeOptional(v any) *core.Error {
	if len(rc.Body) == 0 {
		return nil
	}
	return DecodeStrict(rc.Body, v)
}

// Actor is the caller as the World's transitions name them in the log,
// through via, the help-desk quick action the request is ("" for none).
func (r *Request) Actor(via string) core.Actor {
	a := core.Actor{Via: via}
	if r.Who != nil {
		a.Email = r.Who.Email
	}
	return a
}
