package logs

import (
	"net/http"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/platform"
)

// Routes are the logs routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the logs routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/logs", Role: core.RoleViewer, Handle: h.listLogs},
	}
}

// parseTime reads an RFC 3339 query time; "" is the zero time.
func parseTime(field, v string) (time.Time, *core.Error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, core.InvalidField(field, "must be an RFC 3339 time, e.g. 2026-01-02T09:00:00Z")
	}
	return t.UTC(), nil
}

func (h *handlers) listLogs(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	f := core.LogFilter{Level: platform.LogLevel(q.Get("level")), Agent: q.Get("agent"), Text: strings.ToLower(q.Get("q"))}
	if f.Level != "" && !f.Level.Valid() {
		return 0, nil, core.InvalidField("level", "must be one of DEBUG, INFO, WARN, ERROR")
	}
	var e *core.Error
	if f.Since, e = parseTime("since", q.Get("since")); e != nil {
		return 0, nil, e
	}
	if f.Until, e = parseTime("until", q.Get("until")); e != nil {
		return 0, nil, e
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Since.After(f.Until) {
		return 0, nil, core.InvalidField("since", "must not be after until")
	}
	lines := h.World().Logs.List(f)
	p, e := core.PaginateKeyed(q, "logs", lines, func(l platform.LogEntry) string { return l.LogID }, string(f.Level), f.Agent, f.Text, q.Get("since"), q.Get("until"))
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("logs", p), nil
}
