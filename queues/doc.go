// Package queues watches the platform's message queues and clears their
// dead-letter queues (DLQs).
//
// Build a client from a *platform.Client and use it for the queues' health
// (List, Get) and for triage of dead letters: DLQ lists them, Retry puts
// one back on its queue, Delete drops it, and RetryAll and Purge act on
// every dead letter that matches a Filter (by error text and by age),
// reporting how many matched and how many were acted on.
//
//	qc := queues.New(pc)
//	for q, err := range qc.List(ctx, queues.ListOptions{}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(q.QueueName, q.Status, q.DLQMessages)
//	}
//	res, err := qc.RetryAll(ctx, "agent-tasks", queues.Filter{ErrorContains: "timeout"})
//
// Reading needs the viewer role; Retry, Delete, RetryAll and Purge need the
// operator role (platform.ErrPermissionDenied otherwise). A dead letter that
// is no longer in the DLQ (retried or deleted by someone else) answers
// platform.ErrNotFound, so two operators triaging the same queue never act
// on one message twice.
package queues
