package audit

import (
	"encoding/json"
	"io"
	"time"
	"unicode/utf8"

	"github.com/accountguard/accountguard/internal/finding"
)

// AWS Security Finding Format, in the shape BatchImportFindings takes ({"Findings": [...]}).

type asffFinding struct {
	SchemaVersion string            `json:"SchemaVersion"`
	Id            string            `json:"Id"`
	ProductArn    string            `json:"ProductArn"`
	GeneratorId   string            `json:"GeneratorId"`
	AwsAccountId  string            `json:"AwsAccountId"`
	Types         []string          `json:"Types"`
	CreatedAt     string            `json:"CreatedAt"`
	UpdatedAt     string            `json:"UpdatedAt"`
	Severity      asffSeverity      `json:"Severity"`
	Title         string            `json:"Title"`
	Description   string            `json:"Description"`
	Remediation   *asffRemedation   `json:"Remediation,omitempty"`
	ProductFields map[string]string `json:"ProductFields,omitempty"`
	Resources     []asffResource    `json:"Resources"`
	Compliance    asffCompliance    `json:"Compliance"`
	Workflow      asffWorkflow      `json:"Workflow"`
	RecordState   string            `json:"RecordState"`
	Region        string            `json:"Region,omitempty"`
}

type asffSeverity struct {
	Label string `json:"Label"`
}

type asffRemedation struct {
	Recommendation struct {
		Text string `json:"Text"`
		Url  string `json:"Url,omitempty"`
	} `json:"Recommendation"`
}

type asffResource struct {
	Type   string `json:"Type"`
	Id     string `json:"Id"`
	Region string `json:"Region,omitempty"`
}

type asffCompliance struct {
	Status              string   `json:"Status"`
	RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
}

type asffWorkflow struct {
	Status string `json:"Status"`
}

// asffBatch is BatchImportFindings' request body.
type asffBatch struct {
	Findings []asffFinding `json:"Findings"`
}

var asffSeverityLabel = map[finding.Severity]string{finding.Info: "INFORMATIONAL", finding.Low: "LOW", finding.Medium: "MEDIUM", finding.High: "HIGH", finding.Critical: "CRITICAL"}

// ToASFF converts one finding; region is where the findings are imported (their ProductArn).
func ToASFF(f finding.Finding, r *Report, region string) asffFinding {
	ts := f.Time.UTC()
	if ts.IsZero() {
		ts = time.Now().UTC()
	}
	stamp := ts.Format("2006-01-02T15:04:05.000Z")
	a := asffFinding{
		SchemaVersion: "2018-10-08",
		Id:            "accountguard/" + f.Account + "/" + f.RuleID + "/" + f.ID,
		ProductArn:    "arn:aws:securityhub:" + region + ":" + f.Account + ":product/" + f.Account + "/default",
		GeneratorId:   "accountguard-audit-" + f.RuleID,
		AwsAccountId:  f.Account,
		Types:         []string{"Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"},
		CreatedAt:     stamp, UpdatedAt: stamp,
		Severity:    asffSeverity{Label: asffSeverityLabel[f.Severity]},
		Title:       clip(f.Title.In(r.Lang), 256),
		Description: clip(nonEmpty(f.Detail.In(r.Lang), f.Title.In(r.Lang)), 1024),
		Resources:   []asffResource{{Type: asffType(f.ResourceType), Id: nonEmpty(f.Resource, "AWS::::Account:"+f.Account), Region: f.Region}},
		Workflow:    asffWorkflow{Status: "NEW"},
		RecordState: "ACTIVE",
		Region:      nonEmpty(f.Region, region),
	}
	switch f.Status {
	case finding.Pass:
		a.Compliance.Status, a.Workflow.Status = "PASSED", "RESOLVED"
	case finding.Fail:
		a.Compliance.Status = "FAILED"
	case finding.Muted:
		a.Compliance.Status, a.Workflow.Status = "FAILED", "SUPPRESSED"
	default:
		a.Compliance.Status = "NOT_AVAILABLE"
	}
	for _, ref := range f.References {
		a.Compliance.RelatedRequirements = append(a.Compliance.RelatedRequirements, ref.Standard+" "+ref.ID)
	}
	if len(a.Compliance.RelatedRequirements) > 32 {
		a.Compliance.RelatedRequirements = a.Compliance.RelatedRequirements[:32]
	}
	if rem := f.Remediation.In(r.Lang); rem != "" {
		a.Remediation = &asffRemedation{}
		a.Remediation.Recommendation.Text = clip(rem, 512)
		for _, ref := range f.References {
			if ref.URL != "" {
				a.Remediation.Recommendation.Url = ref.URL
				break
			}
		}
	}
	a.ProductFields = map[string]string{"accountguard/check": f.RuleID, "accountguard/status": string(f.Status)}
	if f.MuteReason != "" {
		a.ProductFields["accountguard/mute_reason"] = clip(f.MuteReason, 512)
	}
	if m := f.Attributes["missing_permission"]; m != "" {
		a.ProductFields["accountguard/missing_permission"] = m
	}
	return a
}

// asffTypes are the ASFF resource types the checks produce; any other is "Other", as ASFF asks.
var asffTypes = map[string]bool{"AwsAccount": true, "AwsIamUser": true, "AwsIamAccessKey": true, "AwsEc2SecurityGroup": true, "AwsEc2Instance": true, "AwsCloudTrailTrail": true}

func asffType(t string) string {
	switch {
	case t == "":
		return "AwsAccount"
	case asffTypes[t]:
		return t
	}
	return "Other"
}

func nonEmpty(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// clip shortens s to n bytes on a rune boundary (ASFF limits Title to 256, Description to 1024).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// renderASFF writes a BatchImportFindings request body (Security Hub takes at most 100
// findings per call; importers split the array).
func renderASFF(w io.Writer, r *Report) error {
	region := nonEmpty(r.Region, "us-east-1")
	batch := asffBatch{Findings: []asffFinding{}}
	for _, f := range r.Findings {
		batch.Findings = append(batch.Findings, ToASFF(f, r, region))
	}
	b, err := json.MarshalIndent(batch, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
