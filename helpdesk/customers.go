package helpdesk

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// CustomerStatus is a customer account's state. Values this package does
// not know decode without error; Valid reports false for them.
type CustomerStatus string

// Customer statuses.
const (
	CustomerActive    CustomerStatus = "active"
	CustomerSuspended CustomerStatus = "suspended"
)

// Valid reports whether s is one of the customer statuses this package
// knows.
func (s CustomerStatus) Valid() bool { return s == CustomerActive || s == CustomerSuspended }

// Customer is a customer of the platform: the company its Business agents
// and workflows work for.
type Customer struct {
	CustomerID  string `json:"customer_id"`
	CompanyName string `json:"company_name"`
	// Email is the customer's contact address; empty when unknown.
	Email string `json:"email,omitempty"`
	// AgentsCount counts the customer's Business agents (those whose
	// customer_id is this customer's).
	AgentsCount int            `json:"agents_count"`
	Status      CustomerStatus `json:"status"`
	CreatedAt   time.Time      `json:"created_at"`
}

// SearchOptions filter and page a customer search.
type SearchOptions struct {
	// Q matches company names, contact emails and customer ids,
	// case-insensitively, anywhere in the text ("acme" finds "Acme Corp").
	// Empty matches every customer.
	Q string
	platform.ListOptions
}

func (o SearchOptions) query() url.Values {
	q := url.Values{}
	if o.Q != "" {
		q.Set("q", o.Q)
	}
	return q
}

// SearchCustomersPage fetches one page of the customers matching opts, for
// callers who keep the page token themselves (pass Page.NextPageToken as
// opts.PageToken, with the same Q, for the next page).
func (c *Client) SearchCustomersPage(ctx context.Context, opts SearchOptions) (platform.Page[Customer], error) {
	p, err := page[Customer](ctx, c, searchPath, "customers", opts.query(), opts.ListOptions)
	if err != nil {
		return p, fmt.Errorf("helpdesk: search customers %q: %w", opts.Q, err)
	}
	return p, nil
}

// SearchCustomers iterates over the customers matching opts, in the
// platform's order, fetching pages as needed (from opts.PageToken's page,
// the first when empty). An error is yielded once and ends the iteration.
func (c *Client) SearchCustomers(ctx context.Context, opts SearchOptions) iter.Seq2[Customer, error] {
	return all(ctx, opts.PageToken, func(ctx context.Context, token string) (platform.Page[Customer], error) {
		o := opts
		o.PageToken = token
		return c.SearchCustomersPage(ctx, o)
	})
}

// WorkflowStatus is a workflow's state, as package workflows' Status
// (convert with workflows.Status(s)). Values this package does not know
// decode without error; Valid reports false for them.
type WorkflowStatus string

// Workflow statuses.
const (
	WorkflowPending   WorkflowStatus = "pending"
	WorkflowRunning   WorkflowStatus = "running"
	WorkflowPaused    WorkflowStatus = "paused"
	WorkflowCompleted WorkflowStatus = "completed"
	WorkflowFailed    WorkflowStatus = "failed"
	WorkflowCancelled WorkflowStatus = "cancelled"
)

// Valid reports whether s is one of the workflow statuses this package
// knows.
func (s WorkflowStatus) Valid() bool {
	switch s {
	case WorkflowPending, WorkflowRunning, WorkflowPaused, WorkflowCompleted, WorkflowFailed, WorkflowCancelled:
		return true
	}
	return false
}

// WorkflowSummary is a workflow at a glance. Its tasks are in package
// workflows: workflows.New(pc).Get(ctx, s.WorkflowID).
type WorkflowSummary struct {
	WorkflowID   string         `json:"workflow_id"`
	WorkflowName string         `json:"workflow_name"`
	Status       WorkflowStatus `json:"status"`
	// Progress is the share of its tasks completed, 0-100.
	Progress int `json:"progress"`
}

// Overview is a customer at a glance, as of the platform's clock.
type Overview struct {
	Customer Customer `json:"customer"`
	// Agents are the customer's Business agents.
	Agents []platform.Agent `json:"agents"`
	// RecentIssues are the customer's latest incidents (at most 10), newest
	// first, resolved ones included.
	RecentIssues []Incident `json:"recent_issues"`
	// Workflows are the customer's workflows in the platform's order.
	Workflows []WorkflowSummary `json:"workflows"`
}

// Overview fetches customer customerID at a glance: the account, its
// agents, its recent incidents and its workflows. An unknown customer
// gives an error matching platform.ErrNotFound.
func (c *Client) Overview(ctx context.Context, customerID string) (*Overview, error) {
	var o Overview
	if err := c.call(ctx, "GET", overviewPath, nil, &o, customerID); err != nil {
		return nil, fmt.Errorf("helpdesk: overview of %s: %w", customerID, err)
	}
	return &o, nil
}
