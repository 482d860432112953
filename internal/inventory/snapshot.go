package inventory

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/awsx"
)

// SnapshotVersion is the version of the Snapshot format this build writes. A reader refuses a
// snapshot from a newer version rather than misread it.
const SnapshotVersion = 1

// Snapshot is an account as collected: plain data, JSON-serialisable, versioned. Fields that a
// collection could not fill are absent, and the reason is in Errors: a consumer must treat
// missing data as unknown, never as "nothing there".
type Snapshot struct {
	Version     int           `json:"version"`
	Tool        string        `json:"tool"`
	CollectedAt time.Time     `json:"collected_at"`
	Account     Account       `json:"account"`
	Caller      awsx.Identity `json:"caller"`
	Regions     []Region      `json:"regions"`
	IAM         IAM           `json:"iam"`
	// Resources by region name, for every enabled region collected.
	Resources map[string]*RegionResources `json:"resources"`
	// Services holds what the posture audit reads (trails, alarms, GuardDuty …), filled by
	// the collectors that exist; nil when not collected.
	Services *Services `json:"services,omitempty"`
	// Errors are the collection failures: the snapshot is partial where they say.
	Errors []CollectionError `json:"errors,omitempty"`
}

// Account is the account's identity.
type Account struct {
	ID    string `json:"id"`
	Alias string `json:"alias,omitempty"`
}

// Region is a region of the partition and whether the account can use it.
type Region struct {
	Name    string `json:"name"`
	OptIn   string `json:"opt_in_status"` // opt-in-not-required, opted-in, not-opted-in
	Enabled bool   `json:"enabled"`
}

// CollectionError is one call that failed; Code is AWS's error code when there is one.
type CollectionError struct {
	Service   string `json:"service"`
	Region    string `json:"region,omitempty"`
	Operation string `json:"operation"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
}

func (e CollectionError) String() string {
	where := e.Service + ":" + e.Operation
	if e.Region != "" {
		where += " in " + e.Region
	}
	return where + ": " + e.Message
}

// AccessDenied reports whether the failure is a missing permission.
func (e CollectionError) AccessDenied() bool {
	switch e.Code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError":
		return true
	}
	return false
}

// IAM is the account's identities.
type IAM struct {
	Summary          map[string]int32      `json:"summary,omitempty"` // GetAccountSummary's SummaryMap
	PasswordPolicy   *PasswordPolicy       `json:"password_policy"`   // nil: none set (see PasswordPolicySet)
	CredentialReport []CredentialReportRow `json:"credential_report,omitempty"`
	Root             Root                  `json:"root"`
	Users            []User                `json:"users"`
	Groups           []Group               `json:"groups,omitempty"`
	Roles            []Role                `json:"roles,omitempty"`
	Policies         []Policy              `json:"policies,omitempty"` // customer managed
	// Collected tells which parts were collected, so absence can be told from failure.
	Collected map[string]bool `json:"collected"`
}

// PasswordPolicy is the account password policy.
type PasswordPolicy struct {
	MinimumLength              int  `json:"minimum_password_length"`
	RequireSymbols             bool `json:"require_symbols"`
	RequireNumbers             bool `json:"require_numbers"`
	RequireUppercase           bool `json:"require_uppercase_characters"`
	RequireLowercase           bool `json:"require_lowercase_characters"`
	AllowUsersToChangePassword bool `json:"allow_users_to_change_password"`
	MaxPasswordAge             int  `json:"max_password_age,omitempty"`
	ReusePrevention            int  `json:"password_reuse_prevention,omitempty"`
	HardExpiry                 bool `json:"hard_expiry"`
}

// Root is what is known of the root user.
type Root struct {
	ARN              string     `json:"arn"`
	MFAEnabled       bool       `json:"mfa_enabled"`
	HardwareMFA      *bool      `json:"hardware_mfa,omitempty"` // nil when unknown
	AccessKeysActive int        `json:"access_keys_active"`
	PasswordLastUsed *time.Time `json:"password_last_used,omitempty"`
	KeyLastUsed      *time.Time `json:"key_last_used,omitempty"`
}

// User is an IAM user with everything that hangs on it.
type User struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"`
	ARN              string            `json:"arn"`
	Path             string            `json:"path"`
	Created          time.Time         `json:"created"`
	PasswordLastUsed *time.Time        `json:"password_last_used,omitempty"`
	LoginProfile     *LoginProfile     `json:"login_profile,omitempty"`
	MFADevices       []MFADevice       `json:"mfa_devices,omitempty"`
	AccessKeys       []AccessKey       `json:"access_keys,omitempty"`
	Groups           []string          `json:"groups,omitempty"`
	AttachedPolicies []AttachedPolicy  `json:"attached_policies,omitempty"`
	InlinePolicies   []InlinePolicy    `json:"inline_policies,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// LoginProfile is a console password.
type LoginProfile struct {
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"reset_required"`
}

// MFADevice is an MFA device of a user.
type MFADevice struct {
	Serial  string    `json:"serial"`
	Enabled time.Time `json:"enabled"`
	Virtual bool      `json:"virtual"`
}

// AccessKey is an access key's metadata; the ID identifies a key and is not a secret.
type AccessKey struct {
	ID              string     `json:"id"`
	Status          string     `json:"status"`
	Created         time.Time  `json:"created"`
	LastUsed        *time.Time `json:"last_used,omitempty"`
	LastUsedService string     `json:"last_used_service,omitempty"`
	LastUsedRegion  string     `json:"last_used_region,omitempty"`
}

// AttachedPolicy is a managed policy attached to a principal.
type AttachedPolicy struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

// InlinePolicy is an embedded policy with its (URL-decoded) document.
type InlinePolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// Group is an IAM group.
type Group struct {
	Name             string           `json:"name"`
	ARN              string           `json:"arn"`
	AttachedPolicies []AttachedPolicy `json:"attached_policies,omitempty"`
	InlinePolicies   []InlinePolicy   `json:"inline_policies,omitempty"`
}

// Role is an IAM role.
type Role struct {
	Name             string           `json:"name"`
	ID               string           `json:"id"`
	ARN              string           `json:"arn"`
	Path             string           `json:"path"`
	Created          time.Time        `json:"created"`
	TrustPolicy      string           `json:"trust_policy"`
	AttachedPolicies []AttachedPolicy `json:"attached_policies,omitempty"`
	InlinePolicies   []InlinePolicy   `json:"inline_policies,omitempty"`
	LastUsed         *time.Time       `json:"last_used,omitempty"`
}

// Policy is a customer managed policy with its default version's document.
type Policy struct {
	Name            string `json:"name"`
	ARN             string `json:"arn"`
	AttachmentCount int32  `json:"attachment_count"`
	Document        string `json:"document"`
}

// RegionResources are the regional objects an attacker typically creates or abuses.
type RegionResources struct {
	Instances         []Instance         `json:"instances"`
	SecurityGroups    []SecurityGroup    `json:"security_groups"`
	KeyPairs          []KeyPair          `json:"key_pairs"`
	SpotRequests      []SpotRequest      `json:"spot_requests"`
	LaunchTemplates   []LaunchTemplate   `json:"launch_templates"`
	Images            []Image            `json:"images"`
	Snapshots         []EBSSnapshot      `json:"snapshots"`
	Volumes           []Volume           `json:"volumes"`
	AutoScalingGroups []AutoScalingGroup `json:"auto_scaling_groups"`
}

// Empty reports whether the region holds nothing the account made (the default security group aside).
func (r *RegionResources) Empty() bool {
	nonDefaultSG := 0
	for _, sg := range r.SecurityGroups {
		if sg.Name != "default" {
			nonDefaultSG++
		}
	}
	return len(r.Instances)+nonDefaultSG+len(r.KeyPairs)+len(r.SpotRequests)+len(r.LaunchTemplates)+
		len(r.Images)+len(r.Snapshots)+len(r.Volumes)+len(r.AutoScalingGroups) == 0
}

// Instance is an EC2 instance.
type Instance struct {
	ID                 string            `json:"id"`
	Type               string            `json:"type"`
	State              string            `json:"state"`
	LaunchTime         time.Time         `json:"launch_time"`
	ImageID            string            `json:"image_id,omitempty"`
	KeyName            string            `json:"key_name,omitempty"`
	SecurityGroupIDs   []string          `json:"security_group_ids,omitempty"`
	PublicIP           string            `json:"public_ip,omitempty"`
	PrivateIP          string            `json:"private_ip,omitempty"`
	VPCID              string            `json:"vpc_id,omitempty"`
	SpotRequestID      string            `json:"spot_request_id,omitempty"`
	Lifecycle          string            `json:"lifecycle,omitempty"`  // "spot" or "" for on-demand
	Monitoring         string            `json:"monitoring,omitempty"` // "enabled" (detailed) or "disabled"
	IAMInstanceProfile string            `json:"iam_instance_profile,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
}

// SecurityGroup is an EC2 security group.
type SecurityGroup struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	VPCID       string       `json:"vpc_id,omitempty"`
	Ingress     []Permission `json:"ingress,omitempty"`
	Egress      []Permission `json:"egress,omitempty"`
}

// Permission is one rule of a security group; Protocol "-1" is all traffic.
type Permission struct {
	Protocol string   `json:"protocol"`
	FromPort *int32   `json:"from_port,omitempty"`
	ToPort   *int32   `json:"to_port,omitempty"`
	IPv4     []string `json:"ipv4,omitempty"`
	IPv6     []string `json:"ipv6,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

// KeyPair is an EC2 key pair.
type KeyPair struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	Type        string    `json:"type,omitempty"`
	Created     time.Time `json:"created"`
}

// SpotRequest is an EC2 spot instance request.
type SpotRequest struct {
	ID           string    `json:"id"`
	State        string    `json:"state"`
	Type         string    `json:"type,omitempty"`
	InstanceType string    `json:"instance_type,omitempty"`
	InstanceID   string    `json:"instance_id,omitempty"`
	Created      time.Time `json:"created"`
}

// LaunchTemplate is an EC2 launch template.
type LaunchTemplate struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Created        time.Time `json:"created"`
	CreatedBy      string    `json:"created_by,omitempty"`
	DefaultVersion int64     `json:"default_version"`
	LatestVersion  int64     `json:"latest_version"`
}

// Image is an AMI the account owns.
type Image struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	State   string `json:"state"`
	Created string `json:"created,omitempty"`
	Public  bool   `json:"public"`
}

// EBSSnapshot is an EBS snapshot the account owns.
type EBSSnapshot struct {
	ID        string    `json:"id"`
	VolumeID  string    `json:"volume_id,omitempty"`
	State     string    `json:"state"`
	SizeGiB   int32     `json:"size_gib"`
	Started   time.Time `json:"started"`
	Encrypted bool      `json:"encrypted"`
}

// Volume is an EBS volume.
type Volume struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	State      string    `json:"state"`
	SizeGiB    int32     `json:"size_gib"`
	Created    time.Time `json:"created"`
	Encrypted  bool      `json:"encrypted"`
	InstanceID string    `json:"instance_id,omitempty"`
}

// AutoScalingGroup is an EC2 Auto Scaling group.
type AutoScalingGroup struct {
	Name           string    `json:"name"`
	ARN            string    `json:"arn"`
	LaunchTemplate string    `json:"launch_template,omitempty"`
	MinSize        int32     `json:"min_size"`
	MaxSize        int32     `json:"max_size"`
	Desired        int32     `json:"desired_capacity"`
	InstanceIDs    []string  `json:"instance_ids,omitempty"`
	Created        time.Time `json:"created"`
}

// Partial reports whether any collection failed.
func (s *Snapshot) Partial() bool { return len(s.Errors) > 0 }

// EnabledRegions lists the regions the account can use.
func (s *Snapshot) EnabledRegions() []string {
	var out []string
	for _, r := range s.Regions {
		if r.Enabled {
			out = append(out, r.Name)
		}
	}
	return out
}

// User returns the user by name, or nil.
func (s *Snapshot) User(name string) *User {
	for i := range s.IAM.Users {
		if s.IAM.Users[i].Name == name {
			return &s.IAM.Users[i]
		}
	}
	return nil
}

// KeyOwner returns the user owning the access key ID, or nil.
func (s *Snapshot) KeyOwner(keyID string) (*User, *AccessKey) {
	for i := range s.IAM.Users {
		u := &s.IAM.Users[i]
		for j := range u.AccessKeys {
			if u.AccessKeys[j].ID == keyID {
				return u, &u.AccessKeys[j]
			}
		}
	}
	return nil, nil
}

// QuarantinePolicy returns the name of an AWSCompromisedKeyQuarantine* policy attached to
// the user, or "". AWS attaches one when it finds the user's key exposed in public.
func (u *User) QuarantinePolicy() string {
	for _, p := range u.AttachedPolicies {
		if strings.HasPrefix(p.Name, "AWSCompromisedKeyQuarantine") {
			return p.Name
		}
	}
	return ""
}

// Write saves the snapshot as indented JSON, atomically (a temp file renamed into place).
func (s *Snapshot) Write(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*.json")
	if err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// Read loads a snapshot file, refusing one from a newer version or one that is not a snapshot.
func Read(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("snapshot %s: not valid JSON: %w", path, err)
	}
	if probe.Version == nil {
		return nil, fmt.Errorf("snapshot %s: no \"version\" field: not an accountguard snapshot", path)
	}
	if *probe.Version > SnapshotVersion {
		return nil, fmt.Errorf("snapshot %s: version %d is newer than this accountguard reads (%d): upgrade accountguard", path, *probe.Version, SnapshotVersion)
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return &s, nil
}
