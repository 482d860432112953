// Package awssim is an AWS simulator: an http.Handler, served on 127.0.0.1, that speaks the
// wire protocols the real aws-sdk-go-v2 uses (query with XML replies for IAM, STS, EC2 and
// Auto Scaling; JSON 1.0/1.1 chosen by X-Amz-Target; REST-XML for S3), keeps state per
// account and region, applies AWS's rules and error codes, authenticates every request by
// the access key in its SigV4 signature (and checks the signature), and records every call
// it serves as a CloudTrail record.
//
// Scenarios (YAML, embedded or from a file) describe an account: users, keys, policies,
// resources per region, and a history of API calls that is replayed through the same
// handlers at load time, so state and CloudTrail agree by construction. Tests, `demo` and
// benchmarks import it; the tool's capabilities never do.
//
// It is hand-written because no AWS emulator can be installed here and none is a Go library;
// each operation is checked against the SDK's own serializers by the tests, which use the
// real SDK clients.
package awssim
