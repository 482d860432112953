// Package rules embeds the Sigma rules accountguard runs: SigmaHQ's AWS CloudTrail rules,
// copied unmodified under the Detection Rule License (sigmahq/, with LICENSE and SOURCE.md),
// and accountguard's own rules for the account-takeover chain (builtin/). Every rule has
// samples (records it must match and records it must not), checked by this package's tests:
// builtin/<rule>.samples.json beside each built-in rule, samples/sigmahq/<rule>.json for the
// SigmaHQ rules, whose folder stays an unmodified copy.
//
// It holds data only: compiling is the sigma package's job, and no rule is changed here.
package rules

import (
	"embed"
	"io/fs"

	"github.com/accountguard/accountguard/internal/trail/sigma"
)

//go:embed sigmahq/*.yml sigmahq/*.md builtin/*.yml
var files embed.FS

// FS is the embedded rule tree.
func FS() fs.FS { return files }

// Load compiles every embedded rule. Rules that cannot be compiled are returned as errors
// naming the rule and the unsupported feature; the others are returned.
func Load() ([]*sigma.Rule, []error) {
	var (
		all  []*sigma.Rule
		errs []error
	)
	for _, dir := range []string{"sigmahq", "builtin"} {
		rs, es := sigma.LoadFS(files, dir)
		all = append(all, rs...)
		errs = append(errs, es...)
	}
	return all, errs
}
