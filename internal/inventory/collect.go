package inventory

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/ui"
)

// IAMAPI is the part of the IAM client the collector uses.
type IAMAPI interface {
	iam.GetAccountAuthorizationDetailsAPIClient
	iam.ListAccessKeysAPIClient
	iam.ListMFADevicesAPIClient
	iam.ListVirtualMFADevicesAPIClient
	iam.ListAccountAliasesAPIClient
	GetAccountSummary(context.Context, *iam.GetAccountSummaryInput, ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
	GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
}

// EC2API is the part of a regional EC2 client the collector uses.
type EC2API interface {
	awsx.RegionsAPI
	ec2.DescribeInstancesAPIClient
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeSpotInstanceRequestsAPIClient
	ec2.DescribeLaunchTemplatesAPIClient
	ec2.DescribeImagesAPIClient
	ec2.DescribeSnapshotsAPIClient
	ec2.DescribeVolumesAPIClient
	DescribeKeyPairs(context.Context, *ec2.DescribeKeyPairsInput, ...func(*ec2.Options)) (*ec2.DescribeKeyPairsOutput, error)
}

// AutoScalingAPI is the part of a regional Auto Scaling client the collector uses.
type AutoScalingAPI interface {
	autoscaling.DescribeAutoScalingGroupsAPIClient
}

// Clients are the AWS clients a collection uses; NewClients builds them from a Config.
type Clients struct {
	STS         awsx.STSAPI
	IAM         IAMAPI
	EC2         func(region string) EC2API
	AutoScaling func(region string) AutoScalingAPI
	// Extra, when set, runs after regions are known (the posture collectors use it).
	Extra func(ctx context.Context, regions []string, snap *Snapshot)
}

// NewClients builds the collector's clients from cfg; regional clients share cfg's HTTP client.
func NewClients(cfg aws.Config) Clients {
	return Clients{
		STS: sts.NewFromConfig(cfg),
		IAM: iam.NewFromConfig(cfg),
		EC2: func(region string) EC2API {
			return ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = region })
		},
		AutoScaling: func(region string) AutoScalingAPI {
			return autoscaling.NewFromConfig(cfg, func(o *autoscaling.Options) { o.Region = region })
		},
	}
}

// Options adjust a collection.
type Options struct {
	// Regions limits the regional collection; empty means every enabled region.
	Regions []string
	// HomeRegion is where DescribeRegions is asked; empty means us-east-1.
	HomeRegion string
	// Progress counts regions and IAM done; may be nil.
	Progress *ui.Progress
	// Now stamps the snapshot; nil means time.Now.
	Now func() time.Time
	// Tool names the collecting build ("accountguard dev").
	Tool string
	// CredentialReportWait is the first pause between GenerateCredentialReport polls (doubling
	// up to 2 s); 0 means 250 ms.
	CredentialReportWait time.Duration
}

// regionalCalls is how many calls each region's collection makes before paging; the
// progress bar counts them.
const regionalCalls = 9

type collector struct {
	c    Clients
	opts Options
	mu   sync.Mutex
	snap *Snapshot
	wg   sync.WaitGroup
}

// Collect builds a Snapshot of the account. It never fails as a whole: every failed call is
// recorded in Snapshot.Errors, and Snapshot.Partial reports whether there were any.
func Collect(ctx context.Context, c Clients, opts Options) *Snapshot {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	col := &collector{c: c, opts: opts, snap: &Snapshot{
		Version: SnapshotVersion, Tool: opts.Tool, CollectedAt: now().UTC(),
		Resources: map[string]*RegionResources{},
		IAM:       IAM{Collected: map[string]bool{}},
	}}
	col.spawn(func() { col.identity(ctx) })
	col.collectIAM(ctx)
	col.spawn(func() { col.regions(ctx) })
	col.wg.Wait()
	s := col.snap
	s.sort()
	return s
}

// sort puts everything in a stable order, so two collections of the same account compare equal.
func (s *Snapshot) sort() {
	slices.SortFunc(s.Errors, func(a, b CollectionError) int { return strings.Compare(a.String(), b.String()) })
	slices.SortFunc(s.IAM.Users, func(a, b User) int { return strings.Compare(a.Name, b.Name) })
	for i := range s.IAM.Users {
		slices.SortFunc(s.IAM.Users[i].AccessKeys, func(a, b AccessKey) int { return a.Created.Compare(b.Created) })
	}
	slices.SortFunc(s.IAM.Roles, func(a, b Role) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(s.IAM.Groups, func(a, b Group) int { return strings.Compare(a.Name, b.Name) })
	for _, r := range s.Resources {
		slices.SortFunc(r.Instances, func(a, b Instance) int { return strings.Compare(a.ID, b.ID) })
		slices.SortFunc(r.SecurityGroups, func(a, b SecurityGroup) int { return strings.Compare(a.ID, b.ID) })
		slices.SortFunc(r.KeyPairs, func(a, b KeyPair) int { return strings.Compare(a.Name, b.Name) })
		slices.SortFunc(r.SpotRequests, func(a, b SpotRequest) int { return strings.Compare(a.ID, b.ID) })
		slices.SortFunc(r.LaunchTemplates, func(a, b LaunchTemplate) int { return strings.Compare(a.ID, b.ID) })
		slices.SortFunc(r.Volumes, func(a, b Volume) int { return strings.Compare(a.ID, b.ID) })
		slices.SortFunc(r.AutoScalingGroups, func(a, b AutoScalingGroup) int { return strings.Compare(a.Name, b.Name) })
	}
}

func (col *collector) spawn(f func()) {
	col.wg.Add(1)
	go func() {
		defer col.wg.Done()
		f()
	}()
}

// fail records a failed call.
func (col *collector) fail(service, region, op string, err error) {
	msg := err.Error()
	if ae := awsx.ErrorCode(err); ae != "" {
		msg = ae + ": " + apiMessage(err)
	}
	col.mu.Lock()
	col.snap.Errors = append(col.snap.Errors, CollectionError{Service: service, Region: region, Operation: op, Code: awsx.ErrorCode(err), Message: msg})
	col.mu.Unlock()
}

func apiMessage(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "api error "); i >= 0 {
		msg = msg[i+len("api error "):]
		if _, rest, ok := strings.Cut(msg, ": "); ok {
			return rest
		}
	}
	return msg
}

// locked runs f with the snapshot locked.
func (col *collector) locked(f func(s *Snapshot)) {
	col.mu.Lock()
	defer col.mu.Unlock()
	f(col.snap)
}

func (col *collector) identity(ctx context.Context) {
	id, err := awsx.CallerIdentity(ctx, col.c.STS)
	if err != nil {
		col.fail("sts", "", "GetCallerIdentity", err)
		return
	}
	col.locked(func(s *Snapshot) {
		s.Caller = id
		s.Account.ID = id.Account
		s.IAM.Root.ARN = "arn:aws:iam::" + id.Account + ":root"
	})
}

// regions discovers the enabled regions, then collects each concurrently.
func (col *collector) regions(ctx context.Context) {
	home := col.opts.HomeRegion
	if home == "" {
		home = awsx.DefaultRegion
	}
	out, err := col.c.EC2(home).DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		col.fail("ec2", home, "DescribeRegions", err)
		return
	}
	var enabled []string
	var regions []Region
	for _, r := range out.Regions {
		name, opt := aws.ToString(r.RegionName), aws.ToString(r.OptInStatus)
		on := opt != "not-opted-in"
		regions = append(regions, Region{Name: name, OptIn: opt, Enabled: on})
		if on && (len(col.opts.Regions) == 0 || slices.Contains(col.opts.Regions, name)) {
			enabled = append(enabled, name)
		}
	}
	slices.SortFunc(regions, func(a, b Region) int { return strings.Compare(a.Name, b.Name) })
	slices.Sort(enabled)
	col.locked(func(s *Snapshot) {
		s.Regions = regions
		for _, r := range enabled {
			s.Resources[r] = &RegionResources{}
		}
	})
	if col.c.Extra != nil {
		col.spawn(func() { col.c.Extra(ctx, enabled, col.snap) })
	}
	// Each region's listings wait only for DescribeRegions; regions run side by side, bounded.
	awsx.Each(ctx, enabled, 0, func(ctx context.Context, region string) error {
		col.region(ctx, region)
		return nil // failures are recorded per call, with the region
	})
}

// region makes every listing of one region at once and returns when all are done; each
// listing fills its own field of the region's resources.
func (col *collector) region(ctx context.Context, region string) {
	api := col.c.EC2(region)
	res := col.snap.Resources[region]
	var wg sync.WaitGroup
	defer wg.Wait()
	step := func(op string, f func() error) {
		wg.Go(func() {
			defer col.opts.Progress.Add(1)
			if err := f(); err != nil {
				service := "ec2"
				if op == "DescribeAutoScalingGroups" {
					service = "autoscaling"
				}
				col.fail(service, region, op, err)
			}
		})
	}
	step("DescribeInstances", func() error {
		p := ec2.NewDescribeInstancesPaginator(api, &ec2.DescribeInstancesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, rv := range page.Reservations {
				for _, in := range rv.Instances {
					inst := convertInstance(in)
					col.locked(func(*Snapshot) { res.Instances = append(res.Instances, inst) })
				}
			}
		}
		return nil
	})
	step("DescribeSecurityGroups", func() error {
		p := ec2.NewDescribeSecurityGroupsPaginator(api, &ec2.DescribeSecurityGroupsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, g := range page.SecurityGroups {
				sg := SecurityGroup{ID: aws.ToString(g.GroupId), Name: aws.ToString(g.GroupName), Description: aws.ToString(g.Description),
					VPCID: aws.ToString(g.VpcId), Ingress: convertPermissions(g.IpPermissions), Egress: convertPermissions(g.IpPermissionsEgress)}
				col.locked(func(*Snapshot) { res.SecurityGroups = append(res.SecurityGroups, sg) })
			}
		}
		return nil
	})
	step("DescribeKeyPairs", func() error {
		out, err := api.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
		if err != nil {
			return err
		}
		for _, k := range out.KeyPairs {
			kp := KeyPair{ID: aws.ToString(k.KeyPairId), Name: aws.ToString(k.KeyName), Fingerprint: aws.ToString(k.KeyFingerprint), Type: string(k.KeyType), Created: aws.ToTime(k.CreateTime)}
			col.locked(func(*Snapshot) { res.KeyPairs = append(res.KeyPairs, kp) })
		}
		return nil
	})
	step("DescribeSpotInstanceRequests", func() error {
		p := ec2.NewDescribeSpotInstanceRequestsPaginator(api, &ec2.DescribeSpotInstanceRequestsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, r := range page.SpotInstanceRequests {
				sr := SpotRequest{ID: aws.ToString(r.SpotInstanceRequestId), State: string(r.State), Type: string(r.Type), InstanceID: aws.ToString(r.InstanceId), Created: aws.ToTime(r.CreateTime)}
				if r.LaunchSpecification != nil {
					sr.InstanceType = string(r.LaunchSpecification.InstanceType)
				}
				col.locked(func(*Snapshot) { res.SpotRequests = append(res.SpotRequests, sr) })
			}
		}
		return nil
	})
	step("DescribeLaunchTemplates", func() error {
		p := ec2.NewDescribeLaunchTemplatesPaginator(api, &ec2.DescribeLaunchTemplatesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, t := range page.LaunchTemplates {
				lt := LaunchTemplate{ID: aws.ToString(t.LaunchTemplateId), Name: aws.ToString(t.LaunchTemplateName), Created: aws.ToTime(t.CreateTime),
					CreatedBy: aws.ToString(t.CreatedBy), DefaultVersion: aws.ToInt64(t.DefaultVersionNumber), LatestVersion: aws.ToInt64(t.LatestVersionNumber)}
				col.locked(func(*Snapshot) { res.LaunchTemplates = append(res.LaunchTemplates, lt) })
			}
		}
		return nil
	})
	step("DescribeImages", func() error {
		p := ec2.NewDescribeImagesPaginator(api, &ec2.DescribeImagesInput{Owners: []string{"self"}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, im := range page.Images {
				img := Image{ID: aws.ToString(im.ImageId), Name: aws.ToString(im.Name), State: string(im.State), Created: aws.ToString(im.CreationDate), Public: aws.ToBool(im.Public)}
				col.locked(func(*Snapshot) { res.Images = append(res.Images, img) })
			}
		}
		return nil
	})
	step("DescribeSnapshots", func() error {
		p := ec2.NewDescribeSnapshotsPaginator(api, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, sn := range page.Snapshots {
				snap := EBSSnapshot{ID: aws.ToString(sn.SnapshotId), VolumeID: aws.ToString(sn.VolumeId), State: string(sn.State), SizeGiB: aws.ToInt32(sn.VolumeSize), Started: aws.ToTime(sn.StartTime), Encrypted: aws.ToBool(sn.Encrypted)}
				col.locked(func(*Snapshot) { res.Snapshots = append(res.Snapshots, snap) })
			}
		}
		return nil
	})
	step("DescribeVolumes", func() error {
		p := ec2.NewDescribeVolumesPaginator(api, &ec2.DescribeVolumesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, v := range page.Volumes {
				vol := Volume{ID: aws.ToString(v.VolumeId), Type: string(v.VolumeType), State: string(v.State), SizeGiB: aws.ToInt32(v.Size), Created: aws.ToTime(v.CreateTime), Encrypted: aws.ToBool(v.Encrypted)}
				if len(v.Attachments) > 0 {
					vol.InstanceID = aws.ToString(v.Attachments[0].InstanceId)
				}
				col.locked(func(*Snapshot) { res.Volumes = append(res.Volumes, vol) })
			}
		}
		return nil
	})
	step("DescribeAutoScalingGroups", func() error {
		p := autoscaling.NewDescribeAutoScalingGroupsPaginator(col.c.AutoScaling(region), &autoscaling.DescribeAutoScalingGroupsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, g := range page.AutoScalingGroups {
				asg := AutoScalingGroup{Name: aws.ToString(g.AutoScalingGroupName), ARN: aws.ToString(g.AutoScalingGroupARN),
					MinSize: aws.ToInt32(g.MinSize), MaxSize: aws.ToInt32(g.MaxSize), Desired: aws.ToInt32(g.DesiredCapacity), Created: aws.ToTime(g.CreatedTime)}
				if g.LaunchTemplate != nil {
					asg.LaunchTemplate = aws.ToString(g.LaunchTemplate.LaunchTemplateName)
					if asg.LaunchTemplate == "" {
						asg.LaunchTemplate = aws.ToString(g.LaunchTemplate.LaunchTemplateId)
					}
				}
				for _, in := range g.Instances {
					asg.InstanceIDs = append(asg.InstanceIDs, aws.ToString(in.InstanceId))
				}
				col.locked(func(*Snapshot) { res.AutoScalingGroups = append(res.AutoScalingGroups, asg) })
			}
		}
		return nil
	})
}

func convertInstance(in ec2types.Instance) Instance {
	inst := Instance{ID: aws.ToString(in.InstanceId), Type: string(in.InstanceType), LaunchTime: aws.ToTime(in.LaunchTime),
		ImageID: aws.ToString(in.ImageId), KeyName: aws.ToString(in.KeyName), PublicIP: aws.ToString(in.PublicIpAddress),
		PrivateIP: aws.ToString(in.PrivateIpAddress), VPCID: aws.ToString(in.VpcId), SpotRequestID: aws.ToString(in.SpotInstanceRequestId),
		Lifecycle: string(in.InstanceLifecycle)}
	if in.State != nil {
		inst.State = string(in.State.Name)
	}
	if in.Monitoring != nil {
		inst.Monitoring = string(in.Monitoring.State)
	}
	if in.IamInstanceProfile != nil {
		inst.IAMInstanceProfile = aws.ToString(in.IamInstanceProfile.Arn)
	}
	for _, g := range in.SecurityGroups {
		inst.SecurityGroupIDs = append(inst.SecurityGroupIDs, aws.ToString(g.GroupId))
	}
	if len(in.Tags) > 0 {
		inst.Tags = map[string]string{}
		for _, t := range in.Tags {
			inst.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return inst
}

func convertPermissions(ps []ec2types.IpPermission) []Permission {
	var out []Permission
	for _, p := range ps {
		perm := Permission{Protocol: aws.ToString(p.IpProtocol), FromPort: p.FromPort, ToPort: p.ToPort}
		for _, r := range p.IpRanges {
			perm.IPv4 = append(perm.IPv4, aws.ToString(r.CidrIp))
		}
		for _, r := range p.Ipv6Ranges {
			perm.IPv6 = append(perm.IPv6, aws.ToString(r.CidrIpv6))
		}
		for _, g := range p.UserIdGroupPairs {
			perm.Groups = append(perm.Groups, aws.ToString(g.GroupId))
		}
		out = append(out, perm)
	}
	return out
}

// collectIAM starts every IAM call; per-user calls start as soon as the user list is known.
func (col *collector) collectIAM(ctx context.Context) {
	api := col.c.IAM
	done := func(part string, err error, op string) {
		if err != nil {
			col.fail("iam", "", op, err)
			return
		}
		col.locked(func(s *Snapshot) { s.IAM.Collected[part] = true })
	}
	col.spawn(func() {
		out, err := api.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
		if err == nil {
			col.locked(func(s *Snapshot) {
				s.IAM.Summary = map[string]int32{}
				for k, v := range out.SummaryMap {
					s.IAM.Summary[k] = v
				}
				s.IAM.Root.MFAEnabled = out.SummaryMap["AccountMFAEnabled"] == 1
				s.IAM.Root.AccessKeysActive = int(out.SummaryMap["AccountAccessKeysPresent"])
			})
		}
		done("summary", err, "GetAccountSummary")
	})
	col.spawn(func() {
		out, err := api.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
		if awsx.ErrorCode(err) == "NoSuchEntity" {
			err = nil // no policy set: AWS's defaults apply
		} else if err == nil {
			p := out.PasswordPolicy
			col.locked(func(s *Snapshot) {
				s.IAM.PasswordPolicy = &PasswordPolicy{MinimumLength: int(aws.ToInt32(p.MinimumPasswordLength)), RequireSymbols: p.RequireSymbols,
					RequireNumbers: p.RequireNumbers, RequireUppercase: p.RequireUppercaseCharacters, RequireLowercase: p.RequireLowercaseCharacters,
					AllowUsersToChangePassword: p.AllowUsersToChangePassword, MaxPasswordAge: int(aws.ToInt32(p.MaxPasswordAge)),
					ReusePrevention: int(aws.ToInt32(p.PasswordReusePrevention)), HardExpiry: aws.ToBool(p.HardExpiry)}
			})
		}
		done("password_policy", err, "GetAccountPasswordPolicy")
	})
	col.spawn(func() {
		out, err := api.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
		if err == nil && len(out.AccountAliases) > 0 {
			col.locked(func(s *Snapshot) { s.Account.Alias = out.AccountAliases[0] })
		}
		done("alias", err, "ListAccountAliases")
	})
	col.spawn(func() {
		p := iam.NewListVirtualMFADevicesPaginator(api, &iam.ListVirtualMFADevicesInput{})
		rootVirtual := false
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				done("virtual_mfa", err, "ListVirtualMFADevices")
				return
			}
			for _, d := range page.VirtualMFADevices {
				if d.User != nil && strings.HasSuffix(aws.ToString(d.User.Arn), ":root") {
					rootVirtual = true
				}
			}
		}
		col.locked(func(s *Snapshot) { s.IAM.Root.HardwareMFA = aws.Bool(!rootVirtual) })
		done("virtual_mfa", nil, "")
	})
	col.spawn(func() { col.credentialReport(ctx) })
	col.spawn(func() { col.authorizationDetails(ctx) })
	col.opts.Progress.Add(0)
}

func (col *collector) credentialReport(ctx context.Context) {
	api := col.c.IAM
	// AWS usually finishes a report within seconds: poll soon, then back off to every 2 s.
	wait := col.opts.CredentialReportWait
	if wait == 0 {
		wait = 250 * time.Millisecond
	}
	for attempt := 0; ; attempt++ {
		out, err := api.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			col.fail("iam", "", "GenerateCredentialReport", err)
			return
		}
		if out.State == iamtypes.ReportStateTypeComplete {
			break
		}
		if attempt == 30 {
			col.fail("iam", "", "GenerateCredentialReport", fmt.Errorf("report still %s after %d polls", out.State, attempt))
			return
		}
		select {
		case <-ctx.Done():
			col.fail("iam", "", "GenerateCredentialReport", ctx.Err())
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
	out, err := api.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		col.fail("iam", "", "GetCredentialReport", err)
		return
	}
	rows, warnings, err := ParseCredentialReport(out.Content)
	if err != nil {
		col.fail("iam", "", "GetCredentialReport", err)
		return
	}
	for _, w := range warnings {
		col.fail("iam", "", "GetCredentialReport", fmt.Errorf("%s", w))
	}
	col.locked(func(s *Snapshot) {
		s.IAM.CredentialReport = rows
		s.IAM.Collected["credential_report"] = true
		applyRootFromReport(&s.IAM.Root, rows)
	})
}

// authorizationDetails reads users, groups, roles and policies in one paged call, then
// starts each user's own calls as soon as its page arrives.
func (col *collector) authorizationDetails(ctx context.Context) {
	api := col.c.IAM
	p := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			col.fail("iam", "", "GetAccountAuthorizationDetails", err)
			return
		}
		for _, ud := range page.UserDetailList {
			u := User{Name: aws.ToString(ud.UserName), ID: aws.ToString(ud.UserId), ARN: aws.ToString(ud.Arn), Path: aws.ToString(ud.Path),
				Created: aws.ToTime(ud.CreateDate), Groups: ud.GroupList, AttachedPolicies: attached(ud.AttachedManagedPolicies),
				InlinePolicies: inline(ud.UserPolicyList)}
			if len(ud.Tags) > 0 {
				u.Tags = map[string]string{}
				for _, t := range ud.Tags {
					u.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			}
			var idx int
			col.locked(func(s *Snapshot) {
				s.IAM.Users = append(s.IAM.Users, u)
				idx = len(s.IAM.Users) - 1
			})
			col.userDetails(ctx, idx, u.Name)
		}
		col.locked(func(s *Snapshot) {
			for _, g := range page.GroupDetailList {
				s.IAM.Groups = append(s.IAM.Groups, Group{Name: aws.ToString(g.GroupName), ARN: aws.ToString(g.Arn),
					AttachedPolicies: attached(g.AttachedManagedPolicies), InlinePolicies: inline(g.GroupPolicyList)})
			}
			for _, r := range page.RoleDetailList {
				role := Role{Name: aws.ToString(r.RoleName), ID: aws.ToString(r.RoleId), ARN: aws.ToString(r.Arn), Path: aws.ToString(r.Path),
					Created: aws.ToTime(r.CreateDate), TrustPolicy: decodeDoc(aws.ToString(r.AssumeRolePolicyDocument)),
					AttachedPolicies: attached(r.AttachedManagedPolicies), InlinePolicies: inline(r.RolePolicyList)}
				if r.RoleLastUsed != nil && r.RoleLastUsed.LastUsedDate != nil {
					role.LastUsed = r.RoleLastUsed.LastUsedDate
				}
				s.IAM.Roles = append(s.IAM.Roles, role)
			}
			for _, pd := range page.Policies {
				pol := Policy{Name: aws.ToString(pd.PolicyName), ARN: aws.ToString(pd.Arn), AttachmentCount: aws.ToInt32(pd.AttachmentCount)}
				for _, v := range pd.PolicyVersionList {
					if v.IsDefaultVersion {
						pol.Document = decodeDoc(aws.ToString(v.Document))
					}
				}
				if !strings.HasPrefix(pol.ARN, "arn:aws:iam::aws:") {
					s.IAM.Policies = append(s.IAM.Policies, pol)
				}
			}
		})
	}
	col.locked(func(s *Snapshot) {
		s.IAM.Collected["users"] = true
		s.IAM.Collected["roles"] = true
		s.IAM.Collected["groups"] = true
		s.IAM.Collected["policies"] = true
	})
}

// userDetails starts the calls about one user: keys (and each key's last use), login profile, MFA.
func (col *collector) userDetails(ctx context.Context, idx int, name string) {
	api := col.c.IAM
	user := func(f func(u *User)) { col.locked(func(s *Snapshot) { f(&s.IAM.Users[idx]) }) }
	col.spawn(func() {
		p := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{UserName: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				col.fail("iam", "", "ListAccessKeys", fmt.Errorf("user %s: %w", name, err))
				return
			}
			for _, k := range page.AccessKeyMetadata {
				key := AccessKey{ID: aws.ToString(k.AccessKeyId), Status: string(k.Status), Created: aws.ToTime(k.CreateDate)}
				var kidx int
				user(func(u *User) {
					u.AccessKeys = append(u.AccessKeys, key)
					kidx = len(u.AccessKeys) - 1
				})
				col.spawn(func() {
					out, err := api.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(key.ID)})
					if err != nil {
						col.fail("iam", "", "GetAccessKeyLastUsed", fmt.Errorf("key %s: %w", key.ID, err))
						return
					}
					if lu := out.AccessKeyLastUsed; lu != nil {
						user(func(u *User) {
							k := &u.AccessKeys[kidx]
							k.LastUsed = lu.LastUsedDate
							k.LastUsedService = naToEmpty(aws.ToString(lu.ServiceName))
							k.LastUsedRegion = naToEmpty(aws.ToString(lu.Region))
						})
					}
				})
			}
		}
	})
	col.spawn(func() {
		out, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(name)})
		switch {
		case awsx.ErrorCode(err) == "NoSuchEntity":
		case err != nil:
			col.fail("iam", "", "GetLoginProfile", fmt.Errorf("user %s: %w", name, err))
		default:
			lp := &LoginProfile{Created: aws.ToTime(out.LoginProfile.CreateDate), ResetRequired: out.LoginProfile.PasswordResetRequired}
			user(func(u *User) { u.LoginProfile = lp })
		}
	})
	col.spawn(func() {
		p := iam.NewListMFADevicesPaginator(api, &iam.ListMFADevicesInput{UserName: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				col.fail("iam", "", "ListMFADevices", fmt.Errorf("user %s: %w", name, err))
				return
			}
			for _, d := range page.MFADevices {
				serial := aws.ToString(d.SerialNumber)
				dev := MFADevice{Serial: serial, Enabled: aws.ToTime(d.EnableDate), Virtual: strings.HasPrefix(serial, "arn:")}
				user(func(u *User) { u.MFADevices = append(u.MFADevices, dev) })
			}
		}
	})
}

func naToEmpty(v string) string {
	if v == "N/A" {
		return ""
	}
	return v
}

func attached(ps []iamtypes.AttachedPolicy) []AttachedPolicy {
	var out []AttachedPolicy
	for _, p := range ps {
		out = append(out, AttachedPolicy{Name: aws.ToString(p.PolicyName), ARN: aws.ToString(p.PolicyArn)})
	}
	return out
}

func inline(ps []iamtypes.PolicyDetail) []InlinePolicy {
	var out []InlinePolicy
	for _, p := range ps {
		out = append(out, InlinePolicy{Name: aws.ToString(p.PolicyName), Document: decodeDoc(aws.ToString(p.PolicyDocument))})
	}
	return out
}

// decodeDoc URL-decodes a policy document as IAM returns it.
func decodeDoc(doc string) string {
	if d, err := url.QueryUnescape(doc); err == nil {
		return d
	}
	return doc
}
