package main

import (
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/queues"
)

func (a *app) queuesCmd() *cobra.Command {
	var status, search string
	cmd := &cobra.Command{
		Use:   "queues [QUEUE]",
		Short: "Queue health; with a queue's name, its counters",
		Long: `Without an argument, list the queues with their health (healthy, degraded,
critical), pending messages, throughput, lag, error rate and dead letters.
With a queue's name, show that queue with its message counters.`,
		Example:           "  waooaw queues\n  waooaw queues notifications",
		Annotations:       map[string]string{annList: "waooaw queues"},
		ValidArgsFunction: a.completeQueues,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr(cmd, "wants at most one QUEUE, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := enumFlag(cmd, "status", status, "healthy", "degraded", "critical"); err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				q, err := c.Queues.Get(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return a.printOne(q, q.QueueName, [][2]string{
					{"queue", q.QueueName}, {"status", a.paintIf(string(q.Status))},
					{"pending", strconv.Itoa(q.MessagesPending)}, {"throughput", fmt.Sprintf("%.1f/s", q.ThroughputPerSec)},
					{"consumer lag", strconv.Itoa(q.ConsumerLag)}, {"error rate", pct(q.ErrorRate)},
					{"dead letters", strconv.Itoa(q.DLQMessages)}, {"oldest pending", (time.Duration(q.OldestMessageAgeSec) * time.Second).String()},
					{"accepted", strconv.FormatInt(q.MessagesAccepted, 10)}, {"processed", strconv.FormatInt(q.MessagesProcessed, 10)},
					{"deleted", strconv.FormatInt(q.MessagesDeleted, 10)},
				})
			}
			var items []queues.Queue
			l := list{key: "queues", headers: []string{"QUEUE", "STATUS", "PENDING", "THROUGHPUT", "LAG", "ERRORS", "DLQ", "OLDEST"}}
			for q, err := range c.Queues.List(cmd.Context(), queues.ListOptions{Status: queues.Status(status), Q: search}) {
				if err != nil {
					return err
				}
				items = append(items, q)
				l.ids = append(l.ids, q.QueueName)
				l.rows = append(l.rows, []string{q.QueueName, string(q.Status), strconv.Itoa(q.MessagesPending),
					fmt.Sprintf("%.1f/s", q.ThroughputPerSec), strconv.Itoa(q.ConsumerLag), pct(q.ErrorRate),
					strconv.Itoa(q.DLQMessages), (time.Duration(q.OldestMessageAgeSec) * time.Second).String()})
			}
			l.items = nonNil(items)
			return a.printList(l)
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only queues in this `status` (healthy, degraded, critical)")
	cmd.Flags().StringVar(&search, "search", "", "only queues whose name contains `text`")
	cmd.RegisterFlagCompletionFunc("status", complete("healthy", "degraded", "critical"))
	return cmd
}

// filterFlags are the dead-letter filters of dlq list, retry-all and purge.
type filterFlags struct {
	contains  string
	olderThan time.Duration
}

func (f *filterFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.contains, "error-contains", "", "only messages whose error contains `text`")
	cmd.Flags().DurationVar(&f.olderThan, "older-than", 0, "only messages dead-lettered at least this `long` ago (e.g. 1h)")
}

func (f *filterFlags) filter(cmd *cobra.Command) (queues.Filter, error) {
	if f.olderThan < 0 {
		return queues.Filter{}, usageErr(cmd, "--older-than %s: want a positive duration", f.olderThan)
	}
	return queues.Filter{ErrorContains: f.contains, OlderThanSeconds: int64(f.olderThan / time.Second)}, nil
}

func (a *app) dlqCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "dlq", Short: "Dead-letter queues: list, retry, delete, retry-all, purge", Args: noArgs, RunE: showHelp}
	ann := func(role string) map[string]string {
		m := map[string]string{annList: "waooaw dlq list QUEUE"}
		if role != "" {
			m[annRole] = role
		}
		return m
	}
	var lf filterFlags
	ls := &cobra.Command{
		Use: "list QUEUE", Short: "List a queue's dead letters, oldest first", Args: exactArgs("QUEUE"),
		Annotations: map[string]string{annList: "waooaw queues"}, ValidArgsFunction: a.completeQueues,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := lf.filter(cmd)
			if err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			var items []queues.Message
			l := list{key: "messages", headers: []string{"MESSAGE", "RETRIES", "DEAD-LETTERED", "ERROR"}}
			for m, err := range c.Queues.DLQ(cmd.Context(), args[0], queues.DLQOptions{Filter: f}) {
				if err != nil {
					return err
				}
				items = append(items, m)
				l.ids = append(l.ids, m.MessageID)
				l.rows = append(l.rows, []string{m.MessageID, strconv.Itoa(m.RetryCount), a.when(m.Timestamp), m.Error})
			}
			l.items = nonNil(items)
			if len(items) == 0 && a.output != "json" && !a.quiet {
				a.say("no dead letters in %s", args[0])
				return nil
			}
			return a.printList(l)
		},
	}
	lf.add(ls)
	retry := &cobra.Command{
		Use: "retry QUEUE MESSAGE", Short: "Put a dead letter back on its queue", Args: exactArgs("QUEUE", "MESSAGE"),
		Annotations: ann("operator"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			m, err := c.Queues.Retry(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if a.output == "json" || a.quiet {
				return a.printOne(m, m.MessageID, nil)
			}
			a.say("Retried %s: back on %s (retry %d).", m.MessageID, m.QueueName, m.RetryCount)
			return nil
		},
	}
	del := &cobra.Command{
		Use: "delete QUEUE MESSAGE", Short: "Delete a dead letter for good", Args: exactArgs("QUEUE", "MESSAGE"),
		Annotations: ann("operator"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			if err := c.Queues.Delete(cmd.Context(), args[0], args[1]); err != nil {
				return err
			}
			if a.quiet {
				fmt.Fprintln(a.stdout, args[1])
			}
			if a.output == "json" {
				return a.printJSON(map[string]string{"deleted": args[1]})
			}
			a.say("Deleted %s from the dead letters of %s.", args[1], args[0])
			return nil
		},
	}
	var rf, pf filterFlags
	retryAll := &cobra.Command{
		Use: "retry-all QUEUE", Short: "Retry every dead letter of a queue that matches the filters", Args: exactArgs("QUEUE"),
		Annotations: map[string]string{annRole: "operator", annList: "waooaw queues"},
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := rf.filter(cmd)
			if err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			r, err := c.Queues.RetryAll(cmd.Context(), args[0], f)
			if err != nil {
				return err
			}
			if a.output == "json" {
				return a.printJSON(r)
			}
			a.say("Retried %d of %d matching dead letters of %s.", r.Retried, r.Matched, args[0])
			return nil
		},
	}
	rf.add(retryAll)
	var all bool
	purge := &cobra.Command{
		Use:   "purge QUEUE",
		Short: "Delete every dead letter of a queue that matches the filters",
		Long:  "Delete every dead letter of a queue that matches --error-contains and --older-than. With neither filter it deletes the whole DLQ, so it then asks for --all.",
		Args:  exactArgs("QUEUE"), Annotations: map[string]string{annRole: "operator", annList: "waooaw queues"},
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := pf.filter(cmd)
			if err != nil {
				return err
			}
			if f == (queues.Filter{}) && !all {
				return usageErr(cmd, "no filter: this would delete every dead letter of %s; add --all to mean it, or filter with --error-contains / --older-than", args[0])
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			r, err := c.Queues.Purge(cmd.Context(), args[0], f)
			if err != nil {
				return err
			}
			if a.output == "json" {
				return a.printJSON(r)
			}
			a.say("Deleted %d of %d matching dead letters of %s.", r.Deleted, r.Matched, args[0])
			return nil
		},
	}
	pf.add(purge)
	purge.Flags().BoolVar(&all, "all", false, "with no filter: delete the whole DLQ")
	for _, c := range []*cobra.Command{retry, del, retryAll, purge} {
		c.ValidArgsFunction = a.completeQueues
	}
	cmd.AddCommand(ls, retry, del, retryAll, purge)
	return cmd
}

// completeQueues completes queue names, when signed in.
func (a *app) completeQueues(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return completeFirst(a, cmd, args, func(c *waooaw.Client) iter.Seq2[queues.Queue, error] {
		return c.Queues.List(cmd.Context(), queues.ListOptions{})
	}, func(q queues.Queue) (string, string) { return q.QueueName, string(q.Status) })
}
