package audit

import (
	"encoding/csv"
	"io"
	"strings"
)

var csvHeader = []string{"id", "check", "status", "severity", "account", "region", "resource_type", "resource", "title", "detail",
	"cis_v7", "cis_v3", "fsbp", "remediation", "missing_permission", "mute_reason"}

// renderCSV writes one row per finding, in the report language.
func renderCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range r.Findings {
		row := []string{f.ID, f.RuleID, string(f.Status), f.Severity.String(), f.Account, f.Region, f.ResourceType, f.Resource,
			f.Title.In(r.Lang), f.Detail.In(r.Lang), refID(f, "CIS AWS Foundations v7.0"), refID(f, "CIS AWS Foundations v3.0"),
			strings.Join(refIDs(f, "AWS FSBP"), " "), f.Remediation.In(r.Lang), f.Attributes["missing_permission"], f.MuteReason}
		for i, v := range row { // a cell starting with = + - @ is a formula in spreadsheets
			if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
				row[i] = "'" + v
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
