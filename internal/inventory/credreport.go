package inventory

// CredentialReportRow is one row of the IAM credential report.
// (Placeholder until the credential report parser lands in this file.)
type CredentialReportRow struct{}

// ParseCredentialReport parses the IAM credential report CSV. (Placeholder.)
func ParseCredentialReport(csv []byte) ([]CredentialReportRow, []string, error) { return nil, nil, nil }
