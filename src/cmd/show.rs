//! `rehearse show ID`: one question whole: its text and points, its SM-2 state, and every row
//! of its history.

use super::Env;
use super::list::{marks, one_line};
use crate::backup::Log;
use crate::cli::ShowArgs;
use crate::points;
use crate::screen;
use crate::store::{Card, StateRow, Store};
use anyhow::{Result, bail};
use serde::Serialize;
use std::io::Write;

pub fn run(args: &ShowArgs, env: &Env, out: &mut impl Write) -> Result<()> {
    let id = find(&env.store, &args.id)?;
    let Some(card) = env.store.card(&id)? else {
        bail!("no question \"{id}\"");
    };
    let history = env.store.history(&id)?;
    let leech = env.settings.leech();
    let lapses = card.state.as_ref().map_or(0, |s| s.lapses);
    if args.json {
        #[derive(Serialize)]
        struct State<'a> {
            n: u32,
            ef_milli: u32,
            interval: u64,
            due: chrono::NaiveDate,
            introduced: chrono::NaiveDate,
            last_review: &'a str,
            lapses: u64,
        }
        #[derive(Serialize)]
        struct Shown<'a> {
            id: &'a str,
            deck: &'a str,
            deck_title: &'a str,
            section: &'a str,
            prompt: &'a str,
            tags: &'a [String],
            points: &'a [points::Point],
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            red_flags: &'a [String],
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            follow_ups: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            verified: Option<&'a str>,
            /// The time box in force: the question's, else its deck's.
            #[serde(skip_serializing_if = "Option::is_none")]
            minutes: Option<u32>,
            guidance: Option<&'a str>,
            state: Option<State<'a>>,
            suspended: bool,
            retired: bool,
            leech: bool,
            history: &'a [Log],
        }
        let q = &card.question;
        let shown = Shown {
            id: &q.id,
            deck: &q.deck_id,
            deck_title: &card.deck_title,
            section: &q.section,
            prompt: &q.prompt,
            tags: &q.tags,
            points: &q.points,
            red_flags: &q.red_flags,
            follow_ups: &q.follow_ups,
            verified: q.verified.as_deref(),
            minutes: q.minutes.or(card.deck_minutes),
            guidance: card.guidance.as_deref(),
            state: card.state.as_ref().map(|s| State {
                n: s.n,
                ef_milli: s.ef_milli,
                interval: s.interval,
                due: s.due,
                introduced: s.introduced,
                last_review: &s.last_review,
                lapses: s.lapses,
            }),
            suspended: card.suspended,
            retired: q.retired,
            leech: leech.is_leech(lapses),
            history: &history,
        };
        serde_json::to_writer_pretty(&mut *out, &shown)?;
        writeln!(out)?;
        return Ok(());
    }
    print_card(&card, &marks(&card, leech, env.today).join(", "), out)?;
    let musts: Vec<bool> = card.question.points.iter().map(|p| p.must).collect();
    print_history(&history, &musts, out)
}

/// The full id `given` names: itself, or the one question whose part after the deck it is.
fn find(store: &Store, given: &str) -> Result<String> {
    if store.has_question(given)? {
        return Ok(given.to_string());
    }
    let short = given.rsplit_once('/').map_or(given, |(_, q)| q);
    match store.ids_ending(short)?.as_slice() {
        [one] if !given.contains('/') => Ok(one.clone()),
        [] | [_] => bail!(
            "no question \"{given}\": `rehearse list --search TEXT` finds ids (deck/question)"
        ),
        many => bail!(
            "\"{given}\" is a question of several decks ({}): give the full id",
            many.join(", ")
        ),
    }
}

fn print_card(card: &Card, marks: &str, out: &mut impl Write) -> Result<()> {
    let q = &card.question;
    writeln!(out, "{}  ({marks})", q.id)?;
    writeln!(
        out,
        "Deck:     {} ({})",
        one_line(&card.deck_title),
        q.deck_id
    )?;
    writeln!(out, "Section:  {}", one_line(&q.section))?;
    if !q.tags.is_empty() {
        writeln!(out, "Tags:     {}", one_line(&q.tags.join(", ")))?;
    }
    if let Some(v) = &q.verified {
        writeln!(out, "Verified: {}", one_line(v))?;
    }
    if let Some(m) = q.minutes.or(card.deck_minutes) {
        let whose = if q.minutes.is_some() {
            ""
        } else {
            " (the deck's)"
        };
        writeln!(out, "Time box: {m} min{whose}")?;
    }
    writeln!(out, "State:    {}", state_line(card.state.as_ref()))?;
    writeln!(out, "\n{}\n", screen::wrap(&q.prompt, "", ""))?;
    if q.points.is_empty() {
        match &card.guidance {
            Some(g) => writeln!(
                out,
                "{}",
                screen::wrap(&format!("No key points; the deck's guidance: {g}"), "", "")
            )?,
            None => writeln!(out, "No key points.")?,
        }
    } else {
        writeln!(out, "Points:")?;
        for (i, p) in q.points.iter().enumerate() {
            let must = if p.must { " (must)" } else { "" };
            writeln!(out, "  {}) {}{must}", points::label(i), one_line(&p.key))?;
            if let Some(d) = &p.detail {
                writeln!(out, "     {}", one_line(d))?;
            }
        }
    }
    for (title, list) in [("Red flags", &q.red_flags), ("Follow-ups", &q.follow_ups)] {
        if !list.is_empty() {
            writeln!(out, "{title}:")?;
            for (i, s) in list.iter().enumerate() {
                writeln!(out, "  {}. {}", i + 1, one_line(s))?;
            }
        }
    }
    Ok(())
}

fn state_line(s: Option<&StateRow>) -> String {
    match s {
        None => "new: never reviewed".to_string(),
        Some(s) => format!(
            "EF {:.2}, interval {} day{}, due {}; {} pass{} in a row, {} lapse{}; first reviewed {}",
            f64::from(s.ef_milli) / 1000.0,
            s.interval,
            if s.interval == 1 { "" } else { "s" },
            s.due,
            s.n,
            if s.n == 1 { "" } else { "es" },
            s.lapses,
            if s.lapses == 1 { "" } else { "s" },
            s.introduced,
        ),
    }
}

fn print_history(history: &[Log], musts: &[bool], out: &mut impl Write) -> Result<()> {
    if history.is_empty() {
        writeln!(out, "\nHistory: none yet.")?;
        return Ok(());
    }
    writeln!(
        out,
        "\nHistory ({} row{}):",
        history.len(),
        if history.len() == 1 { "" } else { "s" }
    )?;
    for l in history {
        let after = match (l.kind.as_str(), l.after.due) {
            ("review", Some(d)) => format!("  next due {d} ({} d)", l.after.interval),
            ("mock", Some(d)) if l.before.due.is_some_and(|b| b != d) => {
                format!("  due brought forward to {d}")
            }
            _ => "  schedule unchanged".to_string(),
        };
        let missed = match &l.missed {
            Some(m) if !m.is_empty() => {
                let labels: String = m.iter().map(|&i| points::label(i)).collect();
                let must: String = points::musts_missed(m, musts)
                    .into_iter()
                    .map(points::label)
                    .collect();
                if must.is_empty() {
                    format!("  missed {labels}")
                } else {
                    format!("  missed {labels} (must {must})")
                }
            }
            Some(_) => "  all points covered".to_string(),
            None => String::new(),
        };
        let flags = match &l.red_flags {
            Some(f) if !f.is_empty() => {
                let n: Vec<String> = f.iter().map(|i| format!("!{}", i + 1)).collect();
                format!("  red flag {}", n.join(" "))
            }
            _ => String::new(),
        };
        writeln!(
            out,
            "  {}  {:<6}  grade {}  {:>6.1} s{after}{missed}{flags}",
            l.day,
            l.kind,
            l.grade,
            l.answer_ms as f64 / 1000.0
        )?;
    }
    Ok(())
}
