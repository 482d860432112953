package detect

import (
	"regexp"

	"github.com/accountguard/accountguard/internal/finding"
)

// Slack incoming webhooks and API tokens (bot, user, app-level, legacy).
var (
	slackHookRe  = regexp.MustCompile(`hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}`)
	slackTokenRe = regexp.MustCompile(`xox[baprs]-[0-9]{9,13}-[0-9]{9,13}(?:-[0-9]{9,13})?-[A-Za-z0-9]{24,34}`)
)

func findSlack(w []byte) []Match {
	var out []Match
	for _, re := range []*regexp.Regexp{slackHookRe, slackTokenRe} {
		for _, l := range re.FindAllIndex(w, -1) {
			v := string(w[l[0]:l[1]])
			if distinct(v) < 12 {
				continue
			}
			out = append(out, Match{Start: l[0], End: l[1], Secret: NewSecret(v), Confidence: High})
		}
	}
	return out
}

func init() {
	Register(&Detector{
		ID:            "slack",
		Title:         finding.Text{En: "Slack webhook or token", Ko: "Slack 웹훅 또는 토큰"},
		Severity:      finding.Medium,
		Keywords:      []string{"hooks.slack.com"},
		ExactKeywords: []string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"},
		Find:          findSlack,
		TruePositives: []string{
			`url = "https://hooks.slack.com/services/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"`,
			`SLACK_BOT_TOKEN=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx`,
		},
		FalsePositives: []string{
			`https://hooks.slack.com/services/XXX/YYY/ZZZ`,
			`see https://api.slack.com/messaging/webhooks`,
			`xoxb-your-token`,
		},
	})
}
