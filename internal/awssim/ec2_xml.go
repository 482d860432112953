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

type ec2SpotStatus struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
	Updated string `xml:"updateTime"`
}

type ec2SpotLaunchSpec struct {
	ImageID    string             `xml:"imageId"`
	KeyName    string             `xml:"keyName,omitempty"`
	Groups     ec2Set[xmlGroupID] `xml:"groupSet"`
	Type       string             `xml:"instanceType"`
	Placement  xmlPlacement       `xml:"placement"`
	Monitoring struct {
		Enabled bool `xml:"enabled"`
	} `xml:"monitoring"`
}

type ec2SpotRequest struct {
	ID         string            `xml:"spotInstanceRequestId"`
	SpotPrice  string            `xml:"spotPrice,omitempty"`
	Type       string            `xml:"type"`
	State      string            `xml:"state"`
	Status     ec2SpotStatus     `xml:"status"`
	Spec       ec2SpotLaunchSpec `xml:"launchSpecification"`
	InstanceID string            `xml:"instanceId,omitempty"`
	Created    string            `xml:"createTime"`
	Product    string            `xml:"productDescription"`
	LaunchedAZ string            `xml:"launchedAvailabilityZone,omitempty"`
	Interrupt  string            `xml:"instanceInterruptionBehavior"`
	Tags       ec2Set[ec2Tag]    `xml:"tagSet"`
}

type ec2SpotRequests struct {
	Requests  ec2Set[ec2SpotRequest] `xml:"spotInstanceRequestSet"`
	NextToken string                 `xml:"nextToken,omitempty"`
}

type ec2LaunchTemplate struct {
	ID             string         `xml:"launchTemplateId"`
	Name           string         `xml:"launchTemplateName"`
	Created        string         `xml:"createTime"`
	CreatedBy      string         `xml:"createdBy"`
	DefaultVersion int64          `xml:"defaultVersionNumber"`
	LatestVersion  int64          `xml:"latestVersionNumber"`
	Tags           ec2Set[ec2Tag] `xml:"tagSet"`
}

type ec2DescribeLaunchTemplatesOut struct {
	Templates ec2Set[ec2LaunchTemplate] `xml:"launchTemplates"`
	NextToken string                    `xml:"nextToken,omitempty"`
}

type ec2LaunchTemplateOut struct {
	Template ec2LaunchTemplate `xml:"launchTemplate"`
}

type ec2Image struct {
	ID             string         `xml:"imageId"`
	Location       string         `xml:"imageLocation"`
	State          string         `xml:"imageState"`
	OwnerID        string         `xml:"imageOwnerId"`
	Created        string         `xml:"creationDate"`
	Public         bool           `xml:"isPublic"`
	Architecture   string         `xml:"architecture"`
	Type           string         `xml:"imageType"`
	Name           string         `xml:"name"`
	RootDeviceType string         `xml:"rootDeviceType"`
	RootDeviceName string         `xml:"rootDeviceName"`
	Virtualization string         `xml:"virtualizationType"`
	Hypervisor     string         `xml:"hypervisor"`
	Tags           ec2Set[ec2Tag] `xml:"tagSet"`
}

type ec2Images struct {
	Images    ec2Set[ec2Image] `xml:"imagesSet"`
	NextToken string           `xml:"nextToken,omitempty"`
}

type ec2Snapshot struct {
	ID        string         `xml:"snapshotId"`
	VolumeID  string         `xml:"volumeId"`
	Status    string         `xml:"status"`
	Started   string         `xml:"startTime"`
	Progress  string         `xml:"progress"`
	OwnerID   string         `xml:"ownerId"`
	Size      int32          `xml:"volumeSize"`
	Encrypted bool           `xml:"encrypted"`
	Storage   string         `xml:"storageTier"`
	Tags      ec2Set[ec2Tag] `xml:"tagSet"`
}

type ec2Snapshots struct {
	Snapshots ec2Set[ec2Snapshot] `xml:"snapshotSet"`
	NextToken string              `xml:"nextToken,omitempty"`
}

type ec2Attachment struct {
	VolumeID            string `xml:"volumeId"`
	InstanceID          string `xml:"instanceId"`
	Device              string `xml:"device"`
	Status              string `xml:"status"`
	Attached            string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type ec2Volume struct {
	ID          string                `xml:"volumeId"`
	Size        int32                 `xml:"size"`
	AZ          string                `xml:"availabilityZone"`
	Status      string                `xml:"status"`
	Created     string                `xml:"createTime"`
	Attachments ec2Set[ec2Attachment] `xml:"attachmentSet"`
	Type        string                `xml:"volumeType"`
	Encrypted   bool                  `xml:"encrypted"`
	Iops        int32                 `xml:"iops,omitempty"`
	Tags        ec2Set[ec2Tag]        `xml:"tagSet"`
}

type ec2Volumes struct {
	Volumes   ec2Set[ec2Volume] `xml:"volumeSet"`
	NextToken string            `xml:"nextToken,omitempty"`
}

type ec2AttrValue struct {
	Value string `xml:"value"`
}

type ec2InstanceAttribute struct {
	InstanceID            string              `xml:"instanceId"`
	DisableAPITermination *ec2AttrValue       `xml:"disableApiTermination,omitempty"`
	InstanceType          *ec2AttrValue       `xml:"instanceType,omitempty"`
	ShutdownBehavior      *ec2AttrValue       `xml:"instanceInitiatedShutdownBehavior,omitempty"`
	Groups                *ec2Set[xmlGroupID] `xml:"groupSet,omitempty"`
}

type ec2Return struct {
	Return bool `xml:"return"`
}

type ec2StateChange struct {
	ID       string   `xml:"instanceId"`
	Current  xmlState `xml:"currentState"`
	Previous xmlState `xml:"previousState"`
}

type ec2TerminateOut struct {
	Instances ec2Set[ec2StateChange] `xml:"instancesSet"`
}

type ec2CreateKeyPairOut struct {
	Name        string `xml:"keyName"`
	Fingerprint string `xml:"keyFingerprint"`
	Material    string `xml:"keyMaterial"`
	ID          string `xml:"keyPairId"`
}

type ec2DeleteKeyPairOut struct {
	Return bool   `xml:"return"`
	ID     string `xml:"keyPairId,omitempty"`
}

type ec2CreateSGOut struct {
	Return bool   `xml:"return"`
	ID     string `xml:"groupId"`
	ARN    string `xml:"securityGroupArn"`
}

type ec2SGRule struct {
	ID       string `xml:"securityGroupRuleId"`
	GroupID  string `xml:"groupId"`
	OwnerID  string `xml:"groupOwnerId"`
	IsEgress bool   `xml:"isEgress"`
	Protocol string `xml:"ipProtocol"`
	FromPort int    `xml:"fromPort"`
	ToPort   int    `xml:"toPort"`
	CIDRv4   string `xml:"cidrIpv4,omitempty"`
	CIDRv6   string `xml:"cidrIpv6,omitempty"`
	ARN      string `xml:"securityGroupRuleArn"`
}

type ec2AuthorizeOut struct {
	Return bool              `xml:"return"`
	Rules  ec2Set[ec2SGRule] `xml:"securityGroupRuleSet"`
}

type ec2DeleteSGOut struct {
	Return bool   `xml:"return"`
	ID     string `xml:"groupId"`
}

type ec2CancelledSpot struct {
	ID    string `xml:"spotInstanceRequestId"`
	State string `xml:"state"`
}

type ec2CancelSpotOut struct {
	Requests ec2Set[ec2CancelledSpot] `xml:"spotInstanceRequestSet"`
}
