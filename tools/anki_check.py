#!/usr/bin/env python3
"""Imports a `rehearse export --format anki` file with Anki's own library, taking the file's
headers as Import File does (no mapping set by hand), and prints what Anki made of it: decks,
note types, fields, tags, and a search for a word with an apostrophe.

Not part of CI. Needs Anki's library: python3 -m venv v && v/bin/pip install anki==26.9.3
Usage: v/bin/python tools/anki_check.py FILE.txt [SEARCH ...]
"""
import json
import sys
import tempfile
import os

from anki.collection import Collection, ImportCsvRequest


def main():
    path = os.path.abspath(sys.argv[1])
    searches = sys.argv[2:]
    with tempfile.TemporaryDirectory() as d:
        col = Collection(os.path.join(d, "c.anki2"))
        md = col.get_csv_metadata(path, None)
        out = col.import_csv(ImportCsvRequest(path=path, metadata=md))
        log = out.log
        report = {
            "found_notes": log.found_notes,
            "new": len(log.new),
            "updated": len(log.updated),
            "conflicting": len(log.conflicting),
            "empty_first_field": len(log.empty_first_field),
            "missing_deck": len(log.missing_deck),
            "missing_notetype": len(log.missing_notetype),
            "decks": sorted(n.name for n in col.decks.all_names_and_ids()),
            "cards": col.card_count(),
            "notes": [],
            "searches": {},
        }
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            card = note.cards()[0]
            report["notes"].append(
                {
                    "guid": note.guid,
                    "notetype": note.note_type()["name"],
                    "deck": col.decks.name(card.did),
                    "fields": list(note.fields),
                    "tags": note.tags,
                }
            )
        for s in searches:
            report["searches"][s] = len(col.find_notes(s))
        # A second import of the same file updates in place.
        again = col.import_csv(ImportCsvRequest(path=path, metadata=md)).log
        report["reimport"] = {"new": len(again.new), "updated": len(again.updated), "duplicate": len(again.duplicate)}
        report["notes_after_reimport"] = col.note_count()
        col.close()
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
