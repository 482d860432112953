package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// failingReport is the hardened sample with several failures, one unknown and one muted finding.
func failingReport(t *testing.T) *Report {
	t.Helper()
	s := hardened()
	s.IAM.Root.MFAEnabled = false
	s.Services.MetricFilters = []inventory.MetricFilter{}
	s.Services.Budgets = []inventory.Budget{}
	s.Resources["eu-west-1"].SecurityGroups[1].Ingress = append(s.Resources["eu-west-1"].SecurityGroups[1].Ingress,
		inventory.Permission{Protocol: "tcp", FromPort: ptr[int32](22), ToPort: ptr[int32](22), IPv4: []string{"0.0.0.0/0"}})
	denied("guardduty", "eu-west-1", "ListDetectors")(s)
	fs, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range fs {
		if fs[i].RuleID == "budget-with-notification" {
			fs[i].Status, fs[i].MuteReason = finding.Muted, "sandbox account"
		}
	}
	return &Report{Account: s.Account.ID, CollectedAt: s.CollectedAt, Tool: "accountguard test", Lang: "en", Findings: fs}
}

func render(t *testing.T, format string, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, format, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func loadJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func TestOCSFRequiredFields(t *testing.T) {
	var spec struct {
		ClassUID    float64              `json:"class_uid"`
		CategoryUID float64              `json:"category_uid"`
		Required    []string             `json:"required"`
		Objects     map[string][]string  `json:"objects"`
		Enums       map[string][]float64 `json:"enums"`
	}
	loadJSON(t, "testdata/ocsf-1.3-compliance-finding-required.json", &spec)
	var out []map[string]any
	if err := json.Unmarshal(render(t, "ocsf", failingReport(t)), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no findings")
	}
	statuses := map[float64]bool{}
	suppressed := 0
	for _, f := range out {
		for _, k := range spec.Required {
			if v, ok := f[k]; !ok || v == nil {
				t.Fatalf("missing required %s: %v", k, f)
			}
		}
		for obj, keys := range spec.Objects {
			o, ok := lookup(f, obj)
			if !ok {
				continue // optional object not present
			}
			for _, k := range keys {
				if v, ok := o.(map[string]any)[k]; !ok || v == "" || v == nil {
					t.Fatalf("%s lacks required %s", obj, k)
				}
			}
		}
		for path, allowed := range spec.Enums {
			v, _ := lookup(f, path)
			if n, ok := v.(float64); !ok || !slices.Contains(allowed, n) {
				t.Fatalf("%s = %v, not in %v", path, v, allowed)
			}
		}
		if f["class_uid"].(float64) != spec.ClassUID || f["category_uid"].(float64) != spec.CategoryUID {
			t.Fatalf("class %v category %v", f["class_uid"], f["category_uid"])
		}
		if f["type_uid"].(float64) != spec.ClassUID*100+f["activity_id"].(float64) {
			t.Fatalf("type_uid %v is not class_uid*100+activity_id", f["type_uid"])
		}
		if std, _ := lookup(f, "compliance.standards"); len(std.([]any)) == 0 {
			t.Fatal("compliance.standards empty")
		}
		st, _ := lookup(f, "compliance.status_id")
		statuses[st.(float64)] = true
		if f["status_id"].(float64) == 3 {
			suppressed++
			if u, _ := lookup(f, "unmapped.mute_reason"); u == nil || st.(float64) != 3 {
				t.Fatalf("suppressed finding without mute reason or not failing: %v", f)
			}
		}
		if ts := f["time"].(float64); ts < 1e12 {
			t.Fatalf("time %v is not in milliseconds", ts)
		}
	}
	for _, want := range []float64{1, 2, 3} { // pass, warning (unknown), fail
		if !statuses[want] {
			t.Errorf("no finding with compliance.status_id %v", want)
		}
	}
	if suppressed == 0 {
		t.Error("the muted finding is not suppressed")
	}
}

func TestASFFRequiredFields(t *testing.T) {
	var spec struct {
		Required         []string       `json:"required"`
		ResourceRequired []string       `json:"resource_required"`
		SchemaVersion    string         `json:"schema_version"`
		SeverityLabels   []string       `json:"severity_labels"`
		ComplianceStatus []string       `json:"compliance_status"`
		WorkflowStatus   []string       `json:"workflow_status"`
		Max              map[string]int `json:"max"`
	}
	loadJSON(t, "testdata/asff-required.json", &spec)
	r := failingReport(t)
	r.Findings[0].Detail.En = strings.Repeat("가", 600) // 1800 bytes: must be clipped on a rune boundary
	var batch struct {
		Findings []map[string]any `json:"Findings"`
	}
	if err := json.Unmarshal(render(t, "asff", r), &batch); err != nil {
		t.Fatal(err)
	}
	arn := regexp.MustCompile(`^arn:aws:securityhub:[a-z0-9-]+:\d{12}:product/\d{12}/default$`)
	ts := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	ids := map[string]bool{}
	for _, f := range batch.Findings {
		for _, k := range spec.Required {
			if v, ok := f[k]; !ok || v == "" || v == nil {
				t.Fatalf("missing required %s", k)
			}
		}
		if f["SchemaVersion"] != spec.SchemaVersion || !arn.MatchString(f["ProductArn"].(string)) {
			t.Fatalf("schema %v product %v", f["SchemaVersion"], f["ProductArn"])
		}
		for _, k := range []string{"CreatedAt", "UpdatedAt"} {
			if !ts.MatchString(f[k].(string)) {
				t.Fatalf("%s = %v", k, f[k])
			}
		}
		for k, n := range spec.Max {
			if s, _ := f[k].(string); len(s) > n || !utf8Valid(s) {
				t.Fatalf("%s is %d bytes (max %d) or not UTF-8", k, len(s), n)
			}
		}
		if !slices.Contains(spec.SeverityLabels, f["Severity"].(map[string]any)["Label"].(string)) {
			t.Fatalf("severity %v", f["Severity"])
		}
		if !slices.Contains(spec.ComplianceStatus, f["Compliance"].(map[string]any)["Status"].(string)) ||
			!slices.Contains(spec.WorkflowStatus, f["Workflow"].(map[string]any)["Status"].(string)) {
			t.Fatalf("compliance %v workflow %v", f["Compliance"], f["Workflow"])
		}
		res := f["Resources"].([]any)
		if len(res) == 0 || len(f["Types"].([]any)) == 0 {
			t.Fatal("empty Resources or Types")
		}
		for _, rr := range res {
			if typ := rr.(map[string]any)["Type"].(string); !asffTypes[typ] && typ != "Other" {
				t.Fatalf("resource type %q is not an ASFF type", typ)
			}
			for _, k := range spec.ResourceRequired {
				if rr.(map[string]any)[k] == "" {
					t.Fatalf("resource lacks %s", k)
				}
			}
		}
		id := f["Id"].(string)
		if ids[id] {
			t.Fatalf("duplicate Id %s", id)
		}
		ids[id] = true
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestTableOpensWithPractices(t *testing.T) {
	out := string(render(t, "table", failingReport(t)))
	first := strings.Index(out, "MFA on root and every IAM user")
	crit := strings.Index(out, "\nCRITICAL\n")
	if first < 0 || crit < 0 || first > crit {
		t.Fatalf("practices must come before the severity groups:\n%s", out)
	}
	last := -1
	for _, p := range Practices {
		i := strings.Index(out, PracticeTitle[p].En)
		if i < last {
			t.Fatalf("practice %s out of order", p)
		}
		last = i
	}
	for _, want := range []string{"FAIL  root-mfa", "UNKNOWN  guardduty-all-regions", "sandbox account", "no metric filter with an alarm for", "→ root-mfa:"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(out) && !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	high := strings.Index(out, "\nHIGH\n")
	med := strings.Index(out, "\nMEDIUM\n")
	if !(crit < high && high < med) {
		t.Fatal("severity groups out of order")
	}
	ko := failingReport(t)
	ko.Lang = "ko"
	if k := string(render(t, "table", ko)); !strings.Contains(k, "루트 사용자에 MFA 디바이스가 없습니다") || !strings.Contains(k, "예방 수칙") {
		t.Fatalf("Korean table:\n%s", k)
	}
}

func TestCSVAndMarkdownAndJSON(t *testing.T) {
	r := failingReport(t)
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", r))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.Findings)+1 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	md := string(render(t, "markdown", r))
	if !strings.Contains(md, "## Prevention practices") || !strings.Contains(md, "`root-mfa`") || !strings.Contains(md, "## CRITICAL") {
		t.Fatalf("markdown:\n%s", md)
	}
	var back []finding.Finding
	if err := json.Unmarshal(render(t, "json", r), &back); err != nil || len(back) != len(r.Findings) {
		t.Fatalf("json round trip: %d, %v", len(back), err)
	}
	if err := Render(&bytes.Buffer{}, "xml", r); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestCSVEscapesFormulas(t *testing.T) {
	r := &Report{Account: "1", CollectedAt: time.Now(), Findings: []finding.Finding{{ID: "x", RuleID: "r", Title: finding.Text{En: "=HYPERLINK(1)"}, Status: finding.Fail}}}
	rows, _ := csv.NewReader(bytes.NewReader(render(t, "csv", r))).ReadAll()
	if rows[1][8] != "'=HYPERLINK(1)" {
		t.Fatalf("title cell = %q", rows[1][8])
	}
}
