package secrets

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/secrets/detect"
)

// Source is the finding.Source of everything this package emits.
const Source = "secrets"

// Fingerprint identifies a secret for one detector without revealing it (SHA-256 of the
// value); baselines store it.
func Fingerprint(h Hit) string { return finding.StableID(h.Rule, h.Secret.Fingerprint()) }

// Facts learned about an AWS access key after the scan, keyed by key ID.
type Facts struct {
	Verify map[string]VerifyResult
	Owners map[string]KeyOwner
}

var ttpCredentialsInFiles = finding.Reference{Standard: "MITRE ATT&CK", ID: "T1552.001", URL: "https://attack.mitre.org/techniques/T1552/001/"}

// Findings turns hits into findings, one per hit, ordered by severity then location.
func Findings(hits []Hit, facts *Facts) []finding.Finding {
	out := make([]finding.Finding, 0, len(hits))
	for _, h := range hits {
		out = append(out, toFinding(h, facts))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].Evidence[0].Ref < out[j].Evidence[0].Ref
	})
	return out
}

func toFinding(h Hit, facts *Facts) finding.Finding {
	d := detect.Lookup(h.Rule)
	title, sev := finding.Text{En: h.Rule}, finding.High
	if d != nil {
		title, sev = d.Title, d.Severity
	}
	if h.Confidence == detect.Low && sev > finding.Low {
		sev = finding.Low
	}
	where := h.Loc.Path + ":" + strconv.Itoa(h.Loc.Line)
	ev := finding.Evidence{Kind: "file", Ref: where, Detail: h.Rule + " " + h.Secret.Redacted()}
	if h.Loc.Kind == "git" {
		ev.Kind = "commit"
		if h.Loc.Commit != "" {
			ev.Ref = h.Loc.Commit + ":" + where
		} else {
			ev.Ref = h.Loc.Blob + ":" + where
		}
	}
	id := finding.StableID(Source, h.Rule, h.Secret.Fingerprint(), h.Loc.Kind, h.Loc.Repo, h.Loc.Path)
	if h.Loc.Kind == "git" { // one finding per secret per repository, wherever it moved
		id = finding.StableID(Source, h.Rule, h.Secret.Fingerprint(), "git", h.Loc.Repo)
	}
	f := finding.Finding{
		ID:           id,
		RuleID:       h.Rule,
		Source:       Source,
		Title:        title,
		Severity:     sev,
		Status:       finding.Fail,
		Account:      h.Account,
		ResourceType: "Secret",
		Resource:     h.Secret.Redacted(),
		Time:         h.Loc.Date,
		Evidence:     []finding.Evidence{ev},
		References:   []finding.Reference{ttpCredentialsInFiles},
		Attributes: map[string]string{
			"confidence":  string(h.Confidence),
			"redacted":    h.Secret.Redacted(),
			"fingerprint": Fingerprint(h),
			"kind":        h.Loc.Kind,
			"path":        h.Loc.Path,
			"line":        strconv.Itoa(h.Loc.Line),
		},
	}
	if h.Loc.Repo != "" {
		f.Attributes["repo"] = filepath.Clean(h.Loc.Repo)
	}
	if h.Loc.Commit != "" {
		f.Attributes["commit"] = h.Loc.Commit
		f.Attributes["author"] = h.Loc.Author + " <" + h.Loc.Email + ">"
		f.Attributes["date"] = h.Loc.Date.UTC().Format(time.RFC3339)
	}
	if h.Loc.Blob != "" {
		f.Attributes["blob"] = h.Loc.Blob
	}
	if h.Note != "" {
		f.Attributes["note"] = h.Note
	}
	detail := fmt.Sprintf("%s %s found at %s", title.En, h.Secret.Redacted(), where)
	detailKo := fmt.Sprintf("%s %s 발견: %s", title.In("ko"), h.Secret.Redacted(), where)
	if h.Loc.Commit != "" {
		short := h.Loc.Commit[:min(12, len(h.Loc.Commit))]
		detail += fmt.Sprintf(", introduced in commit %s by %s on %s", short, h.Loc.Author, h.Loc.Date.UTC().Format("2006-01-02"))
		detailKo += fmt.Sprintf(", 커밋 %s (%s, %s)에서 추가됨", short, h.Loc.Author, h.Loc.Date.UTC().Format("2006-01-02"))
	}
	if h.KeyID != "" {
		f.Attributes["key_id"] = detect.Redact(h.KeyID)
		f.Principal = detect.Redact(h.KeyID)
		if h.Rule == "aws-access-key-id" {
			f.Attributes["key_kind"] = detect.KeyIDKind(h.KeyID)
		}
		f.Remediation = finding.Text{
			En: "Deactivate the access key now, rotate it, check CloudTrail for what it did, and remove it from the file and history (rewriting history does not make a pushed key safe).",
			Ko: "액세스 키를 즉시 비활성화하고 교체한 뒤 CloudTrail에서 사용 내역을 확인하고, 파일과 기록에서 제거하십시오(이미 푸시된 키는 기록을 다시 써도 안전하지 않습니다).",
		}
		f.Actions = []string{"DeactivateAccessKey", "RotateAccessKey"}
	} else {
		f.Remediation = finding.Text{
			En: "Revoke the credential at its issuer, issue a new one, and keep it out of source (a secret manager or environment variable).",
			Ko: "발급처에서 자격 증명을 폐기하고 새로 발급받아 소스 코드 밖(시크릿 관리자, 환경 변수)에 보관하십시오.",
		}
	}
	if h.Account != "" {
		f.Attributes["account"] = h.Account
		detail += ", account " + h.Account
		detailKo += ", 계정 " + h.Account
	}
	if facts != nil && h.KeyID != "" {
		if v, ok := facts.Verify[h.KeyID]; ok {
			f.Attributes["verified"] = v.Status
			if v.ARN != "" {
				f.Attributes["arn"] = v.ARN
				f.Principal = v.ARN
				detail += ", live as " + v.ARN
				detailKo += ", 유효한 키: " + v.ARN
			}
			if v.Account != "" {
				f.Account = v.Account
			}
		}
		if o, ok := facts.Owners[h.KeyID]; ok {
			f.Attributes["mine"] = "true"
			f.Attributes["owner"] = o.User
			f.Attributes["key_status"] = o.Status
			if !o.LastUsed.IsZero() {
				f.Attributes["last_used"] = o.LastUsed.UTC().Format(time.RFC3339)
			}
			if o.LastService != "" {
				f.Attributes["last_service"] = o.LastService
			}
			f.Attributes["quarantined"] = strconv.FormatBool(o.Quarantined)
			f.ResourceType, f.Resource = "AwsIamAccessKey", o.UserARN
			detail += fmt.Sprintf(", owned by %s in this account (key %s", o.User, o.Status)
			detailKo += fmt.Sprintf(", 이 계정의 %s 소유 (키 %s", o.User, o.Status)
			if !o.LastUsed.IsZero() {
				detail += ", last used " + o.LastUsed.UTC().Format("2006-01-02")
				detailKo += ", 마지막 사용 " + o.LastUsed.UTC().Format("2006-01-02")
			}
			if o.Quarantined {
				detail += ", AWS quarantine policy attached"
				detailKo += ", AWS 격리 정책 연결됨"
			}
			detail += ")"
			detailKo += ")"
			if o.Status == "Active" {
				f.Severity = finding.Critical
			}
		}
	}
	f.Detail = finding.Text{En: detail, Ko: detailKo}
	switch {
	case h.Example:
		f.Severity, f.Status, f.MuteReason = finding.Info, finding.Muted, "AWS documentation example value, not a leak"
		f.Title.En += " (documentation example)"
		f.Title.Ko += " (문서 예시)"
		f.Attributes["example"] = "true"
	case h.Allowed:
		f.Status, f.MuteReason = finding.Muted, "allowed by an "+AllowMarker+" comment"
	}
	return f
}
