#!/usr/bin/env python3
"""Build a large git repository reproducibly for bench/secrets.sh.

Real source text (the Go standard library under $(go env GOROOT)/src, so the same Go
version gives the same repository) is committed and then edited commit by commit: lines
changed, deleted, inserted from other files, new files added. Every 400 commits a feature
branch of 25 commits is made; most are merged back with a merge commit that also carries
content of its own (an "evil merge": content that first appears in the merge), a few are
left unmerged. AWS keys are planted in many syntaxes: some added and deleted in the next
commit, some only on unmerged branches, some only in merge commits. The planted key IDs
are written to truth.txt (one per line, with where they were planted).

The stream goes to git fast-import, which makes 10,000+ commits in seconds.

With --dense, a fifth of the commits also edit test fixtures full of AWS keys (as in
an AWS mocking library such as moto): keys rotated in place, lines added and removed. It
stresses the candidate path, where new bytes that may hold a key make their blob be read
whole.

usage: gen.py OUTDIR [COMMITS] [--dense]
"""
import base64
import hashlib
import os
import random
import subprocess
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
dense = "--dense" in sys.argv
out = args[0]
n_commits = int(args[1]) if len(args) > 1 else 10000
rng = random.Random(20260101)

goroot = subprocess.check_output(["go", "env", "GOROOT"], text=True).strip()
pool = []
for root, dirs, files in os.walk(os.path.join(goroot, "src")):
    dirs.sort()
    if "testdata" in root.split(os.sep):
        continue
    for f in sorted(files):
        if f.endswith(".go"):
            p = os.path.join(root, f)
            if 2000 <= os.path.getsize(p) <= 120000:
                pool.append(p)
pool.sort()
rng.shuffle(pool)

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def new_key(prefix="AKIA"):
    return prefix + "".join(rng.choice(B32) for _ in range(16))


def new_secret():
    while True:
        s = "".join(rng.choice(B64) for _ in range(40))
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s):
            return s


SYNTAXES = [
    lambda k, s: f"[default]\naws_access_key_id = {k}\naws_secret_access_key = {s}\n",
    lambda k, s: f"export AWS_ACCESS_KEY_ID={k}\nexport AWS_SECRET_ACCESS_KEY={s}\n",
    lambda k, s: f'{{"AccessKeyId": "{k}", "SecretAccessKey": "{s}"}}\n',
    lambda k, s: f"aws:\n  access_key_id: {k}\n  secret_access_key: {s}\n",
    lambda k, s: f'provider "aws" {{\n  access_key = "{k}"\n  secret_key = "{s}"\n}}\n',
    lambda k, s: f"client = boto3.client('s3', aws_access_key_id='{k}', aws_secret_access_key='{s}')\n",
    lambda k, s: f"const creds = {{ accessKeyId: '{k}', secretAccessKey: '{s}' }};\n",
    lambda k, s: f'\tcreds := credentials.NewStaticCredentialsProvider("{k}", "{s}", "")\n',
]

truth = []
files = {}  # path -> list of lines (current main or branch state)
cmds = []
mark = 0
t0 = 1600000000


def emit(s):
    cmds.append(s if isinstance(s, bytes) else s.encode())


def blob(data):
    global mark
    mark += 1
    b = data.encode()
    emit(f"blob\nmark :{mark}\ndata {len(b)}\n")
    emit(b)
    emit("\n")
    return mark


commit_no = 0


def commit(branch, changes, msg, parents=(), deletes=()):
    """changes: {path: text}; parents: marks for from/merge."""
    global mark, commit_no
    commit_no += 1
    ts = t0 + commit_no * 600
    bm = {p: blob(t) for p, t in changes.items()}
    mark += 1
    m = mark
    who = rng.choice(["Ada Lovelace <ada@example.com>", "Grace Hopper <grace@example.com>", "Ken Thompson <ken@example.com>", "Rob Pike <rob@example.com>"])
    emit(f"commit refs/heads/{branch}\nmark :{m}\nauthor {who} {ts} +0000\ncommitter {who} {ts} +0000\n")
    mb = msg.encode()
    emit(f"data {len(mb)}\n")
    emit(mb)
    emit("\n")
    if parents:
        emit(f"from :{parents[0]}\n")
        for p in parents[1:]:
            emit(f"merge :{p}\n")
    for p in deletes:
        emit(f"D {p}\n")
    for p, bmark in bm.items():
        emit(f"M 100644 :{bmark} {p}\n")
    emit("\n")
    return m


def read_src(i):
    with open(pool[i % len(pool)], encoding="utf-8", errors="replace") as f:
        return f.read().splitlines(keepends=True)


src_i = 0


def fresh_file():
    global src_i
    p = pool[src_i % len(pool)]
    lines = read_src(src_i)
    src_i += 1
    rel = os.path.relpath(p, os.path.join(goroot, "src"))
    return f"src/{src_i // len(pool)}/{rel}", lines


def edit(state):
    """Edit one file of state in place; return the changed path."""
    r = rng.random()
    if r < 0.08 or not state:
        path, lines = fresh_file()
        state[path] = lines
        return path
    path = rng.choice(sorted(state))
    lines = state[path]
    if not lines:
        lines.append("\n")
    i = rng.randrange(len(lines))
    if r < 0.45:  # change a line
        lines[i] = lines[i].rstrip("\n") + f" // rev {commit_no}\n"
    elif r < 0.7:  # insert a few lines from another source file
        other = read_src(rng.randrange(len(pool)))
        j = rng.randrange(max(1, len(other) - 5))
        lines[i:i] = other[j:j + rng.randint(1, 6)]
    else:  # delete a few lines
        del lines[i:i + rng.randint(1, 4)]
    return path


state_main = {}
for _ in range(60):
    p, l = fresh_file()
    state_main[p] = l
head = commit("main", {p: "".join(l) for p, l in state_main.items()}, "initial import")

planted_pending = None  # (path) to delete in the next main commit
while commit_no < n_commits:
    if commit_no % 400 == 399:
        # a feature branch of 25 commits off main
        bname = f"feature/{commit_no}"
        state_b = {p: list(l) for p, l in state_main.items()}
        bhead = head
        unmerged = (commit_no // 400) % 5 == 0
        for k in range(25):
            ch = {}
            for _ in range(rng.randint(1, 3)):
                p = edit(state_b)
                ch[p] = "".join(state_b[p])
            if k == 10:
                key, sec = new_key(), new_secret()
                p = f"branch-config/{commit_no}.env"
                state_b[p] = SYNTAXES[commit_no % len(SYNTAXES)](key, sec).splitlines(keepends=True)
                ch[p] = "".join(state_b[p])
                truth.append((key, "unmerged-branch" if unmerged else "branch"))
            bhead = commit(bname, ch, f"{bname} step {k}", parents=(bhead,))
        if not unmerged:
            # merge: union of both sides, plus content of the merge's own
            merged = dict(state_main)
            merged.update(state_b)
            ch = {p: "".join(l) for p, l in state_b.items() if state_main.get(p) != l}
            key, sec = new_key(rng.choice(["AKIA", "AKIA", "ASIA"])), new_secret()
            p = f"merge-only/{commit_no}.py"
            merged[p] = SYNTAXES[(commit_no + 3) % len(SYNTAXES)](key, sec).splitlines(keepends=True)
            ch[p] = "".join(merged[p])
            truth.append((key, "merge-only"))
            state_main = {pp: list(l) for pp, l in merged.items()}
            head = commit("main", ch, f"Merge {bname}", parents=(head, bhead))
        continue
    ch, deletes = {}, []
    if planted_pending:
        deletes.append(planted_pending)
        del state_main[planted_pending]
        planted_pending = None
    for _ in range(rng.randint(1, 3)):
        p = edit(state_main)
        ch[p] = "".join(state_main[p])
    if commit_no % 97 == 0:
        # a key added inside an existing source file
        key, sec = new_key(), new_secret()
        p = rng.choice(sorted(state_main))
        state_main[p].insert(rng.randrange(len(state_main[p]) + 1), SYNTAXES[commit_no % len(SYNTAXES)](key, sec))
        ch[p] = "".join(state_main[p])
        truth.append((key, "in-source"))
    elif dense and rng.random() < 0.2:
        # a test fixture of keys: rotate one in place, or add one
        p = f"tests/fixtures/creds_{rng.randrange(40)}.py"
        lines = state_main.setdefault(p, [])
        if not lines:  # new, or emptied by an edit
            lines.append("# test credentials\n")
        key, sec = new_key(), new_secret()
        line = f"    ('{key}', '{sec}'),\n"
        if len(lines) > 5 and rng.random() < 0.5:
            lines[rng.randrange(1, len(lines))] = line
        else:
            lines.insert(rng.randrange(1, len(lines) + 1), line)
        ch[p] = "".join(lines)
        truth.append((key, "dense-fixture"))
    elif commit_no % 131 == 0:
        # a credentials file added and deleted in the next commit
        key, sec = new_key(), new_secret()
        p = f"deploy/creds-{commit_no}.ini"
        state_main[p] = SYNTAXES[0](key, sec).splitlines(keepends=True)
        ch[p] = "".join(state_main[p])
        planted_pending = p
        truth.append((key, "added-then-deleted"))
    head = commit("main", ch, f"change {commit_no}", parents=(head,), deletes=deletes)

os.makedirs(out, exist_ok=True)
subprocess.check_call(["git", "init", "-q", "-b", "main", out])
fi = subprocess.Popen(["git", "-C", out, "fast-import", "--quiet"], stdin=subprocess.PIPE)
for c in cmds:
    fi.stdin.write(c)
fi.stdin.close()
if fi.wait() != 0:
    sys.exit("git fast-import failed")
subprocess.check_call(["git", "-C", out, "checkout", "-q", "-f", "main"])
with open(os.path.join(out, "..", os.path.basename(out) + ".truth.txt"), "w") as f:
    for k, where in truth:
        f.write(f"{k} {where}\n")
print(f"{commit_no} commits, {len(truth)} planted keys", file=sys.stderr)
