package awssim

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2Scenario is a small account with resources in ap-northeast-2 and one opted-in region.
const ec2Scenario = `
name: ec2test
account: {id: "111122223333", alias: ec2test}
admin: admin
opted_in_regions: [ap-east-1]
users:
  - name: admin
    created: -30d
    attached: [arn:aws:iam::aws:policy/AdministratorAccess]
    keys: [{created: -30d}]
resources:
  ap-northeast-2:
    security_groups:
      - name: web
        description: web servers
        ingress:
          - {protocol: tcp, from: 443, to: 443, cidrs: [0.0.0.0/0], ipv6: ["::/0"]}
          - {protocol: tcp, from: 22, to: 22, cidrs: [203.0.113.0/24]}
      - name: db
        description: databases
    key_pairs:
      - {name: deploy, created: -100d}
      - {name: ops, created: -50d}
    instances:
      - {name: web-1, type: t3.micro, launched: -90d, key_name: deploy, security_groups: [web], termination_protection: true}
      - {name: web-2, type: t3.micro, launched: -90d, key_name: deploy, security_groups: [web]}
      - {name: web-3, type: t3.small, launched: -80d, security_groups: [web, db]}
      - {name: db-1, type: r5.large, launched: -70d, security_groups: [db], monitoring: true}
      - {name: old, type: t2.micro, launched: -200d, state: stopped}
      - {name: batch-1, type: c5.large, launched: -10d}
      - {name: batch-2, type: c5.large, launched: -10d}
    volumes:
      - {size: 20, instance: db-1, created: -70d}
      - {size: 100, type: st1, encrypted: true, created: -20d}
    snapshots:
      - {size: 20, created: -5d}
    images:
      - {name: golden-2024, created: -60d}
`

func startEC2(t *testing.T) (*Running, func(region string) *ec2.Client) {
	t.Helper()
	return startEC2With(t, ec2Scenario, Options{})
}

func startEC2With(t *testing.T, yaml string, opts Options) (*Running, func(region string) *ec2.Client) {
	t.Helper()
	sc, err := ParseScenario("ec2test", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(sc, opts, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	cfg := testConfig(r)
	return r, func(region string) *ec2.Client {
		return ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = region })
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := apiCode(err); got != code {
		t.Fatalf("%s: error = %v, want code %s", what, err, code)
	}
}

func TestEC2DescribeRegions(t *testing.T) {
	_, client := startEC2(t)
	ctx := context.Background()
	out, err := client("us-east-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	// 17 default regions plus the opted-in ap-east-1; the other opt-in regions are hidden.
	if len(out.Regions) != 18 {
		t.Fatalf("enabled regions = %d, want 18", len(out.Regions))
	}
	all, err := client("us-east-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range all.Regions {
		status[aws.ToString(r.RegionName)] = aws.ToString(r.OptInStatus)
		if aws.ToString(r.Endpoint) != "ec2."+aws.ToString(r.RegionName)+".amazonaws.com" {
			t.Fatalf("endpoint of %s = %s", aws.ToString(r.RegionName), aws.ToString(r.Endpoint))
		}
	}
	if len(all.Regions) != len(StandardRegions) || status["ap-east-1"] != "opted-in" || status["af-south-1"] != "not-opted-in" || status["eu-west-1"] != "opt-in-not-required" {
		t.Fatalf("all regions: %v", status)
	}
	f, err := client("eu-west-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true),
		Filters: []types.Filter{{Name: aws.String("opt-in-status"), Values: []string{"not-opted-in"}}}})
	if err != nil || len(f.Regions) != len(StandardRegions)-18 {
		t.Fatalf("opt-in-status filter: %d regions, %v", len(f.Regions), err)
	}
	named, err := client("us-east-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{RegionNames: []string{"ap-northeast-2", "us-west-2"}})
	if err != nil || len(named.Regions) != 2 || aws.ToString(named.Regions[0].RegionName) != "ap-northeast-2" {
		t.Fatalf("RegionNames: %+v, %v", named, err)
	}
	wc, err := client("us-east-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{Filters: []types.Filter{{Name: aws.String("region-name"), Values: []string{"ap-*"}}}})
	if err != nil || len(wc.Regions) != 7 { // 6 default ap- regions + ap-east-1
		t.Fatalf("region-name wildcard: %d, %v", len(wc.Regions), err)
	}
	_, err = client("us-east-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{RegionNames: []string{"xx-nowhere-1"}})
	wantCode(t, "unknown region name", err, "InvalidParameterValue")
	_, err = client("us-east-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{Filters: []types.Filter{{Name: aws.String("bogus"), Values: []string{"x"}}}})
	wantCode(t, "unknown filter", err, "InvalidParameterValue")
	// Calls into a region the account has not enabled, or one that does not exist, fail.
	_, err = client("af-south-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	wantCode(t, "not-opted-in region", err, "AuthFailure")
	_, err = client("xx-nowhere-1").DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	wantCode(t, "unknown region", err, "AuthFailure")
	// The opted-in region answers.
	if _, err := client("ap-east-1").DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
		t.Fatalf("opted-in region: %v", err)
	}
	_, err = client("us-east-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: aws.Bool(true)})
	wantCode(t, "dry run", err, "DryRunOperation")
}

func instanceNames(res []types.Reservation) []string {
	var names []string
	for _, r := range res {
		for _, in := range r.Instances {
			for _, tg := range in.Tags {
				if aws.ToString(tg.Key) == "Name" {
					names = append(names, aws.ToString(tg.Value))
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

func TestEC2DescribeInstances(t *testing.T) {
	_, client := startEC2(t)
	ctx := context.Background()
	c := client("ap-northeast-2")
	out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := instanceNames(out.Reservations); len(got) != 7 {
		t.Fatalf("instances = %v", got)
	}
	var web1, db1 types.Instance
	for _, r := range out.Reservations {
		if aws.ToString(r.OwnerId) != "111122223333" || aws.ToString(r.ReservationId) == "" {
			t.Fatalf("reservation %+v", r)
		}
		for _, in := range r.Instances {
			switch instanceNames([]types.Reservation{{Instances: []types.Instance{in}}})[0] {
			case "web-1":
				web1 = in
			case "db-1":
				db1 = in
			}
		}
	}
	if web1.State == nil || web1.State.Name != types.InstanceStateNameRunning || aws.ToInt32(web1.State.Code) != 16 ||
		web1.InstanceType != types.InstanceTypeT3Micro || aws.ToString(web1.KeyName) != "deploy" || web1.LaunchTime == nil ||
		len(web1.SecurityGroups) != 1 || aws.ToString(web1.SecurityGroups[0].GroupName) != "web" ||
		aws.ToString(web1.Placement.AvailabilityZone) != "ap-northeast-2a" || aws.ToString(web1.PrivateDnsName) == "" {
		t.Fatalf("web-1 = %+v", web1)
	}
	if db1.Monitoring == nil || db1.Monitoring.State != types.MonitoringStateEnabled {
		t.Fatalf("db-1 monitoring = %+v", db1.Monitoring)
	}

	// Filters.
	running, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"running"}}}})
	if err != nil || len(instanceNames(running.Reservations)) != 6 {
		t.Fatalf("running filter: %v, %v", instanceNames(running.Reservations), err)
	}
	stopped, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{
		{Name: aws.String("instance-state-name"), Values: []string{"stopped", "terminated"}}}})
	if err != nil || !slices.Equal(instanceNames(stopped.Reservations), []string{"old"}) {
		t.Fatalf("stopped filter: %v, %v", instanceNames(stopped.Reservations), err)
	}
	tagged, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{
		{Name: aws.String("tag:Name"), Values: []string{"web-*"}}, {Name: aws.String("instance-type"), Values: []string{"t3.micro"}}}})
	if err != nil || !slices.Equal(instanceNames(tagged.Reservations), []string{"web-1", "web-2"}) {
		t.Fatalf("tag+type filter: %v, %v", instanceNames(tagged.Reservations), err)
	}

	// By ID.
	byID, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{aws.ToString(db1.InstanceId)}})
	if err != nil || !slices.Equal(instanceNames(byID.Reservations), []string{"db-1"}) {
		t.Fatalf("by id: %v, %v", instanceNames(byID.Reservations), err)
	}
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	wantCode(t, "unknown instance", err, "InvalidInstanceID.NotFound")
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"vol-0123"}})
	wantCode(t, "malformed instance id", err, "InvalidInstanceID.Malformed")
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{aws.ToString(db1.InstanceId)}, MaxResults: aws.Int32(5)})
	wantCode(t, "ids with MaxResults", err, "InvalidParameterCombination")
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("no-such-filter"), Values: []string{"x"}}}})
	wantCode(t, "unknown filter", err, "InvalidParameterValue")

	// Paging through the SDK's paginator: 7 instances in pages of 5.
	var pages, seen int
	p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		seen += len(instanceNames(pg.Reservations))
	}
	if pages != 2 || seen != 7 {
		t.Fatalf("paging: %d pages, %d instances", pages, seen)
	}
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(3)})
	wantCode(t, "MaxResults below 5", err, "InvalidParameterValue")
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5), NextToken: aws.String("garbage")})
	wantCode(t, "bad token", err, "InvalidNextToken")

	// Another region is empty.
	other, err := client("us-west-2").DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil || len(other.Reservations) != 0 {
		t.Fatalf("us-west-2: %+v, %v", other, err)
	}
}

func TestEC2DescribeSecurityGroups(t *testing.T) {
	_, client := startEC2(t)
	ctx := context.Background()
	c := client("ap-northeast-2")
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]types.SecurityGroup{}
	for _, sg := range out.SecurityGroups {
		byName[aws.ToString(sg.GroupName)] = sg
	}
	if len(out.SecurityGroups) != 3 || byName["default"].GroupId == nil {
		t.Fatalf("groups = %v", byName)
	}
	web := byName["web"]
	if aws.ToString(web.VpcId) != aws.ToString(byName["default"].VpcId) || aws.ToString(web.OwnerId) != "111122223333" || aws.ToString(web.Description) != "web servers" {
		t.Fatalf("web = %+v", web)
	}
	if len(web.IpPermissions) != 2 {
		t.Fatalf("web ingress = %+v", web.IpPermissions)
	}
	https := web.IpPermissions[0]
	if aws.ToString(https.IpProtocol) != "tcp" || aws.ToInt32(https.FromPort) != 443 || aws.ToInt32(https.ToPort) != 443 ||
		len(https.IpRanges) != 1 || aws.ToString(https.IpRanges[0].CidrIp) != "0.0.0.0/0" ||
		len(https.Ipv6Ranges) != 1 || aws.ToString(https.Ipv6Ranges[0].CidrIpv6) != "::/0" {
		t.Fatalf("https rule = %+v", https)
	}
	if len(web.IpPermissionsEgress) != 1 || aws.ToString(web.IpPermissionsEgress[0].IpProtocol) != "-1" || web.IpPermissionsEgress[0].FromPort != nil {
		t.Fatalf("egress = %+v", web.IpPermissionsEgress)
	}
	def := byName["default"]
	if len(def.IpPermissions) != 1 || len(def.IpPermissions[0].UserIdGroupPairs) != 1 || aws.ToString(def.IpPermissions[0].UserIdGroupPairs[0].GroupId) != aws.ToString(def.GroupId) {
		t.Fatalf("default ingress = %+v", def.IpPermissions)
	}

	byID, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{aws.ToString(web.GroupId)}, GroupNames: []string{"db"}})
	if err != nil || len(byID.SecurityGroups) != 2 {
		t.Fatalf("by id and name: %+v, %v", byID, err)
	}
	f, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{aws.ToString(web.VpcId)}}, {Name: aws.String("group-name"), Values: []string{"d*"}}}})
	if err != nil || len(f.SecurityGroups) != 2 {
		t.Fatalf("filters: %+v, %v", f, err)
	}
	_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0000000000000000a"}})
	wantCode(t, "unknown group id", err, "InvalidGroup.NotFound")
	_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"nope"}})
	wantCode(t, "unknown group name", err, "InvalidGroup.NotFound")
	_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"web"}})
	wantCode(t, "malformed group id", err, "InvalidGroupId.Malformed")

	// Another region has just its default group; paging by 5 over 3 groups is one page.
	p := ec2.NewDescribeSecurityGroupsPaginator(client("eu-west-1"), &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(5)})
	pg, err := p.NextPage(ctx)
	if err != nil || len(pg.SecurityGroups) != 1 || aws.ToString(pg.SecurityGroups[0].GroupName) != "default" || p.HasMorePages() {
		t.Fatalf("eu-west-1: %+v, %v", pg, err)
	}
	_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(1001)})
	wantCode(t, "MaxResults too large", err, "InvalidParameterValue")
}

func TestEC2DescribeKeyPairs(t *testing.T) {
	_, client := startEC2(t)
	ctx := context.Background()
	c := client("ap-northeast-2")
	out, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.KeyPairs) != 2 || aws.ToString(out.KeyPairs[0].KeyName) != "deploy" || aws.ToString(out.KeyPairs[0].KeyPairId) == "" ||
		aws.ToString(out.KeyPairs[0].KeyFingerprint) == "" || out.KeyPairs[0].KeyType != types.KeyTypeRsa || out.KeyPairs[0].CreateTime == nil {
		t.Fatalf("key pairs = %+v", out.KeyPairs)
	}
	one, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"ops"}})
	if err != nil || len(one.KeyPairs) != 1 || aws.ToString(one.KeyPairs[0].KeyName) != "ops" {
		t.Fatalf("by name: %+v, %v", one, err)
	}
	byID, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyPairIds: []string{aws.ToString(out.KeyPairs[0].KeyPairId)}})
	if err != nil || len(byID.KeyPairs) != 1 || aws.ToString(byID.KeyPairs[0].KeyName) != "deploy" {
		t.Fatalf("by id: %+v, %v", byID, err)
	}
	f, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{Filters: []types.Filter{{Name: aws.String("key-name"), Values: []string{"o?s"}}}})
	if err != nil || len(f.KeyPairs) != 1 {
		t.Fatalf("filter: %+v, %v", f, err)
	}
	_, err = c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"missing"}})
	wantCode(t, "unknown key", err, "InvalidKeyPair.NotFound")
	none, err := client("us-east-1").DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if err != nil || len(none.KeyPairs) != 0 {
		t.Fatalf("us-east-1: %+v, %v", none, err)
	}
}

// testConfig is the admin's config with one attempt per call (so errors surface as they are).
func testConfig(r *Running) aws.Config {
	cfg := r.Config("", "")
	cfg.RetryMaxAttempts = 1
	return cfg
}
