package awssim

import (
	"fmt"
	"regexp"
	"slices"
)

// SNS topics for alarm actions (query protocol).

func init() {
	register("sns", "CreateTopic", snsCreateTopic)
	register("sns", "Subscribe", snsSubscribe)
	register("sns", "DeleteTopic", snsDeleteTopic)
}

var topicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

type xmlTopicArn struct {
	TopicArn string `xml:"TopicArn"`
}

func snsCreateTopic(c *Call) (any, error) {
	name := c.Param("Name")
	if !topicNameRE.MatchString(name) {
		return nil, errorf(400, "InvalidParameter", "Invalid parameter: Topic Name")
	}
	ps := c.Account.posture()
	arn := topicARN(c.Account.ID, c.Region, name)
	if !slices.ContainsFunc(ps.Topics, func(t *Topic) bool { return t.Region == c.Region && t.Name == name }) {
		ps.Topics = append(ps.Topics, &Topic{Region: c.Region, Name: name}) // CreateTopic is idempotent
		c.created("sns-topic", arn)
	}
	c.TrailResponse = map[string]any{"topicArn": arn}
	return xmlTopicArn{TopicArn: arn}, nil
}

func (ps *PostureState) topicByARN(account, arn string) *Topic {
	for _, t := range ps.Topics {
		if topicARN(account, t.Region, t.Name) == arn {
			return t
		}
	}
	return nil
}

type xmlSubscriptionArn struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
}

func snsSubscribe(c *Call) (any, error) {
	t := c.Account.posture().topicByARN(c.Account.ID, c.Param("TopicArn"))
	if t == nil || t.Region != c.Region {
		return nil, errorf(404, "NotFound", "Topic does not exist")
	}
	proto, ep := c.Param("Protocol"), c.Param("Endpoint")
	switch proto {
	case "email", "email-json", "sms", "sqs", "lambda", "https", "http", "firehose", "application":
	default:
		return nil, errorf(400, "InvalidParameter", "Invalid parameter: Amazon SNS does not support this protocol string: %s", proto)
	}
	if proto == "email" && !emailRE.MatchString(ep) {
		return nil, errorf(400, "InvalidParameter", "Invalid parameter: Email address")
	}
	sub := &Subscription{ARN: fmt.Sprintf("%s:%s", topicARN(c.Account.ID, t.Region, t.Name), c.srv.w.randHex(8)+"-"+c.srv.w.randHex(4)), Protocol: proto, Endpoint: ep}
	t.Subscriptions = append(t.Subscriptions, sub)
	arn := sub.ARN
	if proto == "email" || proto == "email-json" {
		arn = "pending confirmation" // as AWS answers until the address confirms
	}
	return xmlSubscriptionArn{SubscriptionArn: arn}, nil
}

func snsDeleteTopic(c *Call) (any, error) {
	ps := c.Account.posture()
	t := ps.topicByARN(c.Account.ID, c.Param("TopicArn"))
	if t != nil { // DeleteTopic of a missing topic succeeds, as in AWS
		ps.Topics = slices.DeleteFunc(ps.Topics, func(x *Topic) bool { return x == t })
	}
	return nil, nil
}
