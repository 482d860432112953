package awssim

// Security Hub (REST-JSON): DescribeHub, GET /accounts.

func init() {
	route("securityhub", "GET", "/accounts", "DescribeHub", "")
	register("securityhub", "DescribeHub", shDescribeHub)
}

func shDescribeHub(c *Call) (any, error) {
	h := c.Account.posture().Hubs[c.Region]
	if h == nil {
		return nil, errorf(401, "InvalidAccessException", "Account %s is not subscribed to AWS Security Hub", c.Account.ID)
	}
	return map[string]any{"HubArn": h.ARN, "SubscribedAt": h.Subscribed.UTC().Format("2006-01-02T15:04:05.000Z"), "AutoEnableControls": true, "ControlFindingGenerator": "SECURITY_CONTROL"}, nil
}
