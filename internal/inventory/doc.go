// Package inventory collects an AWS account into a Snapshot: identity, enabled regions, IAM
// (credential report, users with keys and their last use, login profiles, MFA, groups,
// policies, roles, password policy, account summary) and, per enabled region, the EC2 and
// Auto Scaling objects an attacker creates. Every region runs concurrently and every
// independent call is made at once, within awsx's rate limits; a failed call is recorded in
// the snapshot (never fatal), so consumers can tell "none" from "unknown".
//
// It reads only: it must never change the account.
package inventory
