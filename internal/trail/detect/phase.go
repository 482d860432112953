package detect

import "strings"

// Phase is where an API call sits in an account takeover.
type Phase string

const (
	Enumeration Phase = "enumeration"
	Persistence Phase = "persistence"
	Evasion     Phase = "evasion"
	Impact      Phase = "impact"
	Other       Phase = "other"
)

// recon are the calls a stolen key is first tried with: strong enumeration signals.
var recon = set("GetCallerIdentity", "ListUsers", "ListRoles", "ListGroups", "ListPolicies",
	"ListAccessKeys", "ListAttachedUserPolicies", "ListUserPolicies", "GetAccountAuthorizationDetails",
	"GetAccountSummary", "GetUser", "ListBuckets", "DescribeRegions", "DescribeInstances",
	"GetSendQuota", "ListServiceQuotas", "ListGroupsForUser", "ListAttachedRolePolicies")

var persistence = set("CreateUser", "CreateAccessKey", "CreateLoginProfile", "UpdateLoginProfile",
	"AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy", "PutUserPolicy", "PutGroupPolicy",
	"PutRolePolicy", "CreateRole", "UpdateAssumeRolePolicy", "AddUserToGroup", "CreatePolicyVersion",
	"CreateVirtualMFADevice", "EnableMFADevice", "UpdateAccessKey", "CreateSAMLProvider", "CreateOpenIDConnectProvider")

var evasion = set("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "DeleteDetector",
	"UpdateDetector", "DisassociateFromMasterAccount", "DisableSecurityHub", "DeleteFlowLogs",
	"StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel", "DeleteConfigRule",
	"DisableEbsEncryptionByDefault", "PutBucketLogging", "DeleteLogGroup", "DeleteLogStream")

var impact = set("RunInstances", "RequestSpotInstances", "RequestSpotFleet", "CreateFleet",
	"CreateLaunchTemplate", "CreateLaunchTemplateVersion", "CreateLaunchConfiguration", "CreateAutoScalingGroup",
	"CreateKeyPair", "ImportKeyPair", "CreateSecurityGroup", "AuthorizeSecurityGroupIngress",
	"AuthorizeSecurityGroupEgress", "CreateFunction20150331", "CreateFunction", "CreateCluster",
	"RegisterTaskDefinition", "CreateService", "RunTask", "CreateNotebookInstance", "CreateTrainingJob",
	"CreateEndpoint", "UpdateAccountSendingEnabled", "VerifyEmailIdentity", "VerifyDomainIdentity",
	"CreateEmailIdentity", "PutAccountDetails", "SendEmail", "SendRawEmail", "DeleteBucket", "PutBucketPolicy",
	"TerminateInstances", "ModifySnapshotAttribute", "ModifyImageAttribute", "StartInstances")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// PhaseOf classifies an eventName; reads not in the recon list count as enumeration too.
func PhaseOf(eventName string) Phase {
	switch {
	case recon[eventName]:
		return Enumeration
	case persistence[eventName]:
		return Persistence
	case evasion[eventName]:
		return Evasion
	case impact[eventName]:
		return Impact
	}
	for _, p := range []string{"Get", "List", "Describe", "Head", "Search", "Lookup"} {
		if strings.HasPrefix(eventName, p) {
			return Enumeration
		}
	}
	return Other
}

// IsRecon reports whether eventName is one of the calls a stolen key is first tried with.
func IsRecon(eventName string) bool { return recon[eventName] }

// IsPersistence reports whether eventName creates a foothold (users, keys, passwords, rights).
func IsPersistence(eventName string) bool { return persistence[eventName] }
