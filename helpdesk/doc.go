// Package helpdesk is the client for the platform's help desk: the tools a
// support engineer uses when a customer calls. Find the customer
// (SearchCustomers), see their agents, open issues and workflows at a glance
// (Overview), let the platform check everything it knows about them and say
// what is wrong (Diagnose: a root cause and the quick actions that fix it),
// run those quick actions (RestartAgent, ClearCache, RetryWorkflow, or Run
// for a Recommendation), follow incidents and their SLAs (Incidents) and read
// the playbooks that say what to do step by step (Playbooks, Playbook).
//
// Build a client from a *platform.Client:
//
//	hd := helpdesk.New(pc)
//	d, err := hd.Diagnose(ctx, "cust-002")
//	if err != nil {
//		return err
//	}
//	fmt.Println("root cause:", d.RootCause)
//	for _, rec := range d.Recommendations {
//		res, err := hd.Run(ctx, rec) // e.g. retry-workflow wf-003
//		if err != nil {
//			return err
//		}
//		fmt.Println(res.Message)
//	}
//
// Reading (search, overview, incidents, playbooks) needs any signed-in role;
// the quick actions and Diagnose need the operator role
// (platform.ErrPermissionDenied otherwise). An unknown customer, agent,
// workflow or playbook gives platform.ErrNotFound; a quick action the target's
// state does not allow (restarting an agent that is provisioning, retrying a
// workflow that has not failed) gives platform.ErrConflict, whose message
// names the state; a bad filter value gives platform.ErrInvalidArgument.
//
// Incident SLAs follow the severity: critical 1 h, high 4 h, medium 8 h, low
// 24 h from the incident's creation (Severity.SLA). An open incident is
// at risk in the last quarter of its window and breached once its deadline
// has passed (Incident.SLAAt).
//
// The types are the JSON format of the help-desk routes; the mock server
// reuses them, so the format has one definition. Unknown fields and enum
// values from newer servers decode without error.
package helpdesk
