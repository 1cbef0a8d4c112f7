//! Anki interop, the pure part: the "Notes in Plain Text" file that Anki's Import File reads
//! (one note a question, each rehearse deck its own subdeck), and reading such a file that
//! Anki exported back into decks for a bank.

use crate::backup;
use crate::bank::{self, Deck, Point, Question};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The deck every exported note lands in is `rehearse::<deck title>`: a bare numeric name
/// (a deck called `2024`) would be read by Anki as a deck id, and the note skipped.
pub const DECK_PREFIX: &str = "rehearse::";
pub const RETIRED_TAG: &str = "rehearse::retired";

/// The header lines: Anki reads them instead of asking (Import File takes them as they are).
pub const HEADERS: &str =
    "#separator:tab\n#html:true\n#notetype:Basic\n#guid column:1\n#tags column:4\n#deck column:5\n";

/// Text as an HTML field: `& < >` escaped, line breaks as `<br>`, tabs and runs of spaces
/// kept as non-breaking spaces, and `code spans` in `<code>`. Quotes stay as they are, so
/// Anki's search finds a word with an apostrophe.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push_str("<br>");
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut in_code = false;
        // A backtick opens a span only when another closes it on the same line.
        let ticks = line.matches('`').count();
        let mut ticks_left = ticks;
        let mut prev_space = true; // a space at the start of a line would be collapsed
        for c in line.chars() {
            match c {
                '`' if in_code || ticks_left >= 2 => {
                    ticks_left -= 1;
                    in_code = !in_code;
                    out.push_str(if in_code { "<code>" } else { "</code>" });
                    prev_space = false;
                    continue;
                }
                '`' => {
                    ticks_left -= 1;
                    out.push('`');
                }
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\t' => out.push_str("&nbsp;&nbsp;&nbsp;&nbsp;"),
                ' ' if prev_space => out.push_str("&nbsp;"),
                c => out.push(c),
            }
            prev_space = c == ' ' || c == '\t';
        }
        if in_code {
            out.push_str("</code>");
        }
    }
    out
}

/// A field as Anki's reader takes it: quoted (quotes doubled) when it holds a quote or the
/// separator; `html` never leaves a tab or a line break in it.
fn field(s: &str) -> String {
    if s.contains(['\t', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A tag Anki keeps as written: spaces (which separate tags) become `_`, nothing else changes,
/// so "API: v1" and "API v1" stay two tags and `C++` stays `C++`.
pub fn tag(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("_")
}

/// One note a question, retired ones too (tagged `rehearse::retired`, so the note that Anki
/// already has is marked rather than left due with nothing said).
pub fn write_notes(decks: &[backup::Deck], questions: &[backup::Question]) -> String {
    let by_id: HashMap<&str, &backup::Deck> = decks.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut out = String::from(HEADERS);
    for q in questions {
        let deck = by_id.get(q.deck.as_str());
        let back = if q.points.is_empty() {
            let g = deck
                .and_then(|d| d.guidance.as_deref())
                .map(|g| format!("{g}\n"))
                .unwrap_or_default();
            format!("{g}Check all three layers: definition, mechanism, real-world trade-off.")
        } else {
            q.points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let must = if p.must { " (must)" } else { "" };
                    let detail = p
                        .detail
                        .as_ref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default();
                    format!("{}) {}{must}{detail}", crate::points::label(i), p.key)
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut tags = vec![
            format!("{DECK_PREFIX}{}", q.deck),
            format!("{DECK_PREFIX}{}::{}", q.deck, tag(&q.section)),
        ];
        for t in &q.tags {
            let t = format!("{DECK_PREFIX}{}", tag(t));
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        if q.retired {
            tags.push(RETIRED_TAG.to_string());
        }
        let title = deck.map_or(q.deck.as_str(), |d| d.title.as_str());
        let row = [
            field(&format!("rehearse:{}", q.id)),
            field(&html(&q.prompt)),
            field(&html(&back)),
            field(&tags.join(" ")),
            field(&format!("{DECK_PREFIX}{}", tag_free_deck(title))),
        ];
        let _ = writeln!(out, "{}", row.join("\t"));
    }
    out
}

/// A deck name for Anki: `::` would nest it, so a title's own `::` becomes `:`.
fn tag_free_deck(title: &str) -> String {
    title.replace("::", ":")
}

/// HTML as plain text: line-breaking elements become line breaks, `<code>` becomes a code
/// span, other tags are dropped, and entities are decoded.
pub fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                out.push_str(rest);
                rest = "";
                break;
            };
            let inner = rest[1..end].trim();
            let name: String = inner
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let closing = inner.starts_with('/');
            match name.as_str() {
                "br" | "div" | "p" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "pre"
                    if !(out.ends_with('\n') || out.is_empty() || closing && name == "br") =>
                {
                    out.push('\n');
                }
                "code" | "tt" | "kbd" => out.push('`'),
                _ => {}
            }
            rest = &rest[end + 1..];
        } else {
            let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 10);
            let decoded = end.and_then(|e| entity(&rest[1..e]));
            match (end, decoded) {
                (Some(e), Some(c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    // A closing block element at the end is no line of its own.
    let kept = out.trim_end_matches('\n').len();
    out.truncate(kept);
    out
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "rarr" => '→',
        "larr" => '←',
        "times" => '×',
        "middot" => '·',
        "bull" => '•',
        n if n.starts_with("#x") || n.starts_with("#X") => {
            char::from_u32(u32::from_str_radix(&n[2..], 16).ok()?)?
        }
        n if n.starts_with('#') => char::from_u32(n[1..].parse().ok()?)?,
        _ => return None,
    })
}

/// What the header lines of an Anki text file say.
#[derive(Debug, PartialEq, Eq)]
pub struct Headers {
    pub separator: u8,
    pub html: bool,
    /// 0-based columns.
    pub guid: Option<usize>,
    pub deck: Option<usize>,
    pub notetype: Option<usize>,
    pub tags: Option<usize>,
    /// `#deck:NAME` and `#tags:...`, for notes without a column of their own.
    pub default_deck: Option<String>,
    pub default_tags: Vec<String>,
    /// Lines the headers took.
    pub lines: usize,
}

/// A problem in an Anki file, located by line.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

pub fn headers(text: &str) -> Result<Headers, Problem> {
    let mut h = Headers {
        separator: b'\t',
        html: false,
        guid: None,
        deck: None,
        notetype: None,
        tags: None,
        default_deck: None,
        default_tags: Vec::new(),
        lines: 0,
    };
    for (i, line) in text.lines().enumerate() {
        let Some(body) = line.strip_prefix('#') else {
            break;
        };
        h.lines = i + 1;
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let column = || -> Result<usize, Problem> {
            match value.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n - 1),
                _ => Err(Problem {
                    line: i + 1,
                    message: format!("#{key}:{value} is not a column number (1 or more)"),
                }),
            }
        };
        match key.trim() {
            "separator" => {
                h.separator = match value.to_ascii_lowercase().as_str() {
                    "tab" => b'\t',
                    "comma" => b',',
                    "semicolon" => b';',
                    "space" => b' ',
                    "pipe" => b'|',
                    "colon" => b':',
                    v if v.len() == 1 => v.as_bytes()[0],
                    _ => {
                        return Err(Problem {
                            line: i + 1,
                            message: format!(
                                "#separator:{value} is not a separator: use Tab, Comma, Semicolon, Space, Pipe, Colon or one character"
                            ),
                        });
                    }
                }
            }
            "html" => h.html = value.eq_ignore_ascii_case("true"),
            "guid column" => h.guid = Some(column()?),
            "deck column" => h.deck = Some(column()?),
            "notetype column" => h.notetype = Some(column()?),
            "tags column" => h.tags = Some(column()?),
            "deck" => h.default_deck = Some(value.to_string()),
            "tags" => h.default_tags = value.split_whitespace().map(str::to_string).collect(),
            // #notetype, #columns, #if matches: nothing rehearse needs.
            _ => {}
        }
    }
    Ok(h)
}

/// One note of the file, its fields as plain text.
#[derive(Debug, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    pub guid: Option<String>,
    pub deck: String,
    pub front: String,
    pub back: String,
    pub tags: Vec<String>,
}

/// Reads every note (Anki's own reader is the csv crate: the same quoting rules).
pub fn notes(text: &str) -> Result<Vec<Note>, Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let h = headers(text).map_err(|p| vec![p])?;
    let body_start: usize = text.split_inclusive('\n').take(h.lines).map(str::len).sum();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(h.separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text.as_bytes()[body_start..]);
    let as_text = |s: &str| -> String {
        if h.html {
            plain(s)
        } else {
            s.replace("\r\n", "\n")
        }
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize) + h.lines;
                problems.push(Problem {
                    line,
                    message: format!("cannot read this note: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize) + h.lines;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let special = [h.guid, h.deck, h.notetype, h.tags];
        let fields: Vec<&str> = record
            .iter()
            .enumerate()
            .filter(|(i, _)| !special.contains(&Some(*i)))
            .map(|(_, f)| f)
            .collect();
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::trim);
        let front = as_text(fields.first().copied().unwrap_or(""))
            .trim()
            .to_string();
        if front.is_empty() {
            problems.push(Problem {
                line,
                message: "the note's front is empty: a question needs a prompt".into(),
            });
            continue;
        }
        let mut tags: Vec<String> = h.default_tags.clone();
        tags.extend(
            get(h.tags)
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_string),
        );
        out.push(Note {
            line,
            guid: get(h.guid).filter(|g| !g.is_empty()).map(str::to_string),
            deck: get(h.deck)
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .or_else(|| h.default_deck.clone())
                .unwrap_or_else(|| "Default".into()),
            front,
            back: as_text(fields.get(1).copied().unwrap_or("")),
            tags,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Lowercase letters, digits and single hyphens, from any text.
pub fn kebab(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A stable 64-bit FNV-1a hash, for ids that do not change from one conversion to the next.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// A back's lines as points: list labels (`a)`, `1.`, `-`, `•`) dropped, empty lines skipped;
/// past six, the rest joins the sixth, so nothing is lost.
pub fn points(back: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in back.lines() {
        let mut l = line.trim();
        for bullet in ["- ", "* ", "• ", "– "] {
            if let Some(r) = l.strip_prefix(bullet) {
                l = r.trim_start();
            }
        }
        if let Some((label, r)) = l.split_once([')', '.'])
            && !label.is_empty()
            && label.len() <= 2
            && label.chars().all(|c| c.is_ascii_alphanumeric())
            && r.starts_with(' ')
        {
            l = r.trim_start();
        }
        if l.is_empty() {
            continue;
        }
        if out.len() == bank::MAX_POINTS {
            let last = out.last_mut().expect("six points");
            last.push_str("; ");
            last.push_str(l);
        } else {
            out.push(l.to_string());
        }
    }
    out
}

/// The notes as decks, in the order decks first appear; notes tagged `rehearse::retired`
/// are left out. A note that rehearse exported keeps
/// its deck and question id (from its guid `rehearse:<deck>/<id>`) and its section (from its
/// `rehearse::<deck>::<section>` tag); any other note gets `anki-<hash of its guid>` (of its
/// front when it has no guid), so a second conversion gives the same ids.
pub fn decks(notes: &[Note]) -> Vec<Deck> {
    let mut decks: Vec<Deck> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // A question rehearse retired stays out of the bank.
    for n in notes
        .iter()
        .filter(|n| !n.tags.iter().any(|t| t == RETIRED_TAG))
    {
        let ours = n
            .guid
            .as_deref()
            .and_then(|g| g.strip_prefix("rehearse:"))
            .and_then(|g| g.split_once('/'))
            .filter(|(d, q)| bank::is_id(d) && bank::is_id(q));
        let title = n
            .deck
            .strip_prefix(DECK_PREFIX)
            .unwrap_or(&n.deck)
            .to_string();
        let deck_id = match ours {
            Some((d, _)) => d.to_string(),
            None => match kebab(&title) {
                k if k.is_empty() => "anki".to_string(),
                k => k,
            },
        };
        let qid = match ours {
            Some((_, q)) => q.to_string(),
            None => format!("anki-{:016x}", fnv(n.guid.as_deref().unwrap_or(&n.front))),
        };
        let section_tag = format!("{DECK_PREFIX}{deck_id}::");
        let section = n
            .tags
            .iter()
            .find_map(|t| t.strip_prefix(&section_tag))
            .map(|s| s.replace('_', " "))
            .unwrap_or_else(|| title.rsplit("::").next().unwrap_or(&title).to_string());
        let tags: Vec<String> = n
            .tags
            .iter()
            .filter(|t| !t.starts_with(&section_tag) && **t != format!("{DECK_PREFIX}{deck_id}"))
            .map(|t| t.strip_prefix(DECK_PREFIX).unwrap_or(t).to_string())
            .collect();
        let d = *index.entry(deck_id.clone()).or_insert_with(|| {
            decks.push(Deck {
                id: deck_id.clone(),
                title: title.clone(),
                guidance: None,
                minutes: None,
                questions: Vec::new(),
            });
            decks.len() - 1
        });
        let q = Question {
            id: qid.clone(),
            section,
            prompt: n.front.clone(),
            tags,
            points: points(&n.back).into_iter().map(Point::plain).collect(),
            red_flags: vec![],
            follow_ups: vec![],
            verified: None,
            minutes: None,
        };
        // The same note twice: the later one wins, in the earlier one's place.
        match seen.get(&format!("{deck_id}/{qid}")) {
            Some(&at) => decks[d].questions[at] = q,
            None => {
                seen.insert(format!("{deck_id}/{qid}"), decks[d].questions.len());
                decks[d].questions.push(q);
            }
        }
    }
    decks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_what_anki_would_lose() {
        assert_eq!(html("a & b < c > d"), "a &amp; b &lt; c &gt; d");
        assert_eq!(html("it's \"quoted\""), "it's \"quoted\"");
        assert_eq!(html("two\nlines"), "two<br>lines");
        assert_eq!(html("a\tb"), "a&nbsp;&nbsp;&nbsp;&nbsp;b");
        assert_eq!(html("a  b"), "a &nbsp;b");
        assert_eq!(html("    indented"), "&nbsp;&nbsp;&nbsp;&nbsp;indented");
        assert_eq!(html("use `x < y` here"), "use <code>x &lt; y</code> here");
        assert_eq!(html("a lone ` tick"), "a lone ` tick");
    }

    #[test]
    fn plain_reverses_html() {
        for s in [
            "a & b < c > d",
            "it's \"quoted\"",
            "two\nlines",
            "use `x < y` here",
            "a lone ` tick",
        ] {
            assert_eq!(plain(&html(s)), s, "{s}");
        }
        assert_eq!(plain("a<br/>b<div>c</div>"), "a\nb\nc");
        assert_eq!(plain("&#39;&#x27;&eacute;&amp;"), "''&eacute;&");
        assert_eq!(plain("<b>bold</b> &nbsp;x"), "bold  x");
    }

    #[test]
    fn tags_keep_their_characters() {
        assert_eq!(tag("API: v1"), "API:_v1");
        assert_eq!(tag("API v1"), "API_v1");
        assert_eq!(tag("C++"), "C++");
        assert_eq!(
            tag("Goroutines, Scheduler & the GMP Model"),
            "Goroutines,_Scheduler_&_the_GMP_Model"
        );
    }

    #[test]
    fn points_come_from_the_back_lines() {
        assert_eq!(
            points("a) one\n\n- two\n3. three\n• four"),
            ["one", "two", "three", "four"]
        );
        let many = (1..=8)
            .map(|i| format!("p{i}"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(points(&many), ["p1", "p2", "p3", "p4", "p5", "p6; p7; p8"]);
        assert_eq!(points("e.g. this stays"), ["e.g. this stays"]);
    }
}
