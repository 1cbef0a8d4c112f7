//! Bank files (TOML) -> validated decks. Pure: callers hand in the bytes and a name.
//! Every problem is collected with its file, line, column and question id, so a bank author
//! sees all of them at once.

use std::collections::HashMap;
use std::fmt;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub use crate::points::Point;

/// The most points a question may have: review labels them a-f.
pub const MAX_POINTS: usize = 6;
/// A point's key: a headline read at a glance.
pub const MAX_KEY: usize = 60;
/// A point's detail: what a full answer contains.
pub const MAX_DETAIL: usize = 200;
/// Musts a question with table points names: the one or two things listened for.
pub const MAX_MUSTS: usize = 2;
pub const MAX_RED_FLAGS: usize = 5;
pub const MAX_FOLLOW_UPS: usize = 3;
/// A time box, in whole minutes.
pub const MINUTES: std::ops::RangeInclusive<u32> = 1..=60;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deck {
    pub id: String,
    pub title: String,
    pub guidance: Option<String>,
    /// The time box per question in mock interviews, in minutes.
    pub minutes: Option<u32>,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The id within the deck; the full id is `deck/id`.
    pub id: String,
    pub section: String,
    pub prompt: String,
    pub tags: Vec<String>,
    pub points: Vec<Point>,
    /// Misconceptions that fail an answer: saying one caps the grade at 2.
    pub red_flags: Vec<String>,
    /// What the interviewer asks next.
    pub follow_ups: Vec<String>,
    /// The releases its version-dependent points were checked against.
    pub verified: Option<String>,
    /// Overrides the deck's time box.
    pub minutes: Option<u32>,
}

/// One thing wrong with a bank, located.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub question: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(q) = &self.question {
            write!(f, "question \"{q}\": ")?;
        }
        f.write_str(&self.message)
    }
}

/// The bank compiled into the binary, in bank order.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "01-go-runtime.toml",
        include_str!("../bank/01-go-runtime.toml"),
    ),
    (
        "02-concurrency.toml",
        include_str!("../bank/02-concurrency.toml"),
    ),
    (
        "03-algorithms.toml",
        include_str!("../bank/03-algorithms.toml"),
    ),
    (
        "04-postgresql.toml",
        include_str!("../bank/04-postgresql.toml"),
    ),
    ("05-mongodb.toml", include_str!("../bank/05-mongodb.toml")),
    (
        "06-messaging.toml",
        include_str!("../bank/06-messaging.toml"),
    ),
    (
        "07-distributed-systems.toml",
        include_str!("../bank/07-distributed-systems.toml"),
    ),
    (
        "08-system-design.toml",
        include_str!("../bank/08-system-design.toml"),
    ),
    (
        "09-api-design.toml",
        include_str!("../bank/09-api-design.toml"),
    ),
    ("10-security.toml", include_str!("../bank/10-security.toml")),
    ("11-testing.toml", include_str!("../bank/11-testing.toml")),
    ("12-devops.toml", include_str!("../bank/12-devops.toml")),
    (
        "13-observability.toml",
        include_str!("../bank/13-observability.toml"),
    ),
    ("14-cloud.toml", include_str!("../bank/14-cloud.toml")),
    (
        "15-behavioral.toml",
        include_str!("../bank/15-behavioral.toml"),
    ),
    (
        "16-final-mile.toml",
        include_str!("../bank/16-final-mile.toml"),
    ),
];

/// The built-in bank, parsed. It is checked by the test suite, so a failure here is a bug.
pub fn builtin() -> Vec<Deck> {
    let files: Vec<(String, Vec<u8>)> = BUILTIN
        .iter()
        .map(|(n, t)| (format!("bank/{n}"), t.as_bytes().to_vec()))
        .collect();
    parse_all(&files).unwrap_or_else(|p| panic!("built-in bank is invalid: {}", p[0]))
}

/// Parses and validates a set of files together (ids must be unique across them).
pub fn parse_all(files: &[(String, Vec<u8>)]) -> Result<Vec<Deck>, Vec<Problem>> {
    let mut decks = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for ((name, _), parsed) in files.iter().zip(parse_each(files)) {
        match parsed {
            Ok((deck, deck_at)) => {
                if let Some(first) = seen.get(&deck.id) {
                    problems.push(Problem {
                        message: format!(
                            "deck id \"{}\" is already used by {first}: give each deck file its own id",
                            deck.id
                        ),
                        ..deck_at
                    });
                } else {
                    seen.insert(deck.id.clone(), name.clone());
                    decks.push(deck);
                }
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(decks)
    } else {
        Err(problems)
    }
}

/// A bank file's deck, with where its id stands, or its problems.
type Parsed = Result<(Deck, Problem), Vec<Problem>>;

/// Each file parsed, in the order given: on as many threads as there are cores (at most 8),
/// each taking the next file not yet taken. Parsing is most of a large import's work before
/// it writes (0.9 s of the benchmark's 100 files), and each file stands alone.
fn parse_each(files: &[(String, Vec<u8>)]) -> Vec<Parsed> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(files.len());
    if threads <= 1 {
        return files.iter().map(|(n, b)| parse_file(n, b)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parsed: Vec<(usize, Parsed)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((name, bytes)) = files.get(i) else {
                            return mine;
                        };
                        mine.push((i, parse_file(name, bytes)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a parser thread does not panic"))
            .collect()
    });
    parsed.sort_by_key(|(i, _)| *i);
    parsed.into_iter().map(|(_, p)| p).collect()
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    /// Byte offset where each line starts, so a location is a binary search, not a scan.
    line_starts: Vec<usize>,
    /// The last location found (line index, offset, column): problems come mostly in file
    /// order, so the next column is counted from there, not from the line's start.
    last: std::cell::Cell<(usize, usize, usize)>,
    problems: Vec<Problem>,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a str, text: &'a str) -> Ctx<'a> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Ctx {
            file,
            text,
            line_starts,
            last: std::cell::Cell::new((0, 0, 1)),
            problems: Vec::new(),
        }
    }

    /// The line index (0-based) holding `offset`.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    fn at(&self, offset: usize, question: Option<&str>, message: String) -> Problem {
        let offset = self.text.floor_char_boundary(offset.min(self.text.len()));
        let line = self.line_index(offset);
        let (last_line, last_offset, last_column) = self.last.get();
        let (from, base) = if last_line == line && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (self.line_starts[line], 1)
        };
        let column = base + self.text[from..offset].chars().count();
        self.last.set((line, offset, column));
        Problem {
            file: self.file.to_string(),
            line: line + 1,
            column,
            question: question.map(str::to_string),
            message,
        }
    }
    fn err(&mut self, offset: usize, question: Option<&str>, message: String) {
        let p = self.at(offset, question, message);
        self.problems.push(p);
    }
}

pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Parses one bank file. On success also returns where its deck id stands, for
/// problems found across files.
pub fn parse_file(file: &str, bytes: &[u8]) -> Parsed {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let upto = &bytes[..e.valid_up_to()];
            let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(vec![Problem {
                file: file.to_string(),
                line,
                column: 1,
                question: None,
                message: format!(
                    "not valid UTF-8 (byte {}): save the file as UTF-8",
                    e.valid_up_to()
                ),
            }]);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut cx = Ctx::new(file, text);
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let msg = e.message().trim().replace('\n', " ");
            cx.err(
                e.span().map_or(0, |s| s.start),
                None,
                format!("invalid TOML: {msg}"),
            );
        }
        return Err(cx.problems);
    }
    let root = root.into_inner();
    let mut deck_at = cx.at(0, None, String::new());
    let mut deck = Deck {
        id: String::new(),
        title: String::new(),
        guidance: None,
        minutes: None,
        questions: vec![],
    };
    let mut questions_val = None;
    for (k, v) in root.iter() {
        match k.get_ref().as_ref() {
            "deck" => {
                // Cross-file problems point at the deck's id.
                let id_at = v
                    .get_ref()
                    .as_table()
                    .and_then(|t| t.iter().find(|(k, _)| k.get_ref() == "id"));
                deck_at = cx.at(
                    id_at.map_or(v.span().start, |(_, v)| v.span().start),
                    None,
                    String::new(),
                );
                parse_deck(&mut cx, v, &mut deck);
            }
            "question" => questions_val = Some(v),
            other => cx.err(
                k.span().start,
                None,
                format!("unknown key \"{other}\": the top level has only [deck] and [[question]]"),
            ),
        }
    }
    if !root.iter().any(|(k, _)| k.get_ref() == "deck") {
        cx.err(
            0,
            None,
            "missing [deck] table: add [deck] with id and title".into(),
        );
    }
    match questions_val {
        None => cx.err(
            text.len(),
            None,
            "no questions: add at least one [[question]]".into(),
        ),
        Some(v) => match v.get_ref() {
            DeValue::Array(items) if !items.is_empty() => {
                let mut ids: HashMap<String, usize> = HashMap::new();
                for item in items.iter() {
                    if let Some(q) = parse_question(&mut cx, item, &deck, &mut ids) {
                        deck.questions.push(q);
                    }
                }
            }
            DeValue::Array(_) => cx.err(
                v.span().start,
                None,
                "no questions: add at least one [[question]]".into(),
            ),
            other => cx.err(
                v.span().start,
                None,
                format!(
                    "\"question\" must be an array of tables ([[question]]), not {}",
                    other.type_str()
                ),
            ),
        },
    }
    if cx.problems.is_empty() {
        deck_at.message.clear();
        Ok((deck, deck_at))
    } else {
        Err(cx.problems)
    }
}

fn parse_deck(cx: &mut Ctx, v: &Spanned<DeValue>, deck: &mut Deck) {
    let Some(t) = v.get_ref().as_table() else {
        cx.err(
            v.span().start,
            None,
            format!("[deck] must be a table, not {}", v.get_ref().type_str()),
        );
        return;
    };
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "id" => {
                if let Some(s) = string(cx, v, None, "deck id") {
                    if is_id(&s) {
                        deck.id = s;
                    } else {
                        cx.err(v.span().start, None, format!("deck id \"{s}\" is not kebab-case: use lowercase letters, digits and single hyphens"));
                    }
                }
            }
            "title" => {
                if let Some(s) = nonempty(cx, v, None, "deck title") {
                    deck.title = s;
                }
            }
            "guidance" => deck.guidance = nonempty(cx, v, None, "deck guidance"),
            "minutes" => deck.minutes = minutes(cx, v, None),
            other => cx.err(
                k.span().start,
                None,
                format!(
                    "unknown key \"{other}\" in [deck]: allowed keys are id, title, guidance, minutes"
                ),
            ),
        }
    }
    let start = v.span().start;
    if !t.iter().any(|(k, _)| k.get_ref() == "id") {
        cx.err(start, None, "[deck] has no id: add id = \"my-deck\"".into());
    }
    if !t.iter().any(|(k, _)| k.get_ref() == "title") {
        cx.err(
            start,
            None,
            "[deck] has no title: add title = \"...\"".into(),
        );
    }
}

fn parse_question(
    cx: &mut Ctx,
    item: &Spanned<DeValue>,
    deck: &Deck,
    ids: &mut HashMap<String, usize>,
) -> Option<Question> {
    let start = item.span().start;
    let Some(t) = item.get_ref().as_table() else {
        cx.err(
            start,
            None,
            format!(
                "each question must be a table, not {}",
                item.get_ref().type_str()
            ),
        );
        return None;
    };
    let before = cx.problems.len();
    let id_val = t.iter().find(|(k, _)| k.get_ref() == "id").map(|(_, v)| v);
    // The id as written names the question in every problem, even when it is not valid.
    let written = match id_val {
        None => {
            cx.err(
                start,
                None,
                "question has no id: add id = \"kebab-case-id\"".into(),
            );
            None
        }
        Some(v) => string(cx, v, None, "question id"),
    };
    let id = match (&written, id_val) {
        (Some(s), _) if is_id(s) => Some(s.clone()),
        (Some(s), Some(v)) => {
            cx.err(
                v.span().start,
                Some(s),
                "id is not kebab-case: use lowercase letters, digits and single hyphens".into(),
            );
            None
        }
        _ => None,
    };
    let qid = written.as_deref();
    if let (Some(id), Some(v)) = (id.as_deref(), id_val)
        && let Some(first) = ids.insert(id.to_string(), v.span().start)
    {
        let line = cx.line_index(first) + 1;
        cx.err(
            v.span().start,
            Some(id),
            format!("duplicate id (first used on line {line}): give each question its own id"),
        );
    }
    let mut q = Question {
        id: id.clone().unwrap_or_default(),
        section: deck.title.clone(),
        prompt: String::new(),
        tags: vec![],
        points: vec![],
        red_flags: vec![],
        follow_ups: vec![],
        verified: None,
        minutes: None,
    };
    let mut has_prompt = false;
    let mut points_at = start;
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "id" => {}
            "section" => {
                if let Some(s) = nonempty(cx, v, qid, "section") {
                    q.section = s;
                }
            }
            "prompt" => {
                has_prompt = true;
                if let Some(s) = nonempty(cx, v, qid, "prompt") {
                    q.prompt = s;
                }
            }
            "tags" => q.tags = string_list(cx, v, qid, "tags", false),
            "points" => {
                points_at = v.span().start;
                q.points = point_list(cx, v, qid);
                if q.points.len() > MAX_POINTS {
                    cx.err(
                        v.span().start,
                        qid,
                        format!(
                            "{} points: keep at most {MAX_POINTS} (review labels them a-f)",
                            q.points.len()
                        ),
                    );
                }
            }
            "red_flags" => {
                q.red_flags = string_list(cx, v, qid, "red_flags", true);
                at_most(cx, v, qid, q.red_flags.len(), MAX_RED_FLAGS, "red flags");
            }
            "follow_ups" => {
                q.follow_ups = string_list(cx, v, qid, "follow_ups", true);
                at_most(cx, v, qid, q.follow_ups.len(), MAX_FOLLOW_UPS, "follow-ups");
            }
            "verified" => q.verified = nonempty(cx, v, qid, "verified"),
            "minutes" => q.minutes = minutes(cx, v, qid),
            other => cx.err(
                k.span().start,
                qid,
                format!(
                    "unknown key \"{other}\": allowed keys are id, section, prompt, tags, points, red_flags, follow_ups, verified, minutes"
                ),
            ),
        }
    }
    if cx.problems.len() == before {
        // Counted only over points that parsed: a broken one would miscount.
        musts_check(cx, t, points_at, qid, &q.points);
    }
    if !has_prompt {
        cx.err(start, qid, "no prompt: add prompt = \"...\"".into());
    }
    (cx.problems.len() == before).then_some(q)
}

/// The rubric rule: a question whose points include a table names one or two musts.
fn musts_check(cx: &mut Ctx, t: &DeTable, at: usize, q: Option<&str>, points: &[Point]) {
    let tables = t
        .iter()
        .find(|(k, _)| k.get_ref() == "points")
        .and_then(|(_, v)| v.get_ref().as_array())
        .is_some_and(|a| a.iter().any(|p| p.get_ref().as_table().is_some()));
    let musts = points.iter().filter(|p| p.must).count();
    if tables && !(1..=MAX_MUSTS).contains(&musts) {
        cx.err(
            at,
            q,
            format!(
                "{musts} musts: a question with table points marks 1 or 2 of them must = true (what an answer fails without)"
            ),
        );
    }
}

fn at_most(cx: &mut Ctx, v: &Spanned<DeValue>, q: Option<&str>, n: usize, max: usize, what: &str) {
    if n > max {
        cx.err(v.span().start, q, format!("{n} {what}: keep at most {max}"));
    }
}

fn minutes(cx: &mut Ctx, v: &Spanned<DeValue>, q: Option<&str>) -> Option<u32> {
    let (lo, hi) = (MINUTES.start(), MINUTES.end());
    let DeValue::Integer(i) = v.get_ref() else {
        cx.err(
            v.span().start,
            q,
            format!(
                "minutes must be a whole number from {lo} to {hi}, not {}",
                v.get_ref().type_str()
            ),
        );
        return None;
    };
    match u32::from_str_radix(i.as_str(), i.radix()) {
        Ok(m) if MINUTES.contains(&m) => Some(m),
        _ => {
            cx.err(
                v.span().start,
                q,
                format!("minutes = {i}: use a whole number from {lo} to {hi}"),
            );
            None
        }
    }
}

/// Points: each a plain string (its key is its text) or a `{ key, detail, must }` table.
fn point_list(cx: &mut Ctx, v: &Spanned<DeValue>, q: Option<&str>) -> Vec<Point> {
    let DeValue::Array(items) = v.get_ref() else {
        cx.err(
            v.span().start,
            q,
            format!(
                "points must be an array of strings or {{ key, detail, must }} tables, not {}",
                v.get_ref().type_str()
            ),
        );
        return vec![];
    };
    // Beside table points a plain string is a key too, and keeps a key's length.
    let tables = items.iter().any(|p| p.get_ref().as_table().is_some());
    let mut out = Vec::new();
    for item in items.iter() {
        let point = match item.get_ref() {
            DeValue::Table(t) => point_table(cx, item, t, q),
            _ => nonempty(cx, item, q, "each of points").map(Point::plain),
        };
        if let Some(p) = point.as_ref().filter(|p| tables && p.is_plain()) {
            let n = p.key.chars().count();
            if n > MAX_KEY {
                cx.err(
                    item.span().start,
                    q,
                    format!("a point has {n} characters: beside table points a plain string is a key, so keep it to {MAX_KEY} or make it {{ key, detail }}"),
                );
            }
        }
        if let Some(p) = point {
            if p.key.contains('\n') {
                cx.err(
                    item.span().start,
                    q,
                    "each of points must be one line".into(),
                );
            }
            out.push(p);
        }
    }
    out
}

fn point_table(
    cx: &mut Ctx,
    item: &Spanned<DeValue>,
    t: &DeTable,
    q: Option<&str>,
) -> Option<Point> {
    let before = cx.problems.len();
    let mut p = Point::plain(String::new());
    let mut has_key = false;
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "key" => {
                has_key = true;
                if let Some(s) = nonempty(cx, v, q, "a point's key") {
                    let n = s.chars().count();
                    if n > MAX_KEY {
                        cx.err(
                            v.span().start,
                            q,
                            format!("a point's key has {n} characters: keep it to {MAX_KEY}, a headline, and put the rest in detail"),
                        );
                    }
                    p.key = s;
                }
            }
            "detail" => {
                if let Some(s) = nonempty(cx, v, q, "a point's detail") {
                    let n = s.chars().count();
                    if n > MAX_DETAIL {
                        cx.err(
                            v.span().start,
                            q,
                            format!("a point's detail has {n} characters: keep it to {MAX_DETAIL}, or split the point"),
                        );
                    } else if s.contains('\n') {
                        cx.err(
                            v.span().start,
                            q,
                            "a point's detail must be one line".into(),
                        );
                    }
                    p.detail = Some(s);
                }
            }
            "must" => match v.get_ref() {
                DeValue::Boolean(b) => p.must = *b,
                other => cx.err(
                    v.span().start,
                    q,
                    format!("must must be true or false, not {}", other.type_str()),
                ),
            },
            other => cx.err(
                k.span().start,
                q,
                format!("unknown key \"{other}\" in a point: allowed keys are key, detail, must"),
            ),
        }
    }
    if !has_key {
        cx.err(
            item.span().start,
            q,
            "a point table has no key: add key = \"a headline\"".into(),
        );
    }
    (cx.problems.len() == before).then_some(p)
}

fn string(cx: &mut Ctx, v: &Spanned<DeValue>, q: Option<&str>, what: &str) -> Option<String> {
    match v.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        other => {
            cx.err(
                v.span().start,
                q,
                format!("{what} must be a string, not {}", other.type_str()),
            );
            None
        }
    }
}

fn nonempty(cx: &mut Ctx, v: &Spanned<DeValue>, q: Option<&str>, what: &str) -> Option<String> {
    let s = string(cx, v, q, what)?;
    if s.trim().is_empty() {
        cx.err(
            v.span().start,
            q,
            format!("{what} is empty: write some text"),
        );
        return None;
    }
    Some(s.trim().to_string())
}

fn string_list(
    cx: &mut Ctx,
    v: &Spanned<DeValue>,
    q: Option<&str>,
    what: &str,
    one_line: bool,
) -> Vec<String> {
    let DeValue::Array(items) = v.get_ref() else {
        cx.err(
            v.span().start,
            q,
            format!(
                "{what} must be an array of strings, not {}",
                v.get_ref().type_str()
            ),
        );
        return vec![];
    };
    let mut out = Vec::new();
    for item in items.iter() {
        if let Some(s) = nonempty(cx, item, q, &format!("each of {what}")) {
            if one_line && s.contains('\n') {
                cx.err(
                    item.span().start,
                    q,
                    format!("each of {what} must be one line"),
                );
            }
            out.push(s);
        }
    }
    out
}

/// A deck in the import format, as `rehearse export --format toml` and `import --from-anki`
/// write it; parsing it gives the deck back. Points are plain strings unless they need a
/// table (a detail or a must), and tables are written inline, one a line.
pub fn to_toml(deck: &Deck) -> anyhow::Result<String> {
    #[derive(serde::Serialize)]
    struct File<'a> {
        deck: Head<'a>,
    }
    #[derive(serde::Serialize)]
    struct Head<'a> {
        id: &'a str,
        title: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        guidance: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        minutes: Option<u32>,
    }
    #[derive(serde::Serialize)]
    struct Q<'a> {
        id: &'a str,
        section: &'a str,
        prompt: &'a str,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        tags: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        verified: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        minutes: Option<u32>,
        /// Plain points only: the serializer would turn tables into [[question.points]].
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        points: &'a [Point],
    }
    #[derive(serde::Serialize)]
    struct Rest<'a> {
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        red_flags: &'a [String],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        follow_ups: &'a [String],
    }
    let mut out = toml::to_string_pretty(&File {
        deck: Head {
            id: &deck.id,
            title: &deck.title,
            guidance: deck.guidance.as_deref(),
            minutes: deck.minutes,
        },
    })?;
    for q in &deck.questions {
        let tables = q.points.iter().any(|p| !p.is_plain());
        out.push_str("\n[[question]]\n");
        out.push_str(&toml::to_string_pretty(&Q {
            id: &q.id,
            section: &q.section,
            prompt: &q.prompt,
            tags: &q.tags,
            verified: q.verified.as_deref(),
            minutes: q.minutes,
            points: if tables { &[] } else { &q.points },
        })?);
        if tables {
            out.push_str("points = [\n");
            for p in &q.points {
                out.push_str(&format!("    {},\n", inline_point(p)));
            }
            out.push_str("]\n");
        }
        out.push_str(&toml::to_string_pretty(&Rest {
            red_flags: &q.red_flags,
            follow_ups: &q.follow_ups,
        })?);
    }
    Ok(out)
}

/// A point as TOML: its text, or `{ key = "...", detail = "...", must = true }`.
fn inline_point(p: &Point) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    if p.is_plain() {
        return quote(&p.key);
    }
    let mut parts = vec![format!("key = {}", quote(&p.key))];
    if let Some(d) = &p.detail {
        parts.push(format!("detail = {}", quote(d)));
    }
    if p.must {
        parts.push("must = true".into());
    }
    format!("{{ {} }}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Deck, Vec<String>> {
        parse_file("t.toml", text.as_bytes())
            .map(|(d, _)| d)
            .map_err(|ps| ps.iter().map(|p| p.to_string()).collect())
    }

    const OK: &str = r#"
[deck]
id = "go"
title = "Go"

[[question]]
id = "gmp"
section = "Scheduler"
prompt = "Explain GMP."
tags = ["sched"]
points = ["a", "b", "c"]

[[question]]
id = "gc"
prompt = "Explain the GC."
"#;

    #[test]
    fn parses_a_deck_in_file_order() {
        let d = parse(OK).unwrap();
        assert_eq!(d.id, "go");
        assert_eq!(d.questions.len(), 2);
        assert_eq!(d.questions[0].points, ["a", "b", "c"].map(Point::plain));
        assert_eq!(
            d.questions[1].section, "Go",
            "section defaults to the deck title"
        );
        assert!(d.questions[1].tags.is_empty());
    }

    #[test]
    fn collects_every_problem_with_its_place() {
        let text = OK
            .replace(
                "prompt = \"Explain GMP.\"",
                "prompt = \"  \"\npromt = \"x\"",
            )
            .replace("id = \"gc\"", "id = \"gmp\"")
            .replace("tags = [\"sched\"]", "tags = \"sched\"");
        let errs = parse(&text).unwrap_err();
        assert_eq!(
            errs,
            [
                "t.toml:9:10: question \"gmp\": prompt is empty: write some text",
                "t.toml:10:1: question \"gmp\": unknown key \"promt\": allowed keys are id, section, prompt, tags, points, red_flags, follow_ups, verified, minutes",
                "t.toml:11:8: question \"gmp\": tags must be an array of strings, not string",
                "t.toml:15:6: question \"gmp\": duplicate id (first used on line 7): give each question its own id",
            ]
        );
    }

    #[test]
    fn syntax_errors_and_bad_bytes_are_located() {
        let errs = parse("[deck]\nid = \"x\ntitle = 1\n").unwrap_err();
        assert!(errs[0].starts_with("t.toml:2:"), "{errs:?}");
        assert!(errs[0].contains("invalid TOML"), "{errs:?}");
        let errs = parse_file("b.toml", b"[deck]\nid = \"\xff\"\n").unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "b.toml:2:1: not valid UTF-8 (byte 13): save the file as UTF-8"
        );
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let text = format!("\u{feff}{}", OK.replace('\n', "\r\n"));
        assert_eq!(parse(&text).unwrap(), parse(OK).unwrap());
    }

    #[test]
    fn ids_must_be_kebab_case_and_decks_unique() {
        let errs = parse(&OK.replace("id = \"gc\"", "id = \"g c/x\"")).unwrap_err();
        assert!(
            errs[0].contains("question \"g c/x\": id is not kebab-case"),
            "{errs:?}"
        );
        let files = vec![
            ("a.toml".to_string(), OK.as_bytes().to_vec()),
            ("b.toml".to_string(), OK.as_bytes().to_vec()),
        ];
        let errs = parse_all(&files).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "b.toml:3:6: deck id \"go\" is already used by a.toml: give each deck file its own id"
        );
    }

    #[test]
    fn too_many_points_and_missing_parts() {
        let errs = parse(&OK.replace(
            "[\"a\", \"b\", \"c\"]",
            "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"]",
        ))
        .unwrap_err();
        assert!(
            errs[0].ends_with("7 points: keep at most 6 (review labels them a-f)"),
            "{errs:?}"
        );
        let errs = parse("[deck]\nid = \"x\"\n").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].contains("[deck] has no title"));
        assert!(errs[1].contains("no questions"));
    }

    const RUBRIC: &str = r#"
[deck]
id = "go"
title = "Go"
minutes = 4

[[question]]
id = "gmp"
prompt = "Explain GMP."
verified = "Go 1.26"
minutes = 5
points = [
  { key = "G, M and P", detail = "G = goroutine, M = OS thread, P = logical processor", must = true },
  { key = "Why P exists", detail = "a local run queue per P" },
  "a plain string is still a point",
]
red_flags = ["Says goroutines map 1:1 to OS threads"]
follow_ups = ["What happens to the P when its M blocks?"]
"#;

    #[test]
    fn rubric_fields_parse() {
        let d = parse(RUBRIC).unwrap();
        assert_eq!(d.minutes, Some(4));
        let q = &d.questions[0];
        assert_eq!(
            q.points,
            [
                Point {
                    key: "G, M and P".into(),
                    detail: Some("G = goroutine, M = OS thread, P = logical processor".into()),
                    must: true
                },
                Point {
                    key: "Why P exists".into(),
                    detail: Some("a local run queue per P".into()),
                    must: false
                },
                Point::plain("a plain string is still a point"),
            ]
        );
        assert_eq!(q.red_flags, ["Says goroutines map 1:1 to OS threads"]);
        assert_eq!(q.follow_ups.len(), 1);
        assert_eq!(q.verified.as_deref(), Some("Go 1.26"));
        assert_eq!(q.minutes, Some(5));
        // Written back and read again: the same deck, tables only where needed.
        let text = to_toml(&d).unwrap();
        assert!(
            text.contains("\"a plain string is still a point\",\n"),
            "{text}"
        );
        assert!(text.contains("must = true }"), "{text}");
        assert_eq!(parse(&text).unwrap(), d);
        // A plain bank writes no table at all.
        let plain = parse(OK).unwrap();
        assert!(!to_toml(&plain).unwrap().contains('{'));
        assert_eq!(parse(&to_toml(&plain).unwrap()).unwrap(), plain);
    }

    #[test]
    fn rubric_limits_are_located() {
        let one = |from: &str, to: &str| {
            assert!(RUBRIC.contains(from), "{from}");
            parse(&RUBRIC.replace(from, to)).unwrap_err()
        };
        let long = "k".repeat(61);
        assert_eq!(
            one("key = \"Why P exists\"", &format!("key = \"{long}\"")),
            [
                "t.toml:14:11: question \"gmp\": a point's key has 61 characters: keep it to 60, a headline, and put the rest in detail"
            ]
        );
        let ok_key = "k".repeat(60);
        assert!(parse(&RUBRIC.replace("Why P exists", &ok_key)).is_ok());
        let detail = "d".repeat(201);
        assert_eq!(
            one("a local run queue per P", &detail),
            [
                "t.toml:14:36: question \"gmp\": a point's detail has 201 characters: keep it to 200, or split the point"
            ]
        );
        assert_eq!(
            one(", must = true }", " }"),
            [
                "t.toml:12:10: question \"gmp\": 0 musts: a question with table points marks 1 or 2 of them must = true (what an answer fails without)"
            ]
        );
        assert_eq!(
            one(
                "local run queue per P\" }",
                "local run queue per P\", must = true },\n  { key = \"x\", must = true }"
            ),
            [
                "t.toml:12:10: question \"gmp\": 3 musts: a question with table points marks 1 or 2 of them must = true (what an answer fails without)"
            ]
        );
        assert_eq!(
            one("must = true", "must = \"yes\""),
            ["t.toml:13:96: question \"gmp\": must must be true or false, not string"]
        );
        assert_eq!(
            one("{ key = \"Why P exists\",", "{ kee = \"Why P exists\","),
            [
                "t.toml:14:5: question \"gmp\": unknown key \"kee\" in a point: allowed keys are key, detail, must",
                "t.toml:14:3: question \"gmp\": a point table has no key: add key = \"a headline\"",
            ]
        );
        let flags = format!("red_flags = [{}]", ["\"r\""; 6].join(", "));
        assert_eq!(
            one(
                "red_flags = [\"Says goroutines map 1:1 to OS threads\"]",
                &flags
            ),
            ["t.toml:17:13: question \"gmp\": 6 red flags: keep at most 5"]
        );
        let ups = format!("follow_ups = [{}]", ["\"f\""; 4].join(", "));
        assert_eq!(
            one(
                "follow_ups = [\"What happens to the P when its M blocks?\"]",
                &ups
            ),
            ["t.toml:18:14: question \"gmp\": 4 follow-ups: keep at most 3"]
        );
        assert_eq!(
            one("minutes = 5", "minutes = 61"),
            ["t.toml:11:11: question \"gmp\": minutes = 61: use a whole number from 1 to 60"]
        );
        assert_eq!(
            one("minutes = 4", "minutes = 0"),
            ["t.toml:5:11: minutes = 0: use a whole number from 1 to 60"]
        );
        assert_eq!(
            one("minutes = 5", "minutes = 2.5"),
            [
                "t.toml:11:11: question \"gmp\": minutes must be a whole number from 1 to 60, not float"
            ]
        );
        assert_eq!(
            one("verified = \"Go 1.26\"", "verified = \" \""),
            ["t.toml:10:12: question \"gmp\": verified is empty: write some text"]
        );
        assert_eq!(
            one("minutes = 5", "timebox = 5"),
            [
                "t.toml:11:1: question \"gmp\": unknown key \"timebox\": allowed keys are id, section, prompt, tags, points, red_flags, follow_ups, verified, minutes"
            ]
        );
        assert_eq!(
            one(
                "\"a plain string is still a point\"",
                &format!("\"{}\"", "p".repeat(61))
            ),
            [
                "t.toml:15:3: question \"gmp\": a point has 61 characters: beside table points a plain string is a key, so keep it to 60 or make it { key, detail }"
            ]
        );
        // A plain string point has no length limit and needs no must: the old format holds.
        let plain = RUBRIC
            .replace("{ key = \"G, M and P\", detail = \"G = goroutine, M = OS thread, P = logical processor\", must = true }", &format!("\"{}\"", "p".repeat(300)))
            .replace("{ key = \"Why P exists\", detail = \"a local run queue per P\" }", "\"two\"");
        assert!(parse(&plain).is_ok(), "{:?}", parse(&plain));
    }

    mod fuzz {
        use super::super::*;
        use proptest::prelude::*;

        fn check(bytes: &[u8]) {
            // Never a panic; every problem renders as one located line.
            if let Err(problems) = parse_file("f.toml", bytes) {
                assert!(!problems.is_empty());
                for p in problems {
                    let line = p.to_string();
                    assert!(
                        line.starts_with("f.toml:") && !line.contains('\n'),
                        "{line:?}"
                    );
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]

            #[test]
            fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
                check(&bytes);
            }

            #[test]
            fn arbitrary_text(text in "\\PC{0,2000}") {
                check(text.as_bytes());
            }

            #[test]
            fn mutated_bank_files(
                file in 0..BUILTIN.len(),
                edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0..4u8), 1..24),
            ) {
                let mut bytes = BUILTIN[file].1.as_bytes().to_vec();
                for (pos, b, op) in edits {
                    let i = pos % (bytes.len() + 1);
                    match op {
                        0 if i < bytes.len() => bytes[i] = b,
                        1 => bytes.insert(i, b),
                        2 if i < bytes.len() => { bytes.remove(i); }
                        // TOML's own punctuation is what a parser chokes on
                        _ => bytes.insert(i, b"[]{}=\"'\n#,."[b as usize % 11]),
                    }
                }
                check(&bytes);
            }
        }
    }
}
