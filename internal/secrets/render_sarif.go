package secrets

import (
	"io"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/secrets/detect"
)

const infoURI = "https://github.com/accountguard/accountguard"

// RenderSARIF writes SARIF 2.1.0 as GitHub code scanning reads it: a rule per detector with
// security-severity, results with a relative file URI and start line, partial fingerprints
// for de-duplication, muted findings as suppressions. Snippets are never included.
func RenderSARIF(w io.Writer, fs []finding.Finding, version string) error {
	report, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	run := sarif.NewRunWithInformationURI("accountguard", infoURI)
	run.Tool.Driver.Version = &version
	for _, d := range detect.All() {
		pb := sarif.NewPropertyBag()
		pb.Add("security-severity", securitySeverity(d.Severity))
		pb.Add("tags", []string{"security", "secret"})
		run.AddRule(d.ID).WithName(d.ID).WithDescription(d.Title.En).
			WithHelpURI(infoURI + "/blob/main/docs/secrets.md").
			WithTextHelp("Revoke and rotate the credential, then remove it from the code and history.").
			WithProperties(pb.Properties)
	}
	for _, f := range fs {
		a := f.Attributes
		line, _ := strconv.Atoi(a["line"])
		res := run.CreateResultForRule(f.RuleID).
			WithLevel(sarifLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(f.Detail.En))
		res.AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(sarifURI(a["path"]))).
			WithRegion(sarif.NewRegion().WithStartLine(max(1, line)))))
		res.WithPartialFingerPrints(map[string]any{"accountguard/v1": a["fingerprint"]})
		if f.Status == finding.Muted {
			// WithJustifcation: sic, the library's spelling.
			res.WithSuppression([]*sarif.Suppression{sarif.NewSuppression("inSource").WithJustifcation(f.MuteReason)})
		}
		props := sarif.NewPropertyBag()
		for _, k := range []string{"confidence", "redacted", "commit", "author", "date", "account", "verified", "owner"} {
			if v := a[k]; v != "" {
				props.Add(k, v)
			}
		}
		res.AttachPropertyBag(props)
	}
	report.AddRun(run)
	return report.PrettyWrite(w)
}

// sarifURI: relative paths stay relative (GitHub resolves them against the repository
// root); absolute ones become file URIs, as SARIF requires of absolute locations.
func sarifURI(p string) string {
	if filepath.IsAbs(p) {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
	}
	return filepath.ToSlash(p)
}

func sarifLevel(s finding.Severity) string {
	switch {
	case s >= finding.High:
		return "error"
	case s >= finding.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub's 0-10 scale: > 9 critical, 7-8.9 high, 4-6.9 medium.
func securitySeverity(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return "9.5"
	case finding.High:
		return "8.0"
	case finding.Medium:
		return "5.5"
	case finding.Low:
		return "3.0"
	}
	return "1.0"
}
