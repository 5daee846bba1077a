package core

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/queues"
)

// Queues near a threshold: the default seed's queues drain towards one
// (notifications from critical to degraded, agent-tasks to healthy), and
// seeded queues whose producers keep pace with their consumers sit just
// below, at and just above the degraded and critical lags. Reading every
// millisecond, each queue's status is what the World last told of it: no
// change goes untold, none is told late, and a steady queue never changes.
func TestQueueStatusReadEachMillisecondIsWhatWasTold(t *testing.T) {
	w, got := noted(t)
	t0 := Epoch()
	var seeded []SeedQueue
	for _, lag := range []int64{lagDegraded - 2, lagDegraded - 1, lagDegraded, lagCritical - 1, lagCritical} {
		for _, rate := range []float64{0.3, 7, 23.1, 9999.9} {
			seeded = append(seeded, SeedQueue{QueueName: fmt.Sprintf("steady-%d-%g", lag, rate),
				MessagesPending: lag + 40, ConsumerLag: lag, ThroughputPerSec: rate, ErrorRate: 0.001})
		}
	}
	w, _, _, err := w.ApplySeed(Seed{Queues: seeded}, t0)
	if err != nil {
		t.Fatal(err)
	}
	steady := map[string]queues.Status{}
	for _, sq := range seeded {
		q, _ := w.Queues.Get(sq.QueueName)
		steady[sq.QueueName] = q.statusAt(0)
	}
	notifications, _ := w.Queues.Get("notifications")
	agentTasks, _ := w.Queues.Get("agent-tasks")
	by := Actor{Email: "ops@example.com"}
	changes := map[string]int{}
	*got = nil

	// Long enough for agent-tasks (lag 234, draining 1.2 a second, its
	// DLQ emptied below 20 by the retries) to turn healthy and
	// notifications (890, 1.1 a second) to turn degraded; retrying dead
	// letters on the way moves the FIFO and the DLQ counts.
	const end = 7 * time.Minute
	for step := time.Duration(0); step <= end; step += time.Millisecond {
		now := t0.Add(step)
		if step%(47*time.Second) == 0 && step > 0 {
			for _, q := range []*QueueState{notifications, agentTasks} {
				letters := q.Letters(DLQFilter{}, now)
				for _, m := range letters[:min(3, len(letters))] {
					w.RetryLetter(q, m.MessageID, by, now)
				}
			}
		}
		w.Settle(now)
		if bad := untoldQueues(w, now); len(bad) > 0 {
			t.Fatalf("at +%s: %v", step, bad)
		}
	}
	for _, e := range *got {
		if e.typ != "queues.status_changed" {
			continue
		}
		d := e.data.(queues.QueueDetail)
		changes[d.QueueName]++
		if _, ok := steady[d.QueueName]; ok {
			t.Errorf("steady queue %s told a change to %s at +%s", d.QueueName, d.Status, e.at.Sub(t0))
		}
	}
	for _, name := range []string{"agent-tasks", "notifications"} {
		if changes[name] == 0 {
			t.Errorf("%s told no change of status in %s; the test no longer crosses a threshold", name, end)
		}
		if changes[name] > 4 {
			t.Errorf("%s told %d changes of status in %s: it flaps", name, changes[name], end)
		}
	}
	for _, sq := range seeded {
		q, _ := w.Queues.Get(sq.QueueName)
		v := q.View(t0.Add(end))
		if v.Status != steady[sq.QueueName] || int64(v.ConsumerLag) != sq.ConsumerLag || int64(v.MessagesPending) != sq.MessagesPending {
			t.Errorf("steady queue %s was %s, lag %d, pending %d; is %s, lag %d, pending %d", sq.QueueName,
				steady[sq.QueueName], sq.ConsumerLag, sq.MessagesPending, v.Status, v.ConsumerLag, v.MessagesPending)
		}
	}
}

// The FIFO's figures move one way within a segment, whatever the rates:
// the lag (and so the status) with producers faster, slower or as fast as
// the consumers; the head and the accepted count never go back; and every
// message is in one place.
func TestQueueFlowMovesOneWay(t *testing.T) {
	for _, rates := range [][2]int64{{3000, 1000}, {1000, 3000}, {2000, 2000}, {1, 999}, {999_999, 1000}, {0, 500}, {500, 0}, {0, 0}, {22_000, 23_100}} {
		q := &QueueState{name: "q", inflight: 7, produceM: rates[0], consumeM: rates[1],
			seededAt: Epoch(), segN: 13, segPending: 7 + 50, segProduced: mulDiv(rates[0], 13, 1e6), segHead: 1000}
		lag0, _, _ := q.flow(q.segN)
		prevLag, prevHead, prevProduced := lag0, q.segHead, q.segProduced
		for n := q.segN; n < q.segN+200_000; n += 1 + n%7 {
			lag, taken, _ := q.flow(n)
			pending, head := q.fifo(n)
			switch {
			case rates[0] > rates[1] && lag < prevLag, rates[0] < rates[1] && lag > prevLag, rates[0] == rates[1] && lag != lag0:
				t.Fatalf("rates %v: lag %d at tick %d after %d", rates, lag, n, prevLag)
			case head < prevHead:
				t.Fatalf("rates %v: head went back from %d to %d at tick %d", rates, prevHead, head, n)
			case lag < 0 || taken < 0:
				t.Fatalf("rates %v: lag %d, taken %d at tick %d", rates, lag, taken, n)
			case pending+head != q.segPending+q.segHead+q.produced(n)-q.segProduced:
				t.Fatalf("rates %v: pending %d + head %d lose or make messages at tick %d", rates, pending, head, n)
			}
			if p := q.produced(n); p < prevProduced {
				t.Fatalf("rates %v: produced went back at tick %d", rates, n)
			}
			prevLag, prevHead, prevProduced = lag, head, q.produced(n)
		}
		// reached is the first tick the head passes a position.
		for pos := q.segHead; pos < q.segHead+60; pos++ {
			n, ok := q.reached(pos, q.segN+1e9)
			if !ok {
				if rates[1] > 0 && rates[0] > 0 {
					t.Errorf("rates %v: position %d never reached", rates, pos)
				}
				continue
			}
			if _, h := q.fifo(n); h <= pos {
				t.Errorf("rates %v: position %d not passed at tick %d", rates, pos, n)
			}
			if _, h := q.fifo(n - 1); n > q.segN && h > pos {
				t.Errorf("rates %v: position %d already passed at tick %d, before %d", rates, pos, n-1, n)
			}
		}
	}
}

// Starting a new segment (as a retry does) carries the fraction of a
// message that rounding left: a queue rebased every 800 ms drains as one
// that never is.
func TestQueueRebaseKeepsTheDrainsFraction(t *testing.T) {
	for _, rates := range [][2]int64{{22_000, 23_100}, {3000, 1000}, {999_999, 1000}, {1, 999}} {
		mk := func() *QueueState {
			return &QueueState{name: "q", inflight: 7, produceM: rates[0], consumeM: rates[1],
				seededAt: Epoch(), segPending: 7 + 890, dlq: map[string]*deadLetter{}}
		}
		whole, rebased := mk(), mk()
		for n := int64(0); n <= 600_000; n += 800 {
			rebased.rebase(rebased.at(n), 0)
			wl, wt := whole.fifo(n)
			rl, rt := rebased.fifo(n)
			if wl != rl || wt != rt {
				t.Fatalf("rates %v at tick %d: rebased pending %d, head %d; never rebased %d, %d", rates, n, rl, rt, wl, wt)
			}
		}
	}
}

// A clock advanced centuries: a queue's figures stay in range and its due
// time is after the clock, or none once the clock has stopped.
func TestQueueFarClock(t *testing.T) {
	q := &QueueState{name: "q", inflight: 990, produceM: 10_000_000, consumeM: 10_000_000,
		seededAt: Epoch(), segPending: 1000, seedPending: 1000, seedOldest: time.Minute, dlq: map[string]*deadLetter{}}
	for _, years := range []int64{1, 30, 100, 291, 292, 400} {
		now := Epoch().Add(time.Duration(years) * 365 * 24 * time.Hour)
		if years >= 292 {
			now = Epoch().Add(time.Duration(math.MaxInt64))
		}
		t0 := q.settle(now)
		v := q.view(t0)
		if v.OldestMessageAgeSec < 0 || v.OldestMessageAgeSec > 3600 || v.ConsumerLag != 10 {
			t.Errorf("+%dy: oldest %d s, lag %d; want at most an hour, lag 10", years, v.OldestMessageAgeSec, v.ConsumerLag)
		}
		if d := q.due(t0); !d.IsZero() && !d.After(t0) {
			t.Errorf("+%dy: due at %s, not after %s", years, d, t0)
		}
	}
}
