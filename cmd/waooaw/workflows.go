package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/workflows"
)

var workflowStatuses = []string{"pending", "running", "paused", "completed", "failed", "cancelled"}

func (a *app) workflowsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "workflows", Short: "Orchestration workflows: list, get, pause, resume, cancel, retry-task, gantt", Args: noArgs, RunE: showHelp}
	ann := func(role string) map[string]string {
		m := map[string]string{annList: "waooaw workflows list"}
		if role != "" {
			m[annRole] = role
		}
		return m
	}
	var status, customer string
	ls := &cobra.Command{
		Use: "list", Short: "List workflows (--status, --customer)", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := enumFlag(cmd, "status", status, workflowStatuses...); err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			var items []workflows.Workflow
			l := list{key: "workflows", headers: []string{"ID", "NAME", "CUSTOMER", "STATUS", "PROGRESS", "TASKS", "STARTED"}}
			for w, err := range c.Workflows.List(cmd.Context(), workflows.ListOptions{Status: workflows.Status(status), CustomerID: customer}) {
				if err != nil {
					return err
				}
				items = append(items, w)
				l.ids = append(l.ids, w.WorkflowID)
				l.rows = append(l.rows, []string{w.WorkflowID, w.WorkflowName, dash(w.CustomerName), string(w.Status),
					bar(w.Progress, 10) + " " + strconv.Itoa(w.Progress) + "%",
					fmt.Sprintf("%d/%d", w.CompletedTasks, w.TotalTasks), a.whenp(w.StartedAt, "not yet")})
			}
			l.items = nonNil(items)
			return a.printList(l)
		},
	}
	ls.Flags().StringVar(&status, "status", "", "only workflows in this `status` (pending, running, paused, completed, failed, cancelled)")
	ls.Flags().StringVar(&customer, "customer", "", "only workflows of this customer `id`")
	ls.RegisterFlagCompletionFunc("status", complete(workflowStatuses...))

	get := &cobra.Command{
		Use: "get WORKFLOW", Short: "Show a workflow and its tasks", Args: exactArgs("WORKFLOW"),
		Annotations: ann(""), ValidArgsFunction: a.completeWorkflows,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			w, err := c.Workflows.Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printWorkflow(w)
		},
	}
	act := func(name, short string, do func(*workflows.Client, context.Context, string) (*workflows.Workflow, error)) *cobra.Command {
		return &cobra.Command{
			Use: name + " WORKFLOW", Short: short, Args: exactArgs("WORKFLOW"),
			Annotations: ann("operator"), ValidArgsFunction: a.completeWorkflows,
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := a.sdk()
				if err != nil {
					return err
				}
				w, err := do(c.Workflows, cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if a.output == "json" || a.quiet {
					return a.printOne(w, w.WorkflowID, nil)
				}
				a.say("%s (%s) is %s, %d%% done.", w.WorkflowID, w.WorkflowName, a.paintIf(string(w.Status)), w.Progress)
				return nil
			},
		}
	}
	retry := &cobra.Command{
		Use: "retry-task WORKFLOW TASK", Short: "Run a failed task of a failed workflow again", Args: exactArgs("WORKFLOW", "TASK"),
		Annotations: ann("operator"), ValidArgsFunction: a.completeWorkflows,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			w, err := c.Workflows.RetryTask(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if a.output == "json" || a.quiet {
				return a.printOne(w, w.WorkflowID, nil)
			}
			a.say("Retrying %s of %s: the workflow is %s.", args[1], w.WorkflowID, a.paintIf(string(w.Status)))
			return nil
		},
	}
	var follow bool
	var width int
	gantt := &cobra.Command{
		Use:   "gantt WORKFLOW",
		Short: "Draw a workflow's tasks as a Gantt chart; --follow redraws it live",
		Long: `Draw a workflow's tasks in time, planned and actual, with the critical path
(*). With --follow the chart is redrawn as the workflow moves, until it ends
or you interrupt; on a terminal it redraws in place.`,
		Args: exactArgs("WORKFLOW"), Annotations: ann(""), ValidArgsFunction: a.completeWorkflows,
		RunE: func(cmd *cobra.Command, args []string) error {
			if width == 0 {
				width = 60
				if a.width > 0 {
					width = max(workflows.MinTextWidth, min(a.width-45, 100))
				}
			}
			if width < workflows.MinTextWidth || width > workflows.MaxTextWidth {
				return usageErr(cmd, "--width %d: want %d to %d columns", width, workflows.MinTextWidth, workflows.MaxTextWidth)
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			draw := func(w workflows.Workflow) (string, error) {
				tl, err := workflows.NewTimeline(w, w.AsOf())
				if err != nil {
					return "", err
				}
				var b bytes.Buffer
				fmt.Fprintf(&b, "%s  %s  %d%% (%d/%d tasks)\n", w.WorkflowID, w.Status, w.Progress, w.CompletedTasks, w.TotalTasks)
				if err := tl.WriteText(&b, width); err != nil {
					return "", err
				}
				return b.String(), nil
			}
			if !follow {
				w, err := c.Workflows.Get(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if a.output == "json" {
					return a.printJSON(w) // the API's shape; the chart is for people
				}
				s, err := draw(*w)
				if err != nil {
					return err
				}
				fmt.Fprint(a.stdout, s)
				return nil
			}
			last, frames := "", 0
			for w, err := range c.Workflows.Watch(cmd.Context(), args[0]) {
				if err != nil {
					return ignoreCancel(err)
				}
				if a.output == "json" { // one reading a line, for scripts
					b, err := json.Marshal(w)
					if err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "%s\n", b)
					continue
				}
				s, err := draw(w)
				if err != nil {
					return err
				}
				if s == last {
					continue
				}
				last = s
				if a.tty {
					fmt.Fprint(a.stdout, "\x1b[H\x1b[2J")
				} else if frames > 0 {
					fmt.Fprintln(a.stdout)
				}
				frames++
				fmt.Fprint(a.stdout, s)
			}
			return nil
		},
	}
	gantt.Flags().BoolVarP(&follow, "follow", "f", false, "redraw the chart as the workflow moves, until it ends (-o json: each reading, a line)")
	gantt.Flags().IntVar(&width, "width", 0, "columns of the bar area (default: fits the terminal, else 60)")
	cmd.AddCommand(ls, get,
		act("pause", "Pause a running workflow", (*workflows.Client).Pause),
		act("resume", "Resume a paused workflow", (*workflows.Client).Resume),
		act("cancel", "Cancel a workflow for good", (*workflows.Client).Cancel),
		retry, gantt)
	return cmd
}

func (a *app) printWorkflow(w *workflows.Workflow) error {
	if a.output == "json" || a.quiet {
		return a.printOne(w, w.WorkflowID, nil)
	}
	_ = a.printOne(w, w.WorkflowID, [][2]string{
		{"id", w.WorkflowID}, {"name", w.WorkflowName}, {"customer", fmt.Sprintf("%s (%s)", dash(w.CustomerName), dash(w.CustomerID))},
		{"status", a.paintIf(string(w.Status))}, {"progress", fmt.Sprintf("%s %d%% (%d of %d tasks, %d failed)", bar(w.Progress, 20), w.Progress, w.CompletedTasks, w.TotalTasks, w.FailedTasks)},
		{"created", a.when(w.CreatedAt)}, {"started", a.whenp(w.StartedAt, "not yet")}, {"ended", a.whenp(w.CompletedAt, "not yet")},
	})
	fmt.Fprintln(a.stdout)
	rows := make([][]string, 0, len(w.Tasks))
	for _, t := range w.Tasks {
		dur := "~" + ms(t.EstimatedDurationMS)
		if t.DurationMS != nil {
			dur = ms(*t.DurationMS)
		}
		deps := "-"
		if len(t.Dependencies) > 0 {
			deps = fmt.Sprint(t.Dependencies)
		}
		note := t.Error
		if t.RetryCount > 0 {
			note = fmt.Sprintf("retried %d; %s", t.RetryCount, note)
		}
		rows = append(rows, []string{t.TaskID, t.TaskName, string(t.Status), t.AgentID, deps, dur, dash(note)})
	}
	a.table([]string{"TASK", "NAME", "STATUS", "AGENT", "AFTER", "DURATION", "NOTE"}, rows)
	return nil
}

// completeWorkflows completes workflow ids, when signed in.
func (a *app) completeWorkflows(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return completeFirst(a, cmd, args, func(c *waooaw.Client) iter.Seq2[workflows.Workflow, error] {
		return c.Workflows.List(cmd.Context(), workflows.ListOptions{})
	}, func(w workflows.Workflow) (string, string) { return w.WorkflowID, w.WorkflowName })
}
