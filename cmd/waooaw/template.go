package main

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go/platform"
)

//go:embed scaffold/*.tmpl
var scaffoldFS embed.FS

var templateName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,40}[a-z0-9])?$`)

// scaffold is what the scaffold's files are made from.
type scaffold struct {
	Name, ID, Binary, Title, Capability string
	Module, SDKVersion, Replace         string
}

// sdkCheckout is the root of the checkout of the SDK that holds dir (which
// need not exist yet), or "" when dir is not inside one.
func sdkCheckout(dir string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && modulePath(b) == sdkModule {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			return ""
		}
		d = up
	}
}

// sdkModule is the SDK's module path.
const sdkModule = "github.com/waooaw/waooaw-go"

// modulePath is the path in a go.mod file's module directive.
func modulePath(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		f := strings.Fields(strings.SplitN(line, "//", 2)[0])
		if len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], "\"`")
		}
	}
	return ""
}

func (a *app) templateCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "template", Short: "Template plugins: init scaffolds one, check runs the conformance suite", Args: noArgs, RunE: showHelp}
	var module, sdk, dir string
	var noTidy bool
	initCmd := &cobra.Command{
		Use:   "init NAME",
		Short: "Scaffold a template plugin module that builds and passes its tests",
		Long: `Scaffold a template plugin in the directory NAME (or --dir): go.mod, main.go
(plugin.Serve), template.go (description, config schema, validation, spec),
template_test.go (the conformance suite, in process and over gRPC) and a
README with the build line. NAME is 1-42 lower-case letters, digits and '-';
the template id is tmpl-NAME and the binary waooaw-template-NAME.

Then it runs "go mod tidy" there (unless --no-tidy), so "go test ./..." passes
as generated. --sdk DIR uses the SDK from a local checkout (a replace
directive), for SDK versions the module proxy does not have; inside a
checkout of the SDK, that checkout is the default.`,
		Example: "  waooaw template init weather && cd weather && go test ./...",
		Args:    exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if !templateName.MatchString(name) {
				return usageErr(cmd, "NAME %q: want 1-42 lower-case letters, digits and '-', starting with a letter and not ending with '-'", name)
			}
			if dir == "" {
				dir = name
			}
			if module == "" {
				module = "example.com/waooaw-template-" + name
			}
			s := scaffold{Name: name, ID: "tmpl-" + name, Binary: "waooaw-template-" + name,
				Title: title(name), Capability: strings.ReplaceAll(name, "-", "_"), Module: module, SDKVersion: platform.Version}
			if s.Replace = sdk; s.Replace == "" {
				s.Replace = a.getenv("WAOOAW_SDK_DIR")
			}
			if s.Replace == "" {
				// Scaffolding inside a checkout of the SDK (go run ./cmd/waooaw
				// from a clone): use that checkout, which the module proxy may
				// not have yet.
				if root := sdkCheckout(dir); root != "" {
					s.Replace = root
					a.say("using the SDK in the checkout at %s (--sdk DIR for another)", root)
				}
			}
			if s.Replace != "" {
				abs, err := filepath.Abs(s.Replace)
				if err != nil {
					return err
				}
				if _, err := os.Stat(filepath.Join(abs, "go.mod")); err != nil {
					return usageErr(cmd, "--sdk %s: no go.mod there; give the root of a waooaw-go checkout", s.Replace)
				}
				s.Replace = abs
			}
			if _, err := os.Stat(dir); err == nil {
				return &cliError{code: exitConflict, msg: dir + " already exists", hint: "pick another NAME or --dir, or remove it"}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			files, _ := fs.Glob(scaffoldFS, "scaffold/*.tmpl")
			for _, f := range files {
				t, err := template.ParseFS(scaffoldFS, f)
				if err != nil {
					return err
				}
				var b bytes.Buffer
				if err := t.Execute(&b, s); err != nil {
					return err
				}
				out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), ".tmpl"))
				if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
					return err
				}
				a.say("created %s", out)
			}
			if noTidy {
				a.say("Next: cd %s && go mod tidy && go test ./...", dir)
				return nil
			}
			goBin, err := exec.LookPath("go")
			if err != nil {
				a.say("Go is not on $PATH: install it, then cd %s && go mod tidy && go test ./...", dir)
				return nil
			}
			tidy := exec.CommandContext(cmd.Context(), goBin, "mod", "tidy")
			tidy.Dir = dir
			if out, err := tidy.CombinedOutput(); err != nil {
				hint := "check your network and module proxy, then run `go mod tidy` in " + dir
				if s.Replace == "" {
					hint = "if the module proxy does not have github.com/waooaw/waooaw-go v" + platform.Version +
						", scaffold again with --sdk pointing at a checkout of it; or run `go mod tidy` in " + dir + " later"
				}
				return &cliError{code: exitFailure, msg: fmt.Sprintf("go mod tidy in %s: %v\n%s", dir, err, strings.TrimSpace(string(out))), hint: hint}
			}
			a.say("ran go mod tidy\nNext: cd %s && go test ./... && go build -o plugins/%s . && waooaw template check plugins/%s", dir, s.Binary, s.Binary)
			return nil
		},
	}
	initCmd.Flags().StringVar(&module, "module", "", "the Go module `path` (default example.com/waooaw-template-NAME)")
	initCmd.Flags().StringVar(&sdk, "sdk", "", "use the SDK in this local `dir` (a replace directive; default $WAOOAW_SDK_DIR, else the checkout NAME is in, if any)")
	initCmd.Flags().StringVar(&dir, "dir", "", "where to scaffold (default NAME)")
	initCmd.Flags().BoolVar(&noTidy, "no-tidy", false, "do not run go mod tidy")

	check := &cobra.Command{
		Use:   "check BINARY",
		Short: "Start a plugin binary and run the conformance suite against it",
		Long: `Start the template plugin BINARY (any language: it only has to speak the
plugin protocol) under a plugin host, as the platform would, and run the
conformance suite against it, printing each check. Exit 0 when every check
passes, 1 naming the checks that fail (or why the plugin did not load).`,
		Example: "  waooaw template check plugins/waooaw-template-weather",
		Args:    exactArgs("BINARY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fi, err := os.Stat(args[0])
			if err != nil {
				return usageErr(cmd, "BINARY %s: %v", args[0], errors.Unwrap(err))
			}
			if fi.IsDir() || fi.Mode()&0o111 == 0 {
				return usageErr(cmd, "BINARY %s is not an executable file", args[0])
			}
			res, err := runConformance(cmd.Context(), args[0], a.stdout)
			if err != nil {
				return err
			}
			if res.loadErr != nil {
				fmt.Fprintf(a.stdout, "FAIL  load\n      %v\n", res.loadErr)
				return &cliError{code: exitFailure, msg: "the plugin did not load: " + firstLine(res.loadErr.Error()),
					hint: "check that it is a plugin built with plugin.Serve (try `" + args[0] + " describe`)"}
			}
			if len(res.failed) > 0 {
				return &cliError{code: exitFailure, msg: fmt.Sprintf("%s fails %d of %d checks: %s", res.id, len(res.failed), res.checks, strings.Join(res.failed, ", ")),
					hint: "fix what the failing checks say above; the author's test kit is package plugintest (plugintest.Conformance)"}
			}
			fmt.Fprintf(a.stdout, "ok  %s passes all %d checks\n", res.id, res.checks)
			return nil
		},
	}
	cmd.AddCommand(initCmd, check)
	return cmd
}

func title(name string) string {
	parts := strings.Split(name, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, " ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
