package inventory

// applyRootFromReport fills what the credential report's <root_account> row tells of root.
func applyRootFromReport(root *Root, rows []CredentialReportRow) {}
