package awssim

import (
	"slices"
	"strconv"
	"strings"
)

// EC2 images, snapshots and volumes owned by the account (read-only).

// ownedOnly reports whether an Owner.N list admits the account's own objects. The simulator
// holds no public catalogue, so owners other than the account (amazon, aws-marketplace,
// other account IDs) match nothing.
func ownedOnly(c *Call) bool {
	owners := c.List("Owner")
	if len(owners) == 0 {
		return true
	}
	return slices.Contains(owners, "self") || slices.Contains(owners, c.Account.ID)
}

func ec2DescribeImages(c *Call, r *Region) (any, error) {
	var imgs []*Image
	if ownedOnly(c) {
		imgs = r.Images
	}
	if ids := c.List("ImageId"); len(ids) > 0 {
		var picked []*Image
		for _, id := range ids {
			if !strings.HasPrefix(id, "ami-") {
				return nil, errorf(400, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id)
			}
			i := slices.IndexFunc(imgs, func(im *Image) bool { return im.ID == id })
			if i < 0 {
				return nil, errorf(400, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
			}
			picked = append(picked, imgs[i])
		}
		imgs = picked
	}
	imgs, err := ec2FilterAll(c, imgs, func(im *Image) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "name":
				return []string{im.Name}, true
			case "image-id":
				return []string{im.ID}, true
			case "state":
				return []string{im.State}, true
			case "is-public":
				return []string{strconv.FormatBool(im.Public)}, true
			case "owner-id":
				return []string{c.Account.ID}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, imgs, 1, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]ec2Image, len(page))
	for i, im := range page {
		out[i] = ec2Image{ID: im.ID, Location: c.Account.ID + "/" + im.Name, State: im.State, OwnerID: c.Account.ID, Created: ec2Time(im.Created),
			Public: im.Public, Architecture: "x86_64", Type: "machine", Name: im.Name, RootDeviceType: "ebs", RootDeviceName: "/dev/xvda", Virtualization: "hvm", Hypervisor: "xen"}
	}
	return ec2Images{Images: ec2Items(out), NextToken: next}, nil
}

func ec2DescribeSnapshots(c *Call, r *Region) (any, error) {
	var snaps []*Snapshot
	if ownedOnly(c) {
		snaps = r.Snapshots
	}
	if ids := c.List("SnapshotId"); len(ids) > 0 {
		if c.Has("MaxResults") {
			return nil, ec2Combine("snapshotSet", "maxResults")
		}
		var picked []*Snapshot
		for _, id := range ids {
			if !strings.HasPrefix(id, "snap-") {
				return nil, errorf(400, "InvalidSnapshotID.Malformed", "Invalid id: \"%s\" (expecting \"snap-...\")", id)
			}
			i := slices.IndexFunc(snaps, func(s *Snapshot) bool { return s.ID == id })
			if i < 0 {
				return nil, errorf(400, "InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
			}
			picked = append(picked, snaps[i])
		}
		snaps = picked
	}
	snaps, err := ec2FilterAll(c, snaps, func(s *Snapshot) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "snapshot-id":
				return []string{s.ID}, true
			case "status":
				return []string{s.State}, true
			case "volume-id":
				return []string{s.VolumeID}, true
			case "encrypted":
				return []string{strconv.FormatBool(s.Encrypted)}, true
			case "volume-size":
				return []string{strconv.Itoa(int(s.SizeGiB))}, true
			case "owner-id":
				return []string{c.Account.ID}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, snaps, 5, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]ec2Snapshot, len(page))
	for i, s := range page {
		out[i] = ec2Snapshot{ID: s.ID, VolumeID: s.VolumeID, Status: s.State, Started: ec2Time(s.Started), Progress: "100%", OwnerID: c.Account.ID,
			Size: s.SizeGiB, Encrypted: s.Encrypted, Storage: "standard"}
	}
	return ec2Snapshots{Snapshots: ec2Items(out), NextToken: next}, nil
}

func ec2DescribeVolumes(c *Call, r *Region) (any, error) {
	vols := r.Volumes
	if ids := c.List("VolumeId"); len(ids) > 0 {
		if c.Has("MaxResults") {
			return nil, ec2Combine("volumeSet", "maxResults")
		}
		var picked []*Volume
		for _, id := range ids {
			if !strings.HasPrefix(id, "vol-") {
				return nil, errorf(400, "InvalidVolumeID.Malformed", "Invalid id: \"%s\" (expecting \"vol-...\")", id)
			}
			i := slices.IndexFunc(vols, func(v *Volume) bool { return v.ID == id })
			if i < 0 {
				return nil, errorf(400, "InvalidVolume.NotFound", "The volume '%s' does not exist.", id)
			}
			picked = append(picked, vols[i])
		}
		vols = picked
	}
	vols, err := ec2FilterAll(c, vols, func(v *Volume) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "volume-id":
				return []string{v.ID}, true
			case "status":
				return []string{v.State}, true
			case "volume-type":
				return []string{v.Type}, true
			case "encrypted":
				return []string{strconv.FormatBool(v.Encrypted)}, true
			case "availability-zone":
				return []string{v.AvailabilityZone}, true
			case "size":
				return []string{strconv.Itoa(int(v.SizeGiB))}, true
			case "attachment.instance-id":
				return []string{v.InstanceID}, true
			case "attachment.status":
				if v.InstanceID != "" {
					return []string{"attached"}, true
				}
				return nil, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, vols, 5, 500)
	if err != nil {
		return nil, err
	}
	out := make([]ec2Volume, len(page))
	for i, v := range page {
		x := ec2Volume{ID: v.ID, Size: v.SizeGiB, AZ: v.AvailabilityZone, Status: v.State, Created: ec2Time(v.Created), Type: v.Type, Encrypted: v.Encrypted}
		if v.Type == "gp3" {
			x.Iops = 3000
		}
		if v.InstanceID != "" {
			x.Attachments.Items = []ec2Attachment{{VolumeID: v.ID, InstanceID: v.InstanceID, Device: "/dev/xvda", Status: "attached", Attached: ec2Time(v.Created), DeleteOnTermination: true}}
		}
		out[i] = x
	}
	return ec2Volumes{Volumes: ec2Items(out), NextToken: next}, nil
}
