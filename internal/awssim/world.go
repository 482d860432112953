package awssim

import (
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// World is all simulated state: accounts by ID, and an index of access keys.
type World struct {
	Accounts map[string]*Account
	keys     map[string]*AccessKey
	rng      *rand.Rand
}

func newWorld(rng *rand.Rand) *World {
	return &World{Accounts: map[string]*Account{}, keys: map[string]*AccessKey{}, rng: rng}
}

// keyOwner finds an access key and its account.
func (w *World) keyOwner(id string) (*Account, *AccessKey) {
	k := w.keys[id]
	if k == nil {
		return nil, nil
	}
	return w.Accounts[k.AccountID], k
}

// Key returns the access key with that ID, or nil.
func (w *World) Key(id string) *AccessKey { return w.keys[id] }

// Account is one simulated AWS account.
type Account struct {
	ID    string
	Alias string
	Root  Root

	Users    []*User // sorted by name
	Groups   []*Group
	Roles    []*Role
	Policies []*ManagedPolicy // customer managed and the AWS managed ones in use

	PasswordPolicy            *PasswordPolicy
	CredentialReportGenerated time.Time
	CredentialReport          []byte       // the CSV as generated at CredentialReportGenerated
	VirtualMFA                []*MFADevice // virtual MFA devices assigned to no user

	Regions []*Region          // every region the partition has, in name order
	Posture *PostureState      // trails, alarms, detectors, contacts (posture_scenario.go)
	Buckets map[string]*Bucket // S3 buckets by name (s3.go)
	Billing *billing           // cost series, budgets, anomaly monitors (costexplorer.go, budgets.go)

	w *World
}

// Root is the account's root user.
type Root struct {
	Created          time.Time
	PasswordLastUsed time.Time
	MFA              bool
	HardwareMFA      bool
	Keys             []*AccessKey
}

// User is an IAM user.
type User struct {
	Name, ID, Path   string
	Created          time.Time
	PasswordLastUsed time.Time
	Login            *LoginProfile
	MFA              []*MFADevice
	Keys             []*AccessKey
	Groups           []string
	Attached         []string          // managed policy ARNs
	Inline           map[string]string // name → document
	Tags             map[string]string
}

// LoginProfile is a user's console password.
type LoginProfile struct {
	Created         time.Time
	ResetRequired   bool
	PasswordChanged time.Time // zero means when the profile was created
}

// MFADevice is an MFA device enabled for a user.
type MFADevice struct {
	Serial  string
	Enabled time.Time
	Virtual bool
}

// AccessKey is a long-term access key of a user or of root (User nil).
type AccessKey struct {
	ID, Secret      string
	Status          string // Active, Inactive
	Created         time.Time
	LastUsed        time.Time
	LastUsedService string
	LastUsedRegion  string
	AccountID       string
	User            *User // nil for root (and for role sessions)

	// Temporary credentials (STS) also carry a session token and an expiry; a role session
	// names its role and session.
	SessionToken string
	Expires      time.Time
	Role         *Role
	SessionName  string
}

// Group is an IAM group.
type Group struct {
	Name, ID, Path string
	Created        time.Time
	Attached       []string
	Inline         map[string]string
}

// Role is an IAM role.
type Role struct {
	Name, ID, Path   string
	Created          time.Time
	Description      string
	AssumeRolePolicy string
	Attached         []string
	Inline           map[string]string
	LastUsed         time.Time
	LastUsedRegion   string
}

// ManagedPolicy is an IAM managed policy.
type ManagedPolicy struct {
	ARN, Name, ID, Path string
	Document            string
	AWSManaged          bool
	Created, Updated    time.Time
}

// PasswordPolicy is the account password policy.
type PasswordPolicy struct {
	MinimumPasswordLength      int  `yaml:"minimum_password_length"`
	RequireSymbols             bool `yaml:"require_symbols"`
	RequireNumbers             bool `yaml:"require_numbers"`
	RequireUppercaseCharacters bool `yaml:"require_uppercase"`
	RequireLowercaseCharacters bool `yaml:"require_lowercase"`
	AllowUsersToChangePassword bool `yaml:"allow_users_to_change_password"`
	MaxPasswordAge             int  `yaml:"max_password_age"`
	PasswordReusePrevention    int  `yaml:"password_reuse_prevention"`
	HardExpiry                 bool `yaml:"hard_expiry"`
}

// Region holds the regional resources of an account.
type Region struct {
	Name  string
	OptIn string // "opt-in-not-required", "opted-in", "not-opted-in"

	Instances       []*Instance
	SecurityGroups  []*SecurityGroup
	KeyPairs        []*KeyPair
	SpotRequests    []*SpotRequest
	LaunchTemplates []*LaunchTemplate
	Images          []*Image
	Snapshots       []*Snapshot
	Volumes         []*Volume
	AutoScaling     []*AutoScalingGroup

	// ClientTokens remembers idempotent requests: "Action/token" → "resultID|paramsHash",
	// so a retried RunInstances or CreateLaunchTemplate returns what the first call made.
	ClientTokens map[string]string
}

// Enabled reports whether the account can use the region.
func (r *Region) Enabled() bool { return r.OptIn != "not-opted-in" }

// Instance is an EC2 instance.
type Instance struct {
	ID, Type, ImageID, KeyName string
	State                      string // pending, running, stopping, stopped, shutting-down, terminated
	LaunchTime                 time.Time
	TerminatedAt               time.Time
	SecurityGroupIDs           []string
	SubnetID, VPCID            string
	PrivateIP, PublicIP        string
	AvailabilityZone           string
	SpotRequestID              string
	ReservationID              string
	DisableApiTermination      bool
	Monitoring                 bool // detailed monitoring
	IAMInstanceProfile         string
	Tags                       map[string]string
	LaunchedBy                 string // ARN of the principal that launched it (for scenario ground truth)
}

// SecurityGroup is an EC2 security group.
type SecurityGroup struct {
	ID, Name, Description, VPCID string
	Ingress                      []SGRule
	Egress                       []SGRule
	Tags                         map[string]string
}

// SGRule is one permission of a security group.
type SGRule struct {
	Protocol string   `yaml:"protocol"` // "tcp", "udp", "icmp", "-1"
	FromPort int      `yaml:"from"`
	ToPort   int      `yaml:"to"`
	CIDRs    []string `yaml:"cidrs"`
	IPv6     []string `yaml:"ipv6"`
	Groups   []string `yaml:"groups"`
}

// KeyPair is an EC2 key pair.
type KeyPair struct {
	ID, Name, Fingerprint, Type string
	Created                     time.Time
}

// SpotRequest is an EC2 spot instance request.
type SpotRequest struct {
	ID, State, Type, InstanceType, ImageID, KeyName, InstanceID string
	SpotPrice                                                   string
	Created                                                     time.Time
	SecurityGroupIDs                                            []string
}

// LaunchTemplate is an EC2 launch template (its default version's data inline).
type LaunchTemplate struct {
	ID, Name, CreatedBy            string
	Created                        time.Time
	DefaultVersion, LatestVersion  int64
	InstanceType, ImageID, KeyName string
	SecurityGroupIDs               []string
}

// Image is an AMI owned by the account.
type Image struct {
	ID, Name, State string
	Created         time.Time
	Public          bool
}

// Snapshot is an EBS snapshot owned by the account.
type Snapshot struct {
	ID, VolumeID, State string
	SizeGiB             int32
	Started             time.Time
	Encrypted           bool
}

// Volume is an EBS volume.
type Volume struct {
	ID, Type, State, AvailabilityZone, InstanceID string
	SizeGiB                                       int32
	Created                                       time.Time
	Encrypted                                     bool
}

// AutoScalingGroup is an EC2 Auto Scaling group.
type AutoScalingGroup struct {
	Name, ARN                 string
	LaunchTemplateID          string
	LaunchTemplateName        string
	LaunchTemplateVersion     string
	MinSize, MaxSize, Desired int32
	AvailabilityZones         []string
	Created                   time.Time
	InstanceIDs               []string
	Status                    string // "" or "Delete in progress"
}

// Region returns the account's region by name, or nil.
func (a *Account) Region(name string) *Region {
	for _, r := range a.Regions {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// User returns the IAM user by name, or nil.
func (a *Account) User(name string) *User {
	for _, u := range a.Users {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// Group returns the IAM group by name, or nil.
func (a *Account) Group(name string) *Group {
	for _, g := range a.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// Role returns the IAM role by name, or nil.
func (a *Account) Role(name string) *Role {
	for _, r := range a.Roles {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Policy returns the managed policy by ARN, adding a known AWS managed policy on first use.
func (a *Account) Policy(arn string) *ManagedPolicy {
	for _, p := range a.Policies {
		if p.ARN == arn {
			return p
		}
	}
	if name, ok := strings.CutPrefix(arn, "arn:aws:iam::aws:policy/"); ok {
		base := name[strings.LastIndex(name, "/")+1:]
		doc, known := awsManagedPolicies[base]
		if !known {
			doc, known = awsManagedPolicies[name] // path-qualified, e.g. service-role/AWSConfigRole
		}
		if !known {
			return nil
		}
		p := &ManagedPolicy{ARN: arn, Name: base, ID: "ANPA" + a.w.randUpper(17), Path: "/" + strings.TrimSuffix(name, base), Document: doc, AWSManaged: true,
			Created: time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC), Updated: time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)}
		a.Policies = append(a.Policies, p)
		return p
	}
	return nil
}

// awsManagedPolicies are the AWS managed policies the simulator knows, by name.
var awsManagedPolicies = map[string]string{
	"AdministratorAccess":           `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"ReadOnlyAccess":                `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","iam:Get*","iam:List*","s3:Get*","s3:List*"],"Resource":"*"}]}`,
	"SecurityAudit":                 `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","ec2:Describe*","cloudtrail:Describe*"],"Resource":"*"}]}`,
	"AmazonEC2FullAccess":           `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`,
	"AmazonS3FullAccess":            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
	"AmazonS3ReadOnlyAccess":        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`,
	"IAMUserChangePassword":         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`,
	"PowerUserAccess":               `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}]}`,
	"AWSCompromisedKeyQuarantine":   `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:AttachUserPolicy","iam:CreateAccessKey","iam:CreateLoginProfile","iam:CreateUser","ec2:RunInstances","ec2:RequestSpotInstances","lambda:CreateFunction"],"Resource":"*"}]}`,
	"AWSCompromisedKeyQuarantineV2": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:AttachUserPolicy","iam:CreateAccessKey","iam:CreateLoginProfile","iam:CreateUser","ec2:RunInstances","ec2:RequestSpotInstances","lambda:CreateFunction"],"Resource":"*"}]}`,
	"AWSCompromisedKeyQuarantineV3": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:AttachUserPolicy","iam:CreateAccessKey","iam:CreateLoginProfile","iam:CreateUser","ec2:RunInstances","ec2:RequestSpotInstances","lambda:CreateFunction"],"Resource":"*"}]}`,
	"AWSCloudTrail_ReadOnlyAccess":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:Get*","cloudtrail:Describe*","cloudtrail:List*","cloudtrail:LookupEvents"],"Resource":"*"}]}`,
	"AmazonEC2ReadOnlyAccess":       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*"],"Resource":"*"}]}`,
	"AWSCodeDeployRole":             `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","autoscaling:*"],"Resource":"*"}]}`,
	"AWSSupportAccess":              `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["support:*"],"Resource":"*"}]}`,
	"service-role/AWSConfigRole":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["config:Put*"],"Resource":"*"}]}`,
	"AWS_ConfigRole":                `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["config:Put*"],"Resource":"*"}]}`,
}

// identityOf is the identity a call made with key has.
func (a *Account) identityOf(k *AccessKey) Identity {
	if k != nil && k.Role != nil {
		r := k.Role
		return Identity{Type: "AssumedRole", PrincipalID: r.ID + ":" + k.SessionName,
			ARN: "arn:aws:sts::" + a.ID + ":assumed-role/" + r.Name + "/" + k.SessionName, AccountID: a.ID, Key: k,
			Issuer: &SessionIssuer{Type: "Role", PrincipalID: r.ID, ARN: a.roleARN(r), AccountID: a.ID, UserName: r.Name}}
	}
	if k == nil || k.User == nil {
		return Identity{Type: "Root", PrincipalID: a.ID, ARN: "arn:aws:iam::" + a.ID + ":root", AccountID: a.ID, Key: k}
	}
	return Identity{Type: "IAMUser", PrincipalID: k.User.ID, ARN: a.userARN(k.User), AccountID: a.ID, UserName: k.User.Name, Key: k}
}

func (a *Account) roleARN(r *Role) string {
	return "arn:aws:iam::" + a.ID + ":role" + r.Path + r.Name
}

func (a *Account) userARN(u *User) string {
	return "arn:aws:iam::" + a.ID + ":user" + u.Path + u.Name
}

func (a *Account) addKey(k *AccessKey) {
	k.AccountID = a.ID
	a.w.keys[k.ID] = k
}

// keyIDAlphabet is the base32 alphabet AWS key IDs use.
var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newAccessKeyID makes a key ID that, like AWS's, encodes the account ID: the 16 characters
// after the prefix are base32 of 10 bytes whose first 6 hold (account << 7) | noise.
func (w *World) newAccessKeyID(prefix, account string) string {
	var acct uint64
	fmt.Sscan(account, &acct)
	var b [10]byte
	z := acct<<7 | uint64(w.rng.IntN(128))
	var tmp [8]byte
	binary.BigEndian.PutUint64(tmp[:], z)
	copy(b[:6], tmp[2:])
	for i := 6; i < 10; i++ {
		b[i] = byte(w.rng.IntN(256))
	}
	return prefix + keyEncoding.EncodeToString(b[:])
}

func (w *World) newSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 40)
	for i := range b {
		b[i] = alphabet[w.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (w *World) randUpper(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[w.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (w *World) randHex(n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[w.rng.IntN(16)]
	}
	return string(b)
}

// NewID makes an EC2-style ID such as "i-0abc…" (17 hex digits after the prefix).
func (w *World) NewID(prefix string) string { return prefix + "-0" + w.randHex(16) }

func (a *Account) sortUsers() {
	slices.SortFunc(a.Users, func(x, y *User) int { return strings.Compare(x.Name, y.Name) })
}

// StandardRegions are the regions of the aws partition the simulator knows, with their opt-in
// status in a new account: 17 enabled by default, the rest need opting in.
var StandardRegions = []struct {
	Name  string
	OptIn bool
}{
	{"ap-northeast-1", false}, {"ap-northeast-2", false}, {"ap-northeast-3", false},
	{"ap-south-1", false}, {"ap-southeast-1", false}, {"ap-southeast-2", false},
	{"ca-central-1", false}, {"eu-central-1", false}, {"eu-north-1", false},
	{"eu-west-1", false}, {"eu-west-2", false}, {"eu-west-3", false},
	{"sa-east-1", false}, {"us-east-1", false}, {"us-east-2", false},
	{"us-west-1", false}, {"us-west-2", false},
	{"af-south-1", true}, {"ap-east-1", true}, {"ap-south-2", true}, {"ap-southeast-3", true},
	{"eu-south-1", true}, {"me-south-1", true}, {"il-central-1", true},
}
