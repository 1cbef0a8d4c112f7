//! The screen: the one place that knows the terminal. Commands format through it and never
//! write escape codes or measure widths themselves.
//!
//! - [`init`] once at start: the colour choice and the width are fixed for the run.
//! - [`width`]: the line width, or `None` for "do not wrap" (a pipe with no `COLUMNS`).
//! - [`wrap`] / [`wrap_to`]: word wrapping with a first-line and a hanging prefix; bank text is
//!   escaped on the way ([`escape`]), so a control character never reaches the terminal.
//! - [`fit`]: one line cut to a width with an ellipsis.
//! - [`paint`] with a [`Role`]: styled text when colour is on (`--color always`, or `auto` on
//!   a terminal without `NO_COLOR`, or `CLICOLOR_FORCE`), plain text otherwise; every role
//!   also reads without colour. Any `Write` will do for the output.
//! - [`Table`]: a table that fits the width; [`List`]: one line a row, the last column cut.
//! - [`room`]: how many columns a picture (bars, a calendar) may take.
//! - [`keys`]: single-key input on a terminal, lines from a pipe.

pub mod keys;
mod list;
mod table;

pub use list::{Cell, List};
pub use table::Table;

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::OnceLock;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `--color`: when to style the output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it)
    #[default]
    Auto,
    Always,
    Never,
}

impl std::fmt::Display for ColorWhen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ColorWhen::Auto => "auto",
            ColorWhen::Always => "always",
            ColorWhen::Never => "never",
        })
    }
}

struct Settings {
    colour: bool,
    width: Option<usize>,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// The narrowest width wrapping aims for: below it, lines simply run over.
const MIN_WIDTH: usize = 20;

/// Fixes the colour choice and the width for this run. Later calls change nothing.
pub fn init(color: ColorWhen) {
    SETTINGS.get_or_init(|| Settings {
        colour: match color {
            // NO_COLOR, CLICOLOR_FORCE, CLICOLOR, TERM and whether stdout is a terminal.
            ColorWhen::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
            ColorWhen::Always => true,
            ColorWhen::Never => false,
        },
        width: detect_width(
            std::env::var("COLUMNS").ok().as_deref(),
            std::io::stdout().is_terminal(),
        ),
    });
}

fn settings() -> &'static Settings {
    SETTINGS.get_or_init(|| Settings {
        colour: false,
        width: None,
    })
}

/// `COLUMNS` when it is a number, else the terminal's width when stdout is one, else none.
fn detect_width(columns: Option<&str>, tty: bool) -> Option<usize> {
    if let Some(n) = columns.and_then(|c| c.trim().parse::<usize>().ok())
        && n > 0
    {
        return Some(n.max(MIN_WIDTH));
    }
    if tty {
        return crossterm::terminal::size()
            .ok()
            .map(|(w, _)| usize::from(w))
            .filter(|&w| w > 0)
            .map(|w| w.max(MIN_WIDTH));
    }
    None
}

/// The width lines are wrapped to; `None`: no wrapping.
pub fn width() -> Option<usize> {
    settings().width
}

/// The columns left after `used` for a picture that would like `want`: `want` with no
/// width, else what the width leaves, at least 1.
pub fn room(used: usize, want: usize) -> usize {
    match width() {
        Some(w) => w.saturating_sub(used).clamp(1, want.max(1)),
        None => want,
    }
}

/// What a piece of text is, for its colour. Every role also reads without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The question itself.
    Prompt,
    /// The letter of a point, a key to press.
    Key,
    /// The grade legend and other help text.
    Legend,
    /// A point's detail under its key: there to read, not to check.
    Detail,
    /// A red flag: a misconception that fails an answer.
    Flag,
    /// Deck and section in a header.
    Heading,
    /// A question that is late, or keeps failing.
    Late,
    /// A new question, a saved grade.
    Good,
    /// Bars of a chart.
    Bar,
    /// The heat map's shades, from light (1) to full (4).
    Heat(u8),
}

fn style(role: Role) -> anstyle::Style {
    use anstyle::{AnsiColor, Style};
    let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match role {
        Role::Prompt => Style::new().bold(),
        Role::Key => fg(AnsiColor::Cyan).bold(),
        Role::Legend | Role::Detail => Style::new().dimmed(),
        Role::Flag => fg(AnsiColor::Red),
        Role::Heading => fg(AnsiColor::Blue),
        Role::Late => fg(AnsiColor::Yellow),
        Role::Good => fg(AnsiColor::Green),
        Role::Bar => fg(AnsiColor::Cyan),
        Role::Heat(n) => match n {
            0 | 1 => fg(AnsiColor::Green).dimmed(),
            2 => fg(AnsiColor::Green),
            3 => fg(AnsiColor::BrightGreen),
            _ => fg(AnsiColor::BrightGreen).bold(),
        },
    }
}

/// `text` styled for `role` when colour is on; as it is otherwise.
pub fn paint(role: Role, text: &str) -> String {
    paint_if(settings().colour, role, text)
}

fn paint_if(on: bool, role: Role, text: &str) -> String {
    if !on || text.is_empty() {
        return text.to_string();
    }
    let s = style(role);
    format!("{s}{text}{s:#}")
}

/// Bidirectional controls: they reorder what follows on the line (U+202E shows text reversed).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Bank text made safe for a terminal: control characters (ESC, NUL, ...) and bidirectional
/// controls are shown as `\u{1b}`; line breaks stay.
pub fn escape(s: &str) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\n') || is_bidi_control(c);
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if bad(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`escape`], for text that must stay on one line: a line break shows as `\n`.
pub fn escape_line(s: &str) -> Cow<'_, str> {
    match escape(s) {
        Cow::Borrowed(b) if !b.contains('\n') => Cow::Borrowed(b),
        e => Cow::Owned(e.replace('\n', "\\n")),
    }
}

/// How many columns `s` takes on a terminal, ignoring styling.
pub fn visible_width(s: &str) -> usize {
    if s.contains('\x1b') {
        anstream::adapter::strip_str(s).to_string().width()
    } else {
        s.width()
    }
}

/// [`wrap_to`] at the run's [`width`].
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    wrap_to(text, width(), first, rest)
}

/// `text` (escaped) as lines of at most `width` columns: the first starts with `first`, the
/// others with `rest` (a hanging indent). Words are never cut unless one alone is wider than
/// the line. The prefixes may be styled. With no width, each line of the text is one line.
/// The result has no final line break.
pub fn wrap_to(text: &str, width: Option<usize>, first: &str, rest: &str) -> String {
    wrap_styled_to(&escape(text), width, first, rest)
}

/// [`wrap`] for text that is already escaped (with [`escape`]) and may carry styling from
/// [`paint`]: it is not escaped again, and styling takes no room.
pub fn wrap_styled(text: &str, first: &str, rest: &str) -> String {
    wrap_styled_to(text, width(), first, rest)
}

fn wrap_styled_to(text: &str, width: Option<usize>, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut prefix = first;
    for (i, para) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            prefix = rest;
        }
        let Some(width) = width else {
            out.push_str(prefix);
            out.push_str(para.trim_end());
            continue;
        };
        let mut line_w = visible_width(prefix);
        out.push_str(prefix);
        let mut empty = true;
        for word in para.split_whitespace() {
            let w = visible_width(word);
            if !empty && line_w + 1 + w > width {
                out.push('\n');
                out.push_str(rest);
                line_w = visible_width(rest);
                empty = true;
            }
            if !empty {
                out.push(' ');
                line_w += 1;
            }
            let room = width.saturating_sub(line_w);
            if w > room && room > 0 && !word.contains('\x1b') {
                // A word wider than the line: cut it, the only case that does.
                for c in word.chars() {
                    let cw = c.width().unwrap_or(0);
                    if line_w + cw > width && !empty {
                        out.push('\n');
                        out.push_str(rest);
                        line_w = visible_width(rest);
                    }
                    out.push(c);
                    line_w += cw;
                    empty = false;
                }
            } else {
                out.push_str(word);
                line_w += w;
            }
            empty = false;
        }
    }
    out
}

/// One line of `text` (escaped) cut to `width` columns with an ellipsis; whole with no width.
pub fn fit(text: &str, width: Option<usize>) -> String {
    let text = escape_line(text);
    let Some(width) = width else {
        return text.into_owned();
    };
    if text.width() <= width {
        return text.into_owned();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// Puts the terminal back as it was (cooked mode); safe to call at any time, from any thread.
pub fn restore() {
    keys::restore();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_line(s: &str) -> usize {
        s.lines().map(visible_width).max().unwrap_or(0)
    }

    #[test]
    fn wraps_at_words_with_a_hanging_indent() {
        let t = "G = goroutine; M = OS thread; P = logical processor holding the resources";
        let w = wrap_to(t, Some(30), "  a) ", "     ");
        assert_eq!(
            w,
            "  a) G = goroutine; M = OS\n     thread; P = logical\n     processor holding the\n     resources"
        );
        assert!(max_line(&w) <= 30);
    }

    #[test]
    fn no_width_keeps_whole_lines() {
        let t = "one two three\nfour";
        assert_eq!(wrap_to(t, None, "> ", "  "), "> one two three\n  four");
    }

    #[test]
    fn only_a_word_wider_than_the_line_is_cut() {
        let w = wrap_to("ab cdefghijklmnopqrstuvwxyz ok", Some(10), "", "");
        assert_eq!(w, "ab\ncdefghijkl\nmnopqrstuv\nwxyz ok");
    }

    #[test]
    fn styled_prefixes_are_measured_without_their_codes() {
        let first = format!("  {} ", paint_if(true, Role::Key, "a)"));
        assert!(first.contains('\x1b'));
        let w = wrap_to("aaaa bbbb cccc", Some(12), &first, "     ");
        assert_eq!(
            anstream::adapter::strip_str(&w).to_string(),
            "  a) aaaa\n     bbbb\n     cccc"
        );
    }

    #[test]
    fn wide_characters_count_double() {
        let w = wrap_to("日本語 日本語", Some(8), "", "");
        assert_eq!(w, "日本語\n日本語");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape("a\x1b[2Jb\0c\u{202e}d\te"),
            "a\\u{1b}[2Jb\\u{0}c\\u{202e}d\\te"
        );
        assert_eq!(escape("plain\nlines"), "plain\nlines");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_line("a\nb\u{7f}"), "a\\nb\\u{7f}");
        assert_eq!(
            wrap_to("x\x1b]0;pwn\x07", Some(40), "", ""),
            "x\\u{1b}]0;pwn\\u{7}"
        );
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("hello world", Some(8)), "hello w…");
        assert_eq!(fit("hello  world", Some(7)), "hello…");
        assert_eq!(fit("hello", Some(8)), "hello");
        assert_eq!(fit("hello world", None), "hello world");
        assert_eq!(fit("a\x1bb", None), "a\\u{1b}b");
    }

    #[test]
    fn width_from_columns_then_terminal_then_none() {
        assert_eq!(detect_width(Some("60"), false), Some(60));
        assert_eq!(detect_width(Some("5"), false), Some(MIN_WIDTH));
        assert_eq!(detect_width(Some("abc"), false), None);
        assert_eq!(detect_width(Some("0"), false), None);
        assert_eq!(detect_width(None, false), None);
    }
}
