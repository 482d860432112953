package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// The network family: security groups, the customer's half of the shared responsibility model.

func init() {
	register(&Check{
		ID: "sg-open-admin-ports", Family: "network", Practice: PracticeFirewalls, Severity: finding.High,
		Title:       finding.Text{En: "No security group opens SSH (22) or RDP (3389) to the internet", Ko: "SSH(22)나 RDP(3389)를 인터넷에 연 보안 그룹이 없음"},
		Remediation: finding.Text{En: "Remove the 0.0.0.0/0 and ::/0 rules on ports 22 and 3389; allow only known addresses, or use Session Manager instead of open ports. Groups you did not create may be the attacker's: check CloudTrail (CreateSecurityGroup, AuthorizeSecurityGroupIngress).", Ko: "포트 22와 3389의 0.0.0.0/0, ::/0 규칙을 삭제하고 알려진 주소만 허용하거나 Session Manager를 쓰세요. 직접 만들지 않은 그룹은 공격자가 만든 것일 수 있습니다: CloudTrail(CreateSecurityGroup, AuthorizeSecurityGroupIngress)을 확인하세요."},
		CIS7:        "6.3", CIS3: "5.2", FSBP: []string{"EC2.13", "EC2.14", "EC2.53", "EC2.54"},
		Run: func(x *Ctx) []Result {
			return x.eachSecurityGroup(func(sg *inventory.SecurityGroup) (bool, string) {
				var open []string
				for _, p := range sg.Ingress {
					for _, port := range []int32{22, 3389} {
						if w := fromAnywhere(p); w != "" && coversPort(p, port) {
							open = append(open, fmt.Sprintf("%d from %s", port, w))
						}
					}
				}
				return len(open) > 0, strings.Join(open, ", ")
			})
		},
	})
	register(&Check{
		ID: "sg-open-all-ports", Family: "network", Practice: PracticeFirewalls, Severity: finding.High,
		Title:       finding.Text{En: "No security group opens all ports to the internet", Ko: "모든 포트를 인터넷에 연 보안 그룹이 없음"},
		Remediation: finding.Text{En: "Remove rules that allow all traffic (or all ports) from 0.0.0.0/0 or ::/0; open only the ports the service needs.", Ko: "0.0.0.0/0이나 ::/0에서 모든 트래픽(또는 모든 포트)을 허용하는 규칙을 삭제하고 서비스에 필요한 포트만 여세요."},
		CIS7:        "6.4", CIS3: "5.3", FSBP: []string{"EC2.18", "EC2.19"},
		Run: func(x *Ctx) []Result {
			return x.eachSecurityGroup(func(sg *inventory.SecurityGroup) (bool, string) {
				var open []string
				for _, p := range sg.Ingress {
					if w := fromAnywhere(p); w != "" && isAllTraffic(p) {
						open = append(open, "all ports from "+w)
					}
				}
				return len(open) > 0, strings.Join(open, ", ")
			})
		},
	})
	register(&Check{
		ID: "default-sg-rules", Family: "network", Practice: PracticeFirewalls, Severity: finding.Medium,
		Title:       finding.Text{En: "Default security groups allow no traffic", Ko: "기본 보안 그룹이 어떤 트래픽도 허용하지 않음"},
		Remediation: finding.Text{En: "Remove every inbound and outbound rule of each VPC's default security group and put resources in groups made for them.", Ko: "각 VPC 기본 보안 그룹의 인바운드·아웃바운드 규칙을 모두 삭제하고, 리소스는 전용 보안 그룹에 넣으세요."},
		CIS7:        "6.5", CIS3: "5.4", FSBP: []string{"EC2.2"},
		Run: func(x *Ctx) []Result {
			return x.eachSecurityGroup(func(sg *inventory.SecurityGroup) (bool, string) {
				if sg.Name != "default" {
					return false, "-"
				}
				if n := len(sg.Ingress) + len(sg.Egress); n > 0 {
					return true, fmt.Sprintf("%d inbound and %d outbound rule(s)", len(sg.Ingress), len(sg.Egress))
				}
				return false, ""
			})
		},
	})
	register(&Check{
		ID: "ec2-detailed-monitoring", Family: "monitoring", Practice: PracticeWatch, Severity: finding.Low,
		Title:       finding.Text{En: "Running EC2 instances have detailed monitoring", Ko: "실행 중인 EC2 인스턴스에 세부 모니터링이 켜져 있음"},
		Remediation: finding.Text{En: "Enable detailed monitoring (aws ec2 monitor-instances) on instances you run; an instance you do not recognise may be the attacker's.", Ko: "실행하는 인스턴스에 세부 모니터링을 켜세요 (aws ec2 monitor-instances). 모르는 인스턴스는 공격자의 것일 수 있습니다."},
		Run: func(x *Ctx) []Result {
			return x.eachEC2Region("DescribeInstances", func(region string, rr *inventory.RegionResources) []Result {
				var out []Result
				for _, in := range rr.Instances {
					if in.State != "running" {
						continue
					}
					r := Result{Status: finding.Pass, Region: region, ResourceType: "AwsEc2Instance", Resource: in.ID}
					if in.Monitoring != "enabled" {
						r.Status = finding.Fail
						r.Detail = finding.Text{En: fmt.Sprintf("instance %s (%s) in %s has basic monitoring only", in.ID, in.Type, region), Ko: fmt.Sprintf("%s의 인스턴스 %s(%s)에 기본 모니터링만 켜져 있습니다", region, in.ID, in.Type)}
					}
					out = append(out, r)
				}
				return out
			})
		},
	})
}

// regions are the enabled regions the collection covered: collected, or failed (a failed
// region is judged unknown). Regions left out on purpose (--regions) are not judged.
func (x *Ctx) regions() []string {
	var rs []string
	covered := func(r string) bool {
		if len(x.Snap.Resources) == 0 {
			return true // a snapshot without regional data: every enabled region is unknown
		}
		if x.Snap.Resources[r] != nil {
			return true
		}
		return slices.ContainsFunc(x.Snap.Errors, func(e inventory.CollectionError) bool { return e.Region == r })
	}
	for _, r := range x.Snap.EnabledRegions() {
		if covered(r) {
			rs = append(rs, r)
		}
	}
	if len(x.Snap.Regions) == 0 {
		for r := range x.Snap.Resources {
			rs = append(rs, r)
		}
	}
	slices.Sort(rs)
	return rs
}

// noRegions is the unknown result when no region was collected at all: a regional check
// must not pass for want of regions.
func (x *Ctx) noRegions() Result {
	if r, ok := x.missing("ec2", "", "DescribeRegions"); ok {
		return r
	}
	return x.notCollected("enabled regions")
}

func (x *Ctx) regionNotCollected(region string) Result {
	return Result{Status: finding.Unknown, Region: region, ResourceType: "AwsAccount", Resource: x.accountARN(),
		Detail: finding.Text{En: "not evaluated: region " + region + " was not collected", Ko: "평가하지 못함: 리전 " + region + "을(를) 수집하지 못했습니다"}}
}

// eachSecurityGroup runs bad over every security group of every enabled region. bad returns
// whether the group fails and what is wrong; what "-" means the check does not apply.
func (x *Ctx) eachSecurityGroup(bad func(sg *inventory.SecurityGroup) (bool, string)) []Result {
	return x.eachEC2Region("DescribeSecurityGroups", func(region string, rr *inventory.RegionResources) []Result {
		var out []Result
		for i := range rr.SecurityGroups {
			sg := &rr.SecurityGroups[i]
			failed, what := bad(sg)
			if what == "-" {
				continue
			}
			r := Result{Status: finding.Pass, Region: region, ResourceType: "AwsEc2SecurityGroup", Resource: sg.ID,
				Evidence: "/resources/" + region + "/security_groups/" + fmt.Sprint(i)}
			if failed {
				r.Status = finding.Fail
				r.Detail = finding.Text{En: fmt.Sprintf("security group %s (%s) in %s: %s", sg.ID, sg.Name, region, what),
					Ko: fmt.Sprintf("%s의 보안 그룹 %s(%s): %s", region, sg.ID, sg.Name, what)}
			}
			out = append(out, r)
		}
		return out
	})
}

// eachEC2Region runs judge over the EC2 resources of every enabled region the collection covered;
// a region whose EC2 call (op) failed, or that was not collected, is unknown, and so is the
// check when no region was collected at all.
func (x *Ctx) eachEC2Region(op string, judge func(region string, rr *inventory.RegionResources) []Result) []Result {
	if len(x.regions()) == 0 {
		return []Result{x.noRegions()}
	}
	var out []Result
	for _, region := range x.regions() {
		if r, ok := x.missing("ec2", region, op); ok {
			r.Region = region
			out = append(out, r)
			continue
		}
		rr := x.Snap.Resources[region]
		if rr == nil {
			out = append(out, x.regionNotCollected(region))
			continue
		}
		out = append(out, judge(region, rr)...)
	}
	return out
}

// fromAnywhere returns the any-address range a rule allows, or "".
func fromAnywhere(p inventory.Permission) string {
	if slices.Contains(p.IPv4, "0.0.0.0/0") {
		return "0.0.0.0/0"
	}
	if slices.Contains(p.IPv6, "::/0") {
		return "::/0"
	}
	return ""
}

func isAllTraffic(p inventory.Permission) bool {
	if p.Protocol == "-1" || p.Protocol == "all" {
		return true
	}
	return p.FromPort != nil && p.ToPort != nil && *p.FromPort <= 0 && *p.ToPort >= 65535
}

func coversPort(p inventory.Permission, port int32) bool {
	if p.Protocol == "-1" || p.Protocol == "all" {
		return true
	}
	if p.Protocol != "tcp" && p.Protocol != "6" {
		return false
	}
	if p.FromPort == nil || p.ToPort == nil {
		return true
	}
	return *p.FromPort <= port && port <= *p.ToPort
}
