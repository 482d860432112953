package cost

import (
	"strings"
)

// usageRegionPrefix maps the region code AWS puts in front of usage types
// ("SAE1-BoxUsage:p3.16xlarge") to the region name. US East (N. Virginia) usage types often
// have no prefix at all; those are left without a region rather than guessed.
var usageRegionPrefix = map[string]string{
	"USE1": "us-east-1", "USE2": "us-east-2", "USW1": "us-west-1", "USW2": "us-west-2",
	"CAN1": "ca-central-1", "CAN2": "ca-west-1", "MXC1": "mx-central-1",
	"SAE1": "sa-east-1",
	"EU":   "eu-west-1", "EUW1": "eu-west-1", "EUW2": "eu-west-2", "EUW3": "eu-west-3",
	"EUC1": "eu-central-1", "EUC2": "eu-central-2", "EUN1": "eu-north-1", "EUS1": "eu-south-1", "EUS2": "eu-south-2",
	"APN1": "ap-northeast-1", "APN2": "ap-northeast-2", "APN3": "ap-northeast-3",
	"APS1": "ap-southeast-1", "APS2": "ap-southeast-2", "APS3": "ap-south-1", "APS4": "ap-southeast-3",
	"APS5": "ap-south-2", "APS6": "ap-southeast-4", "APS7": "ap-southeast-5", "APS9": "ap-southeast-7",
	"APE1": "ap-east-1", "APE2": "ap-east-2",
	"MES1": "me-south-1", "MEC1": "me-central-1", "ILC1": "il-central-1", "AFS1": "af-south-1",
	"UGW1": "us-gov-west-1", "UGE1": "us-gov-east-1",
}

// RegionOfUsageType returns the region a usage type's prefix names, or "".
func RegionOfUsageType(usageType string) string {
	prefix, _, ok := strings.Cut(usageType, "-")
	if !ok {
		return ""
	}
	return usageRegionPrefix[prefix]
}

// regionCode is the reverse of usageRegionPrefix (the canonical code per region), used by
// sources that build usage types (the simulator).
func RegionCode(region string) string {
	best := ""
	for code, r := range usageRegionPrefix {
		if r == region && (best == "" || len(code) > len(best) || (len(code) == len(best) && code < best)) {
			best = code
		}
	}
	return best
}

// serviceShort names the services people recognise by their short name. Keys are Cost
// Explorer SERVICE values and CUR product codes.
var serviceShort = map[string]string{
	"Amazon Elastic Compute Cloud - Compute": "EC2", "AmazonEC2": "EC2", "EC2 - Other": "EC2-Other",
	"Amazon Relational Database Service": "RDS", "AmazonRDS": "RDS",
	"Amazon Simple Storage Service": "S3", "AmazonS3": "S3",
	"AWS Lambda": "Lambda", "AWSLambda": "Lambda",
	"Amazon SageMaker": "SageMaker", "AmazonSageMaker": "SageMaker",
	"Amazon Elastic Container Service": "ECS", "AmazonECS": "ECS",
	"Amazon Elastic Container Service for Kubernetes": "EKS", "AmazonEKS": "EKS",
	"Amazon Elastic Load Balancing": "ELB", "AWSELB": "ELB",
	"Amazon Lightsail": "Lightsail", "AmazonLightsail": "Lightsail",
	"Amazon Simple Email Service": "SES", "AmazonSES": "SES",
	"Amazon Bedrock": "Bedrock", "AmazonBedrock": "Bedrock",
	"Amazon CloudFront": "CloudFront", "AmazonCloudFront": "CloudFront",
	"Amazon DynamoDB": "DynamoDB", "AmazonDynamoDB": "DynamoDB",
	"AmazonCloudWatch": "CloudWatch", "AmazonCloudWatch ": "CloudWatch",
	"AWS CloudTrail": "CloudTrail", "AWSCloudTrail": "CloudTrail",
	"AWS Key Management Service": "KMS", "awskms": "KMS",
	"Amazon Virtual Private Cloud": "VPC", "AmazonVPC": "VPC",
}

// ServiceShort returns the short name of a service, or the name itself.
func ServiceShort(service string) string {
	if s, ok := serviceShort[service]; ok {
		return s
	}
	return service
}

// instanceFamilies are the usage-type operations that carry an instance type after the colon.
var instanceFamilies = []string{"BoxUsage", "SpotUsage", "DedicatedUsage", "HostUsage", "ReservedHostUsage", "InstanceUsage", "Multi-AZUsage", "UnusedBox", "UnusedDed"}

// Describe says a key the way a person reads a bill: "EC2: p3.16xlarge BoxUsage in sa-east-1".
func Describe(k Key) string {
	s := ServiceShort(k.Service)
	if k.UsageType != "" {
		ut := k.UsageType
		if p, rest, ok := strings.Cut(ut, "-"); ok && usageRegionPrefix[p] != "" {
			ut = rest
		}
		if op, typ, ok := strings.Cut(ut, ":"); ok {
			for _, f := range instanceFamilies {
				if op == f {
					ut = typ + " " + op
					break
				}
			}
		}
		s += ": " + ut
	}
	if k.Region != "" {
		s += " in " + k.Region
	}
	return s
}

// InstanceType returns the instance type a usage type names ("p3.16xlarge"), or "".
func InstanceType(usageType string) string {
	if p, rest, ok := strings.Cut(usageType, "-"); ok && usageRegionPrefix[p] != "" {
		usageType = rest
	}
	op, typ, ok := strings.Cut(usageType, ":")
	if !ok {
		return ""
	}
	for _, f := range instanceFamilies {
		if op == f {
			return typ
		}
	}
	return ""
}
