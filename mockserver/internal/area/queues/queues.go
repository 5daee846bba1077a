package queues

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/queues"
)

// Routes are the queues routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the queues routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/queues", Role: core.RoleViewer, Handle: h.listQueues},
		{Method: "GET", Pattern: "/api/platform/queues/{name}", Role: core.RoleViewer, Handle: h.getQueue},
		{Method: "GET", Pattern: "/api/platform/queues/{name}/dlq", Role: core.RoleViewer, Handle: h.listDLQ},
		{Method: "POST", Pattern: "/api/platform/queues/{name}/dlq/retry", Role: core.RoleOperator, Lookup: h.queueExists, Handle: h.bulkDLQ(false)},
		{Method: "POST", Pattern: "/api/platform/queues/{name}/dlq/purge", Role: core.RoleOperator, Lookup: h.queueExists, Handle: h.bulkDLQ(true)},
		{Method: "POST", Pattern: "/api/platform/queues/{name}/dlq/{message_id}/retry", Role: core.RoleOperator, Lookup: h.deadLetterExists, Handle: h.retryDLQ},
		{Method: "DELETE", Pattern: "/api/platform/queues/{name}/dlq/{message_id}", Role: core.RoleOperator, Lookup: h.deadLetterExists, Handle: h.deleteDLQ},
	}
}

// queueExists is the 404 check of the {name} queue routes.
func (h *handlers) queueExists(rc *httpapi.Request) *core.Error {
	_, e := h.queue(rc)
	return e
}

// deadLetterExists is the 404 check of the {name}/dlq/{message_id} routes:
// the queue must exist and the message must be, or have been, one of its
// dead letters. A message that has left the DLQ (retried or deleted) is
// answered by the handler, after the body checks: the same call with the
// same Idempotency-Key must replay its first answer (or get 422 for another
// body), and only a call that runs gets its 404.
func (h *handlers) deadLetterExists(rc *httpapi.Request) *core.Error {
	q, e := h.queue(rc)
	if e != nil {
		return e
	}
	if id := rc.Param("message_id"); !q.Known(id, rc.Now) {
		return core.NotFound("message %q was never in the dead-letter queue of %q", id, q.Name())
	}
	return nil
}

var queueStatuses = []queues.Status{queues.StatusHealthy, queues.StatusDegraded, queues.StatusCritical}

func (h *handlers) queue(rc *httpapi.Request) (*core.QueueState, *core.Error) {
	q, ok := h.World().Queues.Get(rc.Param("name"))
	if !ok {
		return nil, core.NotFound("queue %q not found", rc.Param("name"))
	}
	return q, nil
}

func (h *handlers) listQueues(rc *httpapi.Request) (int, any, *core.Error) {
	qv := rc.R.URL.Query()
	status, text := qv.Get("status"), strings.ToLower(qv.Get("q"))
	if status != "" && !slices.Contains(queueStatuses, queues.Status(status)) {
		return 0, nil, core.InvalidField("status", "must be one of healthy, degraded, critical")
	}
	var matched []queues.Queue
	for _, d := range h.World().Queues.Views(rc.Now) {
		if status != "" && string(d.Status) != status || text != "" && !strings.Contains(d.QueueName, text) {
			continue
		}
		matched = append(matched, d.Queue)
	}
	p, e := core.PaginateKeyed(qv, "queues", matched, func(q queues.Queue) string { return q.QueueName }, status, text)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("queues", p), nil
}

func (h *handlers) getQueue(rc *httpapi.Request) (int, any, *core.Error) {
	q, e := h.queue(rc)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, q.View(rc.Now), nil
}

func (h *handlers) listDLQ(rc *httpapi.Request) (int, any, *core.Error) {
	q, e := h.queue(rc)
	if e != nil {
		return 0, nil, e
	}
	qv := rc.R.URL.Query()
	var f queues.Filter
	f.ErrorContains = qv.Get("error_contains")
	if v := qv.Get("older_than_seconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, nil, core.InvalidField("older_than_seconds", "must be an integer number of seconds")
		}
		f.OlderThanSeconds = n
	}
	df, e := core.NewDLQFilter(f)
	if e != nil {
		return 0, nil, e
	}
	p, e := q.LetterPage(qv, df, rc.Now, q.Name(), df.ErrorText(), strconv.FormatInt(f.OlderThanSeconds, 10))
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("messages", p), nil
}

func (h *handlers) retryDLQ(rc *httpapi.Request) (int, any, *core.Error) {
	q, e := h.queue(rc)
	if e != nil {
		return 0, nil, e
	}
	id := rc.Param("message_id")
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	m, ok := h.World().RetryLetter(q, id, rc.Actor(""), rc.Now)
	if !ok {
		return 0, nil, dlqNotFound(q.Name(), id)
	}
	return http.StatusOK, m, nil
}

func (h *handlers) deleteDLQ(rc *httpapi.Request) (int, any, *core.Error) {
	q, e := h.queue(rc)
	if e != nil {
		return 0, nil, e
	}
	id := rc.Param("message_id")
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	if !h.World().DeleteLetter(q, id, rc.Actor(""), rc.Now) {
		return 0, nil, dlqNotFound(q.Name(), id)
	}
	return http.StatusNoContent, nil, nil
}

func dlqNotFound(queue, id string) *core.Error {
	return core.NotFound("message %q is not in the dead-letter queue of %q (retried or deleted already?)", id, queue)
}

// bulkDLQ retries (or purges) every dead letter matching the body's filter,
// all in one step (World.RetryLetters, World.PurgeLetters).
func (h *handlers) bulkDLQ(purge bool) httpapi.Handler {
	return func(rc *httpapi.Request) (int, any, *core.Error) {
		q, e := h.queue(rc)
		if e != nil {
			return 0, nil, e
		}
		if len(rc.Body) == 0 {
			return 0, nil, core.Invalid("a JSON body is required: send {} to act on every dead letter, " +
				"or filter with error_contains and older_than_seconds")
		}
		var f queues.Filter
		if e := rc.Decode(&f); e != nil {
			return 0, nil, e
		}
		df, e := core.NewDLQFilter(f)
		if e != nil {
			return 0, nil, e
		}
		if purge {
			return http.StatusOK, h.World().PurgeLetters(q, df, rc.Actor(""), rc.Now), nil
		}
		return http.StatusOK, h.World().RetryLetters(q, df, rc.Actor(""), rc.Now), nil
	}
}
