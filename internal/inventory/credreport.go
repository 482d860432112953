package inventory

// CredentialReportRow is one row of the IAM credential report.
// (Placeholder until the credential report parser lands in this file.)
type CredentialReportRow struct{}
