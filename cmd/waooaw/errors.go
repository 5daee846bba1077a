package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/platform"
)

// Exit codes, by kind of error (see exitCodesText).
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitAuth        = 3
	exitPermission  = 4
	exitNotFound    = 5
	exitConflict    = 6
	exitUnavailable = 7
)

const exitCodesText = `Exit codes of waooaw, by kind of error:

  0  success
  1  any other failure (a deployment or upgrade that failed, a template that
     fails its checks, an error of the platform that trying again will not fix)
  2  usage: unknown command or flag, missing or bad argument, a request the
     platform refused as invalid (400)
  3  not signed in: no session, an expired or revoked sign-in (401); run
     "waooaw login", or set $WAOOAW_TOKEN, or use --client-credentials
  4  permission denied: your role cannot do this (403); the message names the
     role needed and yours
  5  not found: no such agent, queue, message, workflow, … (404)
  6  conflict: the resource is not in a state that allows it, e.g. starting an
     online agent, or the name is taken (409, 422); the message says its state
  7  unavailable: the platform did not answer, or answered 429, 502, 503 or
     504 after the retries; try again later

Every error message ends with what to do about it.
`

func exitCodesTopic() *cobra.Command {
	// Not runnable: a help topic, shown by `waooaw help exit-codes`.
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "The exit codes of waooaw and what each means",
		Long:  exitCodesText,
	}
}

// cliError is an error with its exit code and what to do about it.
type cliError struct {
	code int
	msg  string
	hint string
	err  error
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

// usageErr is a usage error of cmd.
func usageErr(cmd *cobra.Command, format string, args ...any) error {
	return &cliError{code: exitUsage, msg: fmt.Sprintf(format, args...),
		hint: fmt.Sprintf("see `%s --help`", cmd.CommandPath())}
}

// annotations on commands, read by classify.
const (
	annRole = "role" // the role the command needs
	annList = "list" // the command that lists what the command's ids name
)

// classify turns err into a message, a hint and an exit code.
func (a *app) classify(ctx context.Context, cmd *cobra.Command, err error) *cliError {
	var ce *cliError
	if errors.As(err, &ce) && ce.err == nil {
		return ce
	}
	inner := err
	if ce != nil {
		inner = ce.err
	}
	var pe *platform.Error
	apiErr := errors.As(inner, &pe)
	msg := inner.Error()
	if apiErr {
		msg = pe.Message
		if msg == "" {
			msg = fmt.Sprintf("%d %s", pe.StatusCode, pe.Code)
		}
		for _, d := range pe.Details {
			if !strings.Contains(msg, d.Field+": "+d.Issue) {
				msg += fmt.Sprintf("\n  %s: %s", d.Field, d.Issue)
			}
		}
		if pe.RequestID != "" {
			msg += " [request " + pe.RequestID + "]"
		}
	}
	if ce != nil {
		msg = ce.msg + ": " + msg
	}
	out := &cliError{code: exitFailure, msg: msg, err: err}
	base, _ := a.baseURL()
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && (re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client"):
		out.code = exitAuth
		out.hint = "check $WAOOAW_CLIENT_ID and $WAOOAW_CLIENT_SECRET: the platform refused the service account"
	case errors.Is(err, auth.ErrReauthRequired), errors.Is(err, auth.ErrTokenExpired), errors.Is(err, platform.ErrUnauthenticated):
		out.code = exitAuth
		out.hint = "sign in again with `waooaw login` (or renew $WAOOAW_TOKEN)"
		if a.clientCreds {
			out.hint = "check $WAOOAW_CLIENT_ID and $WAOOAW_CLIENT_SECRET: the platform refused the service account"
		}
	case errors.Is(err, platform.ErrPermissionDenied):
		out.code = exitPermission
		need := cmd.Annotations[annRole]
		if need == "" {
			need = "a higher"
		}
		you := "your role is lower"
		if a.client != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if me, merr := auth.Me(cctx, a.client.Platform); merr == nil {
				you = fmt.Sprintf("you are %s (%s)", me.Role, me.Email)
			}
			cancel()
		}
		out.msg = fmt.Sprintf("needs the %s role; %s", need, you)
		out.hint = "ask an admin for the role, or sign in as someone who has it with `waooaw login`"
		if apiErr && pe.RequestID != "" {
			out.msg += " [request " + pe.RequestID + "]"
		}
	case errors.Is(err, platform.ErrNotFound):
		out.code = exitNotFound
		if l := cmd.Annotations[annList]; l != "" {
			out.hint = "see what there is with `" + l + "`"
		} else {
			out.hint = "check the id"
		}
	case errors.Is(err, platform.ErrConflict):
		out.code = exitConflict
		out.hint = "check its current state, then try what that state allows"
		if apiErr && pe.Code == "already_exists" {
			out.hint = "choose another name"
		}
	case errors.Is(err, platform.ErrInvalidArgument):
		out.code = exitUsage
		out.hint = fmt.Sprintf("fix the input; see `%s --help`", cmd.CommandPath())
	case errors.Is(err, platform.ErrUnavailable), errors.Is(err, platform.ErrRateLimited):
		out.code = exitUnavailable
		out.hint = "the platform at " + base + " did not answer; try again later, or check --api / $WAOOAW_API_URL"
	case errors.Is(err, context.Canceled):
		out.msg = "interrupted"
	case errors.Is(err, platform.ErrInternal):
		out.hint = "the platform failed; report it with the request id"
	}
	if ce != nil && ce.code != 0 && out.code == exitFailure {
		out.code, out.hint = ce.code, ce.hint
	}
	if out.hint == "" && out.msg != "interrupted" {
		out.hint = fmt.Sprintf("try again; if it keeps failing, see `%s --help` or report it with the request id", cmd.CommandPath())
	}
	return out
}
