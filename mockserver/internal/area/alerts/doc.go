// Package alerts serves the alert routes: the list (by severity and
// status), acknowledge and resolve.
package alerts
