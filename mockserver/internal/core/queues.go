package core

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
)

// Queue status thresholds (documented in api/openapi.yaml and on
// queues.Status). A queue is critical when any figure reaches its critical
// threshold, else degraded when any reaches its degraded one.
const (
	lagDegraded = 100 // consumer_lag, messages
	lagCritical = 500
	errDegraded = 0.005 // error_rate, fraction
	errCritical = 0.02
	dlqDegraded = 20 // dlq_messages
	dlqCritical = 100
)

// Limits of the DLQ filters.
const (
	MaxErrorContains = 1024
	MaxOlderThanSec  = 10 * 365 * 24 * 3600
)

// queueStatus derives a queue's status from its figures.
func queueStatus(lag int, errRate float64, dlq int) queues.Status {
	switch {
	case lag >= lagCritical || errRate >= errCritical || dlq >= dlqCritical:
		return queues.StatusCritical
	case lag >= lagDegraded || errRate >= errDegraded || dlq >= dlqDegraded:
		return queues.StatusDegraded
	}
	return queues.StatusHealthy
}

// deadLetter is a message in a DLQ.
type deadLetter struct {
	queues.Message
	permanent bool   // its error is not passing: a retry fails again
	seq       uint32 // order of entry into the DLQ, for paging
}

// retriedMsg is a dead letter put back on its queue, waiting for the
// consumers to reach it.
type retriedMsg struct {
	msg *deadLetter
	pos int64     // its place in the queue's FIFO order
	at  time.Time // when it was put back
}

// QueueState is one queue. Its messages flow through a FIFO: producers add
// messages at a steady rate, consumers hold up to inflight messages and
// work through the backlog beyond them at their capacity, then keep pace
// with the producers. The FIFO is not kept message by message: between two
// changes (a segment), the counts are a pure function of the clock, so the
// figures are deterministic for a seed, a clock and the calls made, however
// often they are read.
//
// Every message is in exactly one place: pending, in the DLQ, processed or
// deleted, and
//
//	accepted = pending + dlq + processed + deleted
type QueueState struct {
	mu *sync.Mutex // the World's one lock (World.share)

	name     string
	inflight int64 // messages the consumers hold when they keep up
	produceM int64 // producers' rate, milli-messages per second
	consumeM int64 // consumers' capacity, milli-messages per second
	errBusy  float64
	errIdle  float64
	lagRef   int64 // the lag at which the error rate is errBusy

	seededAt      time.Time
	seedOldest    time.Duration // age of the oldest seeded pending message
	seedPending   int64
	seedAccepted  int64
	seedProcessed int64
	seedDeleted   int64

	// The current segment: the FIFO's state at tick segN (see tick), right
	// after the last change.
	segN        int64
	segPending  int64
	segProduced int64 // produced(segN)
	segRem      int64 // the fraction of a message rounding left at segN (flow)
	segHead     int64 // messages taken off the FIFO since the seed

	retried  int64        // dead letters ever put back
	waiting  []retriedMsg // put back and not yet consumed, in FIFO order
	refailed int64        // put back, consumed and dead-lettered again
	deleted  int64        // dead letters deleted since the seed

	dlq    map[string]*deadLetter
	dlqSeq uint32
	// left holds the ids of the dead letters retried or deleted so far
	// (a retried one may be back in dlq): ids the DLQ routes know.
	left map[string]bool
	// lazy makes the seeded dead letters (lazyN of them) the first time
	// the DLQ itself is read: most tests never do, and a per-test server
	// should start fast. Counts include them before then.
	lazy      func(q *QueueState)
	lazyN     int
	settledAt time.Time
}

// materialize makes the seeded dead letters if they are not made yet;
// q.mu must be held.
func (q *QueueState) materialize() {
	if q.lazy != nil {
		f := q.lazy
		q.lazy, q.lazyN = nil, 0
		f(q)
	}
}

// ms is the whole milliseconds from a to b, 0 when b is before a.
func ms(a, b time.Time) int64 {
	if b.Before(a) {
		return 0
	}
	return b.Sub(a).Milliseconds()
}

// mulAddDiv is ⌊(a·b + r)/c⌋ and its remainder, for a, b, r ≥ 0 and c > 0,
// exact where a·b overflows 64 bits (10,000 messages a second for 30
// years does); a quotient past int64 saturates.
func mulAddDiv(a, b, r, c int64) (quo, rem int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	lo, carry := bits.Add64(lo, uint64(r), 0)
	hi += carry
	if hi >= uint64(c) {
		return math.MaxInt64, 0
	}
	q, m := bits.Div64(hi, lo, uint64(c))
	if q > math.MaxInt64 {
		return math.MaxInt64, 0
	}
	return int64(q), int64(m)
}

// mulDiv is ⌊a·b/c⌋ (see mulAddDiv).
func mulDiv(a, b, c int64) int64 {
	q, _ := mulAddDiv(a, b, 0, c)
	return q
}

// ceilMulDiv is ⌈a·b/c⌉ (see mulAddDiv).
func ceilMulDiv(a, b, c int64) int64 {
	q, r := mulAddDiv(a, b, 0, c)
	if r > 0 && q < math.MaxInt64 {
		q++
	}
	return q
}

// The queue's clock is the whole milliseconds since its seed: its figures
// change on that grid only, and a time on it is q.at(n).

// tick is t on the queue's clock.
func (q *QueueState) tick(t time.Time) int64 { return ms(q.seededAt, t) }

// lastTick is the last tick a time.Duration holds (292 years from the
// seed); the queue's clock stops there.
const lastTick = math.MaxInt64 / int64(time.Millisecond)

// at is the time of tick n (at most lastTick).
func (q *QueueState) at(n int64) time.Time {
	return q.seededAt.Add(time.Duration(min(n, lastTick)) * time.Millisecond)
}

// produced counts the messages producers added from the seed to tick n.
func (q *QueueState) produced(n int64) int64 { return mulDiv(q.produceM, n, 1e6) }

// flow is the FIFO at tick n within the current segment: the lag (the
// pending messages beyond the inflight ones the consumers hold), how many
// messages the consumers took off since the segment began, and the
// fraction of a message rounding leaves (rem), which a segment starting at
// n carries on (segRem), so retries do not slow the draining down.
//
// The lag moves one way within a segment, so the status does too and due
// can find its next change by halving. When the producers are at least as
// fast as the consumers, the consumers take their share of each arrival
// (⌊arrived·consume/produce⌋) and the lag grows with the rest; when they
// are slower, the backlog drains by one rounded linear function of the
// time, and what is not lag was taken. (Rounding the arrivals and the
// consumers' capacity each on its own would let the lag wobble by one
// message across a threshold.)
//
// segPending ≥ inflight always: a seeded lag is never negative, and the
// lag never goes below zero.
func (q *QueueState) flow(n int64) (lag, taken, rem int64) {
	n = max(n, q.segN)
	backlog := q.segPending - q.inflight
	arrived := q.produced(n) - q.segProduced
	switch {
	case q.produceM == 0 && q.consumeM == 0:
		return backlog, 0, 0
	case q.produceM >= q.consumeM:
		taken, rem = mulAddDiv(arrived, q.consumeM, q.segRem, q.produceM)
		return backlog + arrived - taken, taken, rem
	default:
		drained, rem := mulAddDiv(q.consumeM-q.produceM, n-q.segN, q.segRem, 1e6)
		if drained >= backlog {
			return 0, backlog + arrived, 0 // drained: keeping pace
		}
		return backlog - drained, arrived + drained, rem
	}
}

// fifo is the pending messages and the head (how many were ever taken off)
// at tick n within the current segment.
func (q *QueueState) fifo(n int64) (pending, head int64) {
	lag, taken, _ := q.flow(n)
	return q.inflight + lag, q.segHead + taken
}

// reached is the first tick, from the segment's start to limit, at which
// the head passes FIFO position pos (≥ segHead): when the message there is
// consumed. ok is false when it is not consumed by limit.
func (q *QueueState) reached(pos, limit int64) (n int64, ok bool) {
	past := func(n int64) bool { _, head := q.fifo(n); return head > pos }
	if q.consumeM == 0 || limit < q.segN || !past(limit) {
		return 0, false
	}
	lo, hi := q.segN, limit // not past at lo (the head is segHead ≤ pos), past at hi
	if past(lo) {
		return lo, true
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if past(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// settle brings the queue up to now (never backwards) and returns the time
// it is at: retried messages the consumers have reached are processed, or
// dead-lettered again when their error is permanent. q.mu must be held.
func (q *QueueState) settle(now time.Time) time.Time {
	if now.Before(q.settledAt) {
		now = q.settledAt
	}
	tick := q.tick(now)
	_, head := q.fifo(tick)
	n := 0
	for _, w := range q.waiting {
		if w.pos >= head {
			break
		}
		n++
		if !w.msg.permanent {
			continue
		}
		at := now
		if k, ok := q.reached(w.pos, tick); ok && q.at(k).Before(now) {
			at = q.at(k)
		}
		w.msg.Timestamp = at
		q.dlqSeq++
		w.msg.seq = q.dlqSeq
		q.dlq[w.msg.MessageID] = w.msg
		q.refailed++
	}
	q.waiting = slices.Delete(q.waiting, 0, n)
	q.settledAt = now
	return now
}

// rebase starts a new segment at t's tick with extra messages added to the
// tail. q.mu must be held and the queue settled to t.
func (q *QueueState) rebase(t time.Time, extra int64) {
	n := q.tick(t)
	lag, taken, rem := q.flow(n)
	q.segN, q.segPending, q.segProduced, q.segHead, q.segRem = n, q.inflight+lag+extra, q.produced(n), q.segHead+taken, rem
}

// oldestAge is the age of the message at the head of the FIFO at t.
// q.mu must be held and the queue settled to t.
func (q *QueueState) oldestAge(t time.Time, pending, head int64) time.Duration {
	if pending <= 0 {
		return 0
	}
	var arrived time.Time
	switch {
	case head < q.seedPending:
		arrived = q.seededAt.Add(-q.seedOldest + time.Duration(float64(q.seedOldest)*float64(head)/float64(q.seedPending)))
	case len(q.waiting) > 0 && q.waiting[0].pos == head:
		arrived = q.waiting[0].at
	case q.produceM > 0:
		// A producer's message: the ones before it are seeded, produced or
		// retried (and every retried one before the head is consumed).
		j := head - q.seedPending - (q.retried - int64(len(q.waiting)))
		arrived = q.at(ceilMulDiv(j+1, 1e6, q.produceM))
	default:
		return 0
	}
	if arrived.After(t) {
		return 0
	}
	return t.Sub(arrived)
}

// View is the queue's figures at now.
func (q *QueueState) View(now time.Time) queues.QueueDetail {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.view(q.settle(now))
}

// gauge is the queue's pending messages, head, lag and error rate at tick
// n, the queue settled to n; or, as statusAt does, at a later tick before
// the next retried message is consumed (nothing else changes the FIFO on
// its own).
func (q *QueueState) gauge(n int64) (pending, head, lag int64, errRate float64) {
	pending, head = q.fifo(n)
	lag = pending - q.inflight
	errRate = q.errIdle
	if q.lagRef > 0 {
		errRate += (q.errBusy - q.errIdle) * math.Min(1, float64(lag)/float64(q.lagRef))
	}
	return pending, head, lag, math.Round(errRate*1e4) / 1e4
}

// statusAt is the queue's status at tick n (see gauge).
func (q *QueueState) statusAt(n int64) queues.Status {
	_, _, lag, errRate := q.gauge(n)
	return queueStatus(int(lag), errRate, len(q.dlq)+q.lazyN)
}

// queueHorizon is how far ahead due looks for a queue's next change of
// status.
const queueHorizon = 366 * 24 * time.Hour

// due is when the queue, settled to t, next changes its status on its own,
// or its counts when a retried message is reached, or queueHorizon from t
// (to look again then); it is always after t, or zero once the queue's
// clock has stopped (lastTick). Between two such times the lag only moves
// one way (see flow), and the status with it (the error rate grows with
// the lag: every seed has errBusy ≥ errIdle), so the first tick of a
// change is found by halving the interval.
func (q *QueueState) due(t time.Time) time.Time {
	from := q.tick(t)
	limit := min(from+queueHorizon.Milliseconds(), lastTick)
	if limit <= from {
		return time.Time{} // the queue's clock has stopped
	}
	if len(q.waiting) > 0 {
		if n, ok := q.reached(q.waiting[0].pos, limit); ok {
			limit = n
		}
	}
	cur := q.statusAt(from)
	if q.statusAt(limit) == cur {
		return q.at(limit)
	}
	lo, hi := from, limit // the status is cur at lo, another at hi
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if q.statusAt(mid) == cur {
			lo = mid
		} else {
			hi = mid
		}
	}
	return q.at(hi)
}

// view is the queue's figures at t, the queue settled to t; q.mu is held.
func (q *QueueState) view(t time.Time) queues.QueueDetail {
	n := q.tick(t)
	pending, head, lag, errRate := q.gauge(n)
	tput := q.produceM
	if lag > 0 {
		tput = q.consumeM
	}
	dlq := len(q.dlq) + q.lazyN
	return queues.QueueDetail{
		Queue: queues.Queue{
			QueueName:           q.name,
			Status:              queueStatus(int(lag), errRate, dlq),
			MessagesPending:     int(pending),
			ThroughputPerSec:    math.Round(float64(tput)/100) / 10,
			ConsumerLag:         int(lag),
			ErrorRate:           errRate,
			DLQMessages:         dlq,
			OldestMessageAgeSec: int64(q.oldestAge(t, pending, head) / time.Second),
		},
		MessagesAccepted:  q.seedAccepted + q.produced(n),
		MessagesProcessed: q.seedProcessed + head - q.refailed,
		MessagesDeleted:   q.seedDeleted + q.deleted,
	}
}

// DLQFilter is a parsed queues.Filter.
type DLQFilter struct {
	errLower string
	older    time.Duration
}

// Name is the queue's name.
func (q *QueueState) Name() string { return q.name }

// ErrorText is the lower-case text the filter looks for in errors ("" for
// any).
func (f DLQFilter) ErrorText() string { return f.errLower }

func (f DLQFilter) match(m *deadLetter, now time.Time) bool {
	return (f.errLower == "" || strings.Contains(strings.ToLower(m.Error), f.errLower)) &&
		(f.older == 0 || now.Sub(m.Timestamp) >= f.older)
}

// LetterPage is the page of the dead letters matching f at now that qv asks
// for (filters bind its tokens: pageDLQ).
func (q *QueueState) LetterPage(qv url.Values, f DLQFilter, now time.Time, filters ...string) (Page[queues.Message], *Error) {
	return pageDLQ(qv, q.Letters(f, now), filters...)
}

// Letters returns the dead letters matching f at now, in DLQ order.
func (q *QueueState) Letters(f DLQFilter, now time.Time) []*deadLetter {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.letters(f, now)
}

// letters is Letters; q.mu is held.
func (q *QueueState) letters(f DLQFilter, now time.Time) []*deadLetter {
	q.materialize()
	t := q.settle(now)
	out := make([]*deadLetter, 0, len(q.dlq))
	for _, m := range q.dlq {
		if f.match(m, t) {
			c := *m
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *deadLetter) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// Known reports whether id is, or has been, a dead letter of the queue at
// now.
func (q *QueueState) Known(id string, now time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.materialize()
	q.settle(now)
	_, ok := q.dlq[id]
	return ok || q.left[id]
}

// retry puts dead letter id back on the queue when it is in the DLQ and
// matches f, and returns it as put back; q.mu is held.
func (q *QueueState) retry(id string, f DLQFilter, now time.Time) (queues.Message, bool) {
	q.materialize()
	t := q.settle(now)
	m, ok := q.dlq[id]
	if !ok || !f.match(m, t) {
		return queues.Message{}, false
	}
	delete(q.dlq, id)
	q.leave(id)
	m.RetryCount++
	pending, head := q.fifo(q.tick(t))
	q.waiting = append(q.waiting, retriedMsg{msg: m, pos: head + pending, at: t})
	q.retried++
	q.rebase(t, 1)
	return m.Message, true
}

// remove deletes dead letter id when it is in the DLQ and matches f; q.mu
// is held.
func (q *QueueState) remove(id string, f DLQFilter, now time.Time) bool {
	q.materialize()
	t := q.settle(now)
	m, ok := q.dlq[id]
	if !ok || !f.match(m, t) {
		return false
	}
	delete(q.dlq, id)
	q.leave(id)
	q.deleted++
	return true
}

// leave records that dead letter id left the DLQ; q.mu must be held.
func (q *QueueState) leave(id string) {
	if q.left == nil {
		q.left = map[string]bool{}
	}
	q.left[id] = true
}

// messageIDs returns the ids of the messages in the DLQ or put back from it
// at now: the ids a new dead letter of the queue must not take (Seed).
// The World's lock is held.
func (q *QueueState) messageIDs(now time.Time) map[string]bool {
	q.materialize()
	q.settle(now)
	ids := make(map[string]bool, len(q.dlq)+len(q.waiting))
	for id := range q.dlq {
		ids[id] = true
	}
	for _, w := range q.waiting {
		ids[w.msg.MessageID] = true
	}
	return ids
}

// addDeadLetters puts msgs into the DLQ at now, after the dead letters
// already there (Seed). They are messages the queue accepted and gave up
// on, so accepted grows with the DLQ and
// accepted = pending + dlq + processed + deleted holds. Their ids must be
// new to the queue (messageIDs); a retry processes them. The World's
// lock is held.
func (q *QueueState) addDeadLetters(msgs []queues.Message, now time.Time) {
	q.materialize()
	q.settle(now)
	for _, m := range msgs {
		q.dlqSeq++
		q.dlq[m.MessageID] = &deadLetter{Message: m, seq: q.dlqSeq}
	}
	q.seedAccepted += int64(len(msgs))
}

// queueStore holds the queues. The set of queues is fixed at seed time
// (Seed replaces the store to add queues); every queue holds the World's
// one lock.
type queueStore struct {
	order  []*QueueState
	byName map[string]*QueueState
}

// Get is the queue named name.
func (st *queueStore) Get(name string) (*QueueState, bool) {
	q, ok := st.byName[name]
	return q, ok
}

func newQueueStore(now time.Time) *queueStore {
	st := &queueStore{byName: map[string]*QueueState{}}
	for _, q := range seedQueues(now) {
		st.order = append(st.order, q)
		st.byName[q.name] = q
	}
	return st
}

// Views returns every queue's figures at now, in order.
func (st *queueStore) Views(now time.Time) []queues.QueueDetail {
	out := make([]queues.QueueDetail, 0, len(st.order))
	for _, q := range st.order {
		out = append(out, q.View(now))
	}
	return out
}

// pageDLQ pages dead letters (in DLQ order) by keyset: a page token
// names the last message of its page, so messages retried or deleted
// between two pages never make the next page skip others.
func pageDLQ(qv url.Values, items []*deadLetter, filters ...string) (Page[queues.Message], *Error) {
	bind := FilterHash("dlq", filters)
	var after uint32
	if tok := qv.Get("page_token"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != 12 {
			return Page[queues.Message]{}, InvalidField("page_token", "is not a page token of this list")
		}
		if binary.BigEndian.Uint64(raw[4:]) != bind {
			return Page[queues.Message]{}, InvalidField("page_token", "was made for other filters: keep the filters while paging")
		}
		after = binary.BigEndian.Uint32(raw[:4])
	}
	start := sort.Search(len(items), func(i int) bool { return items[i].seq > after })
	rest := items[start:]
	// paginate checks page_size and cuts the page from the first message
	// after the token.
	p, e := Paginate(url.Values{"page_size": qv["page_size"]}, "dlq", rest)
	if e != nil {
		return Page[queues.Message]{}, e
	}
	out := Page[queues.Message]{Items: make([]queues.Message, len(p.Items)), Total: len(items)}
	for i, m := range p.Items {
		out.Items[i] = m.Message
	}
	if p.Next != "" {
		var raw [12]byte
		binary.BigEndian.PutUint32(raw[:4], p.Items[len(p.Items)-1].seq)
		binary.BigEndian.PutUint64(raw[4:], bind)
		out.Next = base64.RawURLEncoding.EncodeToString(raw[:])
	}
	return out, nil
}

// queueHealth is the "queues" component of the platform's health: healthy
// when every queue is, unhealthy when every queue is critical, degraded
// otherwise.
func queueHealth(vs []queues.QueueDetail) platform.HealthStatus {
	bad, critical := 0, 0
	for _, v := range vs {
		if v.Status != queues.StatusHealthy {
			bad++
		}
		if v.Status == queues.StatusCritical {
			critical++
		}
	}
	switch {
	case len(vs) > 0 && critical == len(vs):
		return platform.HealthUnhealthy
	case bad > 0:
		return platform.HealthDegraded
	}
	return platform.HealthHealthy
}

// messagesPending sums the queues' pending messages for the dashboard.
func messagesPending(vs []queues.QueueDetail) int {
	n := 0
	for _, v := range vs {
		n += v.MessagesPending
	}
	return n
}

// NewDLQFilter checks a dead-letter filter as a caller sends it.

func NewDLQFilter(f queues.Filter) (DLQFilter, *Error) {
	if len(f.ErrorContains) > MaxErrorContains {
		return DLQFilter{}, InvalidField("error_contains", "must be at most 1024 bytes")
	}
	if f.OlderThanSeconds < 0 || f.OlderThanSeconds > MaxOlderThanSec {
		return DLQFilter{}, InvalidField("older_than_seconds", "must be from 0 (no age limit) to 315360000 seconds")
	}
	return DLQFilter{strings.ToLower(f.ErrorContains), time.Duration(f.OlderThanSeconds) * time.Second}, nil
}

// RetryLetter puts dead letter id of q back on the queue for by and tells
// of it; false when it is not in the DLQ.
func (w *World) RetryLetter(q *QueueState, id string, by Actor, now time.Time) (queues.Message, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := q.retry(id, DLQFilter{}, now)
	if !ok {
		return m, false
	}
	w.publish(now, "queues.dlq_retried", m)
	w.log(now, platform.LogInfo, "", fmt.Sprintf("Dead letter %s of queue %s retried by %s", id, q.name, by.name()),
		map[string]any{"queue_name": q.name, "message_id": id, "action": "retry", "by": by.name()})
	w.tell(now, subject{kindQueue, q.name})
	return m, true
}

// DeleteLetter deletes dead letter id of q for by and tells of it; false
// when it is not in the DLQ.
func (w *World) DeleteLetter(q *QueueState, id string, by Actor, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !q.remove(id, DLQFilter{}, now) {
		return false
	}
	w.publish(now, "queues.dlq_deleted", map[string]string{"queue_name": q.name, "message_id": id})
	w.log(now, platform.LogInfo, "", fmt.Sprintf("Dead letter %s of queue %s deleted by %s", id, q.name, by.name()),
		map[string]any{"queue_name": q.name, "message_id": id, "action": "delete", "by": by.name()})
	w.tell(now, subject{kindQueue, q.name})
	return true
}

// RetryLetters puts every dead letter of q matching f back on the queue
// for by, in one step, and tells of it.
func (w *World) RetryLetters(q *QueueState, f DLQFilter, by Actor, now time.Time) queues.RetryAllResult {
	matched, done := w.bulkLetters(q, f, false, by, now)
	return queues.RetryAllResult{Matched: matched, Retried: done}
}

// PurgeLetters deletes every dead letter of q matching f for by, in one
// step, and tells of it.
func (w *World) PurgeLetters(q *QueueState, f DLQFilter, by Actor, now time.Time) queues.PurgeResult {
	matched, done := w.bulkLetters(q, f, true, by, now)
	return queues.PurgeResult{Matched: matched, Deleted: done}
}

func (w *World) bulkLetters(q *QueueState, f DLQFilter, purge bool, by Actor, now time.Time) (matched, done int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	letters := q.letters(f, now)
	for _, m := range letters {
		var ok bool
		if purge {
			ok = q.remove(m.MessageID, f, now)
		} else {
			_, ok = q.retry(m.MessageID, f, now)
		}
		if ok {
			done++
		}
	}
	kind, verb := "dlq_bulk_retried", "retried"
	if purge {
		kind, verb = "dlq_purged", "deleted"
	}
	w.publish(now, "queues."+kind, map[string]any{"queue_name": q.name, "matched": len(letters), verb: done})
	w.log(now, platform.LogInfo, "", fmt.Sprintf("%d dead letters of queue %s %s by %s", done, q.name, verb, by.name()),
		map[string]any{"queue_name": q.name, "matched": len(letters), verb: done, "by": by.name()})
	w.tell(now, subject{kindQueue, q.name})
	return len(letters), done
}
