//! The backup's log rows written as JSON straight from SQLite's columns: what serde writes
//! for each row's `backup::Log`, without building one. A million rows made the backup spend
//! its time in allocating those rows' strings, parsing and formatting their dates, and
//! serde's escaping of every key and value (`perf`: about half of the main thread).

use super::backup::{log_from_row, log_select};
use super::{Store, date, deck_args};
use anyhow::Result;
use rusqlite::types::ValueRef;
use std::io::Write;

impl Store {
    /// Writes every log row (of `decks` when given), oldest first, as the JSON backup holds
    /// them: each after "\n" (the first) or ",\n".
    pub fn write_log_json(&self, decks: &[String], out: &mut dyn Write) -> Result<()> {
        let mut st = self.conn.prepare(&log_select(decks))?;
        let mut rows = st.query(deck_args(decks).as_slice())?;
        let mut line = Vec::with_capacity(512);
        let mut first = true;
        while let Some(r) = rows.next()? {
            line.clear();
            line.extend_from_slice(if first { b"\n" } else { b",\n" });
            first = false;
            log_line(r, &mut line)?;
            out.write_all(&line)?;
        }
        Ok(())
    }
}

/// Appends one row's JSON to `line`: straight from the columns when the row is plain, else
/// through `backup::Log` and serde (which also refuses what a backup cannot hold).
fn log_line(r: &rusqlite::Row, line: &mut Vec<u8>) -> Result<()> {
    let start = line.len();
    let mut cols = [ValueRef::Null; 17];
    for (i, c) in cols.iter_mut().enumerate() {
        *c = r.get_ref(i)?;
    }
    if !plain_log_json(&cols, line) {
        line.truncate(start);
        serde_json::to_writer(&mut *line, &log_from_row(r)?)?;
    }
    Ok(())
}

/// Writes a row of `LOG_COLUMNS` as serde writes its `Log`, when every column reads back as
/// it is: a text serde would not escape, a date `store::date` accepts (written as it is, as
/// chrono writes it), a missed-points list in the form serde writes it, a number within its
/// field's type. False otherwise, having written part of it.
fn plain_log_json(c: &[ValueRef<'_>; 17], out: &mut Vec<u8>) -> bool {
    fn text<'a>(v: &ValueRef<'a>) -> Option<&'a str> {
        match *v {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .ok()
                .filter(|s| !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')),
            _ => None,
        }
    }
    fn day<'a>(v: &ValueRef<'a>) -> Option<&'a str> {
        text(v).filter(|s| date(s).is_ok())
    }
    fn int(v: &ValueRef<'_>) -> Option<i64> {
        match *v {
            ValueRef::Integer(i) => Some(i),
            _ => None,
        }
    }
    let small = |v: &ValueRef<'_>| int(v).and_then(|i| u32::try_from(i).ok());
    let (Some(reviewed_at), Some(d), Some(question), Some(kind)) =
        (text(&c[0]), day(&c[1]), text(&c[2]), text(&c[3]))
    else {
        return false;
    };
    let Some(grade) = int(&c[4]).and_then(|g| u8::try_from(g).ok()) else {
        return false;
    };
    let mut num = itoa::Buffer::new();
    let put = |out: &mut Vec<u8>, parts: &[&[u8]]| {
        for p in parts {
            out.extend_from_slice(p);
        }
    };
    put(
        out,
        &[
            b"{\"reviewed_at\":\"",
            reviewed_at.as_bytes(),
            b"\",\"day\":\"",
            d.as_bytes(),
            b"\",\"question\":\"",
            question.as_bytes(),
            b"\",\"kind\":\"",
            kind.as_bytes(),
            b"\",\"grade\":",
            num.format(grade).as_bytes(),
        ],
    );
    for (name, at) in [(&b",\"before\":{\"n\":"[..], 5), (b",\"after\":{\"n\":", 9)] {
        let (Some(n), Some(ef), Some(interval)) =
            (small(&c[at]), small(&c[at + 1]), int(&c[at + 2]))
        else {
            return false;
        };
        put(out, &[name, num.format(n).as_bytes(), b",\"ef_milli\":"]);
        put(out, &[num.format(ef).as_bytes(), b",\"interval\":"]);
        put(out, &[num.format(interval.max(0)).as_bytes(), b",\"due\":"]);
        match (c[at + 3], day(&c[at + 3])) {
            (ValueRef::Null, _) => out.extend_from_slice(b"null}"),
            (_, Some(due)) => put(out, &[b"\"", due.as_bytes(), b"\"}"]),
            _ => return false,
        }
    }
    let Some(ms) = int(&c[13]) else {
        return false;
    };
    put(
        out,
        &[
            b",\"answer_ms\":",
            num.format(ms.max(0)).as_bytes(),
            b",\"missed\":",
        ],
    );
    match (c[14], text(&c[14]).filter(|l| is_plain_list(l))) {
        (ValueRef::Null, _) => out.extend_from_slice(b"null"),
        (_, Some(list)) => out.extend_from_slice(list.as_bytes()),
        _ => return false,
    }
    match (c[15], text(&c[15]).filter(|l| is_plain_list(l))) {
        (ValueRef::Null, _) => {}
        (_, Some(list)) => put(out, &[b",\"red_flags\":", list.as_bytes()]),
        _ => return false,
    }
    match (c[16], text(&c[16])) {
        (ValueRef::Null, _) => {}
        (_, Some(session)) => put(out, &[b",\"session\":\"", session.as_bytes(), b"\""]),
        _ => return false,
    }
    out.push(b'}');
    true
}

/// A JSON list of indexes as serde writes a `Vec<usize>`: "[]" or "[0,12,3]", no spaces, no
/// leading zeros, each within usize.
fn is_plain_list(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
        return false;
    };
    inner.is_empty()
        || inner.split(',').all(|n| {
            !n.is_empty()
                && n.len() <= 19
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n == "0" || !n.starts_with('0'))
        })
}

#[cfg(test)]
mod tests {
    use super::{log_from_row, log_line};
    use proptest::prelude::*;

    /// A column value: a plain or awkward text, a date (valid, invalid or not one), a
    /// number, or null.
    fn value() -> impl Strategy<Value = rusqlite::types::Value> {
        use rusqlite::types::Value;
        prop_oneof![
            Just(Value::Null),
            "[a-z0-9/:.T-]{0,12}".prop_map(Value::Text),
            "\\PC{0,6}".prop_map(Value::Text),
            "[\"\\\\\u{1}\n é]{1,4}".prop_map(Value::Text),
            (1900u32..2100, 0u32..14, 0u32..33)
                .prop_map(|(y, m, d)| Value::Text(format!("{y:04}-{m:02}-{d:02}"))),
            Just(Value::Text("+10000-01-01".into())),
            prop_oneof![
                Just("[]"),
                Just("[0,2]"),
                Just("[01]"),
                Just("[ 1]"),
                Just("[1,]"),
                Just("[99999999999999999999]"),
                Just("[3]")
            ]
            .prop_map(|s| Value::Text(s.into())),
            (-3i64..300).prop_map(Value::Integer),
            Just(Value::Integer(i64::from(u32::MAX) + 1)),
            Just(Value::Real(1.5)),
        ]
    }

    /// Mostly plain rows, with any column replaced by any value.
    fn row() -> impl Strategy<Value = Vec<rusqlite::types::Value>> {
        use rusqlite::types::Value;
        let plain = vec![
            Value::Text("2026-03-01T09:00:00.000Z".into()),
            Value::Text("2026-03-01".into()),
            Value::Text("d/q1".into()),
            Value::Text("review".into()),
            Value::Integer(4),
            Value::Integer(1),
            Value::Integer(2500),
            Value::Integer(1),
            Value::Text("2026-03-01".into()),
            Value::Integer(2),
            Value::Integer(2500),
            Value::Integer(6),
            Value::Text("2026-03-07".into()),
            Value::Integer(1200),
            Value::Text("[1]".into()),
            Value::Null,
            Value::Null,
        ];
        (
            proptest::collection::vec((0usize..17, value()), 0..3),
            proptest::bool::ANY,
        )
            .prop_map(move |(changes, flags)| {
                let mut r = plain.clone();
                if flags {
                    r[15] = Value::Text("[0]".into());
                    r[16] = Value::Text("2026-03-01T09:00:00.000Z".into());
                }
                for (i, v) in changes {
                    r[i] = v;
                }
                r
            })
    }

    #[test]
    fn plain_rows_are_written_from_the_columns() {
        use rusqlite::types::ValueRef::{Integer, Null, Text};
        let mut cols = [
            Text(b"2026-03-01T09:00:00.000Z"),
            Text(b"2026-03-01"),
            Text(b"d/q1"),
            Text(b"mock"),
            Integer(2),
            Integer(0),
            Integer(2500),
            Integer(0),
            Null,
            Integer(0),
            Integer(1700),
            Integer(1),
            Text(b"2026-03-02"),
            Integer(61000),
            Text(b"[0,12]"),
            Text(b"[1]"),
            Text(b"2026-03-01T08:59:00.000Z"),
        ];
        let mut out = Vec::new();
        assert!(super::plain_log_json(&cols, &mut out));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"reviewed_at":"2026-03-01T09:00:00.000Z","day":"2026-03-01","question":"d/q1","kind":"mock","grade":2,"before":{"n":0,"ef_milli":2500,"interval":0,"due":null},"after":{"n":0,"ef_milli":1700,"interval":1,"due":"2026-03-02"},"answer_ms":61000,"missed":[0,12],"red_flags":[1],"session":"2026-03-01T08:59:00.000Z"}"#
        );
        for (i, v) in [
            (14, Text(b"[01]")),
            (1, Text(b"2026-02-30")),
            (2, Text(b"a\"b")),
        ] {
            let kept = cols[i];
            cols[i] = v;
            assert!(!super::plain_log_json(&cols, &mut Vec::new()), "column {i}");
            cols[i] = kept;
        }
    }

    proptest! {
        /// Written from the columns or through serde, a row's JSON is the same, and a row
        /// serde's way refuses is refused.
        #[test]
        fn a_row_is_written_as_serde_writes_its_log(r in row()) {
            let conn = rusqlite::Connection::open_in_memory().unwrap();
            conn.execute_batch(
                "CREATE TABLE review_log (reviewed_at, day, question_id, kind, grade, n_before,
                     ef_before, interval_before, due_before, n_after, ef_after, interval_after,
                     due_after, answer_ms, missed, red_flags, session)",
            )
            .unwrap();
            conn.execute(
                &format!("INSERT INTO review_log VALUES ({})", vec!["?"; 17].join(", ")),
                rusqlite::params_from_iter(r.iter()),
            )
            .unwrap();
            let mut st = conn
                .prepare(&format!("SELECT {} FROM review_log l", super::super::backup::LOG_COLUMNS))
                .unwrap();
            let mut rows = st.query([]).unwrap();
            let row = rows.next().unwrap().unwrap();
            let by_serde = log_from_row(row)
                .map(|l| serde_json::to_vec(&l).unwrap())
                .ok();
            let mut line = Vec::new();
            let direct = log_line(row, &mut line).ok().map(|()| line);
            prop_assert_eq!(
                direct.as_deref().map(String::from_utf8_lossy),
                by_serde.as_deref().map(String::from_utf8_lossy)
            );
        }
    }
}
