package inventory

// Services is what the posture audit reads beyond IAM and EC2 (trails, alarms, metric filters,
// GuardDuty, Config, Security Hub, budgets, anomaly monitors, alternate contacts …). Each
// part is nil when it was not collected.
type Services struct{}
