package inventory

// applyRootFromReport fills what the credential report's <root_account> row tells of root:
// MFA, active keys, and when its password and keys were last used.
func applyRootFromReport(root *Root, rows []CredentialReportRow) {
	for _, row := range rows {
		if !row.Root {
			continue
		}
		if mfa, ok := row.MFAActive.Get(); ok {
			root.MFAEnabled = mfa
		}
		if t, ok := row.PasswordLastUsed.Get(); ok {
			root.PasswordLastUsed = &t
		}
		active := 0
		for _, k := range row.AccessKeys {
			if on, ok := k.Active.Get(); ok && on {
				active++
			}
			if t, ok := k.LastUsedDate.Get(); ok && (root.KeyLastUsed == nil || t.After(*root.KeyLastUsed)) {
				root.KeyLastUsed = &t
			}
		}
		root.AccessKeysActive = active
		return
	}
}
