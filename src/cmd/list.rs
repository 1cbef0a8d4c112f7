//! `rehearse list`: one line a question, narrowed by filters; or the decks, sections and tags
//! the filters accept, with counts.

use super::Env;
use crate::cli::{ListArgs, ListWhat};
use crate::config::Leech;
use crate::screen;
use crate::stats::MATURE_DAYS;
use crate::store::{Card, Names};
use anyhow::{Result, bail};
use chrono::NaiveDate;
use serde::Serialize;
use std::io::Write;

pub fn run(args: &ListArgs, env: &Env, out: &mut impl Write) -> Result<()> {
    let names = match args.what {
        ListWhat::Questions => None,
        ListWhat::Decks => Some(Names::Decks),
        ListWhat::Sections => Some(Names::Sections),
        ListWhat::Tags => Some(Names::Tags),
    };
    let f = &args.filter;
    let filter = super::resolve_filter(&env.store, &f.decks, &f.sections, &f.tags)?;
    if let Some(kind) = names {
        let narrowed = !f.sections.is_empty()
            || !f.tags.is_empty()
            || args.search.is_some()
            || args.due
            || args.new
            || args.suspended
            || args.leeches;
        if narrowed {
            bail!("list decks, sections and tags take only --deck (and --json)");
        }
        let mut names = env.store.names(kind, &filter.decks)?;
        if kind == Names::Decks && !args.json {
            // Beside each id, the deck's title.
            let decks = env.store.decks()?;
            for (id, _) in &mut names {
                if let Some(d) = decks.iter().find(|d| d.id == *id) {
                    *id = format!("{id:<24} {}", d.title);
                }
            }
        }
        return print_names(&names, args.json, out);
    }
    let leech = env.settings.leech();
    if args.leeches && leech.lapses == 0 {
        bail!("leeches are off (leech_lapses = 0): set leech_lapses in the config file");
    }
    let search = args.search.as_deref().map(str::to_lowercase);
    let cards: Vec<Card> = env
        .store
        .cards(&filter)?
        .into_iter()
        .filter(|c| {
            search.as_deref().is_none_or(|s| {
                c.question.id.to_lowercase().contains(s)
                    || c.question.prompt.to_lowercase().contains(s)
            })
        })
        .filter(|c| {
            let lapses = c.state.as_ref().map_or(0, |s| s.lapses);
            (!args.due || (!c.suspended && c.state.as_ref().is_some_and(|s| s.due <= env.today)))
                && (!args.new || (!c.suspended && c.state.is_none()))
                && (!args.suspended || c.suspended)
                && (!args.leeches || leech.is_leech(lapses))
        })
        .collect();
    if args.json {
        let items: Vec<Item> = cards.iter().map(|c| item(c, leech)).collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)?;
        return Ok(());
    }
    if cards.is_empty() {
        let f = &args.filter;
        let narrowed = !f.decks.is_empty()
            || !f.sections.is_empty()
            || !f.tags.is_empty()
            || args.search.is_some();
        let why = match (narrowed, args.due, args.new, args.suspended, args.leeches) {
            (true, ..) => "No question matches these filters.".to_string(),
            (_, true, ..) => {
                "No question is due today (`rehearse review --ahead` studies ahead).".to_string()
            }
            (_, _, true, ..) => "No new question is left: every one has been reviewed.".into(),
            (_, _, _, true, _) => "No question is suspended.".into(),
            (_, _, _, _, true) if leech.lapses == 0 => {
                "Leeches are off (leech_lapses = 0 in the config).".into()
            }
            (_, _, _, _, true) => {
                format!("No leech: no question has {} lapses or more.", leech.lapses)
            }
            _ => {
                "No question is in the bank yet: `rehearse import` brings the built-in one.".into()
            }
        };
        writeln!(out, "{why}")?;
        return Ok(());
    }
    let mut list = screen::List::new(3);
    for c in &cards {
        let m = marks(c, leech, env.today).join(",");
        let role = if c.suspended || leech.is_leech(c.state.as_ref().map_or(0, |s| s.lapses)) {
            screen::Role::Late
        } else if c.state.is_none() {
            screen::Role::Good
        } else {
            screen::Role::Heading
        };
        list.row(vec![
            c.question.id.as_str().into(),
            screen::Cell::painted(role, m),
            one_line(&c.question.prompt).into(),
        ]);
    }
    writeln!(out, "{}", list.render(screen::width()))?;
    Ok(())
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    deck: &'a str,
    section: &'a str,
    prompt: &'a str,
    tags: &'a [String],
    state: &'static str,
    due: Option<NaiveDate>,
    lapses: u64,
    suspended: bool,
    leech: bool,
}

fn item(c: &Card, leech: Leech) -> Item<'_> {
    let lapses = c.state.as_ref().map_or(0, |s| s.lapses);
    Item {
        id: &c.question.id,
        deck: &c.question.deck_id,
        section: &c.question.section,
        prompt: &c.question.prompt,
        tags: &c.question.tags,
        state: state_name(c),
        due: c.state.as_ref().map(|s| s.due),
        lapses,
        suspended: c.suspended,
        leech: leech.is_leech(lapses),
    }
}

/// new, learning (fewer than two passing reviews in a row), young or mature, as stats counts
/// them; retired when it is out of the bank.
pub fn state_name(c: &Card) -> &'static str {
    match &c.state {
        _ if c.question.retired => "retired",
        None => "new",
        Some(s) if s.n < 2 => "learning",
        Some(s) if s.interval < MATURE_DAYS => "young",
        Some(_) => "mature",
    }
}

/// The state in short, then what else marks the question: due, suspended, leech.
pub fn marks(c: &Card, leech: Leech, today: NaiveDate) -> Vec<&'static str> {
    let mut m = vec![state_name(c)];
    if c.state.as_ref().is_some_and(|s| s.due <= today) && !c.suspended && !c.question.retired {
        m.push("due");
    }
    if c.suspended {
        m.push("suspended");
    }
    if leech.is_leech(c.state.as_ref().map_or(0, |s| s.lapses)) {
        m.push("leech");
    }
    m
}

fn print_names(names: &[(String, u64)], json: bool, out: &mut impl Write) -> Result<()> {
    if json {
        #[derive(Serialize)]
        struct Name<'a> {
            name: &'a str,
            questions: u64,
        }
        let items: Vec<Name> = names
            .iter()
            .map(|(n, c)| Name {
                name: n,
                questions: *c,
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)?;
        return Ok(());
    }
    if names.is_empty() {
        writeln!(out, "Nothing matches: no question is in the bank yet.")?;
    }
    for (name, count) in names {
        writeln!(out, "{count:>5}  {}", one_line(name))?;
    }
    Ok(())
}

/// Text on one line: line breaks and tabs become spaces; other control and bidi characters
/// are shown escaped (`\u{1b}`), never sent to the terminal.
pub fn one_line(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect();
    screen::escape_line(&flat).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_flattens_text() {
        assert_eq!(one_line("a\nb\tc\u{7}\u{202e}"), "a b c\\u{7}\\u{202e}");
    }
}
