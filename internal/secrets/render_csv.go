package secrets

import (
	"encoding/csv"
	"io"

	"github.com/accountguard/accountguard/internal/finding"
)

var csvHeader = []string{"id", "rule_id", "severity", "status", "confidence", "secret", "account", "path", "line", "commit", "author", "date", "verified", "owner", "key_status", "quarantined"}

// RenderCSV writes every finding (muted ones too, with their status) as CSV.
func RenderCSV(w io.Writer, fs []finding.Finding) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range fs {
		a := f.Attributes
		if err := cw.Write([]string{f.ID, f.RuleID, f.Severity.String(), string(f.Status), a["confidence"], a["redacted"], f.Account,
			a["path"], a["line"], a["commit"], a["author"], a["date"], a["verified"], a["owner"], a["key_status"], a["quarantined"]}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
