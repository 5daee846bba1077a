package console

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// logPageSize is how many lines the log page shows, newest first.
const logPageSize = 100

var logLevels = []platform.LogLevel{platform.LogDebug, platform.LogInfo, platform.LogWarn, platform.LogError}

// logWindows are the time windows the log can be read over, back from the
// platform's clock.
var logWindows = []struct {
	Key   string
	Label string
	D     time.Duration
}{
	{"15m", "last 15 minutes", 15 * time.Minute},
	{"1h", "last hour", time.Hour},
	{"6h", "last 6 hours", 6 * time.Hour},
	{"24h", "last 24 hours", 24 * time.Hour},
	{"7d", "last 7 days", 7 * 24 * time.Hour},
}

type logsPage struct {
	Level, Agent, Q, Window string
	Paused                  bool
	Levels                  []platform.LogLevel
	Windows                 any
	Agents                  []platform.Agent
	Lines                   []platform.LogEntry
	More                    bool
	Now                     time.Time
	Query                   template.URL // the filters, for the pause link (encoded here)
	Problem                 string
}

func (c *Console) logsPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	q := r.URL.Query()
	p := logsPage{Level: strings.ToUpper(strings.TrimSpace(q.Get("level"))), Agent: strings.TrimSpace(q.Get("agent")),
		Q: strings.TrimSpace(q.Get("q")), Window: q.Get("window"), Paused: q.Get("paused") == "1", Levels: logLevels, Windows: logWindows}
	status := http.StatusOK
	opts := platform.LogListOptions{AgentID: p.Agent, Q: p.Q, ListOptions: platform.ListOptions{PageSize: logPageSize}}
	if p.Level != "" {
		if !platform.LogLevel(p.Level).Valid() {
			p.Problem = "Level “" + p.Level + "” is not one the platform knows: choose DEBUG, INFO, WARN or ERROR."
			p.Level, status = "", http.StatusBadRequest
		}
		opts.Level = platform.LogLevel(p.Level)
	}
	m, err := cl.Platform.Metrics(ctx)
	if err != nil {
		c.platformError(w, r, s, "the platform's clock", err)
		return
	}
	p.Now = m.GeneratedAt
	if p.Window != "" {
		found := false
		for _, lw := range logWindows {
			if lw.Key == p.Window {
				opts.Since, found = p.Now.Add(-lw.D), true
			}
		}
		if !found {
			p.Problem = "Time window “" + p.Window + "” is not one of 15m, 1h, 6h, 24h or 7d."
			p.Window, status = "", http.StatusBadRequest
		}
	}
	if len(p.Q) > 256 {
		p.Problem, p.Q, opts.Q, status = "The text to match is over 256 characters.", "", "", http.StatusBadRequest
	}
	for a, err := range cl.Agents.List(ctx, platform.AgentListOptions{}) {
		if err != nil {
			c.platformError(w, r, s, "the agents", err)
			return
		}
		p.Agents = append(p.Agents, a)
	}
	page, err := cl.Logs.ListPage(ctx, opts)
	if err != nil {
		c.platformError(w, r, s, "the log", err)
		return
	}
	p.Lines, p.More = page.Items, page.NextPageToken != ""
	q.Del("paused")
	p.Query = template.URL(q.Encode())
	v := c.view(r, s, "logs", "Logs")
	if !p.Paused {
		v.Live, v.PollSeconds = "logs", 5
	}
	v.Page = p
	c.render(w, r, status, "logs", v)
}
