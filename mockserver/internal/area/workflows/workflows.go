package workflows

import (
	"net/http"
	"slices"

	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/workflows"
)

// Routes are the workflows routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the workflows routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	const base = "/api/platform/orchestration/workflows"
	return []*httpapi.Route{
		{Method: "GET", Pattern: base, Role: core.RoleViewer, Handle: h.listWorkflows},
		{Method: "GET", Pattern: base + "/{id}", Role: core.RoleViewer, Handle: h.getWorkflow},
		{Method: "POST", Pattern: base + "/{id}/pause", Role: core.RoleOperator, Lookup: h.workflowExists, Handle: h.workflowAction(core.WorkflowPause)},
		{Method: "POST", Pattern: base + "/{id}/resume", Role: core.RoleOperator, Lookup: h.workflowExists, Handle: h.workflowAction(core.WorkflowResume)},
		{Method: "POST", Pattern: base + "/{id}/cancel", Role: core.RoleOperator, Lookup: h.workflowExists, Handle: h.workflowAction(core.WorkflowCancel)},
		{Method: "POST", Pattern: base + "/{id}/tasks/{task_id}/retry", Role: core.RoleOperator, Lookup: h.workflowTaskExists, Handle: h.retryWorkflowTask},
	}
}

// workflowExists is the 404 check of the {id} workflow routes.
func (h *handlers) workflowExists(rc *httpapi.Request) *core.Error {
	if ok, _ := h.World().Workflows.Has(rc.Param("id"), ""); !ok {
		return core.NotFound("workflow %q not found", rc.Param("id"))
	}
	return nil
}

// workflowTaskExists is the 404 check of the {id}/tasks/{task_id} routes.
func (h *handlers) workflowTaskExists(rc *httpapi.Request) *core.Error {
	id, taskID := rc.Param("id"), rc.Param("task_id")
	switch wf, task := h.World().Workflows.Has(id, taskID); {
	case !wf:
		return core.NotFound("workflow %q not found", id)
	case !task:
		return core.NotFound("task %q not found in workflow %q", taskID, id)
	}
	return nil
}

var workflowStatuses = []workflows.Status{workflows.StatusPending, workflows.StatusRunning, workflows.StatusPaused,
	workflows.StatusCompleted, workflows.StatusFailed, workflows.StatusCancelled}

func (h *handlers) listWorkflows(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	status, customer := q.Get("status"), q.Get("customer_id")
	if status != "" && !slices.Contains(workflowStatuses, workflows.Status(status)) {
		return 0, nil, core.InvalidField("status", "must be one of pending, running, paused, completed, failed, cancelled")
	}
	all := h.World().Workflows.List(rc.Now)
	matched := all[:0]
	for _, w := range all {
		if status != "" && string(w.Status) != status || customer != "" && w.CustomerID != customer {
			continue
		}
		matched = append(matched, w)
	}
	p, e := core.PaginateKeyed(q, "workflows", matched, func(w workflows.Workflow) string { return w.WorkflowID }, status, customer)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("workflows", p), nil
}

func (h *handlers) getWorkflow(rc *httpapi.Request) (int, any, *core.Error) {
	w, ok := h.World().Workflows.Get(rc.Param("id"), rc.Now)
	if !ok {
		return 0, nil, core.NotFound("workflow %q not found", rc.Param("id"))
	}
	return http.StatusOK, w, nil
}

func (h *handlers) workflowAction(act core.WorkflowAction) httpapi.Handler {
	return func(rc *httpapi.Request) (int, any, *core.Error) {
		if e := rc.DecodeOptional(&struct{}{}); e != nil {
			return 0, nil, e
		}
		w, e := h.World().ActWorkflow(rc.Param("id"), act, rc.Actor(""), rc.Now)
		if e != nil {
			return 0, nil, e
		}
		return http.StatusOK, w, nil
	}
}

func (h *handlers) retryWorkflowTask(rc *httpapi.Request) (int, any, *core.Error) {
	id, taskID := rc.Param("id"), rc.Param("task_id")
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	w, e := h.World().RetryTask(id, taskID, rc.Actor(""), rc.Now)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, w, nil
}
