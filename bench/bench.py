#!/usr/bin/env python3
"""Times rehearse on the generated data set: whole processes, median of N runs, peak RSS from
/usr/bin/time. Called by bench/run.sh, which builds and generates first. Prints a table and
writes every figure as JSON to $BENCH_JSON (default DATA/results.json)."""
import hashlib, json, os, platform, shutil, statistics, subprocess, sys, time

data, binary, runs = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
ENV = dict(os.environ, TZ="UTC", REHEARSE_NOW="2026-03-01T09:00:00Z")
BANK = os.path.join(data, "bank")


def db_files(db):
    return [db, db + "-wal", db + "-shm"]


def remove(db):
    for f in db_files(db):
        if os.path.exists(f):
            os.remove(f)


def digest(db):
    h = hashlib.sha1()
    for f in db_files(db)[:2]:
        if os.path.exists(f):
            with open(f, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def run(args, db, stdin=None, stdout=subprocess.DEVNULL, until=None):
    """One process: (wall seconds, peak RSS in MB, seconds until `until` appeared on stdout)."""
    if isinstance(stdout, str):  # a file, written anew each run
        stdout = open(stdout, "wb")
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "--db", db] + args, env=ENV, stdin=subprocess.PIPE if stdin or until else None,
                         stdout=subprocess.PIPE if until else stdout, stderr=subprocess.DEVNULL)
    first = None
    if until:
        buf = b""
        while until not in buf:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
        first = time.perf_counter() - t0
        p.stdin.write(stdin or b"q\n")
        p.stdin.close()
        while os.read(p.stdout.fileno(), 65536):
            pass
    elif stdin:
        p.stdin.write(stdin)
        p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{args} failed with status {status}")
    return wall, usage.ru_maxrss / 1024, first


def peak_mb(args, db, stdin=None, stdout=subprocess.DEVNULL):
    """Peak RSS of one more run, from /usr/bin/time (wait4 from Python would count the memory
    the child had at fork, before exec)."""
    if isinstance(stdout, str):
        stdout = open(stdout, "wb")
    out = os.path.join(data, "time.txt")
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out, binary, "--db", db] + args, env=ENV,
                       input=stdin, stdout=stdout, stderr=subprocess.DEVNULL)
    if p.returncode != 0:
        sys.exit(f"{args} failed")
    with open(out) as fh:
        return int(fh.read().split()[-1]) / 1024


def bench(name, args, db, setup=None, **kw):
    walls, firsts = [], []
    for _ in range(runs):
        if setup:
            setup()
        w, _, f = run(args, db, **kw)
        walls.append(w)
        if f is not None:
            firsts.append(f)
    if setup:
        setup()
    rss = [peak_mb(args, db, stdin=kw.get("stdin") or (b"q\n" if kw.get("until") else None),
                   stdout=kw.get("stdout", subprocess.DEVNULL))]
    row = {"name": name, "median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
           "peak_mb": max(rss)}
    if firsts:
        row["first_s"] = statistics.median(firsts)
    RESULTS["rows"][name.split(".")[0]] = row
    print(f"{name:<44} median {row['median_s']*1000:8.1f} ms  (min {row['min_s']*1000:.1f}, max {row['max_s']*1000:.1f})"
          f"  peak {row['peak_mb']:6.1f} MB" + (f"  first question {row['first_s']*1000:.1f} ms" if firsts else ""))
    return row


RESULTS = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": {
    "cores": os.cpu_count(), "platform": platform.platform(), "load": os.getloadavg()}, "runs": runs,
    "rows": {}, "notes": {}}
work = os.path.join(data, "work")
os.makedirs(work, exist_ok=True)
bank_db = os.path.join(work, "bank.db")
hist_db = os.path.join(work, "history.db")
copy_db = os.path.join(work, "copy.db")

print(f"rehearse benchmark: {runs} runs each, median; machine: {os.cpu_count()} cores")
# 1. import 100k into an empty database; 2. re-import, unchanged, and check nothing is written
bench("1. import 100k questions (empty db)", ["import", BANK], bank_db, setup=lambda: remove(bank_db))
run(["import", BANK], bank_db)  # the day's automatic backup, taken by the first write of the day
before = digest(bank_db)
bench("2. re-import 100k, unchanged", ["import", BANK], bank_db)
RESULTS["notes"]["reimport_wrote_nothing"] = digest(bank_db) == before
print(f"   rows written by the re-imports: {'none (db and wal bytes unchanged)' if digest(bank_db) == before else 'SOME (bytes changed)'}")

# The 1M-row history, restored once from the generated backup (not timed as a target).
remove(hist_db)
restore_mb = peak_mb(["import", os.path.join(data, "history.json")], hist_db)
print(f"   (setup: restore of the 1M-row backup, peak {restore_mb:.0f} MB)")
run(["review", "--peek"], hist_db)  # first open after restore

bench("3a. review --peek", ["review", "--peek"], hist_db)
bench("3b. review: first question on screen", ["review"], hist_db, until=b"[1/")


def fresh_copy():
    remove(copy_db)
    shutil.copyfile(hist_db, copy_db)


base = bench("4a. review, quit at once (baseline)", ["review", "--new", "0"], copy_db, setup=fresh_copy, stdin=b"q\n")
grades = bench("4b. review, 1,000 grades piped", ["review", "--new", "0", "--limit", "1000"], copy_db, setup=fresh_copy,
               stdin=b"4\n" * 1000)
spent_ms = (grades["median_s"] - base["median_s"]) * 1000
RESULTS["notes"]["per_grade_ms"] = spent_ms / 1000
print(f"   1,000 grades took {spent_ms:.1f} ms beyond the baseline: {spent_ms / 1000:.3f} ms per grade committed")
bench("5a. stats", ["stats"], hist_db)
bench("5b. stats --json", ["stats", "--json"], hist_db)
out = os.path.join(work, "export.json")
bench("6a. export --format json > file", ["export", "--format", "json"], hist_db, stdout=out)
bench("6b. export --format json -o file (fsync)", ["export", "--format", "json", "-o", out], hist_db)
RESULTS["notes"]["backup_json_bytes"] = os.path.getsize(out)
print(f"   backup size: {os.path.getsize(out) / 1e6:.0f} MB")
zst = os.path.join(work, "export.json.zst")
subprocess.run([binary, "--db", hist_db, "export", "-o", zst], env=ENV, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
with open(zst, "rb") as fh:
    compressed = fh.read(4) == b"\x28\xb5\x2f\xfd"  # zstd's magic; older builds wrote plain JSON
if compressed:
    bench("6c. export -o backup.json.zst (fsync)", ["export", "-o", zst], hist_db)
    RESULTS["notes"]["backup_zst_bytes"] = os.path.getsize(zst)
    print(f"   compressed backup size: {os.path.getsize(zst) / 1e6:.1f} MB")

# 7. The interview plan (issue 17) on a copy of the history: set on 2026-03-01 for 2026-03-21
# (20 days, final window 03-16 to 03-20), measured before the window and on 03-17, in it.
plan_db = os.path.join(work, "plan.db")
remove(plan_db)
shutil.copyfile(hist_db, plan_db)
run(["plan", "2026-03-21"], plan_db)
bench("7a. plan, before the window", ["plan"], plan_db)
bench("7b. review with a plan, first question on screen", ["review"], plan_db, until=b"[1/")
ENV = dict(ENV, REHEARSE_NOW="2026-03-17T09:00:00Z")
wall, _, _ = run(["plan"], plan_db)
RESULTS["notes"]["plan_first_in_window_s"] = wall
print(f"   the first plan on 03-17 deals the window and keeps the deal: {wall * 1000:.1f} ms (once a day)")
bench("7c. plan, in the window (deal kept)", ["plan"], plan_db)
bench("7d. review in the window, first question on screen", ["review"], plan_db, until=b"[1/")
bench("7e. stats, with the plan in the window", ["stats"], plan_db)
RESULTS["machine"]["load_end"] = os.getloadavg()
with open(os.environ.get("BENCH_JSON") or os.path.join(data, "results.json"), "w") as fh:
    json.dump(RESULTS, fh, indent=1)
