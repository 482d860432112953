package inventory_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/inventory"
)

const credReportScenario = `
name: credreport
account: {id: "111122223333"}
admin: admin
root:
  created: 2020-01-01T00:00:00Z
  keys: [{created: 2021-01-01T00:00:00Z}]
password_policy: {minimum_password_length: 14, max_password_age: 30}
users:
  - name: admin
    created: 2023-01-01T00:00:00Z
    attached: [arn:aws:iam::aws:policy/AdministratorAccess]
    keys: [{created: 2023-01-01T00:00:00Z}]
  - name: console-never
    created: 2024-01-01T00:00:00Z
    console: {created: 2024-01-02T00:00:00Z}
    mfa: [{virtual: true, enabled: 2024-01-03T00:00:00Z}]
  - name: worker
    created: 2024-02-01T00:00:00Z
    keys:
      - {created: 2024-02-01T00:00:00Z, status: Inactive}
      - {created: 2024-03-01T00:00:00Z, last_used: 2024-06-01T09:30:00Z, last_used_service: ec2, last_used_region: ap-northeast-2}
`

// simReport fetches the credential report of a simulated account through the SDK.
func simReport(t *testing.T) []byte {
	t.Helper()
	sc, err := awssim.ParseScenario("credreport.yaml", []byte(credReportScenario))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	r, err := awssim.Start(sc, awssim.Options{Now: func() time.Time { return now }}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	c := iam.NewFromConfig(r.Config("", ""))
	if _, err := c.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.Content
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func present[T any](v T) inventory.ReportField[T] {
	return inventory.ReportField[T]{Value: v}
}

func status[T any](s inventory.ReportStatus) inventory.ReportField[T] {
	return inventory.ReportField[T]{Status: s}
}

var (
	naTime  = status[time.Time](inventory.ReportNotApplicable)
	naText  = status[string](inventory.ReportNotApplicable)
	noKey   = inventory.ReportAccessKey{Active: present(false), LastRotated: naTime, LastUsedDate: naTime, LastUsedRegion: naText, LastUsedService: naText}
	noCerts = [2]inventory.ReportCert{{Active: present(false), LastRotated: naTime}, {Active: present(false), LastRotated: naTime}}
)

func TestCredentialReportRoundTrip(t *testing.T) {
	rows, warnings, err := inventory.ParseCredentialReport(simReport(t))
	if err != nil || len(warnings) != 0 {
		t.Fatalf("parse: %v, warnings %v", err, warnings)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want root + 3 users", len(rows))
	}
	want := map[string]inventory.CredentialReportRow{
		"<root_account>": {
			User: "<root_account>", ARN: "arn:aws:iam::111122223333:root", Root: true,
			UserCreationTime:     present(day(2020, 1, 1)),
			PasswordEnabled:      status[bool](inventory.ReportNotSupported),
			PasswordLastUsed:     status[time.Time](inventory.ReportNoInformation),
			PasswordLastChanged:  status[time.Time](inventory.ReportNotSupported),
			PasswordNextRotation: status[time.Time](inventory.ReportNotSupported),
			MFAActive:            present(false),
			AccessKeys: [2]inventory.ReportAccessKey{
				{Active: present(true), LastRotated: present(day(2021, 1, 1)), LastUsedDate: naTime, LastUsedRegion: naText, LastUsedService: naText},
				noKey,
			},
			Certs: noCerts,
		},
		"console-never": {
			User: "console-never", ARN: "arn:aws:iam::111122223333:user/console-never",
			UserCreationTime:     present(day(2024, 1, 1)),
			PasswordEnabled:      present(true),
			PasswordLastUsed:     status[time.Time](inventory.ReportNoInformation),
			PasswordLastChanged:  present(day(2024, 1, 2)),
			PasswordNextRotation: present(day(2024, 2, 1)),
			MFAActive:            present(true),
			AccessKeys:           [2]inventory.ReportAccessKey{noKey, noKey},
			Certs:                noCerts,
		},
		"worker": {
			User: "worker", ARN: "arn:aws:iam::111122223333:user/worker",
			UserCreationTime:     present(day(2024, 2, 1)),
			PasswordEnabled:      present(false),
			PasswordLastUsed:     naTime,
			PasswordLastChanged:  naTime,
			PasswordNextRotation: naTime,
			MFAActive:            present(false),
			AccessKeys: [2]inventory.ReportAccessKey{
				{Active: present(false), LastRotated: present(day(2024, 2, 1)), LastUsedDate: naTime, LastUsedRegion: naText, LastUsedService: naText},
				{Active: present(true), LastRotated: present(day(2024, 3, 1)), LastUsedDate: present(time.Date(2024, 6, 1, 9, 30, 0, 0, time.UTC)),
					LastUsedRegion: present("ap-northeast-2"), LastUsedService: present("ec2")},
			},
			Certs: noCerts,
		},
	}
	if rows[0].User != "<root_account>" {
		t.Errorf("first row %q, want the root row", rows[0].User)
	}
	for _, row := range rows {
		w, ok := want[row.User]
		if !ok {
			continue // admin: its key's last use depends on this test's own calls
		}
		if !reflect.DeepEqual(row, w) {
			t.Errorf("row %s:\n got %+v\nwant %+v", row.User, row, w)
		}
	}

	// The rows survive JSON (as they do inside a Snapshot), statuses included.
	b, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"password_enabled":"not_supported"`) || !strings.Contains(string(b), `"last_used_date":"N/A"`) {
		t.Fatalf("JSON does not keep AWS's words: %s", b)
	}
	var back []inventory.CredentialReportRow
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, rows) {
		t.Fatalf("JSON round trip changed the rows:\n got %+v\nwant %+v", back, rows)
	}
}

func TestCredentialReportColumnsByName(t *testing.T) {
	// Columns out of order, one unknown, two missing: read by name, the missing ones named.
	csv := "arn,user,extra_column,mfa_active,password_enabled,user_creation_time,password_last_used,password_last_changed,password_next_rotation," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
		"cert_1_active,cert_1_last_rotated\n" +
		"arn:aws:iam::111122223333:root,<root_account>,whatever,true,not_supported,2020-01-01T00:00:00+00:00,2024-05-05T05:05:05+00:00,not_supported,not_supported," +
		"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A\n" +
		"arn:aws:iam::111122223333:user/x,x,,false,false,2024-01-01T00:00:00+00:00,N/A,N/A,N/A," +
		"true,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A\n"
	rows, warnings, err := inventory.ParseCredentialReport([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "cert_2_active, cert_2_last_rotated") {
		t.Fatalf("warnings = %q", warnings)
	}
	if len(rows) != 2 || !rows[0].Root || rows[1].Root || rows[1].User != "x" || rows[1].ARN != "arn:aws:iam::111122223333:user/x" {
		t.Fatalf("rows = %+v", rows)
	}
	root := rows[0]
	if v, ok := root.MFAActive.Get(); !ok || !v {
		t.Errorf("root mfa_active = %+v", root.MFAActive)
	}
	if v, ok := root.PasswordLastUsed.Get(); !ok || !v.Equal(time.Date(2024, 5, 5, 5, 5, 5, 0, time.UTC)) {
		t.Errorf("root password_last_used = %+v", root.PasswordLastUsed)
	}
	if root.Certs[1].Active.Status != inventory.ReportMissing || root.Certs[1].LastRotated.Status != inventory.ReportMissing {
		t.Errorf("missing cert_2 columns = %+v", root.Certs[1])
	}
	if k, ok := rows[1].AccessKeys[0].Active.Get(); !ok || !k {
		t.Errorf("x key 1 active = %+v", rows[1].AccessKeys[0].Active)
	}
}

func TestCredentialReportBadInput(t *testing.T) {
	for _, tc := range []struct{ name, csv, err string }{
		{"empty", "", "empty"},
		{"no user column", "arn,mfa_active\narn:aws:iam::1:root,true\n", `no "user" column`},
		{"not csv", "user,arn\n\"unterminated,x\n", "credential report"},
	} {
		_, _, err := inventory.ParseCredentialReport([]byte(tc.csv))
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.err)
		}
	}
	// A bad cell is a warning naming row, user and column; the row is kept, the cell missing.
	header := strings.Join(inventory.CredentialReportColumns(), ",")
	row := "bob,arn:aws:iam::111122223333:user/bob,yesterday,maybe,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
	short := "<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00"
	rows, warnings, err := inventory.ParseCredentialReport([]byte(header + "\n" + short + "\n" + row + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].UserCreationTime.Status != inventory.ReportMissing || rows[1].PasswordEnabled.Status != inventory.ReportMissing {
		t.Fatalf("rows = %+v", rows)
	}
	wantWarn := []string{"line 2: 3 fields, header has 22", "line 3 (user bob): user_creation_time", "line 3 (user bob): password_enabled"}
	for _, w := range wantWarn {
		if !slices.ContainsFunc(warnings, func(s string) bool { return strings.Contains(s, w) }) {
			t.Errorf("no warning containing %q in %q", w, warnings)
		}
	}
	if rows[0].MFAActive.Status != inventory.ReportMissing || !rows[0].Root {
		t.Errorf("short root row = %+v", rows[0])
	}
}

// bigReport is a credential report of n users with the columns and value mix AWS writes.
func bigReport(n int) []byte {
	var b strings.Builder
	b.WriteString(strings.Join(inventory.CredentialReportColumns(), ",") + "\n")
	b.WriteString("<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2024-05-05T05:05:05+00:00,not_supported,not_supported,true," +
		"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")
	for i := range n {
		fmt.Fprintf(&b, "user%05d,arn:aws:iam::111122223333:user/user%05d,2024-01-01T00:00:00+00:00,true,no_information,2024-01-02T00:00:00+00:00,N/A,false,"+
			"true,2024-03-01T00:00:00+00:00,2024-06-01T09:30:00+00:00,ap-northeast-2,ec2,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n", i, i)
	}
	return []byte(b.String())
}

// BenchmarkParseCredentialReport parses a 5,000-user report into typed rows; the peer,
// BenchmarkCredentialReportCSVOnly, only splits the same bytes with encoding/csv, so the
// ratio is the cost of typing the cells.
func BenchmarkParseCredentialReport(b *testing.B) {
	data := bigReport(5000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rows, warnings, err := inventory.ParseCredentialReport(data)
		if err != nil || len(warnings) != 0 || len(rows) != 5001 {
			b.Fatalf("%d rows, %v, %v", len(rows), warnings, err)
		}
	}
}

func BenchmarkCredentialReportCSVOnly(b *testing.B) {
	data := bigReport(5000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(recs) != 5002 {
			b.Fatalf("%d records, %v", len(recs), err)
		}
	}
}
