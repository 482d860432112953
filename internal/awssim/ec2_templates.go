package awssim

import (
	"slices"
	"strings"
)

// EC2 launch templates: DescribeLaunchTemplates, CreateLaunchTemplate, DeleteLaunchTemplate.

func launchTemplateXML(lt *LaunchTemplate) ec2LaunchTemplate {
	return ec2LaunchTemplate{ID: lt.ID, Name: lt.Name, Created: ec2Time(lt.Created), CreatedBy: lt.CreatedBy, DefaultVersion: lt.DefaultVersion, LatestVersion: lt.LatestVersion}
}

const ltMissing = "At least one of the launch templates specified in the request does not exist."

// findLaunchTemplate finds a template by ID or name, with EC2's errors for each.
func findLaunchTemplate(r *Region, id, name string) (*LaunchTemplate, error) {
	for _, lt := range r.LaunchTemplates {
		if (id != "" && lt.ID == id) || (id == "" && lt.Name == name) {
			return lt, nil
		}
	}
	if id != "" {
		if !strings.HasPrefix(id, "lt-") {
			return nil, errorf(400, "InvalidLaunchTemplateId.Malformed", "The specified ID for the launch template (%s) is not valid. Launch template IDs must be in the form lt-xxxxxxxxxxxxxxxxx.", id)
		}
		return nil, errorf(400, "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
	}
	return nil, errorf(400, "InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name %s, does not exist.", name)
}

func ec2DescribeLaunchTemplates(c *Call, r *Region) (any, error) {
	lts := r.LaunchTemplates
	ids, names := c.List("LaunchTemplateId"), c.List("LaunchTemplateName")
	if len(ids) > 0 || len(names) > 0 {
		var picked []*LaunchTemplate
		for _, id := range ids {
			lt, err := findLaunchTemplate(r, id, "")
			if err != nil {
				if asAPIError(err).Code == "InvalidLaunchTemplateId.NotFound" {
					return nil, errorf(400, "InvalidLaunchTemplateId.NotFound", ltMissing)
				}
				return nil, err
			}
			picked = append(picked, lt)
		}
		for _, n := range names {
			lt, err := findLaunchTemplate(r, "", n)
			if err != nil {
				return nil, errorf(400, "InvalidLaunchTemplateName.NotFoundException", ltMissing)
			}
			if !slices.Contains(picked, lt) {
				picked = append(picked, lt)
			}
		}
		lts = picked
	}
	lts, err := ec2FilterAll(c, lts, func(lt *LaunchTemplate) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "launch-template-name":
				return []string{lt.Name}, true
			case "create-time":
				return []string{ec2Time(lt.Created)}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, lts, 1, 200)
	if err != nil {
		return nil, err
	}
	out := make([]ec2LaunchTemplate, len(page))
	for i, lt := range page {
		out[i] = launchTemplateXML(lt)
	}
	return ec2DescribeLaunchTemplatesOut{Templates: ec2Items(out), NextToken: next}, nil
}

// ---- launch templates (mutations) ----

func validTemplateName(name string) bool {
	if len(name) < 3 || len(name) > 128 {
		return false
	}
	for _, ch := range name {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.ContainsRune("().-/_", ch)) {
			return false
		}
	}
	return true
}

func ec2CreateLaunchTemplate(c *Call, r *Region) (any, error) {
	name := c.Param("LaunchTemplateName")
	if name == "" {
		return nil, missingParam("LaunchTemplateName")
	}
	if !validTemplateName(name) {
		return nil, errorf(400, "InvalidLaunchTemplateName.MalformedException", "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.")
	}
	hasData := false
	for k := range c.Params {
		if strings.HasPrefix(k, "LaunchTemplateData.") {
			hasData = true
		}
	}
	if !hasData {
		return nil, missingParam("LaunchTemplateData")
	}
	if id, err := idempotent(c, r); err != nil {
		return nil, err
	} else if lt, _ := findLaunchTemplate(r, id, ""); id != "" && lt != nil {
		return ec2LaunchTemplateOut{Template: launchTemplateXML(lt)}, nil // a retry of a call that succeeded
	}
	for _, lt := range r.LaunchTemplates {
		if lt.Name == name {
			return nil, errorf(400, "InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
		}
	}
	const d = "LaunchTemplateData."
	lt := &LaunchTemplate{ID: c.srv.w.NewID("lt"), Name: name, CreatedBy: c.Identity.ARN, Created: c.Now, DefaultVersion: 1, LatestVersion: 1,
		InstanceType: c.Param(d + "InstanceType"), ImageID: c.Param(d + "ImageId"), KeyName: c.Param(d + "KeyName")}
	if lt.InstanceType != "" && !validInstanceType(lt.InstanceType) {
		return nil, errorf(400, "InvalidParameterValue", "Invalid value '%s' for InstanceType.", lt.InstanceType)
	}
	sgs, err := resolveGroups(r, c.List(d+"SecurityGroup"), c.List(d+"SecurityGroupId"))
	if err != nil {
		return nil, err
	}
	lt.SecurityGroupIDs = sgs
	r.LaunchTemplates = append(r.LaunchTemplates, lt)
	remember(c, r, lt.ID)
	c.created("launch-template", lt.ID)
	data := map[string]any{}
	for k, v := range map[string]string{"InstanceType": lt.InstanceType, "ImageId": lt.ImageID, "KeyName": lt.KeyName} {
		if v != "" {
			data[k] = v
		}
	}
	if len(sgs) > 0 {
		data["SecurityGroupId"] = sgs
	}
	x := launchTemplateXML(lt)
	c.TrailRequest = map[string]any{"CreateLaunchTemplateRequest": map[string]any{"LaunchTemplateName": name, "LaunchTemplateData": data}}
	c.TrailResponse = map[string]any{"CreateLaunchTemplateResponse": map[string]any{"xmlns": c.Service.XMLNS,
		"launchTemplate": map[string]any{"launchTemplateId": lt.ID, "launchTemplateName": lt.Name, "createTime": x.Created, "createdBy": lt.CreatedBy,
			"defaultVersionNumber": 1, "latestVersionNumber": 1}}}
	return ec2LaunchTemplateOut{Template: x}, nil
}

func ec2DeleteLaunchTemplate(c *Call, r *Region) (any, error) {
	id, name := c.Param("LaunchTemplateId"), c.Param("LaunchTemplateName")
	if id == "" && name == "" {
		return nil, errorf(400, "MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId")
	}
	lt, err := findLaunchTemplate(r, id, name)
	if err != nil {
		return nil, err
	}
	r.LaunchTemplates = slices.DeleteFunc(r.LaunchTemplates, func(x *LaunchTemplate) bool { return x == lt })
	x := launchTemplateXML(lt)
	req := map[string]any{}
	if id != "" {
		req["LaunchTemplateId"] = id
	} else {
		req["LaunchTemplateName"] = name
	}
	c.TrailRequest = map[string]any{"DeleteLaunchTemplateRequest": req}
	c.TrailResponse = map[string]any{"DeleteLaunchTemplateResponse": map[string]any{"xmlns": c.Service.XMLNS,
		"launchTemplate": map[string]any{"launchTemplateId": lt.ID, "launchTemplateName": lt.Name, "createTime": x.Created, "createdBy": lt.CreatedBy,
			"defaultVersionNumber": lt.DefaultVersion, "latestVersionNumber": lt.LatestVersion}}}
	return ec2LaunchTemplateOut{Template: x}, nil
}
