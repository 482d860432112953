// Package secrets finds leaked credentials in directory trees, standard input, staged
// changes and the whole history of git repositories, and says whose AWS keys they are: the
// account decoded from the key ID, optionally whether the key is live (STS, --verify) and
// which user of the current account owns it (IAM, --mine). It turns matches into
// finding.Finding values, applies baselines and inline allow comments, and renders the
// formats the command offers (table, JSON, CSV, SARIF). Detection itself lives in the
// detect subpackage.
//
// It must never print, log or store a whole secret: values travel as detect.Secret and
// leave only redacted or as a SHA-256 fingerprint. It calls AWS only when asked to (verify,
// mine), through narrow interfaces defined here.
//
// Git history is read with git itself (git cat-file --batch-all-objects --batch-check to
// list every object, git cat-file --batch to stream each unique blob exactly once, one
// process per core), so content that first appears in a merge commit is covered without
// any diffing; provenance (first commit, author, date, path) comes from one
// git log --all -m --raw pass and is kept only for blobs that hit or are missing. A pack
// reader of our own would save git's delta application but was not worth its risk here.
package secrets
