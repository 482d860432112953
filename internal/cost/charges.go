package cost

import "strings"

// NonUsageRecordTypes are the charge types that are not usage and so never a spike source:
// credits, refunds, tax, support, and commitment fees (RI and Savings Plans fees, Marketplace
// and reservation upfront fees) and discounts. Users of AWS Cost Anomaly Detection report
// these as false spikes (a monthly RI fee is a "spike" every first of the month). The names
// are Cost Explorer's RECORD_TYPE values and the CUR's line_item_line_item_type values,
// which differ for some charges; both are listed.
//
// SavingsPlanCoveredUsage is kept and SavingsPlanNegation dropped, so usage covered by a
// Savings Plan still counts at its on-demand rate: a spike in covered usage is still a
// spike in usage, even when the plan absorbs part of its price.
var NonUsageRecordTypes = []string{
	"Credit", "Refund", "Tax", "Support",
	"RIFee", "Fee", "Recurring reservation fee", "Upfront reservation fee",
	"SavingsPlanRecurringFee", "SavingsPlanUpfrontFee", "SavingsPlanNegation",
	"BundledDiscount", "Discount", "EdpDiscount", "Enterprise Discount Program Discount",
	"PrivateRateDiscount", "Private Rate Card Discount", "DistributorDiscount", "Distributor Discount",
	"Solution Provider Program Discount",
}

// IsNonUsage reports whether a CUR line item type or CE record type is left out.
func IsNonUsage(recordType string) bool {
	if recordType == "Usage" || recordType == "" {
		return false // nearly every row: skip the list
	}
	for _, t := range NonUsageRecordTypes {
		if strings.EqualFold(t, recordType) {
			return true
		}
	}
	return false
}

// ignoredUsage are usage-type markers of commitment fees, for sources that cannot filter by
// record type (a CUR without the line item type column, a scenario): RI recurring fees are
// "HeavyUsage", Savings Plans fees are "ComputeSP:…"/"EC2SP:…"/"MachineLearningSP:…".
var ignoredUsage = []string{"HeavyUsage", "ComputeSP:", "EC2SP:", "MachineLearningSP:", "SageMakerSP:", "DatabaseSP:"}

// ignoredServices are CE SERVICE values that are charges, not usage.
var ignoredServices = []string{"Tax", "Refund", "Credit", "Savings Plans for AWS Compute usage", "Savings Plans for  Compute usage"}

// IgnoredLine reports whether a line is a charge that must never be a spike source.
func IgnoredLine(k Key) bool {
	for _, s := range ignoredServices {
		if strings.EqualFold(k.Service, s) {
			return true
		}
	}
	for _, u := range ignoredUsage {
		if strings.Contains(k.UsageType, u) {
			return true
		}
	}
	return false
}
