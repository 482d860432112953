package awssim

// CostSpec is a scenario's `cost:` section: the daily cost series Cost Explorer serves.
type CostSpec struct{}
