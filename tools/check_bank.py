#!/usr/bin/env python3
"""Checks bank/*.toml against the seed: wording, code spans, ids, points.
Usage: python3 tools/check_bank.py [bank-file ...]   (default: every file in bank/)"""
import re, sys, tomllib, pathlib, json

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = ROOT / "tests/fixtures/seed-question-bank.txt"
DECKS = ["go-runtime", "concurrency", "algorithms", "postgresql", "mongodb", "messaging",
         "distributed-systems", "system-design", "api-design", "security", "testing", "devops",
         "observability", "cloud", "behavioral", "final-mile"]
CAMEL_OK = set("""PostgreSQL MongoDB NoSQL RabbitMQ WebSocket PgBouncer OAuth2 OAuth DevOps ReplicaSet
ConfigMap ClusterIP ElastiCache GitHub JavaScript TypeScript OpenTelemetry LinkedIn YouTube
iPhone gRPC GoLang SuperMemo ReadCommitted McKinsey MySQL JSONB DynamoDB BigQuery CloudWatch
GitLab SQLite NoOp LevelDB RocksDB CockroachDB TiDB OpenAPI AsyncAPI PagerDuty DataDog Datadog
ScyllaDB IaC mTLS GiST CronJob DaemonSet StatefulSet ReplicaSets PodDisruptionBudget HorizontalPodAutoscaler
NetworkPolicy ServiceAccount PersistentVolume PersistentVolumeClaim ArgoCD FluxCD OpenID PgPool
LocalStack TestContainers ElasticSearch ElasticSearch OpenSearch LogQL PromQL MyRocks""".split())

def seed_decks():
    lines = SEED.read_text(encoding="utf-8").split("\n")
    decks, cur, sec = [], None, None
    for ln in lines[20:]:
        if not ln.strip():
            continue
        if ln.endswith("¶"):
            t = ln[:-1]
            m = re.match(r"^(\d+)\. (.*)$", t)
            if m or t.startswith("Final-mile"):
                cur = {"title": m.group(2) if m else t, "sections": [], "guidance": []}
                decks.append(cur); sec = None
            else:
                sec = t
            continue
        is_q = ln.startswith("- ") or (cur["sections"] and not ln.startswith("- "))
        if not ln.startswith("- ") and not cur["sections"]:
            cur["guidance"].append(ln); continue
        if ln.startswith("- ") and (not cur["sections"] or cur["sections"][-1][0] != (sec or cur["title"])):
            cur["sections"].append([sec or cur["title"], [], []])
        s = cur["sections"][-1]
        s[1].append(ln)
        if not ln.startswith("- "):
            s[2].append(ln)  # continuation line: starts with a code span
    return decks

def norm(s):
    return re.sub(r"\s+", "", s.replace("`", ""))

def seed_norm(lines):
    out = []
    for ln in lines:
        ln = re.sub(r"^- ", "", ln)
        ln = re.sub(r"(?:(?<=\s)|(?<=\?))- (?=[A-Z])", "", ln)
        out.append(ln)
    return norm("".join(out))

def outside_code(p):
    return re.sub(r"`[^`]*`", " ", p)

def main(files):
    seed = seed_decks()
    errs = []
    files = files or sorted(str(p) for p in (ROOT / "bank").glob("*.toml"))
    total = 0
    for f in files:
        name = pathlib.Path(f).name
        try:
            data = tomllib.loads(pathlib.Path(f).read_text(encoding="utf-8"))
        except Exception as e:
            errs.append(f"{name}: TOML: {e}"); continue
        deck = data.get("deck", {})
        did = deck.get("id")
        if did not in DECKS:
            errs.append(f"{name}: unknown deck id {did}"); continue
        idx = DECKS.index(did)
        if name != f"{idx+1:02d}-{did}.toml":
            errs.append(f"{name}: file should be named {idx+1:02d}-{did}.toml")
        sd = seed[idx]
        if deck.get("title") != sd["title"]:
            errs.append(f"{name}: title should be {sd['title']!r}")
        if set(deck) - {"id", "title", "guidance"}:
            errs.append(f"{name}: unknown deck keys {set(deck) - {'id','title','guidance'}}")
        if sd["guidance"] and norm(deck.get("guidance", "")) != norm(" ".join(sd["guidance"])):
            errs.append(f"{name}: guidance must be the seed paragraph: {sd['guidance']}")
        qs = data.get("question", [])
        total += len(qs)
        ids = set()
        for q in qs:
            extra = set(q) - {"id", "section", "prompt", "tags", "points"}
            if extra: errs.append(f"{name}: {q.get('id')}: unknown keys {extra}")
            qid = q.get("id", "")
            if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", qid): errs.append(f"{name}: bad id {qid!r}")
            if qid in ids: errs.append(f"{name}: duplicate id {qid}")
            ids.add(qid)
            for t in q.get("tags", []):
                if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", t): errs.append(f"{name}: {qid}: bad tag {t!r}")
            pts = q.get("points", [])
            if not (3 <= len(pts) <= 6): errs.append(f"{name}: {qid}: {len(pts)} points (need 3-6)")
            for p in pts:
                if len(p) > 200: errs.append(f"{name}: {qid}: point over 200 chars: {p[:60]}...")
                if "\n" in p or not p.strip(): errs.append(f"{name}: {qid}: empty or multi-line point")
            pr = q.get("prompt", "")
            if pr.count("`") % 2: errs.append(f"{name}: {qid}: unbalanced backticks")
            if "  " in pr or pr != pr.strip() or "\n" in pr: errs.append(f"{name}: {qid}: stray whitespace in prompt")
            for w in (x.rstrip(".") for x in re.findall(r"[A-Za-z0-9_./]+", outside_code(pr))):
                if re.search(r"[a-z][A-Z]", w) and w not in CAMEL_OK:
                    errs.append(f"{name}: {qid}: looks like glued code outside backticks: {w!r}")
                if re.search(r"[a-z]\.[A-Za-z]|_", w) and w not in ("e.g", "i.e", "vs."):
                    errs.append(f"{name}: {qid}: looks like code outside backticks: {w!r}")
        # wording, per section, in order
        for sec, lines, conts in sd["sections"]:
            got = "".join(norm(q.get("prompt", "")) for q in qs if q.get("section") == sec)
            want = seed_norm(lines)
            if got != want:
                i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))
                errs.append(f"{name}: section {sec!r} differs from the seed at char {i}: bank {got[i-30:i+40]!r} vs seed {want[i-30:i+40]!r}")
            text = " ".join(q.get("prompt", "") for q in qs if q.get("section") == sec)
            for c in conts:
                head = norm(c)[:6]
                if not re.search("`" + re.escape(head[:1]) + r"[\s`]*" + r"[\s`]*".join(re.escape(ch) for ch in head[1:]), text):
                    errs.append(f"{name}: section {sec!r}: code span starting {head!r} (seed line {c[:40]!r}) not restored in backticks")
        secs = [s[0] for s in sd["sections"]]
        for q in qs:
            if q.get("section") not in secs: errs.append(f"{name}: {q.get('id')}: section {q.get('section')!r} not a seed section {secs}")
    for e in errs: print(e)
    print(f"{len(files)} files, {total} questions, {len(errs)} problems")
    return 1 if errs else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
