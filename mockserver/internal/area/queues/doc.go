// Package queues serves the queue and dead-letter routes: queues, their
// dead letters (filtered, paged), retry, delete, retry-all and purge.
// Inside it, queues names the SDK's package of the wire types.
package queues
