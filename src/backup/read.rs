//! The streaming reader of a backup: the file in a sliding window, each value parsed from a
//! slice, the top-level object walked by hand so the log never has to be in memory.

use super::{Bank, Deck, FORMAT, Log, PlanRecord, Question, VERSION, check_log, validate};
use anyhow::{Result, anyhow, bail};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read};

/// Reads a backup from `open()`, checking everything a restore relies on; `on_log` gets each
/// log row once it is checked. The first problem found is the error; `open` is called again
/// only then, to tell another program's file or a newer backup from a damaged one.
///
/// The file is read in pieces, each value parsed from memory (serde_json parses a slice
/// several times faster than a reader); only one deck, question or log row is held as text.
pub fn read<R: Read>(
    open: impl Fn() -> std::io::Result<R>,
    on_log: &mut dyn FnMut(&Log) -> Result<()>,
) -> Result<Bank> {
    let mut input = Input::new(open()?);
    let mut parsed = Parsed::default();
    match parsed.top(&mut input, on_log) {
        Ok(()) => parsed.finish(),
        Err(Failure::Refused(e)) => Err(e),
        Err(Failure::Io(e)) => Err(e.into()),
        Err(Failure::Json(e)) => Err(explain(open, e)),
    }
}

/// What went wrong while reading: a check, the file, or its JSON.
enum Failure {
    Refused(anyhow::Error),
    Io(std::io::Error),
    Json(JsonError),
}

struct JsonError {
    message: String,
    line: usize,
    column: usize,
    eof: bool,
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Io(e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Refused(e)
    }
}

/// The file in a window that slides forward; it grows only for a value larger than it.
struct Input<R> {
    r: R,
    buf: Vec<u8>,
    pos: usize,
    end_of_file: bool,
    /// Line (from 1) at `pos`, and the absolute offset where that line starts.
    line: usize,
    line_start: u64,
    /// Absolute offset of `buf[0]`.
    base: u64,
}

const WINDOW: usize = 1 << 20;

impl<R: Read> Input<R> {
    fn new(r: R) -> Input<R> {
        Input {
            r,
            buf: Vec::with_capacity(WINDOW),
            pos: 0,
            end_of_file: false,
            line: 1,
            line_start: 0,
            base: 0,
        }
    }

    /// Reads more, keeping what is not consumed; false at the end of the file.
    fn more(&mut self) -> std::io::Result<bool> {
        if self.end_of_file {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        let want = self.buf.len().max(WINDOW);
        let old = self.buf.len();
        self.buf.resize(old + want, 0);
        let mut got = 0;
        while got < want {
            match self.r.read(&mut self.buf[old + got..]) {
                Ok(0) => {
                    self.end_of_file = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.buf.truncate(old + got);
        Ok(got > 0)
    }

    fn advance(&mut self, n: usize) {
        let bytes = &self.buf[self.pos..self.pos + n];
        if let Some(last) = bytes.iter().rposition(|&b| b == b'\n') {
            self.line += bytes.iter().filter(|&&b| b == b'\n').count();
            self.line_start = self.base + (self.pos + last + 1) as u64;
        }
        self.pos += n;
    }

    /// The next byte that is not white space, not consumed; None at the end.
    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            let ws = self.buf[self.pos..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            self.advance(ws);
            if let Some(&b) = self.buf.get(self.pos) {
                return Ok(Some(b));
            }
            if !self.more()? {
                return Ok(None);
            }
        }
    }

    fn column(&self) -> usize {
        (self.base + self.pos as u64 - self.line_start) as usize + 1
    }

    fn error(&self, message: String, eof: bool) -> Failure {
        Failure::Json(JsonError {
            message,
            line: self.line,
            column: self.column(),
            eof,
        })
    }

    /// Consumes `want` (after white space) or fails saying what was expected.
    fn expect(&mut self, want: u8, what: &str) -> Result<(), Failure> {
        match self.peek()? {
            Some(b) if b == want => {
                self.advance(1);
                Ok(())
            }
            Some(_) => Err(self.error(format!("expected {what}"), false)),
            None => Err(self.error("EOF while parsing a value".into(), true)),
        }
    }

    /// Parses one JSON value from the window, reading more while it is cut off.
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, Failure> {
        self.peek()?;
        loop {
            // A number cut off at the window's end would parse as a shorter one.
            if self.buf.len() - self.pos < 64 && self.more()? {
                continue;
            }
            let mut values =
                serde_json::Deserializer::from_slice(&self.buf[self.pos..]).into_iter::<T>();
            match values.next() {
                Some(Ok(v)) => {
                    let n = values.byte_offset();
                    self.advance(n);
                    return Ok(v);
                }
                Some(Err(e)) if e.is_eof() && self.more()? => {}
                Some(Err(e)) => {
                    let column = if e.line() == 1 {
                        self.column() + e.column().saturating_sub(1)
                    } else {
                        e.column()
                    };
                    let message = e.to_string();
                    return Err(Failure::Json(JsonError {
                        message: message.split(" at line").next().unwrap_or("").to_string(),
                        line: self.line + e.line() - 1,
                        column,
                        eof: e.is_eof(),
                    }));
                }
                None => return Err(self.error("EOF while parsing a value".into(), true)),
            }
        }
    }

    /// Calls `f` on each element of an array.
    fn elements(
        &mut self,
        mut f: impl FnMut(&mut Self) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        self.expect(b'[', "`[`")?;
        if self.peek()? == Some(b']') {
            self.advance(1);
            return Ok(());
        }
        loop {
            f(self)?;
            match self.peek()? {
                Some(b',') => self.advance(1),
                Some(b']') => {
                    self.advance(1);
                    return Ok(());
                }
                Some(_) => return Err(self.error("expected `,` or `]`".into(), false)),
                None => return Err(self.error("EOF while parsing a list".into(), true)),
            }
        }
    }
}

/// What the reader has met so far.
#[derive(Default)]
struct Parsed {
    seen: HashSet<&'static str>,
    decks: Vec<Deck>,
    questions: Vec<Question>,
    plan: Option<PlanRecord>,
    /// Set once the questions are read (each with its index); log rows read before are
    /// checked at the end.
    ids: Option<rustc_hash::FxHashMap<String, usize>>,
    /// What the log says of each question, as `ids` indexes them.
    tallies: Vec<super::LogTally>,
    /// Questions of log rows read before the questions, with the first such row.
    pending: HashMap<String, usize>,
    rows: usize,
}

const FIELDS: &[&str] = &["format", "version", "decks", "questions", "log"];
/// Fields a backup may leave out: the interview plan (version 3).
const OPTIONAL: &[&str] = &["plan"];

impl Parsed {
    /// The top-level object, field by field.
    fn top<R: Read>(
        &mut self,
        input: &mut Input<R>,
        on_log: &mut dyn FnMut(&Log) -> Result<()>,
    ) -> Result<(), Failure> {
        // A backup is one JSON object: anything else shows at its first byte, however large.
        input.more()?;
        if input.buf.starts_with(b"\xef\xbb\xbf") {
            input.pos = 3;
        }
        if input.buf.get(input.pos) != Some(&b'{') {
            return Err(anyhow!("not a rehearse backup (a backup begins with {{)").into());
        }
        input.advance(1);
        if input.peek()? == Some(b'}') {
            input.advance(1);
        } else {
            loop {
                if input.peek()? != Some(b'"') {
                    return Err(input.error("expected a field name".into(), false));
                }
                let key: String = input.value()?;
                let Some(&field) = FIELDS.iter().chain(OPTIONAL).find(|f| **f == key) else {
                    return Err(input.error(
                        format!("unknown field `{key}`, expected one of `format`, `version`, `decks`, `questions`, `plan`, `log`"),
                        false,
                    ));
                };
                if !self.seen.insert(field) {
                    return Err(input.error(format!("duplicate field `{field}`"), false));
                }
                input.expect(b':', "`:`")?;
                self.field(field, input, on_log)?;
                match input.peek()? {
                    Some(b',') => input.advance(1),
                    Some(b'}') => {
                        input.advance(1);
                        break;
                    }
                    Some(_) => return Err(input.error("expected `,` or `}`".into(), false)),
                    None => return Err(input.error("EOF while parsing an object".into(), true)),
                }
            }
        }
        if input.peek()?.is_some() {
            return Err(input.error("trailing characters".into(), false));
        }
        Ok(())
    }

    fn field<R: Read>(
        &mut self,
        field: &str,
        input: &mut Input<R>,
        on_log: &mut dyn FnMut(&Log) -> Result<()>,
    ) -> Result<(), Failure> {
        match field {
            "format" => {
                if input.value::<String>()? != FORMAT {
                    return Err(not_a_backup().into());
                }
            }
            "version" => check_version(input.value()?)?,
            "plan" => self.plan = input.value()?,
            "decks" => input.elements(|i| {
                self.decks.push(i.value()?);
                Ok(())
            })?,
            "questions" => {
                input.elements(|i| {
                    self.questions.push(i.value()?);
                    Ok(())
                })?;
                self.ids = Some(
                    self.questions
                        .iter()
                        .enumerate()
                        .map(|(i, q)| (q.id.clone(), i))
                        .collect(),
                );
                self.tallies = vec![super::LogTally::default(); self.questions.len()];
            }
            _ => input.elements(|i| {
                let l: Log = i.value()?;
                self.rows += 1;
                self.log_row(&l)?;
                on_log(&l)?;
                Ok(())
            })?,
        }
        Ok(())
    }

    fn log_row(&mut self, l: &Log) -> Result<()> {
        let row = self.rows;
        match &self.ids {
            Some(ids) => match ids.get(l.question.as_str()) {
                Some(&i) => self.tallies[i].add(l)?,
                None => bail!(
                    "log row {row}: question {:?} is not in the backup",
                    l.question
                ),
            },
            None => {
                self.pending.entry(l.question.clone()).or_insert(row);
            }
        }
        check_log(row, l)
    }

    fn finish(self) -> Result<Bank> {
        if !self.seen.contains("format") {
            return Err(not_a_backup());
        }
        for field in FIELDS {
            if !self.seen.contains(field) {
                bail!("damaged backup (missing field `{field}`)");
            }
        }
        let bank = Bank {
            decks: self.decks,
            questions: self.questions,
            plan: self.plan,
            // Rows read before the questions were not tallied.
            log_tallies: Some(self.tallies).filter(|_| self.pending.is_empty()),
        };
        validate(&bank)?;
        let ids = self.ids.unwrap_or_default();
        if let Some((q, row)) = self
            .pending
            .iter()
            .filter(|(q, _)| !ids.contains_key(q.as_str()))
            .min_by_key(|(_, row)| **row)
        {
            bail!("log row {row}: question {q:?} is not in the backup");
        }
        Ok(bank)
    }
}

fn not_a_backup() -> anyhow::Error {
    anyhow!("not a rehearse backup (no \"format\": \"{FORMAT}\")")
}

fn check_version(v: u32) -> Result<()> {
    if v > VERSION {
        bail!(
            "written by a newer rehearse (backup version {v}, this one reads {VERSION}): upgrade rehearse"
        );
    }
    if v == 0 {
        bail!("backup version 0 does not exist: the file is damaged");
    }
    Ok(())
}

/// A JSON error as a line that says what the file is: another program's, a newer
/// rehearse's (its format and version may come after the error), truncated or damaged.
fn explain<R: Read>(open: impl Fn() -> std::io::Result<R>, e: JsonError) -> anyhow::Error {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        version: Option<u32>,
    }
    if e.eof {
        return anyhow!(
            "the file ends early at line {} column {} (truncated?): export the backup again",
            e.line,
            e.column
        );
    }
    // Read again, keeping only the format and the version.
    let head = open().map_err(serde_json::Error::io).and_then(|r| {
        let mut r = std::io::BufReader::new(r);
        let bom = r
            .fill_buf()
            .map_err(serde_json::Error::io)?
            .starts_with(b"\xef\xbb\xbf");
        r.consume(if bom { 3 } else { 0 });
        serde_json::from_reader::<_, Head>(r)
    });
    match head {
        // The first pass may not see the end of the file as such (a custom deserializer
        // that replaces serde_json's error hides it); this plain read of the head does.
        Err(h) if h.is_eof() => anyhow!(
            "the file ends early at line {} column {} (truncated?): export the backup again",
            h.line(),
            h.column()
        ),
        Err(h) => anyhow!(
            "not a rehearse backup ({} at line {} column {})",
            h.to_string().split(" at line").next().unwrap_or(""),
            h.line(),
            h.column()
        ),
        Ok(h) if h.format.as_deref() != Some(FORMAT) => not_a_backup(),
        Ok(Head {
            version: Some(v), ..
        }) if v > VERSION => check_version(v).unwrap_err(),
        Ok(_) => anyhow!(
            "damaged backup ({} at line {} column {})",
            e.message,
            e.line,
            e.column
        ),
    }
}
