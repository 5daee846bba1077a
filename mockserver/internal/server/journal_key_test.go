package server_test

import (
	"encoding/json"
	"testing"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
)

// Every journal entry has idempotency_key: null when the request sent none.
func TestJournalIdempotencyKeyAlwaysPresent(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	op := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: op})
	mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: op,
		Header: map[string]string{"Idempotency-Key": "jk-7"}})
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/journal"})
	var j struct {
		Requests []map[string]json.RawMessage `json:"requests"`
	}
	if err := json.Unmarshal(a.Raw, &j); err != nil || len(j.Requests) != 2 {
		t.Fatalf("journal: %v %s", err, a.Raw)
	}
	if k, ok := j.Requests[0]["idempotency_key"]; !ok || string(k) != "null" {
		t.Errorf("entry without a key: idempotency_key %q (present %v), want null", k, ok)
	}
	if k := j.Requests[1]["idempotency_key"]; string(k) != `"jk-7"` {
		t.Errorf("entry with a key: idempotency_key %s, want \"jk-7\"", k)
	}
	// The Go type reads its own JSON back.
	var typed struct {
		Requests []mockserver.JournalEntry `json:"requests"`
	}
	if err := json.Unmarshal(a.Raw, &typed); err != nil {
		t.Fatal(err)
	}
	if typed.Requests[0].IdempotencyKey != "" || typed.Requests[1].IdempotencyKey != "jk-7" {
		t.Errorf("decoded: %+v", typed.Requests)
	}
}
