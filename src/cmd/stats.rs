//! `rehearse stats`: weak areas, forecast and activity at a glance.

use super::{Env, plural};
use crate::cli::StatsArgs;
use crate::stats::{self, Area, DayCount, Report};
use anyhow::{Result, bail};
use chrono::{Datelike, Days};
use comfy_table::{CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::io::Write;

pub fn run(args: &StatsArgs, env: &Env, out: &mut impl Write) -> Result<()> {
    let known = env.store.decks()?;
    for d in &args.decks {
        if !known.iter().any(|k| &k.id == d) {
            let ids: Vec<&str> = known.iter().map(|k| k.id.as_str()).collect();
            bail!("no deck \"{d}\": use one of {}", ids.join(", "));
        }
    }
    let questions = env.store.question_stats(&args.decks)?;
    let index: rustc_hash::FxHashMap<&str, (usize, bool)> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), (i, !q.retired)))
        .collect();
    let start = stats::window_start(env.today, args.days);
    let window = env
        .store
        .window_rows(start, env.today, |id| index.get(id).copied())?;
    let earlier_activity = env.store.activity(
        stats::activity_start(env.today, args.days),
        start,
        &args.decks,
    )?;
    let mut missed: Vec<&str> = window
        .iter()
        .filter(|r| !r.missed.is_empty())
        .map(|r| questions[r.question].id.as_str())
        .collect();
    missed.sort_unstable();
    missed.dedup();
    let points = env.store.points_of(&missed)?;
    let streak_days = env.store.streak(env.today, &args.decks)?;
    let report = stats::report(&stats::Input {
        today: env.today,
        days: args.days,
        questions: &questions,
        window: &window,
        earlier_activity: &earlier_activity,
        points: &points,
        streak_days,
    });
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    render(&report, out)
}

/// `part` of `whole` as a whole percentage, rounded half up from the counts.
fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{}%", stats::rounded(part, whole, 100))
}

/// Milliseconds as whole seconds, rounded half up.
fn secs(ms: Option<u64>) -> String {
    ms.map_or("-".into(), |ms| format!("{}s", stats::rounded(ms, 1000, 1)))
}

/// An EF sum over `count` (in thousandths) to 2 decimals, rounded half up once.
fn ef(sum_milli: u64, count: u64) -> String {
    if count == 0 {
        return "-".into();
    }
    let hundredths = stats::rounded(sum_milli, count * 10, 1);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    for i in 1..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn render(r: &Report, out: &mut impl Write) -> Result<()> {
    let o = &r.overview;
    let q = &o.questions;
    writeln!(out, "Overview, {}", r.today)?;
    writeln!(
        out,
        "  questions   {} new, {} learning, {} young, {} mature, {} retired",
        q.new, q.learning, q.young, q.mature, q.retired
    )?;
    writeln!(
        out,
        "  due         {} today, {} tomorrow, {} within 7 days",
        o.due.today, o.due.tomorrow, o.due.week
    )?;
    writeln!(
        out,
        "  reviews     {} today ({}); streak {}",
        o.reviews_today,
        plural(o.drills_today, "drill answer", "drill answers"),
        plural(o.streak_days, "day", "days")
    )?;
    if o.retention_reviews == 0 {
        writeln!(
            out,
            "  retention   no reviews yet in the last {}",
            plural(r.days, "day", "days")
        )?;
    } else {
        writeln!(
            out,
            "  retention   {} of {} in the last {} graded 3+",
            pct(o.retention_passes, o.retention_reviews),
            plural(o.retention_reviews, "review", "reviews"),
            plural(r.days, "day", "days")
        )?;
        writeln!(out, "  answer time {} median", secs(o.median_answer_ms))?;
    }

    for (title, areas, with_section) in [
        ("Weak areas by deck", &r.decks, false),
        ("Weak areas by section", &r.sections, true),
    ] {
        writeln!(out, "\n{title} (weakest first)")?;
        let mut head = vec![if with_section { "section" } else { "deck" }];
        head.extend([
            "questions",
            "seen",
            "due",
            "mean EF",
            "lapses",
            "retention",
            "answer",
            "weakness",
        ]);
        let mut t = table(&head);
        for a in areas.iter() {
            t.add_row(area_row(a, with_section));
        }
        writeln!(out, "{t}")?;
    }

    writeln!(out, "\nWeakest questions")?;
    if r.weakest_questions.is_empty() {
        writeln!(out, "  none: no question has lapsed or lost EF")?;
    } else {
        let mut t = table(&["question", "section", "lapses", "EF", "interval", "due"]);
        if let Some(c) = t.column_mut(1) {
            c.set_cell_alignment(CellAlignment::Left);
        }
        for w in &r.weakest_questions {
            t.add_row(vec![
                w.id.clone(),
                w.section.clone(),
                w.lapses.to_string(),
                ef(w.ef_milli as u64, 1),
                format!("{}d", w.interval),
                w.due.to_string(),
            ]);
        }
        writeln!(out, "{t}")?;
    }

    writeln!(
        out,
        "\nMost-missed points, last {} (from letter grading)",
        plural(r.days, "day", "days")
    )?;
    if r.most_missed_points.is_empty() {
        writeln!(
            out,
            "  none yet: type the letters of the points you covered when you grade"
        )?;
    } else {
        for m in &r.most_missed_points {
            writeln!(
                out,
                "  {:>3}x  {} {}) {}",
                m.missed, m.question, m.label, m.point
            )?;
        }
    }

    writeln!(out, "\nDue in the next 14 days")?;
    bars(&r.forecast, out)?;
    writeln!(
        out,
        "\nReviews per day since {}",
        r.activity.first().map_or(r.today, |d| d.date)
    )?;
    heat_map(&r.activity, out)?;
    Ok(())
}

fn area_row(a: &Area, with_section: bool) -> Vec<String> {
    let name = if with_section { &a.section } else { &a.deck };
    let mut row = vec![name.clone()];
    row.extend([
        a.questions.to_string(),
        a.seen.to_string(),
        a.due.to_string(),
        ef(a.ef_sum_milli, a.seen),
        a.lapses.to_string(),
        pct(a.retention_passes, a.retention_reviews),
        secs(a.median_answer_ms),
        a.weakness.to_string(),
    ]);
    row
}

/// Horizontal bars, scaled so the longest is 40 cells.
fn bars(days: &[DayCount], out: &mut impl Write) -> Result<()> {
    let max = days.iter().map(|d| d.count).max().unwrap_or(0).max(1);
    for d in days {
        let len = (d.count * 40).div_ceil(max) as usize;
        let line = format!(
            "  {} {:>5}  {}",
            d.date.format("%a %m-%d"),
            d.count,
            "█".repeat(len)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// A calendar: one row per weekday, one column per week, shaded by reviews that day.
fn heat_map(days: &[DayCount], out: &mut impl Write) -> Result<()> {
    let Some(first) = days.first() else {
        return Ok(());
    };
    let max = days.iter().map(|d| d.count).max().unwrap_or(0);
    let monday = first.date - Days::new(first.date.weekday().num_days_from_monday() as u64);
    let weeks = days
        .last()
        .map_or(1, |l| (l.date - monday).num_days() / 7 + 1) as usize;
    let mut grid = vec![vec![' '; weeks]; 7];
    for d in days {
        let offset = (d.date - monday).num_days() as usize;
        grid[offset % 7][offset / 7] = shade(d.count, max);
    }
    for (i, name) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .enumerate()
    {
        writeln!(
            out,
            "  {name} {}",
            grid[i].iter().collect::<String>().trim_end()
        )?;
    }
    writeln!(out, "      · none  ░ ▒ ▓ █ more (max {max} a day)")?;
    Ok(())
}

fn shade(count: u64, max: u64) -> char {
    if count == 0 || max == 0 {
        return '·';
    }
    match (count * 4).div_ceil(max) {
        0 | 1 => '░',
        2 => '▒',
        3 => '▓',
        _ => '█',
    }
}
