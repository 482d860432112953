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

// BatchImportFindings (POST /findings/import) accepts up to 100 ASFF findings and checks what
// Security Hub checks before import: the required attributes, the product ARN of the
// caller's account and region, and the severity label; each rejected finding is listed.
func init() {
	route("securityhub", "POST", "/findings/import", "BatchImportFindings", "")
	register("securityhub", "BatchImportFindings", shBatchImportFindings)
}

func shBatchImportFindings(c *Call) (any, error) {
	list, _ := c.JSON["Findings"].([]any)
	if len(list) == 0 || len(list) > 100 {
		return nil, errorf(400, "InvalidInputException", "Findings must contain between 1 and 100 findings")
	}
	product := "arn:aws:securityhub:" + c.Region + ":" + c.Account.ID + ":product/" + c.Account.ID + "/default"
	failed := []map[string]any{}
	for _, v := range list {
		f, _ := v.(map[string]any)
		id, _ := f["Id"].(string)
		reject := func(code, msg string) {
			failed = append(failed, map[string]any{"Id": id, "ErrorCode": code, "ErrorMessage": msg})
		}
		missing := ""
		for _, k := range []string{"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt", "UpdatedAt", "Title", "Description"} {
			if s, _ := f[k].(string); s == "" {
				missing = k
				break
			}
		}
		sev, _ := f["Severity"].(map[string]any)
		label, _ := sev["Label"].(string)
		res, _ := f["Resources"].([]any)
		types, _ := f["Types"].([]any)
		switch {
		case missing != "":
			reject("InvalidInput", "Finding is missing "+missing)
		case f["SchemaVersion"] != "2018-10-08":
			reject("InvalidInput", "Unsupported SchemaVersion")
		case f["ProductArn"] != product:
			reject("AccessDeniedException", "ProductArn does not match the caller's account and region")
		case f["AwsAccountId"] != c.Account.ID:
			reject("AccessDeniedException", "AwsAccountId does not match the caller's account")
		case len(res) == 0 || len(types) == 0:
			reject("InvalidInput", "Finding needs Resources and Types")
		case label != "INFORMATIONAL" && label != "LOW" && label != "MEDIUM" && label != "HIGH" && label != "CRITICAL":
			reject("InvalidInput", "Severity.Label is not valid")
		}
	}
	return map[string]any{"FailedCount": len(failed), "SuccessCount": len(list) - len(failed), "FailedFindings": failed}, nil
}
