#!/usr/bin/env python3
"""The ratio table of issue 18 from one session: rehearse's benchmark (bench.py's JSON) beside
the peer benchmark's results (Anki's library in-process, raw SQLite). Called by
bench/compare.sh. Usage: compare.py SESSION.txt REHEARSE.json PEER_RESULTS_DIR PEERS.log"""
import glob, json, os, re, statistics, sys

session, rehearse_json, results, peers_log = sys.argv[1:5]
R = json.load(open(rehearse_json))
rows = R["rows"]


def peer_runs(pattern):
    return [json.load(open(p)) for p in sorted(glob.glob(os.path.join(results, pattern)))]


anki = peer_runs("anki-n100000-run*.json")
sqlite = peer_runs("sqlite-n100000-run*.json")
anki1m = json.load(open(os.path.join(results, "anki-1m-n100000.json")))


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def anki_ms(key, unit="s"):
    v = med([r["timings"].get(key) for r in anki])
    return None if v is None else v * (1000 if unit == "s" else 1)


# Peak RSS of each peer script, whole process, from /usr/bin/time in the peers' log.
rss = {}
for line in open(peers_log):
    m = re.match(r"(anki|sqlite) N=100000 run=\d+: [\d.]+ s wall, (\d+) KiB maxrss", line)
    if m:
        rss.setdefault(m.group(1), []).append(int(m.group(2)) / 1024)
anki_rss = f"{max(rss['anki']):.0f} MB (whole script)" if "anki" in rss else "n/a"


def ms(v):
    return "n/a" if v is None else (f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.3g} ms" if v < 10 else f"{v:.0f} ms")


def r(key):
    return rows[key]["median_s"] * 1000 if key in rows else None


def peak(key):
    return f"{rows[key]['peak_mb']:.0f} MB" if key in rows else "n/a"


def faster(anki_v, ours):
    if anki_v is None or ours is None:
        return "n/a"
    x = anki_v / ours
    return f"{x:.1f}x faster" if x >= 1 else f"{1 / x:.1f}x slower"


grade = R["notes"].get("per_grade_ms")
floor = med([s["profiles"]["anki_like"]["timings"].get("review_per_card_ms") for s in sqlite])
zst_key = "6c" if "6c" in rows else "6b"
backup_bytes = R["notes"].get("backup_zst_bytes") or R["notes"].get("backup_json_bytes")
colpkg = anki1m["colpkg_bytes"]
anki_import = med([anki_ms("a_import_total_s"), anki1m["import_s"] * 1000]) if anki else None
anki_reimport = med([anki_ms("b_reimport_update_s"), anki1m["reimport_s"] * 1000]) if anki else None
table = [
    ("import 100k questions", anki_import, anki_rss, r("1"), peak("1"), faster(anki_import, r("1")), "5x faster"),
    ("re-import, unchanged", anki_reimport, anki_rss, r("2"), peak("2"), faster(anki_reimport, r("2")), "5x faster"),
    ("first due question after opening (Anki: cold queue, default limits)", anki_ms("d_next_due_cold_ms_default_limits", "ms"),
     anki_rss, r("3b"), peak("3b"), faster(anki_ms("d_next_due_cold_ms_default_limits", "ms"), r("3b")), "keep >= 2.5x"),
    ("one grade committed (synchronous=FULL); raw SQLite floor " + ms(floor), anki_ms("c_review_answer_part_ms", "ms"),
     anki_rss, grade, peak("4b"), f"{grade / floor:.2f}x the floor" if grade and floor else "n/a", "<= 1.5x the floor"),
    ("stats with 1,000,000 log rows (Anki: graphs 365 d)", anki1m["median_ms"]["graphs_365d"], "n/a (not measured)",
     r("5a"), peak("5a"), faster(anki1m["median_ms"]["graphs_365d"], r("5a")), "5x faster"),
    (f"full backup with history (Anki .colpkg {colpkg / 1e6:.1f} MB; rehearse {backup_bytes / 1e6:.1f} MB"
     f" = {backup_bytes / colpkg:.2f}x)", anki1m["median_ms"]["export_colpkg"], "n/a (not measured)", r(zst_key),
     peak(zst_key), faster(anki1m["median_ms"]["export_colpkg"], r(zst_key)), "no slower, and smaller"),
]
print(open(session).read().strip().replace("\n", "  \n"))
print(f"\nrehearse: whole processes, median of {R['runs']}; Anki {anki1m['anki']}: in-process, median of its runs "
      f"({len(anki)} runs of anki_bench.py; 1M-row figures median of 5, colpkg of 2).\n")
print("| work | Anki | Anki peak RSS | rehearse | rehearse peak RSS | ratio | target |")
print("|---|---|---|---|---|---|---|")
for name, a, arss, ours, orss, ratio, target in table:
    print(f"| {name} | {ms(a)} | {arss} | {ms(ours)} | {orss} | {ratio} | {target} |")
if "6b" in rows:
    print(f"\nplain JSON backup (`export -o backup.json`): {ms(r('6b'))}, peak {peak('6b')}, "
          f"{R['notes']['backup_json_bytes'] / 1e6:.0f} MB")
print(f"re-import wrote nothing: {R['notes'].get('reimport_wrote_nothing')}")
