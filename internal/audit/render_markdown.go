package audit

import (
	"fmt"
	"io"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

// renderMarkdown writes a report to paste into a ticket or a pull request.
func renderMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	ko := r.Lang == "ko"
	t := func(en, k string) string {
		if ko {
			return k
		}
		return en
	}
	fmt.Fprintf(&b, "# %s %s\n\n", t("Posture audit of account", "계정 보안 점검:"), r.Account)
	fmt.Fprintf(&b, "%s %s.\n\n", t("Collected", "수집 시각:"), r.CollectedAt.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "## %s\n\n| %s | %s | %s |\n|---|---|---|\n", t("Prevention practices", "예방 수칙"), t("Practice", "수칙"), t("Failing", "실패"), t("Unknown", "알 수 없음"))
	for _, p := range Practices {
		var fail, unknown int
		for _, f := range r.Findings {
			if f.Attributes["practice"] == string(p) {
				switch f.Status {
				case finding.Fail:
					fail++
				case finding.Unknown:
					unknown++
				}
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %d |\n", PracticeTitle[p].In(r.Lang), fail, unknown)
	}
	for sev := finding.Critical; sev >= finding.Info; sev-- {
		var rows []finding.Finding
		for _, f := range r.Findings {
			if f.Severity == sev && f.Status != finding.Pass {
				rows = append(rows, f)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n| %s | %s | %s | %s | CIS v7.0 |\n|---|---|---|---|---|\n", strings.ToUpper(sev.String()),
			t("Status", "상태"), t("Check", "점검"), t("Region", "리전"), t("Detail", "내용"))
		for _, f := range rows {
			d := f.Detail.In(r.Lang)
			if d == "" {
				d = f.Title.In(r.Lang)
			}
			if f.Status == finding.Muted {
				d += " (" + t("muted", "음소거") + ": " + f.MuteReason + ")"
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", f.Status, f.RuleID, dash(f.Region), mdCell(d), dash(refID(f, "CIS AWS Foundations v7.0")))
		}
		seen := map[string]bool{}
		for _, f := range rows {
			if f.Status == finding.Fail && !seen[f.RuleID] {
				seen[f.RuleID] = true
				fmt.Fprintf(&b, "\n- **%s** — %s", f.RuleID, mdCell(f.Remediation.In(r.Lang)))
			}
		}
		b.WriteString("\n")
	}
	c := Counts(r.Findings)
	fmt.Fprintf(&b, "\n%s: %d %s, %d %s, %d %s, %d %s.\n", t("Summary", "요약"), c[finding.Fail], t("failing", "실패"), c[finding.Unknown], t("unknown", "알 수 없음"),
		c[finding.Muted], t("muted", "음소거"), c[finding.Pass], t("passing", "통과"))
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
