#!/usr/bin/env bash
# from-the-terminal.sh prints README.md's "From the terminal" section: the
# seed's testing checklists of iterations 2-8 (docs: the portal plan), each
# line a waooaw command and its real output, run against `waooaw mock` on
# loopback (real clock; the script moves it forward where the platform would
# take minutes).
#
#   go build -o /tmp/waooaw ./cmd/waooaw
#   WAOOAW=/tmp/waooaw cmd/waooaw/testdata/from-the-terminal.sh > /tmp/section.md
set -u
W=${WAOOAW:-waooaw}
PORT=${PORT:-18123}
export WAOOAW_API_URL=http://127.0.0.1:$PORT
export WAOOAW_CONFIG_DIR=$(mktemp -d)
unset WAOOAW_TOKEN WAOOAW_CLIENT_ID WAOOAW_CLIENT_SECRET NO_COLOR
"$W" mock -addr 127.0.0.1:$PORT > "$WAOOAW_CONFIG_DIR/mock.log" 2>&1 &
MOCK=$!
trap 'kill $MOCK; rm -rf "$WAOOAW_CONFIG_DIR"' EXIT
until grep -q listening "$WAOOAW_CONFIG_DIR/mock.log" 2>/dev/null; do sleep 0.1; done

# show prints a command as typed and runs it, with its exit code when not 0.
show() {
	printf '$ waooaw'
	local a
	for a in "$@"; do
		case $a in *" "*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	printf '\n'
	"$W" "$@" 2>&1
	local rc=$?
	[ $rc -ne 0 ] && printf '[exit %d]\n' $rc
	return 0
}
advance() { curl -s -X POST "$WAOOAW_API_URL/_mock/clock/advance" -H 'Content-Type: application/json' -d "{\"seconds\":$1}" > /dev/null; }
# advancing SECONDS moves the clock SECONDS forward every second, in the
# background, while a command follows the platform; stopped moves no more.
advancing() {
	(while sleep 1; do advance "$1"; done) &
	ADV=$!
}
stopped() { kill $ADV; wait $ADV 2>/dev/null; }
# signin signs in as admin, quietly (the browser's part played by curl).
signin() {
	"$W" login --no-browser --as admin@waooaw.ai > "$WAOOAW_CONFIG_DIR/login.out" 2>&1 &
	local pid=$!
	until grep -q auth/google "$WAOOAW_CONFIG_DIR/login.out" 2>/dev/null; do sleep 0.1; done
	curl -sL -o /dev/null "$(grep -o 'http[^ ]*auth/google[^ ]*' "$WAOOAW_CONFIG_DIR/login.out")"
	wait $pid
}
# fresh puts the mock back to its seed data and clock (each checklist
# starts from there) and signs in again: a reset rotates the signing keys.
fresh() { curl -s -X POST "$WAOOAW_API_URL/_mock/reset"; signin; }
block() { printf '\n%s\n\n```console\n' "$1"; }
end() { printf '```\n'; }

cat <<'EOF'
## From the terminal

`waooaw` (`cmd/waooaw`) is the operator CLI, on the public SDK only: every page of the console
as a command, for people (aligned tables, relative times, colour and progress bars on a
terminal) and for scripts (`-o json` gives the API's shapes with RFC 3339 times, `-q` ids only;
exit codes by kind of error, `waooaw help exit-codes`). `waooaw completion bash|zsh|fish`
writes shell completion (agent, queue and workflow ids complete from the platform).

```sh
go install ./cmd/waooaw
waooaw mock &                       # the mock platform on 127.0.0.1:8000 (waooaw-mock's flags)
export WAOOAW_API_URL=http://127.0.0.1:8000
waooaw login                        # browser + PKCE; --no-browser prints the URL
```

The session is saved in the user's config directory (`waooaw/session-<api>.json`, mode 0600,
or `$WAOOAW_CONFIG_DIR`), renewed under a lock so several terminals share it; CI uses
`--client-credentials` with `$WAOOAW_CLIENT_ID`/`$WAOOAW_CLIENT_SECRET`, or `$WAOOAW_TOKEN`.
Every error says what to do: `needs the operator role; you are viewer (…)`,
`not signed in to …: run waooaw login`.

Below, the seed's testing checklists of iterations 2-8 (`platform-portal-plan.md`), each line a
command and its output, pasted from `cmd/waooaw/testdata/from-the-terminal.sh` (which runs them
against `waooaw mock`). The golden tests in `cmd/waooaw/testdata/golden` pin the same commands
on the mock's fixed clock, and `TestPTY` drives login, `factory create` and
`workflows gantt --follow` in a pseudo-terminal.
EOF

block "Signing in (\`--no-browser\`: here \`curl -L\` plays the browser and the mock's consent page approves):"
printf '$ waooaw login --no-browser --as admin@waooaw.ai\n'
signin
sed "s#$WAOOAW_CONFIG_DIR#~/.config/waooaw#" "$WAOOAW_CONFIG_DIR/login.out"
show whoami
end

block "**Iteration 2, dashboard and agents.** Dashboard loads in <2s:"
printf '$ time waooaw metrics\n'
{ time "$W" metrics; } 2>&1 | grep -v '^$' | grep -v '^user\|^sys'
end
block "Metrics show real/mock data (as JSON for scripts):"
show -o json metrics
end
block "Agent cards render correctly:"
show agents list
end
block "Status badges show correct colours (on a terminal; here through \`script\`, escapes made visible):"
printf '$ script -qc "waooaw agents list --status error" /dev/null | cat -v\n'
script -qc "$W agents list --status error" /dev/null | tr -d '\r' | cat -v
end
block "Clicking an agent opens its details:"
show agents get wow-search
end
block "Refresh updates the data: restart it and watch it come online (30 s on the platform's clock):"
show agents restart wow-search
advancing 15
show agents watch wow-search --until online
stopped
end

fresh
block "**Iteration 3, queues.** The queues page, 4+ queues:"
show queues
printf '$ waooaw -q queues | wc -l\n'
"$W" -q queues | wc -l
end
block "A queue's DLQ panel:"
show dlq list webhooks --older-than 24h
end
block "Retry: the message is reprocessed (back on its queue, the DLQ one shorter):"
show dlq retry webhooks dlq-webhooks-001
show queues webhooks
end
block "Status updates live (the console polls every 5 s; the CLI can follow the event stream):"
printf '$ waooaw events --topic queues --max 1 &\n$ waooaw dlq retry-all webhooks --error-contains 503\n'
"$W" events --topic queues --max 1 > "$WAOOAW_CONFIG_DIR/ev.out" 2>&1 &
EV=$!
sleep 1
"$W" dlq retry-all webhooks --error-contains 503 2>&1
wait $EV
cat "$WAOOAW_CONFIG_DIR/ev.out" | cut -c1-160
end

fresh
block "**Iteration 4, workflows.** The workflows page and its list:"
show workflows list
end
block "A workflow's task details:"
show workflows get wf-001
end
block "Pause: the workflow pauses; resume: it continues (and a failed one runs again when its failed task is retried):"
show workflows pause wf-001
show workflows pause wf-001
show workflows resume wf-001
show workflows retry-task wf-003 task-101
end
block "The progress bar animates: the Gantt, redrawn as the workflow moves (here the clock moves 2 minutes a second; on a terminal it redraws in place):"
advancing 120
show workflows gantt wf-001 --follow --width 40
stopped
end


fresh
block "**Iteration 5, the factory.** The factory page: the templates:"
show factory templates
end
block "Choose the Memory Agent:"
show factory templates tmpl-memory
end
block "Fill in the agent name test-agent; configure resources (checked by the platform, with the cost):"
show factory validate --template tmpl-memory --name test-agent --cpu 2 --memory 4 --set retention_days=90
show factory validate --template tmpl-memory --name test-agent --cpu 8
show factory estimate --template tmpl-memory --name test-agent --cpu 2 --memory 4
end
block "Review, deploy, see the deployment's progress, the success message (on a terminal, through \`script\`; each redraw of the bar on its own line here):"
printf '$ waooaw factory create --template tmpl-memory --name test-agent --cpu 2 --memory 4\n'
advancing 60
NO_COLOR=1 script -qc "$W factory create --template tmpl-memory --name test-agent --cpu 2 --memory 4 --set retention_days=90" /dev/null | tr '\r' '\n' | sed 's/\x1b\[2K//g' | grep -v '^$'
stopped
end

fresh
block "**Iteration 6, servicing.** The servicing page; select an agent, see its current version:"
show servicing versions wow-memory
end
block "Upgrade, the whole flow (phases as they complete; a progress bar on a terminal):"
advancing 60
show servicing upgrade wow-memory --strategy canary --reason 'faster cold start'
stopped
end
block "The agent's version is updated:"
printf '$ waooaw servicing versions wow-memory | head -1\n'
"$W" servicing versions wow-memory | head -1
show servicing history --agent wow-memory
end
block "A version that breaks the auto-rollback thresholds is rolled back by itself; config changes apply at once:"
advancing 60
show servicing upgrade wow-memory --to 0.5.0
stopped
show servicing config patch wow-memory --set rate_limit=200 --reason 'spring campaign'
end

fresh
block "**Iteration 7, the help desk.** Search acme:"
show helpdesk search acme
end
block "The customer, with its agents:"
show helpdesk overview cust-001
end
block "Diagnose, then restart the agent it recommends; the agent restarts:"
show helpdesk diagnose cust-001
show helpdesk action restart-agent wow-search
advancing 15
show agents watch wow-search --until online
stopped
end

fresh
block "**Iteration 8, logs and alerts.** Logs with filters (level, agent, time):"
show logs --level ERROR --since 24h --limit 5
show logs --agent wow-memory --limit 4
end
block "Alerts with severity badges; acknowledge and resolve:"
show alerts list
show alerts ack alert-1
show alerts resolve alert-1
show alerts ack alert-1
end
block "Real-time log streaming (\`-f\` follows the event stream; stopped after 3 s here):"
printf '$ waooaw logs -f --agent agent-003 --limit 2 & waooaw agents start agent-003\n'
timeout -s INT 3 "$W" logs -f --agent agent-003 --limit 2 > "$WAOOAW_CONFIG_DIR/logs.out" 2>&1 &
LF=$!
sleep 1
"$W" agents start agent-003 2>&1
wait $LF
cat "$WAOOAW_CONFIG_DIR/logs.out"
end

block "Roles and errors: a viewer is refused, with what to do; the exit code says which kind:"
VT=$(curl -s -X POST "$WAOOAW_API_URL/_mock/tokens" -H 'Content-Type: application/json' -d '{"email":"viewer@example.com","role":"viewer"}' | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
printf '$ WAOOAW_TOKEN=$VIEWER_TOKEN waooaw agents stop wow-memory\n'
WAOOAW_TOKEN=$VT "$W" agents stop wow-memory 2>&1 | sed 's/\[request [^]]*\]/[request …]/'
printf '[exit %d]\n' "${PIPESTATUS[0]}"
show agents get wow-nothing
show agents start wow-memory
end
printf '\nTemplate plugins: `waooaw template init NAME` scaffolds a plugin module (main, template with\nits schema, the conformance test, README) whose `go test ./...` passes as generated (add\n`--sdk DIR`, a checkout of this repository, while the module proxy does not serve the SDK), and\n`waooaw template check BINARY` runs the conformance suite against any plugin binary:\n'
printf '\n```console\n'
show template check "${PLUGIN:-plugins/waooaw-template-slack-notifier}"
end
