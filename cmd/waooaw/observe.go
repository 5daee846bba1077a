package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go/platform"
)

var logLevels = []string{"DEBUG", "INFO", "WARN", "ERROR"}

func (a *app) logsCmd() *cobra.Command {
	var opts platform.LogListOptions
	var level, since, until string
	var follow bool
	var limit int
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "The platform's log (filters; -f follows it live)",
		Long: `Print the platform's log, oldest of the last --limit lines first. Filters:
--level, --agent, --search, --since and --until (RFC 3339 times or durations
back from now, like 1h). With -f the command then follows the log live over
the event stream until interrupted.`,
		Example: "  waooaw logs --level ERROR --since 24h\n  waooaw logs -f --agent wow-memory",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level = strings.ToUpper(level)
			if err := enumFlag(cmd, "level", level, logLevels...); err != nil {
				return err
			}
			if limit < 1 || limit > 10000 {
				return usageErr(cmd, "--limit %d: want 1 to 10000", limit)
			}
			opts.Level = platform.LogLevel(level)
			var err error
			if opts.Since, err = a.parseTime(cmd, "since", since); err != nil {
				return err
			}
			if opts.Until, err = a.parseTime(cmd, "until", until); err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var stream *platform.EventStream
			if follow {
				// Subscribe before listing, so no line falls between the two.
				if stream, err = c.Platform.Events(ctx, platform.EventFilter{Topics: []platform.EventTopic{platform.TopicLogs}}); err != nil {
					return err
				}
				defer stream.Close()
				a.streamOpen()
			}
			var lines []platform.LogEntry
			for l, err := range c.Logs.List(ctx, opts) {
				if err != nil {
					return err
				}
				lines = append(lines, l)
				if len(lines) == limit {
					break
				}
			}
			slices.Reverse(lines)
			seen := make(map[string]bool)
			if !follow && a.output == "json" {
				slices.Reverse(lines) // the API's order, newest first
				return a.printJSON(map[string]any{"logs": nonNil(lines), "next_page_token": "", "total": len(lines)})
			}
			for _, l := range lines {
				seen[l.LogID] = true
				if err := a.printLog(l); err != nil {
					return err
				}
			}
			if !follow {
				return nil
			}
			for ev, err := range stream.All() {
				if err != nil {
					return ignoreCancel(err)
				}
				var l platform.LogEntry
				if ev.Topic != platform.TopicLogs || ev.Decode(&l) != nil || seen[l.LogID] || !matchLog(l, opts) {
					continue
				}
				if err := a.printLog(l); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&level, "level", "", "only lines of this `level` (DEBUG, INFO, WARN, ERROR)")
	f.StringVar(&opts.AgentID, "agent", "", "only lines of this agent `id`")
	f.StringVar(&opts.Q, "search", "", "only lines whose message contains `text`")
	f.StringVar(&since, "since", "", "only lines at or after `time` (RFC 3339, or a duration back from now: 1h)")
	f.StringVar(&until, "until", "", "only lines before `time` (RFC 3339, or a duration back from now)")
	f.BoolVarP(&follow, "follow", "f", false, "then follow the log live until interrupted")
	f.IntVar(&limit, "limit", 50, "how many of the latest lines to print first")
	cmd.RegisterFlagCompletionFunc("level", complete(logLevels...))
	return cmd
}

// matchLog applies the list's filters to a line from the stream.
func matchLog(l platform.LogEntry, o platform.LogListOptions) bool {
	return (o.Level == "" || l.Level == o.Level) && (o.AgentID == "" || l.AgentID == o.AgentID) &&
		(o.Q == "" || strings.Contains(strings.ToLower(l.Message), strings.ToLower(o.Q))) &&
		(o.Until.IsZero() || l.Timestamp.Before(o.Until))
}

func (a *app) printLog(l platform.LogEntry) error {
	if a.output == "json" {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	agent := l.AgentID
	if agent == "" {
		agent = "platform"
	}
	lvl := fmt.Sprintf("%-5s", l.Level)
	if a.colour() {
		lvl = strings.Replace(lvl, string(l.Level), a.paint(string(l.Level)), 1)
	}
	_, err := fmt.Fprintf(a.stdout, "%s  %s  %-16s  %s\n", l.Timestamp.UTC().Format(time.RFC3339), lvl, agent, l.Message)
	return err
}

// parseTime reads an RFC 3339 time or a duration back from now.
func (a *app) parseTime(cmd *cobra.Command, flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return a.now().Add(-d), nil
	}
	return time.Time{}, usageErr(cmd, "--%s %q: want an RFC 3339 time (2026-01-02T09:00:00Z) or a duration (90m)", flag, v)
}

func ignoreCancel(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, platform.ErrStreamClosed) {
		return nil
	}
	return err
}

var alertSeverities = []string{"critical", "warning", "info"}
var alertStatuses = []string{"active", "acknowledged", "resolved"}

func (a *app) alertsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "alerts", Short: "List, acknowledge and resolve alerts", Args: noArgs, RunE: showHelp}
	var sev, status string
	ls := &cobra.Command{
		Use: "list", Short: "List alerts, newest first (--severity, --status)", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := enumFlag(cmd, "severity", sev, alertSeverities...); err != nil {
				return err
			}
			if err := enumFlag(cmd, "status", status, alertStatuses...); err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			var items []platform.Alert
			l := list{key: "alerts", headers: []string{"ID", "SEVERITY", "STATUS", "AGENT", "TITLE", "CREATED"}}
			for al, err := range c.Alerts.List(cmd.Context(), platform.AlertListOptions{Severity: platform.AlertSeverity(sev), Status: platform.AlertStatus(status)}) {
				if err != nil {
					return err
				}
				items = append(items, al)
				l.ids = append(l.ids, al.AlertID)
				l.rows = append(l.rows, []string{al.AlertID, string(al.Severity), string(al.Status), dash(al.AgentID), al.Title, a.when(al.CreatedAt)})
			}
			l.items = nonNil(items)
			return a.printList(l)
		},
	}
	ls.Flags().StringVar(&sev, "severity", "", "only alerts of this `severity` (critical, warning, info)")
	ls.Flags().StringVar(&status, "status", "", "only alerts in this `status` (active, acknowledged, resolved)")
	ls.RegisterFlagCompletionFunc("severity", complete(alertSeverities...))
	ls.RegisterFlagCompletionFunc("status", complete(alertStatuses...))
	act := func(use, short, done string, do func(*platform.AlertService, context.Context, string) (*platform.Alert, error)) *cobra.Command {
		return &cobra.Command{
			Use: use + " ALERT", Short: short, Args: exactArgs("ALERT"),
			Annotations: map[string]string{annRole: "operator", annList: "waooaw alerts list"},
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := a.sdk()
				if err != nil {
					return err
				}
				al, err := do(c.Alerts, cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if a.output == "json" || a.quiet {
					return a.printOne(al, al.AlertID, nil)
				}
				a.say("%s %s: %s.", al.AlertID, done, al.Title)
				return nil
			},
		}
	}
	cmd.AddCommand(ls,
		act("ack", "Acknowledge an active alert: you are on it", "acknowledged", (*platform.AlertService).Acknowledge),
		act("resolve", "Resolve an alert", "resolved", (*platform.AlertService).Resolve))
	return cmd
}

var topics = []string{"agents", "alerts", "logs", "queues", "workflows", "deployments", "upgrades"}

func (a *app) eventsCmd() *cobra.Command {
	var topicFlags []string
	var limit int
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Follow the platform's live events",
		Long: `Print the platform's events as they happen (Server-Sent Events), one a
line, until interrupted or until --max events have been printed. -o json
prints each event as a JSON object on its own line: {id, type, time, data}.`,
		Example: "  waooaw events --topic agents --topic alerts\n  waooaw events -o json --max 10 | jq .type",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var f platform.EventFilter
			for _, t := range topicFlags {
				if err := enumFlag(cmd, "topic", t, topics...); err != nil {
					return err
				}
				f.Topics = append(f.Topics, platform.EventTopic(t))
			}
			if limit < 0 {
				return usageErr(cmd, "--max %d: want 0 (no limit) or more", limit)
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			stream, err := c.Platform.Events(cmd.Context(), f)
			if err != nil {
				return err
			}
			defer stream.Close()
			a.streamOpen()
			n := 0
			for ev, err := range stream.All() {
				if err != nil {
					return ignoreCancel(err)
				}
				if err := a.printEvent(ev); err != nil {
					return err
				}
				if n++; limit > 0 && n >= limit {
					return nil
				}
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&topicFlags, "topic", nil, "only events of this `topic`, repeatable ("+strings.Join(topics, ", ")+")")
	cmd.Flags().IntVar(&limit, "max", 0, "stop after `n` events (0: follow until interrupted)")
	cmd.RegisterFlagCompletionFunc("topic", complete(topics...))
	return cmd
}

func (a *app) printEvent(ev platform.Event) error {
	if a.output == "json" {
		var t *time.Time
		if !ev.Time.IsZero() {
			t = &ev.Time
		}
		b, err := json.Marshal(struct {
			ID   string          `json:"id"`
			Type string          `json:"type"`
			Time *time.Time      `json:"time"`
			Data json.RawMessage `json:"data,omitempty"`
		}{ev.ID, ev.Type, t, ev.Data})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	var d struct {
		AgentID, WorkflowID, AlertID, DeploymentID, UpgradeID, QueueName, Status, Message, Title string
	}
	var raw map[string]any
	_ = json.Unmarshal(ev.Data, &raw)
	get := func(k string) string {
		if v, ok := raw[k].(string); ok {
			return v
		}
		return ""
	}
	d.AgentID, d.WorkflowID, d.AlertID = get("agent_id"), get("workflow_id"), get("alert_id")
	d.DeploymentID, d.UpgradeID, d.QueueName = get("deployment_id"), get("upgrade_id"), get("queue_name")
	d.Status, d.Message, d.Title = get("status"), get("message"), get("title")
	var parts []string
	for _, s := range []string{d.DeploymentID, d.UpgradeID, d.WorkflowID, d.AlertID, d.AgentID, d.QueueName, d.Status, d.Title, d.Message} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	ts := "-"
	if !ev.Time.IsZero() {
		ts = ev.Time.UTC().Format(time.RFC3339)
	}
	_, err := fmt.Fprintf(a.stdout, "%s  %-26s  %s\n", ts, ev.Type, strings.Join(parts, "  "))
	return err
}
