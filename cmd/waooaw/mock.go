package main

import (
	"errors"
	"flag"
	"strings"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go/internal/mockcmd"
)

func (a *app) mockCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "mock [flags]",
		Short: "Run the mock platform on loopback (the flags of waooaw-mock; -h lists them)",
		Long: `Run the mock WAOOAW platform, the same server as the waooaw-mock command,
with the same flags (-addr, -clock, -seed, -fault, -plugin-dir, …; see
"waooaw mock -h"). Its first line is "waooaw-mock listening on URL"; point
the CLI at it with --api URL or $WAOOAW_API_URL. Stop it with Ctrl-C.`,
		Example:            "  waooaw mock -addr 127.0.0.1:8000 -clock frozen",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			err := mockcmd.Run(cmd.Context(), "waooaw mock", args, a.stdout, a.stderr)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			if err != nil && isFlagErr(err) {
				return &cliError{code: exitUsage, msg: err.Error(), hint: "see `waooaw mock -h`"}
			}
			if err != nil {
				return &cliError{code: exitFailure, msg: err.Error(), err: err, hint: "see `waooaw mock -h`"}
			}
			return nil
		},
	}
}

// isFlagErr tells the flag package's parse errors (and mockcmd's checks of
// flag values) from failures to run.
func isFlagErr(err error) bool {
	m := err.Error()
	for _, s := range []string{"flag provided but not defined", "invalid value", "flag needs an argument", "unexpected arguments", ": want "} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}
