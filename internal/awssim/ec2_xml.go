package awssim

// The XML shapes of EC2 replies, with the element names the SDK's ec2query deserializers read
// (service/ec2 deserializers.go). Lists are <xxxSet><item>…</item></xxxSet>.

type ec2Set[T any] struct {
	Items []T `xml:"item"`
}

func ec2Items[T any](v []T) ec2Set[T] { return ec2Set[T]{Items: v} }

type ec2Tag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type xmlRegion struct {
	Name     string `xml:"regionName"`
	Endpoint string `xml:"regionEndpoint"`
	OptIn    string `xml:"optInStatus"`
}

type xmlDescribeRegions struct {
	Regions ec2Set[xmlRegion] `xml:"regionInfo"`
}

type xmlState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type xmlGroupID struct {
	ID   string `xml:"groupId"`
	Name string `xml:"groupName"`
}

type xmlPlacement struct {
	AZ      string `xml:"availabilityZone"`
	Tenancy string `xml:"tenancy"`
}

type xmlMonitoring struct {
	State string `xml:"state"`
}

type xmlStateReason struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type xmlProfile struct {
	ARN string `xml:"arn"`
	ID  string `xml:"id"`
}

type xmlInstance struct {
	ID                 string             `xml:"instanceId"`
	ImageID            string             `xml:"imageId"`
	State              xmlState           `xml:"instanceState"`
	PrivateDNS         string             `xml:"privateDnsName"`
	DNS                string             `xml:"dnsName"`
	Reason             string             `xml:"reason"`
	KeyName            string             `xml:"keyName,omitempty"`
	LaunchIndex        int                `xml:"amiLaunchIndex"`
	Type               string             `xml:"instanceType"`
	LaunchTime         string             `xml:"launchTime"`
	Placement          xmlPlacement       `xml:"placement"`
	Monitoring         xmlMonitoring      `xml:"monitoring"`
	SubnetID           string             `xml:"subnetId,omitempty"`
	VPCID              string             `xml:"vpcId,omitempty"`
	PrivateIP          string             `xml:"privateIpAddress,omitempty"`
	PublicIP           string             `xml:"ipAddress,omitempty"`
	Groups             ec2Set[xmlGroupID] `xml:"groupSet"`
	Architecture       string             `xml:"architecture"`
	RootDeviceType     string             `xml:"rootDeviceType"`
	RootDeviceName     string             `xml:"rootDeviceName"`
	VirtualizationType string             `xml:"virtualizationType"`
	Hypervisor         string             `xml:"hypervisor"`
	Lifecycle          string             `xml:"instanceLifecycle,omitempty"`
	SpotRequestID      string             `xml:"spotInstanceRequestId,omitempty"`
	Profile            *xmlProfile        `xml:"iamInstanceProfile,omitempty"`
	StateReason        *xmlStateReason    `xml:"stateReason,omitempty"`
	Tags               ec2Set[ec2Tag]     `xml:"tagSet"`
}

type xmlReservation struct {
	ID        string              `xml:"reservationId"`
	OwnerID   string              `xml:"ownerId"`
	Groups    ec2Set[xmlGroupID]  `xml:"groupSet"`
	Instances ec2Set[xmlInstance] `xml:"instancesSet"`
}

type xmlDescribeInstances struct {
	Reservations ec2Set[xmlReservation] `xml:"reservationSet"`
	NextToken    string                 `xml:"nextToken,omitempty"`
}

type xmlRange struct {
	CIDR string `xml:"cidrIp"`
}

type xmlRange6 struct {
	CIDR string `xml:"cidrIpv6"`
}

type xmlGroupPair struct {
	UserID  string `xml:"userId"`
	GroupID string `xml:"groupId"`
}

type xmlPermission struct {
	Protocol string               `xml:"ipProtocol"`
	FromPort *int                 `xml:"fromPort,omitempty"`
	ToPort   *int                 `xml:"toPort,omitempty"`
	Groups   ec2Set[xmlGroupPair] `xml:"groups"`
	Ranges   ec2Set[xmlRange]     `xml:"ipRanges"`
	Ranges6  ec2Set[xmlRange6]    `xml:"ipv6Ranges"`
	Prefixes ec2Set[struct{}]     `xml:"prefixListIds"`
}

type xmlSecurityGroup struct {
	OwnerID     string                `xml:"ownerId"`
	ID          string                `xml:"groupId"`
	Name        string                `xml:"groupName"`
	Description string                `xml:"groupDescription"`
	VPCID       string                `xml:"vpcId"`
	ARN         string                `xml:"securityGroupArn"`
	Ingress     ec2Set[xmlPermission] `xml:"ipPermissions"`
	Egress      ec2Set[xmlPermission] `xml:"ipPermissionsEgress"`
	Tags        ec2Set[ec2Tag]        `xml:"tagSet"`
}

type xmlDescribeSecurityGroups struct {
	Groups    ec2Set[xmlSecurityGroup] `xml:"securityGroupInfo"`
	NextToken string                   `xml:"nextToken,omitempty"`
}

type xmlKeyPair struct {
	ID          string         `xml:"keyPairId"`
	Name        string         `xml:"keyName"`
	Fingerprint string         `xml:"keyFingerprint"`
	Type        string         `xml:"keyType"`
	Created     string         `xml:"createTime"`
	Tags        ec2Set[ec2Tag] `xml:"tagSet"`
}

type xmlDescribeKeyPairs struct {
	Keys ec2Set[xmlKeyPair] `xml:"keySet"`
}
