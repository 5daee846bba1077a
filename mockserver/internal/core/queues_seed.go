package core

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/queues"
)

// queueSeed is one seeded queue: the first backend's figures (pending,
// throughput, consumer lag, error rate, oldest age) and how its dead
// letters look.
type queueSeed struct {
	name       string
	pending    int64
	throughput float64 // consumers' capacity, messages/s
	produce    float64 // producers' rate, messages/s
	lag        int64
	errBusy    float64 // error rate at the seeded lag
	errIdle    float64 // error rate once the consumers keep up
	oldest     time.Duration
	processed  int64 // before the seed
	deleted    int64 // before the seed
	letters    int
	first      *letterSeed // the first backend's own dead letter, if any
	errors     []letterSeed
	payload    func(r *rand.Rand, i int) map[string]any
}

// letterSeed is a kind of failure: its error text and whether it passes.
type letterSeed struct {
	err       string
	permanent bool
	retries   int
}

func transient(err string) letterSeed { return letterSeed{err: err} }
func permanent(err string) letterSeed { return letterSeed{err: err, permanent: true} }

// seedQueues builds the four queues of the first backend with their dead
// letters (74 in all, some failing for a passing reason, some never going
// to succeed). At the seed: agent-tasks is degraded, notifications
// critical, event-bus and webhooks healthy.
func seedQueues(now time.Time) []*QueueState {
	agentIDs := []string{"wow-memory", "wow-vision-prime", "wow-communication", "wow-analytics", "agent-001", "agent-004"}
	customers := []string{custAcme, custGlobex, custInitech}
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	seeds := []queueSeed{
		{
			name: "agent-tasks", pending: 1523, throughput: 45.2, produce: 44.0, lag: 234,
			errBusy: 0.008, errIdle: 0.002, oldest: 120 * time.Second,
			processed: 1_284_907, deleted: 318, letters: 22,
			first: &letterSeed{err: "Connection timeout after 30s", retries: 3},
			errors: []letterSeed{
				transient("Connection timeout after 30s"),
				transient("memory service returned 503 Service Unavailable"),
				transient("read tcp 10.0.3.17:44312->10.0.8.2:6379: read: connection reset by peer"),
				transient("agent did not answer within 300s (timeout)"),
				transient("upstream request timed out"),
				permanent(`schema validation failed: task.payload.customer_id is required`),
				permanent(`agent "wow-legacy" not found in the registry`),
				permanent("task input exceeds max_context_size (10000 tokens)"),
			},
			payload: func(r *rand.Rand, i int) map[string]any {
				return map[string]any{
					"task_id":     fmt.Sprintf("task-%05d", 41000+r.IntN(9000)),
					"agent_id":    pick(r, agentIDs),
					"customer_id": pick(r, customers),
					"action":      pick(r, []string{"summarize_thread", "generate_post", "score_lead", "sync_crm", "index_document"}),
					"priority":    1 + r.IntN(5),
				}
			},
		},
		{
			name: "event-bus", pending: 89, throughput: 156.7, produce: 155.0, lag: 12,
			errBusy: 0.001, errIdle: 0.0005, oldest: 5 * time.Second,
			processed: 9_812_340, deleted: 41, letters: 8,
			errors: []letterSeed{
				transient("broker publish timeout after 5s"),
				transient("subscriber wow-analytics answered 503 Service Unavailable"),
				permanent(`schema validation failed: unknown event type "agent.legacy_ping"`),
				permanent("event too large: 1.4 MiB over the 1 MiB limit"),
			},
			payload: func(r *rand.Rand, i int) map[string]any {
				return map[string]any{
					"event_id": fmt.Sprintf("evt-%08x", r.Uint32()),
					"type":     pick(r, []string{"agent.status_changed", "workflow.completed", "deployment.step_finished", "alert.raised"}),
					"source":   pick(r, agentIDs),
					"sequence": 880000 + r.IntN(20000),
				}
			},
		},
		{
			name: "notifications", pending: 2341, throughput: 23.1, produce: 22.0, lag: 890,
			errBusy: 0.023, errIdle: 0.004, oldest: 450 * time.Second,
			processed: 402_118, deleted: 1_207, letters: 30,
			first: &letterSeed{err: "SMTP 500 5.5.2 syntax error, command unrecognized", permanent: true, retries: 5},
			errors: []letterSeed{
				transient("SMTP 421 4.7.0 try again later: too many connections"),
				transient("SMS gateway timeout after 10s"),
				transient("push service returned 503 Service Unavailable"),
				transient("write tcp 10.0.5.4:51220->smtp.mail.example:587: connection reset by peer"),
				permanent("SMTP 500 5.5.2 syntax error, command unrecognized"),
				permanent("unknown recipient: no user with id usr-9f2c41"),
				permanent("SMTP 550 5.1.1 mailbox unavailable: jane@defunct.example"),
				permanent(`template "invoice_v1" not found`),
			},
			payload: func(r *rand.Rand, i int) map[string]any {
				ch := pick(r, []string{"email", "email", "sms", "push"})
				to := fmt.Sprintf("user%03d@acme.example", r.IntN(1000))
				if ch == "sms" {
					to = fmt.Sprintf("+1555%07d", r.IntN(10_000_000))
				}
				return map[string]any{
					"notification_id": fmt.Sprintf("ntf-%06d", 300000+r.IntN(100000)),
					"channel":         ch,
					"recipient":       to,
					"template":        pick(r, []string{"welcome", "weekly_digest", "alert_raised", "invoice_ready"}),
					"customer_id":     pick(r, customers),
				}
			},
		},
		{
			name: "webhooks", pending: 45, throughput: 12.5, produce: 12.0, lag: 5,
			errBusy: 0.003, errIdle: 0.002, oldest: 15 * time.Second,
			processed: 211_560, deleted: 96, letters: 14,
			errors: []letterSeed{
				transient("POST https://hooks.acme.example/waooaw: timeout after 10s"),
				transient("target answered 503 Service Unavailable"),
				transient("dial tcp 203.0.113.10:443: connect: connection refused"),
				transient("target answered 429 Too Many Requests"),
				permanent("target answered 400 Bad Request: invalid signature"),
				permanent("target answered 410 Gone: endpoint removed"),
				permanent("x509: certificate has expired or is not yet valid"),
			},
			payload: func(r *rand.Rand, i int) map[string]any {
				return map[string]any{
					"delivery_id": fmt.Sprintf("whd-%06d", 700000+r.IntN(100000)),
					"url":         pick(r, []string{"https://hooks.acme.example/waooaw", "https://globex.example/api/events", "https://initech.example/hooks/agents"}),
					"event":       pick(r, []string{"agent.created", "workflow.completed", "upgrade.finished"}),
					"customer_id": pick(r, customers),
					"attempt":     1 + r.IntN(8),
				}
			},
		},
	}
	out := make([]*QueueState, 0, len(seeds))
	for i, sd := range seeds {
		out = append(out, sd.build(now, uint64(i+1)))
	}
	return out
}

// build makes the queue at now; its dead letters come from a generator
// seeded with n, so they are the same on every seed.
func (sd queueSeed) build(now time.Time, n uint64) *QueueState {
	r := rand.New(rand.NewPCG(0x9a0aa3, n))
	q := &QueueState{
		mu:            new(sync.Mutex),
		name:          sd.name,
		inflight:      sd.pending - sd.lag,
		produceM:      int64(sd.produce * 1000),
		consumeM:      int64(sd.throughput * 1000),
		errBusy:       sd.errBusy,
		errIdle:       sd.errIdle,
		lagRef:        sd.lag,
		seededAt:      now,
		seedOldest:    sd.oldest,
		seedPending:   sd.pending,
		seedProcessed: sd.processed,
		seedDeleted:   sd.deleted,
		segPending:    sd.pending,
		settledAt:     now,
		dlq:           map[string]*deadLetter{},
	}
	q.lazyN = sd.letters
	q.lazy = func(q *QueueState) {
		// Dead-lettered over the last three days, oldest first.
		ages := make([]time.Duration, sd.letters)
		for i := range ages {
			ages[i] = time.Duration(5*60+r.IntN(3*24*3600-5*60)) * time.Second
		}
		slices.SortFunc(ages, func(a, b time.Duration) int { return cmp.Compare(b, a) })
		for i := range sd.letters {
			kind := sd.errors[r.IntN(len(sd.errors))]
			kind.retries = 1 + r.IntN(5)
			if i == 0 && sd.first != nil {
				kind = *sd.first
			}
			payload, _ := json.Marshal(sd.payload(r, i))
			q.dlqSeq++
			m := &deadLetter{
				Message: queues.Message{
					MessageID:  fmt.Sprintf("dlq-%s-%03d", sd.name, i+1),
					QueueName:  sd.name,
					Payload:    payload,
					Error:      kind.err,
					RetryCount: kind.retries,
					Timestamp:  now.Add(-ages[i]).Truncate(time.Second),
				},
				permanent: kind.permanent,
				seq:       q.dlqSeq,
			}
			q.dlq[m.MessageID] = m
		}
	}
	q.seedAccepted = sd.pending + int64(sd.letters) + sd.processed + sd.deleted
	return q
}
