package servicing

import (
	"errors"
	"fmt"

	"github.com/waooaw/waooaw-go/platform"
)

// ErrRolledBack is matched (errors.Is) by the error of Wait when the
// upgrade broke its auto-rollback thresholds and was rolled back: the agent
// kept its version. The Upgrade Wait returns says why (RollbackReason).
var ErrRolledBack = errors.New("servicing: the upgrade was rolled back")

// ErrFailed is matched (errors.Is) by the error of Wait when the upgrade
// failed.
var ErrFailed = errors.New("servicing: the upgrade failed")

// Operation follows one upgrade or rollback: see platform.Operation
// (Refresh, Watch, Wait, Done, Progress, Last). Wait's error matches
// ErrRolledBack when the upgrade was rolled back (the agent kept
// FromVersion; RollbackReason says why) and ErrFailed when it failed.
type Operation = platform.Operation[Upgrade]

func (c *Client) newOperation(u *Upgrade) (*Operation, error) {
	if u.UpgradeID == "" {
		return nil, fmt.Errorf("servicing: the platform answered no upgrade_id for agent %s", u.AgentID)
	}
	return platform.NewOperation(c.pc, "servicing: upgrade", u.UpgradeID, *u, c.GetUpgrade, judgeUpgrade), nil
}

// judgeUpgrade: done when completed, failed or rolled back; the last two
// are Wait's error.
func judgeUpgrade(u Upgrade) platform.OperationState {
	st := platform.OperationState{Done: u.Status.Terminal(), Progress: u.Progress}
	switch u.Status {
	case UpgradeRolledBack:
		why := u.RollbackReason
		if why == "" {
			why = "no reason given"
		}
		st.Err = fmt.Errorf("servicing: upgrade %s of agent %s to %s: %s: %w", u.UpgradeID, u.AgentID, u.ToVersion, why, ErrRolledBack)
	case UpgradeFailed:
		st.Err = fmt.Errorf("servicing: upgrade %s of agent %s to %s: %w", u.UpgradeID, u.AgentID, u.ToVersion, ErrFailed)
	}
	return st
}
