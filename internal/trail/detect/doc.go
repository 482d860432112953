// Package detect holds the stateful detectors: what a per-event Sigma rule cannot say, such
// as a key used from an IP it never used before, the first activity in a region, a burst of
// instance launches across regions, or enumeration followed by persistence within an hour.
//
// Records arrive out of time order and from several goroutines, so detectors do not judge
// while reading: each reader goroutine folds every record into its own State (per-actor
// profiles of distinct IPs, user agents, regions and minutes, not of records, each within
// the Limits the States of one hunt share, whatever the input: limits.go), States are merged, and each registered Detector then looks at the whole picture with a
// baseline learned from the same data (by default its first half in time). One file per
// detector, with true- and false-positive samples in testdata/. It must not read input or
// print anything.
package detect
