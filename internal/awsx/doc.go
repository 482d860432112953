// Package awsx is accountguard's one door to AWS: it builds an aws.Config from the standard
// credential chain (environment, shared config and credentials files, profiles, SSO, IMDS)
// with AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> honoured by the SDK itself, adds retry
// settings suited to throttling and per-service client-side rate limits, and offers the few
// calls every command needs first: caller identity, enabled regions, and a bounded fan-out
// that collects per-region errors instead of failing the whole run.
//
// It must not know about any capability (audit, trail, cost …); those packages define their
// own narrow client interfaces and receive SDK clients built from the Config made here.
package awsx
