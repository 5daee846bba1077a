package server

// routes builds the route table: every route the server serves, each
// documented in api/openapi.yaml or api/mock.yaml.
func (s *Server) routes() {
	s.router.Add(s.controlRoutes()...)
	s.router.Add(s.sandboxRoutes()...)
	s.router.Add(s.auth.Routes()...)
	s.router.Add(s.auth.ControlRoutes()...)
	s.router.Add(s.seedRoutes()...)
	s.router.Add((&dashboardArea{s.env}).dashboardRoutes()...)
	s.router.Add((&agentsArea{s.env}).agentRoutes()...)
	s.router.Add((&queuesArea{s.env}).queueRoutes()...)
	s.router.Add((&workflowsArea{s.env}).workflowRoutes()...)
	s.router.Add((&factoryArea{s.env}).factoryRoutes()...)
	s.router.Add((&servicingArea{s.env}).servicingRoutes()...)
	s.router.Add((&helpdeskArea{s.env}).helpdeskRoutes()...)
	s.router.Add((&logsArea{s.env}).logRoutes()...)
	s.router.Add((&alertsArea{s.env}).alertRoutes()...)
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
