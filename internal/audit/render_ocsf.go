package audit

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

// OCSF Compliance Finding (class 2003, category Findings) as OCSF 1.3 defines it.
const (
	ocsfVersion    = "1.3.0"
	ocsfClassUID   = 2003
	ocsfCategory   = 2
	ocsfActivityID = 1 // Create
)

type ocsfFinding struct {
	ActivityID   int              `json:"activity_id"`
	ActivityName string           `json:"activity_name"`
	CategoryUID  int              `json:"category_uid"`
	CategoryName string           `json:"category_name"`
	ClassUID     int              `json:"class_uid"`
	ClassName    string           `json:"class_name"`
	TypeUID      int              `json:"type_uid"`
	TypeName     string           `json:"type_name"`
	SeverityID   int              `json:"severity_id"`
	Severity     string           `json:"severity"`
	StatusID     int              `json:"status_id"`
	Status       string           `json:"status"`
	Time         int64            `json:"time"` // milliseconds since the epoch
	Message      string           `json:"message"`
	Metadata     ocsfMetadata     `json:"metadata"`
	FindingInfo  ocsfFindingInfo  `json:"finding_info"`
	Compliance   ocsfCompliance   `json:"compliance"`
	Cloud        ocsfCloud        `json:"cloud"`
	Resources    []ocsfResource   `json:"resources,omitempty"`
	Remediation  *ocsfRemediation `json:"remediation,omitempty"`
	Unmapped     map[string]any   `json:"unmapped,omitempty"`
}

type ocsfMetadata struct {
	Version string      `json:"version"`
	Product ocsfProduct `json:"product"`
	UID     string      `json:"uid"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type ocsfFindingInfo struct {
	UID         string   `json:"uid"`
	Title       string   `json:"title"`
	Desc        string   `json:"desc,omitempty"`
	Types       []string `json:"types,omitempty"`
	CreatedTime int64    `json:"created_time,omitempty"`
}

type ocsfCompliance struct {
	Control      string   `json:"control"`
	Standards    []string `json:"standards"`
	Requirements []string `json:"requirements,omitempty"`
	StatusID     int      `json:"status_id"`
	Status       string   `json:"status"`
}

type ocsfCloud struct {
	Provider string      `json:"provider"`
	Region   string      `json:"region,omitempty"`
	Account  ocsfAccount `json:"account"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	TypeID int    `json:"type_id"` // 10: AWS Account
	Type   string `json:"type"`
}

type ocsfResource struct {
	UID    string `json:"uid"`
	Type   string `json:"type,omitempty"`
	Region string `json:"region,omitempty"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

var ocsfSeverity = map[finding.Severity]int{finding.Info: 1, finding.Low: 2, finding.Medium: 3, finding.High: 4, finding.Critical: 5}

// ocsfComplianceStatus maps a check status to OCSF's compliance status: 1 Pass, 2 Warning
// ("did not yield a result due to missing information": our unknown), 3 Fail. A muted
// finding still failed; its finding status says it is suppressed.
func ocsfComplianceStatus(s finding.Status) (int, string) {
	switch s {
	case finding.Pass:
		return 1, "Pass"
	case finding.Fail, finding.Muted:
		return 3, "Fail"
	}
	return 2, "Warning"
}

// ToOCSF converts one finding to an OCSF Compliance Finding.
func ToOCSF(f finding.Finding, r *Report) any {
	statusID, status := ocsfComplianceStatus(f.Status)
	o := ocsfFinding{
		ActivityID: ocsfActivityID, ActivityName: "Create", CategoryUID: ocsfCategory, CategoryName: "Findings",
		ClassUID: ocsfClassUID, ClassName: "Compliance Finding", TypeUID: ocsfClassUID*100 + ocsfActivityID, TypeName: "Compliance Finding: Create",
		SeverityID: ocsfSeverity[f.Severity], Severity: strings.ToUpper(f.Severity.String()[:1]) + f.Severity.String()[1:],
		StatusID: 1, Status: "New", Time: f.Time.UnixMilli(),
		Message:  f.Title.In(r.Lang),
		Metadata: ocsfMetadata{Version: ocsfVersion, Product: ocsfProduct{Name: "accountguard", VendorName: "accountguard", Version: strings.TrimPrefix(r.Tool, "accountguard ")}, UID: f.ID},
		FindingInfo: ocsfFindingInfo{UID: f.ID, Title: f.Title.In(r.Lang), Desc: f.Detail.In(r.Lang), Types: []string{"Posture/" + f.Attributes["family"]},
			CreatedTime: f.Time.UnixMilli()},
		Compliance: ocsfCompliance{Control: f.RuleID, StatusID: statusID, Status: status},
		Cloud:      ocsfCloud{Provider: "AWS", Region: f.Region, Account: ocsfAccount{UID: f.Account, TypeID: 10, Type: "AWS Account"}},
	}
	if f.Status == finding.Muted {
		o.StatusID, o.Status = 3, "Suppressed"
	}
	if o.Message == "" {
		o.Message = f.RuleID
	}
	if f.Detail.In(r.Lang) != "" {
		o.Message = f.Detail.In(r.Lang)
	}
	for _, ref := range f.References {
		if !containsStr(o.Compliance.Standards, ref.Standard) {
			o.Compliance.Standards = append(o.Compliance.Standards, ref.Standard)
		}
		o.Compliance.Requirements = append(o.Compliance.Requirements, ref.Standard+" "+ref.ID)
	}
	if len(o.Compliance.Standards) == 0 {
		o.Compliance.Standards = []string{"accountguard"}
	}
	if f.Resource != "" {
		o.Resources = []ocsfResource{{UID: f.Resource, Type: f.ResourceType, Region: f.Region}}
	}
	if rem := f.Remediation.In(r.Lang); rem != "" {
		o.Remediation = &ocsfRemediation{Desc: rem}
	}
	if f.MuteReason != "" || f.Attributes["missing_permission"] != "" {
		o.Unmapped = map[string]any{}
		if f.MuteReason != "" {
			o.Unmapped["mute_reason"] = f.MuteReason
		}
		if m := f.Attributes["missing_permission"]; m != "" {
			o.Unmapped["missing_permission"] = m
		}
	}
	return o
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// renderOCSF writes a JSON array of OCSF Compliance Findings.
func renderOCSF(w io.Writer, r *Report) error {
	out := make([]any, 0, len(r.Findings))
	for _, f := range r.Findings {
		out = append(out, ToOCSF(f, r))
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
