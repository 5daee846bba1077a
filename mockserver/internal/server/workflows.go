package server

import (
	"net/http"
	"slices"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/workflows"
)

// workflowRoutes are the orchestration workflow routes.
func (s *Server) workflowRoutes() []*httpapi.Route {
	const base = "/api/platform/orchestration/workflows"
	return []*httpapi.Route{
		{Method: "GET", Pattern: base, Role: core.RoleViewer, Handle: s.listWorkflows},
		{Method: "GET", Pattern: base + "/{id}", Role: core.RoleViewer, Handle: s.getWorkflow},
		{Method: "POST", Pattern: base + "/{id}/pause", Role: core.RoleOperator, Lookup: s.workflowExists, Handle: s.workflowAction(core.WfPause)},
		{Method: "POST", Pattern: base + "/{id}/resume", Role: core.RoleOperator, Lookup: s.workflowExists, Handle: s.workflowAction(core.WfResume)},
		{Method: "POST", Pattern: base + "/{id}/cancel", Role: core.RoleOperator, Lookup: s.workflowExists, Handle: s.workflowAction(core.WfCancel)},
		{Method: "POST", Pattern: base + "/{id}/tasks/{task_id}/retry", Role: core.RoleOperator, Lookup: s.workflowTaskExists, Handle: s.retryWorkflowTask},
	}
}

// workflowExists is the 404 check of the {id} workflow routes.
func (s *Server) workflowExists(rc *httpapi.Request) *core.Error {
	if ok, _ := s.world().Workflows.Has(rc.Param("id"), ""); !ok {
		return core.NotFound("workflow %q not found", rc.Param("id"))
	}
	return nil
}

// workflowTaskExists is the 404 check of the {id}/tasks/{task_id} routes.
func (s *Server) workflowTaskExists(rc *httpapi.Request) *core.Error {
	id, taskID := rc.Param("id"), rc.Param("task_id")
	switch wf, task := s.world().Workflows.Has(id, taskID); {
	case !wf:
		return core.NotFound("workflow %q not found", id)
	case !task:
		return core.NotFound("task %q not found in workflow %q", taskID, id)
	}
	return nil
}

var workflowStatuses = []workflows.Status{workflows.StatusPending, workflows.StatusRunning, workflows.StatusPaused,
	workflows.StatusCompleted, workflows.StatusFailed, workflows.StatusCancelled}

func (s *Server) listWorkflows(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	status, customer := q.Get("status"), q.Get("customer_id")
	if status != "" && !slices.Contains(workflowStatuses, workflows.Status(status)) {
		return 0, nil, core.InvalidField("status", "must be one of pending, running, paused, completed, failed, cancelled")
	}
	all := s.world().Workflows.List(rc.Now)
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

func (s *Server) getWorkflow(rc *httpapi.Request) (int, any, *core.Error) {
	w, ok := s.world().Workflows.Get(rc.Param("id"), rc.Now)
	if !ok {
		return 0, nil, core.NotFound("workflow %q not found", rc.Param("id"))
	}
	return http.StatusOK, w, nil
}

func (s *Server) workflowAction(act core.WfAction) httpapi.Handler {
	return func(rc *httpapi.Request) (int, any, *core.Error) {
		if e := rc.DecodeOptional(&struct{}{}); e != nil {
			return 0, nil, e
		}
		w, e := s.world().Workflows.Act(rc.Param("id"), act, rc.Now)
		if e != nil {
			return 0, nil, e
		}
		return http.StatusOK, w, nil
	}
}

func (s *Server) retryWorkflowTask(rc *httpapi.Request) (int, any, *core.Error) {
	id, taskID := rc.Param("id"), rc.Param("task_id")
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	w, e := s.world().Workflows.Retry(id, taskID, rc.Now)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, w, nil
}
