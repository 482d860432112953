// Package audit owns the posture checks run over an inventory.Snapshot: a registry of checks
// (each one data — ID, titles and remediation in English and Korean, severity, CIS AWS
// Foundations v7.0 / v3.0 and AWS FSBP references — plus a function over the snapshot), one
// file per family with its pass/fail/unknown samples in the test file beside it; the
// renderers of its results (table, JSON, CSV, OCSF, ASFF, Markdown, one file per format); the
// mute configuration (accountguard.yaml); and the safe, reversible fixes (plan, apply with a
// journal, undo).
//
// Checks read only the snapshot: they must never call AWS, and data a collection could not
// read must make a check unknown — never pass. Only the fixes call AWS (fix_aws.go, through the
// SDK), and only after the caller's account has been checked against the snapshot's. OCSF and ASFF are
// written by hand from their published schemas because no maintained Go library for either
// exists; the field tests pin the required fields.
package audit
