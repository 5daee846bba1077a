package server

// routes builds the route table: every route the server serves, each
// documented in api/openapi.yaml or api/mock.yaml.
func (s *Server) routes() {
	s.router.Add(s.controlRoutes()...)
	s.router.Add(s.sandboxRoutes()...)
	s.router.Add(s.auth.Routes()...)
	s.router.Add(s.auth.ControlRoutes()...)
	s.router.Add(s.seedRoutes()...)
	s.router.Add(s.dashboardRoutes()...)
	s.router.Add(s.agentRoutes()...)
	s.router.Add(s.queueRoutes()...)
	s.router.Add(s.workflowRoutes()...)
	s.router.Add(s.factoryRoutes()...)
	s.router.Add(s.servicingRoutes()...)
	s.router.Add(s.helpdeskRoutes()...)
	s.router.Add(s.logRoutes()...)
	s.router.Add(s.alertRoutes()...)
	s.router.Add(s.eventRoutes()...)
	s.publishChanges() // last: wraps the routes above (events.go)
	s.markCached()
}

// Routes lists the server's routes as "METHOD /pattern", for contract tests.
func (s *Server) Routes() []string {
	out := make([]string, 0, len(s.router.Routes()))
	for _, r := range s.router.Routes() {
		out = append(out, r.Method+" "+r.Pattern)
	}
	return out
}
