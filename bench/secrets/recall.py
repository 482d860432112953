#!/usr/bin/env python3
"""AWS access key ID recall of accountguard and gitleaks on one repository.

accountguard never prints a key whole; its findings carry a fingerprint,
StableID(rule, sha256(key)) = sha256(rule + "\\0" + sha256hex(key))[:16 hex], so the keys
gitleaks prints (and the generator's planted keys) are compared through that.

usage: recall.py accountguard.json gitleaks.json [truth.txt]
"""
import hashlib
import json
import sys


def fp(key, rule="aws-access-key-id"):
    inner = hashlib.sha256(key.encode()).hexdigest()
    return hashlib.sha256((rule + "\0" + inner).encode()).hexdigest()[:16]


ag = json.load(open(sys.argv[1]))
ag_fps = {f["attributes"]["fingerprint"] for f in ag if f["rule_id"] == "aws-access-key-id" and f["attributes"].get("example") != "true"}
ag_examples = sum(1 for f in ag if f["rule_id"] == "aws-access-key-id" and f["attributes"].get("example") == "true")
try:
    gl = json.load(open(sys.argv[2]))
except (OSError, ValueError):
    gl = []
gl_keys = {f["Secret"] for f in gl if f.get("RuleID") == "aws-access-token"}
gl_fps = {fp(k): k for k in gl_keys}

print(f"AWS key IDs: accountguard {len(ag_fps)} (+{ag_examples} documentation examples, labelled), gitleaks {len(gl_keys)}")
missed_by_ag = [k for f, k in gl_fps.items() if f not in ag_fps]
only_ag = len(ag_fps - set(gl_fps))
print(f"  found by gitleaks, missed by accountguard: {len(missed_by_ag)}")
for k in missed_by_ag[:10]:
    print(f"    {k[:4]}...{k[-4:]}")
print(f"  found by accountguard, missed by gitleaks: {only_ag}")
if len(sys.argv) > 3:
    truth = [l.split() for l in open(sys.argv[3]) if l.strip()]
    t_fps = {fp(k): where for k, where in truth}
    a = sum(1 for f in t_fps if f in ag_fps)
    g = sum(1 for f in t_fps if f in gl_fps)
    print(f"  planted keys: {len(t_fps)}; recall accountguard {a}/{len(t_fps)}, gitleaks {g}/{len(t_fps)}")
    for where in sorted(set(t_fps.values())):
        fs = [f for f, w in t_fps.items() if w == where]
        print(f"    {where:20s} accountguard {sum(f in ag_fps for f in fs)}/{len(fs)}  gitleaks {sum(f in gl_fps for f in fs)}/{len(fs)}")
