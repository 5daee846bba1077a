package servicing

import (
	"context"
	"errors"
	"fmt"

	"github.com/waooaw/waooaw-go/platform"
)

const (
	versionsPath = "/api/platform/agents/{}/versions"
	upgradePath  = "/api/platform/agents/{}/upgrade"
	rollbackPath = "/api/platform/agents/{}/rollback"
	configPath   = "/api/platform/agents/{}/config"
	upgradesPath = "/api/platform/upgrades/{}"
	historyPath  = "/api/platform/servicing/history"
	historyKey   = "history"
)

var errNoClient = errors.New("servicing: no platform client: build the client with servicing.New(pc) and a non-nil pc")

// Client is the servicing API. Build one with New; it is safe for
// concurrent use.
type Client struct {
	pc *platform.Client
}

// New returns a servicing client that sends its calls through pc (its base
// URL, token, retries, clock and poll interval). Without a pc every call
// returns an error.
func New(pc *platform.Client) *Client {
	return &Client{pc: pc}
}

func (c *Client) ok() error {
	if c == nil || c.pc == nil {
		return errNoClient
	}
	return nil
}

// Versions fetches the versions agent agentID can run: its current version,
// every version of its line (newest first, each with its status, changelog,
// breaking changes and whether it is recommended) and the changelog from the
// current version to the newest. An unknown agent gives an error matching
// platform.ErrNotFound.
func (c *Client) Versions(ctx context.Context, agentID string) (*Versions, error) {
	var v Versions
	if err := c.call(ctx, "GET", versionsPath, agentID, nil, &v); err != nil {
		return nil, fmt.Errorf("servicing: versions of %s: %w", agentID, err)
	}
	return &v, nil
}

// Upgrade starts moving agent agentID to req.TargetVersion with
// req.Strategy and returns the Operation that follows it (the platform
// answers at once; the upgrade moves through its phases on the platform's
// clock). Needs the admin role.
//
// When req.AutoRollback is nil the platform watches the new version with
// auto-rollback enabled and its default thresholds (an error rate above 5 %
// or a p95 latency above 1000 ms): a version that breaks them is rolled back
// and the agent keeps its version (Wait reports ErrRolledBack).
//
// The call carries an Idempotency-Key, made once and reused on every retry,
// so a retried Upgrade never starts two upgrades.
//
// A version the agent does not have, an unknown strategy or thresholds out
// of range give platform.ErrInvalidArgument with the field in the error's
// Details; an upgrade already in progress, an agent that is neither online
// nor offline, or a target that is the current version or older (use
// Rollback) give platform.ErrConflict.
func (c *Client) Upgrade(ctx context.Context, agentID string, req UpgradeRequest) (*Operation, error) {
	var u Upgrade
	if err := c.call(ctx, "POST", upgradePath, agentID, req, &u); err != nil {
		return nil, fmt.Errorf("servicing: upgrade %s to %s: %w", agentID, req.TargetVersion, err)
	}
	return c.newOperation(&u)
}

// Rollback starts moving agent agentID back to the version it ran before
// its current one (or to req.TargetVersion, one of the versions it ran
// before) and returns the Operation that follows it. A rollback is an
// upgrade of kind KindRollback with the blue-green strategy. Needs the admin
// role; req.Reason is required.
//
// An agent that has run no earlier version, or has an upgrade in progress,
// gives platform.ErrConflict; a target version the agent never ran also
// does.
func (c *Client) Rollback(ctx context.Context, agentID string, req RollbackRequest) (*Operation, error) {
	var u Upgrade
	if err := c.call(ctx, "POST", rollbackPath, agentID, req, &u); err != nil {
		return nil, fmt.Errorf("servicing: roll back %s: %w", agentID, err)
	}
	return c.newOperation(&u)
}

// GetUpgrade fetches upgrade id (an upgrade or a rollback) as of now. An
// unknown id gives an error matching platform.ErrNotFound.
func (c *Client) GetUpgrade(ctx context.Context, id string) (*Upgrade, error) {
	var u Upgrade
	if err := c.call(ctx, "GET", upgradesPath, id, nil, &u); err != nil {
		return nil, fmt.Errorf("servicing: upgrade %s: %w", id, err)
	}
	return &u, nil
}

// Operation reads upgrade id once and returns an Operation that follows it,
// e.g. to resume waiting for an upgrade another process started. An unknown
// id gives an error matching platform.ErrNotFound.
func (c *Client) Operation(ctx context.Context, id string) (*Operation, error) {
	u, err := c.GetUpgrade(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.newOperation(u)
}

// Config fetches agent agentID's config and its version. An unknown agent
// gives an error matching platform.ErrNotFound.
func (c *Client) Config(ctx context.Context, agentID string) (*Config, error) {
	var cfg Config
	if err := c.call(ctx, "GET", configPath, agentID, nil, &cfg); err != nil {
		return nil, fmt.Errorf("servicing: config of %s: %w", agentID, err)
	}
	return &cfg, nil
}

// PatchConfig changes agent agentID's config with patch, an RFC 7386 JSON
// merge patch: a map[string]any, a json.RawMessage, or any value that
// encodes to a JSON object. Keys in the patch are set, nested objects merge,
// and keys set to nil (JSON null) are deleted:
//
//	sc.PatchConfig(ctx, "agent-001", map[string]any{
//		"rate_limit": 200,  // set
//		"log_level":  nil,  // delete: back to the platform's default
//	}, "more traffic from the spring campaign")
//
// The platform validates the merged config against the agent's template
// (or the generic agent config schema) and applies it at once, reloading
// the agent with no downtime; the answer carries the new config version.
// Needs the admin role. A config that does not pass gives
// platform.ErrInvalidArgument with every problem in the error's Details
// ("config.rate_limit"), and nothing changes. reason is kept with the
// change; it may be empty.
func (c *Client) PatchConfig(ctx context.Context, agentID string, patch any, reason string) (*ConfigUpdate, error) {
	raw, err := objectJSON(patch)
	if err != nil {
		return nil, fmt.Errorf("servicing: patch config of %s: %w", agentID, err)
	}
	var u ConfigUpdate
	body := configPatch{Config: raw, Reason: reason}
	if err := c.call(ctx, "PATCH", configPath, agentID, body, &u); err != nil {
		return nil, fmt.Errorf("servicing: patch config of %s: %w", agentID, err)
	}
	return &u, nil
}

// call sends one request to pattern with its one id.
func (c *Client) call(ctx context.Context, method, pattern, id string, in, out any) error {
	if err := c.ok(); err != nil {
		return err
	}
	p, err := platform.Path(pattern, id)
	if err != nil {
		return err
	}
	return c.pc.Do(ctx, method, p, nil, in, out)
}
