package detect

import (
	"regexp"

	"github.com/accountguard/accountguard/internal/finding"
)

// GitHub tokens, in the prefixed formats GitHub has issued since 2021 (personal, OAuth,
// user-to-server, server-to-server, refresh, fine-grained personal).
var githubRe = regexp.MustCompile(`(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})`)

func findGitHub(w []byte) []Match {
	var out []Match
	for _, l := range githubRe.FindAllIndex(w, -1) {
		if !bounded(w, l[0], l[1], func(b byte) bool { return isAlnum(b) || b == '_' }) {
			continue
		}
		v := string(w[l[0]:l[1]])
		if distinct(v) < 12 {
			continue
		}
		out = append(out, Match{Start: l[0], End: l[1], Secret: NewSecret(v), Confidence: High})
	}
	return out
}

func init() {
	Register(&Detector{
		ID:            "github-token",
		Title:         finding.Text{En: "GitHub token", Ko: "GitHub 토큰"},
		Severity:      finding.High,
		ExactKeywords: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
		Find:          findGitHub,
		TruePositives: []string{
			`GITHUB_TOKEN=ghp_4bZkq0Xr7TmPwN2vLs9yHc3dJf6gKa1eQu8R`,
			`token: "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"`,
		},
		FalsePositives: []string{
			`ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
			`ghp_short`,
			`high_value = 1`,
		},
	})
}
