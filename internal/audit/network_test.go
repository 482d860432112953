package audit

import (
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

func addIngress(region string, p inventory.Permission) func(s *inventory.Snapshot) {
	return func(s *inventory.Snapshot) {
		sgs := s.Resources[region].SecurityGroups
		sgs[1].Ingress = append(sgs[1].Ingress, p)
	}
}

func init() {
	tcp := func(from, to int32, v4, v6 string) inventory.Permission {
		p := inventory.Permission{Protocol: "tcp", FromPort: ptr(from), ToPort: ptr(to)}
		if v4 != "" {
			p.IPv4 = []string{v4}
		}
		if v6 != "" {
			p.IPv6 = []string{v6}
		}
		return p
	}
	addSamples(
		sample{check: "sg-open-admin-ports", name: "22 from private range", want: finding.Pass},
		sample{check: "sg-open-admin-ports", name: "3389 from a /32", want: finding.Pass, mutate: addIngress("eu-west-1", tcp(3389, 3389, "203.0.113.7/32", ""))},
		sample{check: "sg-open-admin-ports", name: "22 from anywhere", want: finding.Fail, mutate: addIngress("eu-west-1", tcp(22, 22, "0.0.0.0/0", ""))},
		sample{check: "sg-open-admin-ports", name: "range covering 3389 from ::/0", want: finding.Fail, mutate: addIngress("us-east-1", tcp(3000, 4000, "", "::/0"))},
		sample{check: "sg-open-admin-ports", name: "region denied", want: finding.Unknown, missing: "ec2:DescribeSecurityGroups", mutate: denied("ec2", "eu-west-1", "DescribeSecurityGroups")},
		sample{check: "sg-open-admin-ports", name: "region failed to collect", want: finding.Unknown, mutate: func(s *inventory.Snapshot) {
			delete(s.Resources, "eu-west-1")
			s.Errors = append(s.Errors, inventory.CollectionError{Service: "ec2", Region: "eu-west-1", Operation: "DescribeRegions", Code: "ServiceUnavailable", Message: "503"})
		}},
		sample{check: "sg-open-admin-ports", name: "region left out on purpose", want: finding.Pass, mutate: func(s *inventory.Snapshot) { delete(s.Resources, "eu-west-1") }},
		sample{check: "sg-open-all-ports", name: "443 only", want: finding.Pass},
		sample{check: "sg-open-all-ports", name: "all traffic from anywhere", want: finding.Fail, mutate: addIngress("us-east-1", inventory.Permission{Protocol: "-1", IPv4: []string{"0.0.0.0/0"}})},
		sample{check: "sg-open-all-ports", name: "0-65535 from ::/0", want: finding.Fail, mutate: addIngress("us-east-1", tcp(0, 65535, "", "::/0"))},
		sample{check: "sg-open-all-ports", name: "denied", want: finding.Unknown, missing: "ec2:DescribeSecurityGroups", mutate: denied("ec2", "us-east-1", "DescribeSecurityGroups")},
		sample{check: "default-sg-rules", name: "empty default groups", want: finding.Pass},
		sample{check: "default-sg-rules", name: "non-default group with rules is fine", want: finding.Pass, mutate: addIngress("us-east-1", tcp(80, 80, "10.0.0.0/8", ""))},
		sample{check: "default-sg-rules", name: "default self-reference and egress", want: finding.Fail, mutate: func(s *inventory.Snapshot) {
			sg := &s.Resources["eu-west-1"].SecurityGroups[0]
			sg.Ingress = []inventory.Permission{{Protocol: "-1", Groups: []string{sg.ID}}}
			sg.Egress = []inventory.Permission{{Protocol: "-1", IPv4: []string{"0.0.0.0/0"}}}
		}},
		sample{check: "default-sg-rules", name: "denied", want: finding.Unknown, missing: "ec2:DescribeSecurityGroups", mutate: denied("ec2", "us-east-1", "DescribeSecurityGroups")},
	)
}
