package inventory

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// ReportStatus says whether a credential report cell holds a value and, when it does not,
// why. AWS writes three different words where there is no value, and they mean different
// things to a posture check, so none of them is turned into a zero value.
type ReportStatus uint8

const (
	// ReportPresent: the cell holds a value.
	ReportPresent ReportStatus = iota
	// ReportNotApplicable: AWS wrote "N/A" (no password, no such key, key never used).
	ReportNotApplicable
	// ReportNoInformation: AWS wrote "no_information" (a password never used to sign in, or
	// last used before IAM tracked it).
	ReportNoInformation
	// ReportNotSupported: AWS wrote "not_supported" (root's password fields).
	ReportNotSupported
	// ReportMissing: the column is not in the report, the cell is empty, or its value could
	// not be read (a warning says which).
	ReportMissing
)

// reportTokens are the words AWS writes for each status, as they appear in the CSV.
var reportTokens = map[ReportStatus]string{
	ReportNotApplicable: "N/A",
	ReportNoInformation: "no_information",
	ReportNotSupported:  "not_supported",
}

func (s ReportStatus) String() string {
	switch s {
	case ReportPresent:
		return "present"
	case ReportMissing:
		return "missing"
	}
	return reportTokens[s]
}

// ReportField is one cell of the credential report: a value, or the reason there is none.
// In JSON it is the value itself, AWS's own word ("N/A", "no_information",
// "not_supported") when there is none, and null when the cell was missing.
type ReportField[T any] struct {
	Value  T
	Status ReportStatus
}

// Get returns the value and whether there is one.
func (f ReportField[T]) Get() (T, bool) { return f.Value, f.Status == ReportPresent }

// MarshalJSON implements json.Marshaler.
func (f ReportField[T]) MarshalJSON() ([]byte, error) {
	switch f.Status {
	case ReportPresent:
		return json.Marshal(f.Value)
	case ReportMissing:
		return []byte("null"), nil
	}
	return json.Marshal(reportTokens[f.Status])
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *ReportField[T]) UnmarshalJSON(b []byte) error {
	*f = ReportField[T]{}
	if string(b) == "null" {
		f.Status = ReportMissing
		return nil
	}
	var word string
	if json.Unmarshal(b, &word) == nil {
		for s, tok := range reportTokens {
			if word == tok {
				f.Status = s
				return nil
			}
		}
	}
	return json.Unmarshal(b, &f.Value)
}

// CredentialReportRow is one row of the IAM credential report, the <root_account> row
// included (Root true). Every column AWS documents has a field.
type CredentialReportRow struct {
	User                 string                 `json:"user"`
	ARN                  string                 `json:"arn"`
	Root                 bool                   `json:"root,omitempty"`
	UserCreationTime     ReportField[time.Time] `json:"user_creation_time"`
	PasswordEnabled      ReportField[bool]      `json:"password_enabled"`
	PasswordLastUsed     ReportField[time.Time] `json:"password_last_used"`
	PasswordLastChanged  ReportField[time.Time] `json:"password_last_changed"`
	PasswordNextRotation ReportField[time.Time] `json:"password_next_rotation"`
	MFAActive            ReportField[bool]      `json:"mfa_active"`
	AccessKeys           [2]ReportAccessKey     `json:"access_keys"`
	Certs                [2]ReportCert          `json:"certs"`
}

// ReportAccessKey is the access_key_N_* columns of one key slot.
type ReportAccessKey struct {
	Active          ReportField[bool]      `json:"active"`
	LastRotated     ReportField[time.Time] `json:"last_rotated"`
	LastUsedDate    ReportField[time.Time] `json:"last_used_date"`
	LastUsedRegion  ReportField[string]    `json:"last_used_region"`
	LastUsedService ReportField[string]    `json:"last_used_service"`
}

// ReportCert is the cert_N_* columns of one signing certificate slot.
type ReportCert struct {
	Active      ReportField[bool]      `json:"active"`
	LastRotated ReportField[time.Time] `json:"last_rotated"`
}

// RootAccountUser is the user column of the root user's row.
const RootAccountUser = "<root_account>"

// credReportColumn binds a column name to the field of a row it fills.
type credReportColumn struct {
	name string
	set  func(r *CredentialReportRow, cell string) error
}

func timeCol(name string, field func(*CredentialReportRow) *ReportField[time.Time]) credReportColumn {
	return credReportColumn{name, func(r *CredentialReportRow, cell string) error { return parseCell(field(r), cell, parseReportTime) }}
}

func boolCol(name string, field func(*CredentialReportRow) *ReportField[bool]) credReportColumn {
	return credReportColumn{name, func(r *CredentialReportRow, cell string) error { return parseCell(field(r), cell, parseReportBool) }}
}

func textCol(name string, field func(*CredentialReportRow) *ReportField[string]) credReportColumn {
	return credReportColumn{name, func(r *CredentialReportRow, cell string) error {
		return parseCell(field(r), cell, func(s string) (string, error) { return s, nil })
	}}
}

// credReportColumns are the columns AWS documents, in AWS's order; the report is read by
// these names, wherever they stand.
var credReportColumns = func() []credReportColumn {
	cols := []credReportColumn{
		{"user", func(r *CredentialReportRow, cell string) error {
			r.User, r.Root = cell, cell == RootAccountUser
			return nil
		}},
		{"arn", func(r *CredentialReportRow, cell string) error { r.ARN = cell; return nil }},
		timeCol("user_creation_time", func(r *CredentialReportRow) *ReportField[time.Time] { return &r.UserCreationTime }),
		boolCol("password_enabled", func(r *CredentialReportRow) *ReportField[bool] { return &r.PasswordEnabled }),
		timeCol("password_last_used", func(r *CredentialReportRow) *ReportField[time.Time] { return &r.PasswordLastUsed }),
		timeCol("password_last_changed", func(r *CredentialReportRow) *ReportField[time.Time] { return &r.PasswordLastChanged }),
		timeCol("password_next_rotation", func(r *CredentialReportRow) *ReportField[time.Time] { return &r.PasswordNextRotation }),
		boolCol("mfa_active", func(r *CredentialReportRow) *ReportField[bool] { return &r.MFAActive }),
	}
	for i := range 2 {
		p := fmt.Sprintf("access_key_%d_", i+1)
		cols = append(cols,
			boolCol(p+"active", func(r *CredentialReportRow) *ReportField[bool] { return &r.AccessKeys[i].Active }),
			timeCol(p+"last_rotated", func(r *CredentialReportRow) *ReportField[time.Time] { return &r.AccessKeys[i].LastRotated }),
			timeCol(p+"last_used_date", func(r *CredentialReportRow) *ReportField[time.Time] { return &r.AccessKeys[i].LastUsedDate }),
			textCol(p+"last_used_region", func(r *CredentialReportRow) *ReportField[string] { return &r.AccessKeys[i].LastUsedRegion }),
			textCol(p+"last_used_service", func(r *CredentialReportRow) *ReportField[string] { return &r.AccessKeys[i].LastUsedService }),
		)
	}
	for i := range 2 {
		p := fmt.Sprintf("cert_%d_", i+1)
		cols = append(cols,
			boolCol(p+"active", func(r *CredentialReportRow) *ReportField[bool] { return &r.Certs[i].Active }),
			timeCol(p+"last_rotated", func(r *CredentialReportRow) *ReportField[time.Time] { return &r.Certs[i].LastRotated }),
		)
	}
	return cols
}()

// CredentialReportColumns lists the columns AWS documents, in AWS's order.
func CredentialReportColumns() []string {
	names := make([]string, len(credReportColumns))
	for i, c := range credReportColumns {
		names[i] = c.name
	}
	return names
}

// parseCell maps AWS's no-value words to their status and parses anything else.
func parseCell[T any](f *ReportField[T], cell string, parse func(string) (T, error)) error {
	*f = ReportField[T]{}
	switch cell {
	case "":
		f.Status = ReportMissing
		return nil
	case "N/A":
		f.Status = ReportNotApplicable
		return nil
	case "no_information":
		f.Status = ReportNoInformation
		return nil
	case "not_supported":
		f.Status = ReportNotSupported
		return nil
	}
	v, err := parse(cell)
	if err != nil {
		f.Status = ReportMissing
		return err
	}
	f.Value = v
	return nil
}

func parseReportTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time", s)
	}
	return t.UTC(), nil
}

func parseReportBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// ParseCredentialReport reads the IAM credential report CSV (GetCredentialReport's
// Content). Columns are found by their header names: unknown columns are ignored, and each
// documented column that is missing is named in a warning, its fields left ReportMissing.
// A cell that cannot be read is a warning naming the row and column, not a failure of the
// whole report. The error is for a report that cannot be read at all: not CSV, no header,
// or no user column.
func ParseCredentialReport(data []byte) ([]CredentialReportRow, []string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // short rows are reported per row, not fatal
	cr.ReuseRecord = true   // cells are copied out as strings; the slice is not kept
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("credential report: empty")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("credential report: header: %w", err)
	}
	index := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, dup := index[name]; !dup {
			index[name] = i
		}
	}
	if _, ok := index["user"]; !ok {
		return nil, nil, fmt.Errorf("credential report: no \"user\" column in header %q", strings.Join(header, ","))
	}
	var warnings, missing []string
	type bound struct {
		col credReportColumn
		at  int
	}
	var present []bound
	var absent []credReportColumn
	for _, c := range credReportColumns {
		if i, ok := index[c.name]; ok {
			present = append(present, bound{c, i})
		} else {
			missing = append(missing, c.name)
			absent = append(absent, c)
		}
	}
	if len(missing) > 0 {
		warnings = append(warnings, "credential report: missing columns: "+strings.Join(missing, ", "))
	}
	rows := make([]CredentialReportRow, 0, bytes.Count(data, []byte("\n")))
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, warnings, fmt.Errorf("credential report: %w", err)
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		var row CredentialReportRow
		for _, c := range absent {
			_ = c.set(&row, "")
		}
		short := false
		for _, b := range present {
			cell := ""
			if b.at < len(rec) {
				cell = rec[b.at]
			} else {
				short = true
			}
			if err := b.col.set(&row, cell); err != nil {
				warnings = append(warnings, fmt.Sprintf("credential report: line %d (user %s): %s: %v", line, row.User, b.col.name, err))
			}
		}
		if short {
			warnings = append(warnings, fmt.Sprintf("credential report: line %d: %d fields, header has %d", line, len(rec), len(header)))
		}
		rows = append(rows, row)
	}
	if !slices.ContainsFunc(rows, func(r CredentialReportRow) bool { return r.Root }) && len(rows) > 0 {
		warnings = append(warnings, "credential report: no "+RootAccountUser+" row")
	}
	return rows, warnings, nil
}
