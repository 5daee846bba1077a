package platform

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// LogLevel is a log line's level.
type LogLevel string

// Log levels. Unknown values from newer servers decode as they are.
const (
	LogDebug LogLevel = "DEBUG"
	LogInfo  LogLevel = "INFO"
	LogWarn  LogLevel = "WARN"
	LogError LogLevel = "ERROR"
)

// Valid reports whether l is one of the levels above (the ones a filter
// accepts).
func (l LogLevel) Valid() bool {
	switch l {
	case LogDebug, LogInfo, LogWarn, LogError:
		return true
	}
	return false
}

// LogEntry is one line of the platform's log.
type LogEntry struct {
	LogID     string    `json:"log_id"`
	Timestamp time.Time `json:"timestamp"`
	Level     LogLevel  `json:"level"`
	// AgentID is the agent that logged the line; "" for the platform itself.
	AgentID string `json:"agent_id,omitempty"`
	Message string `json:"message"`
	// Metadata holds the line's structured fields (request ids, durations,
	// who did what); never nil in a decoded answer of the platform.
	Metadata map[string]any `json:"metadata"`
}

// LogListOptions filter and page the log, newest line first. Empty filters
// match all.
type LogListOptions struct {
	Level LogLevel
	// AgentID keeps the lines of one agent.
	AgentID string
	// Q matches text inside the message, case-insensitively.
	Q string
	// Since and Until keep lines logged at or after Since and before Until;
	// zero values leave that end open.
	Since, Until time.Time
	ListOptions
}

func (o LogListOptions) query() url.Values {
	q := url.Values{}
	if o.Level != "" {
		q.Set("level", string(o.Level))
	}
	if o.AgentID != "" {
		q.Set("agent", o.AgentID)
	}
	if o.Q != "" {
		q.Set("q", o.Q)
	}
	if !o.Since.IsZero() {
		q.Set("since", o.Since.UTC().Format(time.RFC3339Nano))
	}
	if !o.Until.IsZero() {
		q.Set("until", o.Until.UTC().Format(time.RFC3339Nano))
	}
	return q
}

// LogService reads the platform's log. Get it from Client.Logs.
type LogService struct{ c *Client }

// ListPage fetches one page of log lines, newest first.
func (s *LogService) ListPage(ctx context.Context, opts LogListOptions) (Page[LogEntry], error) {
	return GetPage[LogEntry](ctx, s.c, "/api/platform/logs", "logs", opts.query(), opts.ListOptions)
}

// List iterates over every log line matching opts, newest first, fetching
// pages as needed, from opts.PageToken's page (the first when empty).
// Lines logged while you iterate may shift the pages: to follow the log as
// it grows, watch the "logs" topic with Events instead.
func (s *LogService) List(ctx context.Context, opts LogListOptions) iter.Seq2[LogEntry, error] {
	return All(ctx, func(ctx context.Context, token string) (Page[LogEntry], error) {
		o := opts
		if token != "" {
			o.PageToken = token
		}
		return s.ListPage(ctx, o)
	})
}
