// Package event is the CloudTrail event model: one record kept as its raw JSON bytes, with the
// spans of its top-level fields found in the single pass that finds the record's end, and
// every deeper field (userIdentity.arn, requestParameters.userName …) decoded on demand and
// cached per record. Field paths are CloudTrail's own dotted names, interned once into
// PathIDs so rules compiled against them pay no string work per event. Values stay as JSON
// text: IPs and times are strings, as CloudTrail wrote them (real data has malformed ones).
//
// It must not know about rules, readers or outputs; an Event is only valid during the call
// it is passed to, so whoever keeps something copies it.
package event
