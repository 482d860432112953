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
// Git history: every new byte once, no diffs. The packs are read directly (subpackage
// gitpack): an undeltified blob is scanned whole where it lies; of a delta only the inserted
// bytes are examined, with the keyword prefilter and edge rules for tokens that continue
// copied bytes. Blobs that may hold a secret, loose objects and whatever a pack could not
// yield are read whole with git cat-file --batch (one process per core) and scanned with
// every detector. One git log --all -m --raw pass, beside the rest, gives each blob its
// first commit, author, date and path, so content first seen in a merge is attributed to
// the merge and each secret is reported once, where it was introduced. Reading every blob
// whole is ~10x more bytes on real histories; patches (git log -p) pay for git's diff and
// miss merge-only content.
package secrets
