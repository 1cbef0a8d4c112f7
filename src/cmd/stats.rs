//! `rehearse stats`: weak areas, forecast and activity at a glance.

use super::{Env, plural};
use crate::cli::StatsArgs;
use crate::screen::{self, Role, Table};
use crate::stats::{self, Area, DayCount, Report};
use anyhow::{Result, bail};
use chrono::{Datelike, Days};
use std::io::Write;

pub fn run(args: &StatsArgs, env: &Env, out: &mut impl Write) -> Result<()> {
    let known = env.store.decks()?;
    for d in &args.decks {
        if !known.iter().any(|k| &k.id == d) {
            let ids: Vec<&str> = known.iter().map(|k| k.id.as_str()).collect();
            bail!("no deck \"{d}\": use one of {}", ids.join(", "));
        }
    }
    let start = stats::window_start(env.today, args.days);
    let rows = env.store.stats_rows(
        &args.decks,
        (
            stats::activity_start(env.today, args.days),
            start,
            env.today,
        ),
    )?;
    let (questions, window) = (&rows.questions, &rows.window);
    let mut missed: Vec<&str> = window
        .iter()
        .filter(|r| !r.missed.is_empty())
        .map(|r| questions[r.question].id.as_str())
        .collect();
    missed.sort_unstable();
    missed.dedup();
    let points = env.store.points_of(&missed)?;
    let report = stats::report(&stats::Input {
        today: env.today,
        days: args.days,
        questions,
        window,
        earlier_activity: &rows.earlier_activity,
        points: &points,
        streak_days: rows.streak_days,
    });
    let leech = env.settings.leech();
    let leeches: Vec<&str> = questions
        .iter()
        .filter(|q| !q.retired && leech.is_leech(q.state.map_or(0, |s| s.lapses)))
        .map(|q| q.id.as_str())
        .collect();
    let plan = env
        .store
        .plan()?
        .map(|p| super::plan::view(&p, env, env.settings.new_per_day.value))
        .transpose()?;
    // Readiness of the plan's questions (of the decks asked for, when given): only with a
    // plan, as it reads every question's last review.
    let readiness = match &plan {
        Some(v) if args.decks.is_empty() => Some(v.readiness.clone()),
        Some(_) => Some(super::plan::readiness(&env.store, &args.decks)?),
        None => None,
    };
    let mocks = env.store.mocks(RECENT_MOCKS)?;
    if args.json {
        // The report, with the leeches, readiness, the plan and recent mocks beside it.
        let mut v = serde_json::to_value(&report)?;
        if let Some(map) = v.as_object_mut() {
            map.insert("leeches".into(), serde_json::json!(leeches));
            map.insert("readiness".into(), serde_json::to_value(&readiness)?);
            map.insert(
                "plan".into(),
                serde_json::to_value(plan.as_ref().map(plan_json))?,
            );
            let mocks: Vec<serde_json::Value> = mocks
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "started": m.started,
                        "day": m.day,
                        "questions": m.grades.len(),
                        "score": crate::mock::score(&m.grades),
                    })
                })
                .collect();
            map.insert("mocks".into(), serde_json::json!(mocks));
        }
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    render(&report, out)?;
    if let (Some(v), Some(r)) = (&plan, &readiness) {
        print_readiness(v, r, !args.decks.is_empty(), out)?;
    }
    print_mocks(&mocks, out)?;
    print_leeches(&leeches, leech.lapses, out)
}

/// How many mocks `stats` lists.
const RECENT_MOCKS: u64 = 5;

fn print_mocks(mocks: &[crate::store::MockRun], out: &mut impl Write) -> Result<()> {
    if mocks.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nRecent mocks (newest first)")?;
    for m in mocks {
        let score = crate::mock::score(&m.grades).unwrap_or(0);
        let n = m.grades.len();
        writeln!(
            out,
            "  {}  {n} question{}  {score}%",
            m.day,
            if n == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}

/// The plan in `stats --json`: where it stands, without the day-by-day load.
fn plan_json(v: &super::plan::View) -> serde_json::Value {
    serde_json::json!({
        "date": v.date,
        "set_on": v.set_on,
        "decks": v.decks,
        "active": v.active,
        "days_left": v.days_left,
        "in_window": v.in_window,
        "new_today": v.new_today,
        "left_unseen": v.left_unseen,
    })
}

fn print_readiness(
    plan: &super::plan::View,
    r: &super::plan::Readiness,
    narrowed: bool,
    out: &mut impl Write,
) -> Result<()> {
    writeln!(out)?;
    for line in super::plan::summary(plan) {
        writeln!(out, "{}", screen::wrap(&line, "", ""))?;
    }
    if narrowed {
        let line = format!("Of the decks shown: {} of {} ready.", r.ready, r.questions);
        writeln!(out, "{}", screen::wrap(&line, "", ""))?;
    }
    writeln!(out, "{}", super::plan::readiness_table(r))?;
    Ok(())
}

/// The leeches by id, after the report.
fn print_leeches(ids: &[&str], lapses: u64, out: &mut impl Write) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nLeeches ({} with {lapses}+ lapses; `rehearse list --leeches`):",
        ids.len()
    )?;
    for id in ids {
        writeln!(out, "  {id}")?;
    }
    Ok(())
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

/// An overview line: its label, then text wrapped under the text.
fn line(out: &mut impl Write, label: &str, text: &str) -> Result<()> {
    writeln!(
        out,
        "{}",
        screen::wrap(text, &format!("  {label:<11} "), &" ".repeat(14))
    )?;
    Ok(())
}

fn render(r: &Report, out: &mut impl Write) -> Result<()> {
    let o = &r.overview;
    let q = &o.questions;
    writeln!(out, "Overview, {}", r.today)?;
    line(
        out,
        "questions",
        &format!(
            "{} new, {} learning, {} young, {} mature, {} retired",
            q.new, q.learning, q.young, q.mature, q.retired
        ),
    )?;
    line(
        out,
        "due",
        &format!(
            "{} today, {} tomorrow, {} within 7 days",
            o.due.today, o.due.tomorrow, o.due.week
        ),
    )?;
    line(
        out,
        "reviews",
        &format!(
            "{} today ({}); streak {}",
            o.reviews_today,
            plural(o.drills_today, "drill answer", "drill answers"),
            plural(o.streak_days, "day", "days")
        ),
    )?;
    if o.retention_reviews == 0 {
        line(
            out,
            "retention",
            &format!(
                "no reviews yet in the last {}",
                plural(r.days, "day", "days")
            ),
        )?;
    } else {
        line(
            out,
            "retention",
            &format!(
                "{} of {} in the last {} graded 3+",
                pct(o.retention_passes, o.retention_reviews),
                plural(o.retention_reviews, "review", "reviews"),
                plural(r.days, "day", "days")
            ),
        )?;
        line(
            out,
            "answer time",
            &format!("{} median", secs(o.median_answer_ms)),
        )?;
    }

    for (title, areas, with_section) in [
        ("Weak areas by deck", &r.decks, false),
        ("Weak areas by section", &r.sections, true),
    ] {
        writeln!(out, "\n{title} (weakest first)")?;
        let name = if with_section { "section" } else { "deck" };
        let mut t = Table::new(&[
            name,
            "questions",
            "seen",
            "due",
            "mean EF",
            "lapses",
            "retention",
            "answer",
            "weakness",
        ])
        .short(&[
            name, "qs", "seen", "due", "EF", "lapses", "kept", "time", "weak",
        ]);
        for a in areas.iter() {
            t.row(area_row(a, with_section));
        }
        writeln!(out, "{}", t.render(screen::width()))?;
    }

    writeln!(out, "\nWeakest questions")?;
    if r.weakest_questions.is_empty() {
        writeln!(out, "  none: no question has lapsed or lost EF")?;
    } else {
        let mut t = Table::new(&["question", "section", "lapses", "EF", "interval", "due"])
            .short(&["question", "section", "lapses", "EF", "ivl", "due"])
            .left(1);
        for w in &r.weakest_questions {
            t.row(vec![
                w.id.clone(),
                w.section.clone(),
                w.lapses.to_string(),
                ef(w.ef_milli as u64, 1),
                format!("{}d", w.interval),
                w.due.to_string(),
            ]);
        }
        writeln!(out, "{}", t.render(screen::width()))?;
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
            let first = format!(
                "  {:>3}x  {} {} ",
                m.missed,
                screen::escape_line(&m.question),
                screen::paint(Role::Key, &format!("{})", m.label))
            );
            writeln!(out, "{}", screen::wrap(&m.point, &first, "        "))?;
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

/// Horizontal bars, scaled so the longest is 40 cells (less when the width is smaller).
fn bars(days: &[DayCount], out: &mut impl Write) -> Result<()> {
    let max = days.iter().map(|d| d.count).max().unwrap_or(0).max(1);
    // "  Mon 03-02 12345  " takes 19 columns before the bar.
    let longest = screen::room(19, 40) as u64;
    for d in days {
        let len = (d.count * longest).div_ceil(max) as usize;
        let line = format!(
            "  {} {:>5}  {}",
            d.date.format("%a %m-%d"),
            d.count,
            screen::paint(Role::Bar, &"█".repeat(len))
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
    let mut grid = vec![vec![(' ', 0u8); weeks]; 7];
    for d in days {
        let offset = (d.date - monday).num_days() as usize;
        grid[offset % 7][offset / 7] = shade(d.count, max);
    }
    // "  Mon " takes 6 columns; a narrow screen shows the latest weeks.
    let skip = weeks - screen::room(6, weeks);
    for (i, name) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .enumerate()
    {
        let row = &grid[i][skip..];
        let end = row.iter().rposition(|c| c.0 != ' ').map_or(0, |p| p + 1);
        let cells: String = row[..end]
            .iter()
            .map(|&(c, level)| match level {
                0 => c.to_string(),
                l => screen::paint(Role::Heat(l), &c.to_string()),
            })
            .collect();
        writeln!(out, "  {name} {cells}")?;
    }
    let key: Vec<String> = (1..=4)
        .map(|l| {
            screen::paint(
                Role::Heat(l),
                &['░', '▒', '▓', '█'][l as usize - 1].to_string(),
            )
        })
        .collect();
    writeln!(
        out,
        "      · none  {} more (max {max} a day)",
        key.join(" ")
    )?;
    Ok(())
}

/// The shade of a day and its level (0: none, 1-4: light to full).
fn shade(count: u64, max: u64) -> (char, u8) {
    if count == 0 || max == 0 {
        return ('·', 0);
    }
    match (count * 4).div_ceil(max) {
        0 | 1 => ('░', 1),
        2 => ('▒', 2),
        3 => ('▓', 3),
        _ => ('█', 4),
    }
}
