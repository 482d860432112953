// Package trail reads CloudTrail wherever it lies (local files and folders in the S3 export
// layout, JSON lines or the LookupEvents shape; an S3 bucket; the LookupEvents API), streams
// every record once through the Sigma rules and the stateful detectors, and turns the matches
// into findings, a timeline of the attacker's activity and a map from each created resource
// to who created it.
//
// Records are streamed: a reader holds one record of a file at a time (see event), files are
// read on all cores, and nothing is decoded that no rule or detector asks for. It must not
// make changes to an account, render anything for a terminal (that is cli's job) or keep a
// whole input in memory; only the findings, the attribution map and the timeline's entries
// grow with the input.
package trail
