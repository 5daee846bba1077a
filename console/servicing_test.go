package console_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/servicing"
)

func TestServicing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.AdminEmail)
	sc := servicing.New(e.sdk(t, mockserver.AdminEmail))
	ctx := context.Background()
	p := b.get("servicing")
	if p.status != 200 || !strings.Contains(p.body, `data-agent-id="wow-memory"`) || !strings.Contains(p.body, "0.4.2") {
		t.Fatalf("/servicing: %d\n%s", p.status, p.body)
	}
	p = b.get("servicing/wow-memory")
	if p.status != 200 || !strings.Contains(p.body, `id="current-version">0.4.2<`) || !strings.Contains(p.body, "KNOWN-BAD") || !strings.Contains(p.body, `id="upgrade-form"`) {
		t.Fatalf("/servicing/wow-memory: %d\n%s", p.status, p.body)
	}
	// Bad thresholds: a clear problem next to the field, no upgrade started.
	p = b.post("servicing/wow-memory/upgrade", url.Values{"target_version": {"0.4.3"}, "strategy": {"canary"}, "auto_rollback": {"on"}, "error_rate_pct": {"lots"}, "latency_ms": {"1000"}})
	if p.status != 422 || !strings.Contains(p.body, `id="erp-err"`) {
		t.Errorf("bad threshold: %d\n%s", p.status, p.body)
	}
	p = b.post("servicing/wow-memory/upgrade", url.Values{"target_version": {"9.9.9"}, "strategy": {"canary"}, "auto_rollback": {"on"}, "error_rate_pct": {"5"}, "latency_ms": {"1000"}})
	if p.status != 422 || !strings.Contains(p.body, `id="target-err"`) {
		t.Errorf("unknown version: %d\n%s", p.status, p.body)
	}
	if v, _ := sc.Versions(ctx, "wow-memory"); v.CurrentVersion != "0.4.2" {
		t.Fatalf("after refusals wow-memory runs %s", v.CurrentVersion)
	}
	// The good patch version: phases, then the new version.
	p = b.post("servicing/wow-memory/upgrade", url.Values{"target_version": {"0.4.3"}, "strategy": {"canary"}, "auto_rollback": {"on"}, "error_rate_pct": {"5"}, "latency_ms": {"1000"}})
	if !strings.Contains(p.url, "/servicing/wow-memory/upgrades/") || !strings.Contains(p.body, `data-phase="canary_10"`) {
		t.Fatalf("upgrade: at %s\n%s", p.url, p.body)
	}
	up := strings.TrimPrefix(p.url, e.url)
	e.mock.Advance(time.Hour)
	p = b.get(up)
	if !strings.Contains(p.body, `id="new-version">0.4.3<`) {
		t.Errorf("after the upgrade:\n%s", p.body)
	}
	// The known-bad build rolls itself back, with the reason.
	p = b.post("servicing/wow-memory/upgrade", url.Values{"target_version": {"0.5.0"}, "strategy": {"blue-green"}, "auto_rollback": {"on"}, "error_rate_pct": {"5"}, "latency_ms": {"1000"}})
	bad := strings.TrimPrefix(p.url, e.url)
	e.mock.Advance(time.Hour)
	p = b.get(bad)
	if !strings.Contains(p.body, `data-status="rolled_back"`) || !strings.Contains(p.body, "Rolled back:") || !strings.Contains(p.body, "error rate") {
		t.Errorf("the known-bad build:\n%s", p.body)
	}
	// A config patch that is not JSON, one the schema refuses, then a good one.
	p = b.post("servicing/wow-memory/config", url.Values{"patch": {"{rate_limit: 1"}, "nav": {"apply"}})
	if p.status != 422 || !strings.Contains(p.body, `id="patch-err"`) {
		t.Errorf("a patch that is not JSON: %d\n%s", p.status, p.body)
	}
	before, _ := sc.Config(ctx, "wow-memory")
	p = b.post("servicing/wow-memory/config", url.Values{"patch": {`{"rate_limit": -5}`}, "nav": {"apply"}})
	if p.status != 422 || !strings.Contains(p.body, `data-key="config.rate_limit"`) {
		t.Errorf("a patch the schema refuses: %d\n%s", p.status, p.body)
	}
	if after, _ := sc.Config(ctx, "wow-memory"); after.ConfigVersion != before.ConfigVersion {
		t.Errorf("a refused patch changed the config: version %d → %d", before.ConfigVersion, after.ConfigVersion)
	}
	p = b.post("servicing/wow-memory/config", url.Values{"patch": {`{"rate_limit": 200}`}, "nav": {"preview"}})
	if p.status != 200 || !strings.Contains(p.body, `id="config-preview"`) || !strings.Contains(p.body, `&#34;rate_limit&#34;: 200`) {
		t.Errorf("preview: %d\n%s", p.status, p.body)
	}
	if after, _ := sc.Config(ctx, "wow-memory"); after.ConfigVersion != before.ConfigVersion {
		t.Error("a preview changed the config")
	}
	p = b.post("servicing/wow-memory/config", url.Values{"patch": {`{"rate_limit": 200}`}, "nav": {"apply"}})
	after, _ := sc.Config(ctx, "wow-memory")
	if after.ConfigVersion != before.ConfigVersion+1 || !strings.Contains(p.body, "version "+strconv.Itoa(after.ConfigVersion)) {
		t.Errorf("apply: version %d → %d\n%s", before.ConfigVersion, after.ConfigVersion, p.body)
	}
	// Rollback needs a reason.
	p = b.post("servicing/wow-memory/rollback", url.Values{"reason": {""}})
	if p.status != 422 || !strings.Contains(p.body, `id="rb-err"`) {
		t.Errorf("rollback without a reason: %d", p.status)
	}
	p = b.post("servicing/wow-memory/rollback", url.Values{"reason": {"the new pool leaks"}, "confirm": {"yes"}})
	if !strings.Contains(p.url, "/upgrades/") || !strings.Contains(p.body, "Rollback") {
		t.Errorf("rollback: at %s\n%s", p.url, p.body)
	}
	// An operator sees no servicing forms and cannot post them.
	ob := e.signIn(t, mockserver.OperatorEmail)
	if p = ob.get("servicing/wow-cache"); strings.Contains(p.body, `id="upgrade-form"`) || strings.Contains(p.body, `id="config-form"`) {
		t.Error("the operator is offered admin forms")
	}
	if p = ob.post("servicing/wow-cache/config", url.Values{"patch": {`{"rate_limit": 10}`}}); p.status != 403 {
		t.Errorf("the operator's config post: %d", p.status)
	}
	if p = b.get("servicing/nope"); p.status != 404 {
		t.Errorf("unknown agent: %d", p.status)
	}
}
