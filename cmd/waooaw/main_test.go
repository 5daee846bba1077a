package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/mockserver"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// bin holds the binaries built once for the package's tests: waooaw and
// the plugins.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "waooaw-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), ".",
		"../../examples/template-plugin",
		"../../factory/plugin/internal/testplugins/faulty",
		"../../factory/plugin/internal/testplugins/futureproto")
	if b, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the binaries: %v\n%s", err, b)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a mock platform for one test whose clock moves a step each
// time a client reads one of the resources that progress (deployments,
// upgrades, a workflow, an agent), so commands that follow them end
// deterministically without sleeping.
func server(t testing.TB, step time.Duration) *mockserver.TestServer {
	t.Helper()
	ts, _ := steppingServer(t, step)
	return ts
}

// steppingServer is server with its step under the caller's control.
func steppingServer(t testing.TB, step time.Duration) (*mockserver.TestServer, *atomic.Int64) {
	t.Helper()
	var steps atomic.Int64
	steps.Store(int64(step))
	var ts atomic.Pointer[mockserver.TestServer]
	moving := regexp.MustCompile(`^/api/platform/(factory/deployments/[^/]+|upgrades/[^/]+|orchestration/workflows/[^/]+|agents/[^/]+)$`)
	s := mockserver.Start(t, mockserver.WithMiddleware(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if srv, step := ts.Load(), time.Duration(steps.Load()); srv != nil && step > 0 && r.Method == http.MethodGet && moving.MatchString(r.URL.Path) {
				srv.Advance(step)
			}
			h.ServeHTTP(w, r)
		})
	}))
	ts.Store(s)
	return s, &steps
}

// result is one run of the command.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the command in-process against ts, signed in as email with
// role ("" for no credentials), with env added to the environment.
type cli struct {
	t    *testing.T
	ts   *mockserver.TestServer
	env  map[string]string
	prep func(*app)
}

func newCLI(t *testing.T, ts *mockserver.TestServer, email, role string) *cli {
	t.Helper()
	env := map[string]string{
		"WAOOAW_API_URL":       ts.URL,
		"WAOOAW_CONFIG_DIR":    t.TempDir(),
		"WAOOAW_POLL_INTERVAL": "1ms",
	}
	if email != "" {
		tok, err := ts.Token(email, role, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		env["WAOOAW_TOKEN"] = tok
	}
	return &cli{t: t, ts: ts, env: env}
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return c.env[k] }, clock: c.ts}
	if c.prep != nil {
		c.prep(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := a.run(ctx, args)
	return result{out.String(), errb.String(), code}
}

// scrub replaces what changes from run to run: request and session ids,
// temporary paths.
func scrub(s string, c *cli) string {
	s = regexp.MustCompile(`\[request [^\]]+\]`).ReplaceAllString(s, "[request REQ]")
	s = regexp.MustCompile(`ses-[0-9a-f]+`).ReplaceAllString(s, "ses-SESSION")
	if d := c.env["WAOOAW_CONFIG_DIR"]; d != "" {
		s = strings.ReplaceAll(s, d, "$WAOOAW_CONFIG_DIR")
	}
	s = regexp.MustCompile(`session-http_127\.0\.0\.1_\d+`).ReplaceAllString(s, "session-API")
	return strings.ReplaceAll(s, c.ts.URL, "$WAOOAW_API_URL")
}

// transcript is what golden files hold: each command, its output, its
// errors and its exit code.
func transcript(c *cli, cmds ...[]string) string {
	c.t.Helper()
	var b strings.Builder
	for _, args := range cmds {
		r := c.run(args...)
		fmt.Fprintf(&b, "$ waooaw %s\n%s", shellJoin(args), r.stdout)
		if r.stderr != "" {
			fmt.Fprintf(&b, "[stderr]\n%s", r.stderr)
		}
		fmt.Fprintf(&b, "[exit %d]\n\n", r.code)
	}
	return scrub(b.String(), c)
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " '\"$*") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// golden compares got with testdata/golden/name.txt (rewritten by -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got), run go test -update if intended:\n%s", path, diff)
	}
}

func args(s string) []string {
	// Fields, keeping 'quoted words' together.
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] == '\'' {
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				out = append(out, s[1:])
				break
			}
			out = append(out, s[1:end+1])
			s = s[end+2:]
			continue
		}
		f, rest, _ := strings.Cut(s, " ")
		out = append(out, f)
		s = rest
	}
	return out
}

// goldenCase is a sequence of commands run on one mock server as one user.
type goldenCase struct {
	name  string
	email string // "" for no credentials
	role  string
	step  time.Duration // clock step per read of a moving resource
	cmds  []string
}

const (
	viewer   = mockserver.ViewerEmail
	operator = mockserver.OperatorEmail
	admin    = mockserver.AdminEmail
)

var goldenCases = []goldenCase{
	// Help, usage and exit codes.
	{name: "help", cmds: []string{"--help", "agents --help", "help exit-codes"}},
	{name: "usage_errors", email: viewer, cmds: []string{
		"bogus", "agents bogus", "agents get", "agents get a b", "agents list --status sleeping",
		"-o yaml metrics", "-q -o json metrics", "agents list --nope", "logs --since yesterday",
		"logs --limit 0", "workflows gantt wf-001 --width 3", "dlq purge webhooks",
		"factory validate --name x", "helpdesk action reboot agent-001", "events --topic weather",
		"servicing rollback wow-memory", "--api ftp://example.com metrics", "queues a b",
		"template init Bad_Name", "template check /nonexistent/plugin", "servicing config patch wow-memory",
		"factory create --template tmpl-memory --name ok-agent --cpu -1",
	}},
	{name: "not_signed_in", cmds: []string{"agents list", "whoami", "logout"}},
	{name: "session_env", email: operator, role: "operator", cmds: []string{"whoami", "-o json whoami", "-q whoami", "login", "logout"}},

	// Iteration 2: dashboard and agents.
	{name: "metrics", email: viewer, cmds: []string{"metrics", "-o json metrics"}},
	{name: "agents_list", email: viewer, cmds: []string{
		"agents list", "agents list --status online --tier Business", "agents list --search wow-m",
		"-q agents list --status error", "-o json agents list --tier Business --status offline",
		"agents list --search nothing-like-this"}},
	{name: "agents_get", email: viewer, cmds: []string{"agents get wow-memory", "-o json agents get agent-003", "agents get no-such-agent"}},
	{name: "agents_actions", email: operator, role: "operator", step: 10 * time.Second, cmds: []string{
		"agents restart wow-memory", "agents start wow-memory", "agents watch wow-memory --until online",
		"agents stop agent-001", "agents stop agent-001", "-o json agents start agent-001"}},
	{name: "agents_viewer_refused", email: viewer, cmds: []string{"agents restart wow-memory"}},

	// Iteration 3: queues and dead letters.
	{name: "queues", email: viewer, cmds: []string{"queues", "queues --status critical", "-q queues", "queues notifications", "-o json queues webhooks", "queues nope"}},
	{name: "dlq", email: operator, role: "operator", cmds: []string{
		"dlq list webhooks", "dlq list notifications --error-contains SMTP", "-q dlq list event-bus",
		"dlq retry webhooks dlq-webhooks-001", "dlq retry webhooks dlq-webhooks-001",
		"dlq delete webhooks dlq-webhooks-002", "dlq retry-all webhooks --error-contains timeout",
		"-o json dlq retry-all event-bus --older-than 1h", "dlq purge webhooks --error-contains 404",
		"dlq purge webhooks --all", "dlq list webhooks", "queues webhooks"}},
	{name: "dlq_json", email: viewer, cmds: []string{"-o json dlq list event-bus"}},

	// Iteration 4: workflows.
	{name: "workflows", email: operator, role: "operator", cmds: []string{
		"workflows list", "workflows list --status running", "-q workflows list --customer cust-001",
		"workflows get wf-001", "workflows pause wf-001", "workflows pause wf-001", "workflows resume wf-001",
		"workflows cancel wf-002", "workflows retry-task wf-003 task-101", "workflows get wf-003",
		"workflows cancel wf-004", "workflows get wf-999"}},
	{name: "workflows_json", email: viewer, cmds: []string{"-o json workflows get wf-003", "-o json workflows list --status failed"}},
	{name: "gantt", email: viewer, cmds: []string{"workflows gantt wf-001", "workflows gantt wf-003 --width 40", "workflows gantt wf-004 --width 30"}},
	{name: "gantt_follow", email: viewer, step: time.Minute, cmds: []string{"workflows gantt wf-001 --follow --width 40"}},

	// Iteration 5: the factory.
	{name: "factory_templates", email: viewer, cmds: []string{"factory templates", "factory templates tmpl-memory", "-q factory templates", "factory templates tmpl-nope"}},
	{name: "factory_validate", email: viewer, cmds: []string{
		"factory validate --template tmpl-memory --name test-agent",
		"factory validate --template tmpl-memory --name x --cpu 99 --set retention_days=-1",
		"-o json factory validate --template tmpl-memory --name test-agent --cpu 0.5",
		"factory estimate --template tmpl-memory --name test-agent",
		"factory estimate --template tmpl-memory --name test-agent --cpu 2 --memory 4 --plan enterprise",
		"-o json factory estimate --template tmpl-data --name data-agent",
		"factory validate --template tmpl-memory --name test-agent --config testdata/memory-config.json",
		"factory validate --template tmpl-memory --name test-agent --config testdata/memory-config.json --set memory_type=quantum"}},
	{name: "factory_create", email: admin, role: "admin", step: time.Minute, cmds: []string{
		"factory create --template tmpl-memory --name test-agent --cpu 2 --memory 4 --description 'Remembers things'",
		"agents get agent-101", "factory create --template tmpl-memory --name test-agent",
		"factory create --template tmpl-memory --name bad --cpu 64",
		"-o json factory create --template tmpl-api --name api-agent",
		"factory create --template tmpl-monitoring --name mon-agent --no-wait"}},
	{name: "factory_create_operator", email: operator, role: "operator", cmds: []string{"factory create --template tmpl-memory --name test-agent"}},

	// Iteration 6: servicing.
	{name: "servicing", email: admin, role: "admin", step: time.Minute, cmds: []string{
		"servicing versions wow-memory", "servicing upgrade wow-memory --strategy canary --reason 'faster cold start'",
		"servicing versions wow-memory", "servicing upgrade wow-memory --to 0.5.0 --strategy blue-green",
		"servicing rollback wow-memory --reason 'back to 0.4.2'",
		"servicing config get wow-memory", "servicing config patch wow-memory --set rate_limit=200 --set log_level=null --reason 'more traffic'",
		"servicing config patch wow-memory --set rate_limit=oops", "servicing config get wow-memory",
		"servicing config patch wow-memory --file testdata/patch.json", "servicing config patch wow-memory --file testdata/not-an-object.json",
		"servicing config patch wow-memory --file testdata/missing.json",
		"servicing history --agent wow-memory", "-q servicing versions wow-memory"}},
	{name: "servicing_json", email: admin, role: "admin", step: time.Minute, cmds: []string{
		"-o json servicing upgrade wow-cache --strategy rolling --no-wait", "-o json servicing config get wow-cache"}},
	{name: "servicing_viewer", email: viewer, cmds: []string{"servicing upgrade wow-memory", "servicing versions nope"}},

	// Iteration 7: the help desk.
	{name: "helpdesk", email: operator, role: "operator", cmds: []string{
		"helpdesk search acme", "helpdesk search", "helpdesk overview cust-001", "helpdesk diagnose cust-001",
		"helpdesk action restart-agent wow-search", "helpdesk action clear-cache agent-001",
		"helpdesk action retry-workflow wf-003 --task task-101", "helpdesk overview cust-999"}},
	{name: "helpdesk_json", email: operator, role: "operator", cmds: []string{"-o json helpdesk search acme", "-o json helpdesk action restart-agent agent-003"}},

	// Iteration 8: logs and alerts.
	{name: "logs", email: viewer, cmds: []string{"logs --limit 5", "logs --level ERROR --limit 3", "logs --agent wow-search --limit 3", "-o json logs --limit 2 --search restart"}},
	{name: "alerts", email: operator, role: "operator", cmds: []string{
		"alerts list", "alerts list --severity critical", "alerts ack alert-1", "alerts ack alert-1",
		"alerts resolve alert-1", "-o json alerts resolve alert-4", "alerts list --status resolved", "alerts ack alert-999"}},
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			t.Parallel()
			ts := server(t, gc.step)
			c := newCLI(t, ts, gc.email, gc.role)
			cmds := make([][]string, len(gc.cmds))
			for i, s := range gc.cmds {
				cmds[i] = args(s)
			}
			golden(t, gc.name, transcript(c, cmds...))
		})
	}
}

// FuzzArgs: whatever the arguments, the command answers with an exit code
// of the documented set and never panics.
func FuzzArgs(f *testing.F) {
	for _, gc := range goldenCases {
		for _, c := range gc.cmds {
			f.Add(c)
		}
	}
	f.Add("agents get ../../etc/passwd")
	f.Add("dlq retry webhooks %2e%2e")
	f.Add("factory create --template tmpl-memory --name x --set =1 --set a=")
	f.Add("-o json -q --api http://[::1 metrics")
	ts := server(f, time.Minute)
	f.Fuzz(func(t *testing.T, line string) {
		a := args(line)
		for _, w := range a {
			if w == "mock" || w == "template" || w == "login" || w == "events" || w == "--follow" || w == "-f" || w == "watch" || w == "logs" && strings.Contains(line, "-f") {
				t.Skip("runs until stopped, or outside this process")
			}
		}
		c := newCLI(t, ts, admin, "admin")
		r := c.run(a...)
		if r.code < 0 || r.code > exitUnavailable {
			t.Errorf("waooaw %q: exit %d", line, r.code)
		}
		if r.code != 0 && r.stderr == "" {
			t.Errorf("waooaw %q: exit %d with nothing said", line, r.code)
		}
	})
}
