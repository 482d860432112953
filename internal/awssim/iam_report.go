package awssim

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"strconv"
	"time"
)

func init() {
	register("iam", "GenerateCredentialReport", iamGenerateCredentialReport)
	register("iam", "GetCredentialReport", iamGetCredentialReport)
}

// CredentialReportColumns are the credential report's columns in AWS's order.
var CredentialReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// iamCredentialReportTTL is how long a generated report is served before it expires, and
// how old one must be before GenerateCredentialReport makes a new one.
const iamCredentialReportTTL = 4 * time.Hour

// Values the report uses where there is no date: N/A (not applicable: no password, no
// key, key never used), no_information (a password never used to sign in) and
// not_supported (root's password dates, which IAM does not report).
const (
	iamReportNA            = "N/A"
	iamReportNoInformation = "no_information"
	iamReportNotSupported  = "not_supported"
)

// iamReportTime is the report's date format: ISO 8601 with a numeric offset.
func iamReportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

func iamTimeOr(t time.Time, absent string) string {
	if t.IsZero() {
		return absent
	}
	return iamReportTime(t)
}

// iamKeyColumns are the five access_key_N_* columns of one key slot.
func iamKeyColumns(keys []*AccessKey, i int) []string {
	if i >= len(keys) {
		return []string{"false", iamReportNA, iamReportNA, iamReportNA, iamReportNA}
	}
	k := keys[i]
	cols := []string{strconv.FormatBool(k.Status == "Active"), iamReportTime(k.Created), iamReportNA, iamReportNA, iamReportNA}
	if !k.LastUsed.IsZero() {
		cols[2], cols[3], cols[4] = iamReportTime(k.LastUsed), iamOrNA(k.LastUsedRegion), iamOrNA(k.LastUsedService)
	}
	return cols
}

// iamCredentialReport renders the account's report as AWS does: a header, the
// <root_account> row, then one row per user.
func (a *Account) iamCredentialReport() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(CredentialReportColumns)
	noCerts := []string{"false", iamReportNA, "false", iamReportNA}

	root := []string{"<root_account>", a.iamRootARN(), iamReportTime(a.Root.Created), iamReportNotSupported,
		iamTimeOr(a.Root.PasswordLastUsed, iamReportNoInformation), iamReportNotSupported, iamReportNotSupported, strconv.FormatBool(a.Root.MFA)}
	root = append(root, iamKeyColumns(a.Root.Keys, 0)...)
	root = append(root, iamKeyColumns(a.Root.Keys, 1)...)
	_ = w.Write(append(root, noCerts...))

	for _, u := range a.Users {
		row := []string{u.Name, a.userARN(u), iamReportTime(u.Created)}
		if u.Login == nil {
			row = append(row, "false", iamReportNA, iamReportNA, iamReportNA)
		} else {
			changed := u.Login.PasswordChanged
			if changed.IsZero() {
				changed = u.Login.Created
			}
			next := iamReportNA
			if pp := a.PasswordPolicy; pp != nil && pp.MaxPasswordAge > 0 {
				next = iamReportTime(changed.AddDate(0, 0, pp.MaxPasswordAge))
			}
			row = append(row, "true", iamTimeOr(u.PasswordLastUsed, iamReportNoInformation), iamReportTime(changed), next)
		}
		row = append(row, strconv.FormatBool(len(u.MFA) > 0))
		row = append(row, iamKeyColumns(u.Keys, 0)...)
		row = append(row, iamKeyColumns(u.Keys, 1)...)
		_ = w.Write(append(row, noCerts...))
	}
	w.Flush()
	return buf.Bytes()
}

type iamGenerateReportResult struct {
	State       string `xml:"State"`
	Description string `xml:"Description,omitempty"`
}

// iamGenerateCredentialReport starts a report when there is none or the last one is older
// than four hours (State STARTED), and otherwise says the current one is COMPLETE. The
// simulator generates at once, so a report that was STARTED can be fetched right away;
// like AWS's, it is a snapshot, not a live view.
func iamGenerateCredentialReport(c *Call) (any, error) {
	a := c.Account
	if a.CredentialReport != nil && c.Now.Sub(a.CredentialReportGenerated) < iamCredentialReportTTL {
		return iamGenerateReportResult{State: "COMPLETE"}, nil
	}
	a.CredentialReport = a.iamCredentialReport()
	a.CredentialReportGenerated = c.Now
	return iamGenerateReportResult{State: "STARTED", Description: "No report exists. Starting a new report generation task"}, nil
}

type iamGetReportResult struct {
	Content       string `xml:"Content"`
	ReportFormat  string `xml:"ReportFormat"`
	GeneratedTime string `xml:"GeneratedTime"`
}

func iamGetCredentialReport(c *Call) (any, error) {
	a := c.Account
	if a.CredentialReport == nil {
		return nil, errorf(410, "ReportNotPresent", "Credential report not present. Use GenerateCredentialReport to generate a report.")
	}
	if c.Now.Sub(a.CredentialReportGenerated) >= iamCredentialReportTTL {
		return nil, errorf(410, "ReportExpired", "Credential report expired. Use GenerateCredentialReport to generate a new report.")
	}
	return iamGetReportResult{Content: base64.StdEncoding.EncodeToString(a.CredentialReport), ReportFormat: "text/csv", GeneratedTime: iamTime(a.CredentialReportGenerated)}, nil
}
