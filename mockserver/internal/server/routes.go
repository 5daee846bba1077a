package server

// routes builds the route table: every route the server serves, each
// documented in api/openapi.yaml or api/mock.yaml.
func (s *Server) routes() {
	s.router.add(s.controlRoutes()...)
	s.router.add(s.sandboxRoutes()...)
	s.router.add(s.oauthRoutes()...)
	s.router.add(s.authControlRoutes()...)
	s.router.add(s.seedRoutes()...)
	s.router.add(s.dashboardRoutes()...)
	s.router.add(s.agentRoutes()...)
	s.router.add(s.queueRoutes()...)
	s.router.add(s.workflowRoutes()...)
	s.router.add(s.factoryRoutes()...)
	s.router.add(s.servicingRoutes()...)
	s.router.add(s.helpdeskRoutes()...)
	s.router.add(s.logRoutes()...)
	s.router.add(s.alertRoutes()...)
	s.router.add(s.eventRoutes()...)
	s.publishChanges() // last: wraps the routes above (events.go)
	s.markCached()
}

// Routes lists the server's routes as "METHOD /pattern", for contract tests.
func (s *Server) Routes() []string {
	out := make([]string, 0, len(s.router.routes))
	for _, r := range s.router.routes {
		out = append(out, r.method+" "+r.pattern)
	}
	return out
}
