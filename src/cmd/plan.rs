//! `rehearse plan DATE [--deck D ...]`, `plan`, `plan --clear`: the interview plan
//! (interview.md). Also what review and stats ask of the plan for today.

use super::Env;
use crate::cli::PlanArgs;
use crate::plan::{self, Candidate, DayLoad, Plan};
use crate::screen::{self, Role, Table};
use crate::store::DeckCounts;
use anyhow::{Result, bail};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

/// How far ahead a date may be: the daily load lists every day until it.
const MAX_DAYS_AHEAD: i64 = 3650;

pub fn run(args: &PlanArgs, env: &mut Env, out: &mut impl Write) -> Result<()> {
    if args.clear {
        let had = env.store.clear_plan()?;
        let text = if had {
            "Plan cleared: scheduling is plain SM-2 again (nothing to repair)."
        } else {
            "No plan to clear."
        };
        writeln!(out, "{text}")?;
        return Ok(());
    }
    if let Some(given) = &args.date {
        let date = parse_date(given, env.today)?;
        // Checks the deck ids and names the known ones when one is wrong.
        super::resolve_filter(&env.store, &args.decks, &[], &[])?;
        let mut decks = args.decks.clone();
        decks.sort();
        decks.dedup();
        let p = Plan {
            date,
            set_on: env.today,
            decks,
        };
        env.store.set_plan(&p)?;
        if !args.json {
            writeln!(out, "Plan set: interview on {date}.")?;
        }
    } else if !args.decks.is_empty() {
        bail!("--deck goes with a date: rehearse plan YYYY-MM-DD --deck D");
    }
    // In the window, the day's deal is kept (as the first review of the day keeps it), so that
    // the load is drawn from it instead of ranking every seen question at each `plan`.
    if let Some(p) = env.store.plan()?
        && p.in_window(env.today)
        && env.store.kept_window(&p, env.today)?.is_none()
    {
        let today = env.today;
        env.store.deal_and_keep(&p, today, |s| deal(s, &p, today))?;
    }
    let view = env.store.read(|s| {
        s.plan()?
            .map(|p| view(&p, env, env.settings.new_per_day.value))
            .transpose()
    })?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "plan": view }))?;
        writeln!(out)?;
        return Ok(());
    }
    match view {
        None => writeln!(
            out,
            "No plan: set one with `rehearse plan YYYY-MM-DD [--deck D ...]` (the interview date)."
        )?,
        Some(v) => render(&v, out)?,
    }
    Ok(())
}

fn parse_date(given: &str, today: NaiveDate) -> Result<NaiveDate> {
    let Ok(date) = NaiveDate::parse_from_str(given, "%Y-%m-%d") else {
        bail!("\"{given}\" is not a date: give the interview date as YYYY-MM-DD");
    };
    if date <= today {
        bail!("the interview date {date} is not after today ({today}): give a later date");
    }
    if (date - today).num_days() > MAX_DAYS_AHEAD {
        bail!(
            "the interview date {date} is more than {MAX_DAYS_AHEAD} days away: give a nearer date"
        );
    }
    Ok(date)
}

/// What the plan means for today's review: the new limit at the plan's pace, the questions
/// whose final day is today, and how many the cap leaves unseen.
pub struct Today {
    pub plan: Plan,
    pub days_left: u64,
    pub new_limit: u64,
    pub finals: Vec<String>,
    pub left_unseen: u64,
}

/// The active plan's effect on today, or None (no plan, or its date has come). `keep`: the
/// day's deal may be kept in the database (the first review of the day deals it; later ones
/// read it).
pub fn today(env: &mut Env, configured: u64, keep: bool) -> Result<Option<Today>> {
    let Some(p) = env.store.plan()? else {
        return Ok(None);
    };
    if !p.is_active(env.today) {
        return Ok(None);
    }
    let (_, unseen, _) = counts(&env.store, &p, env.today)?;
    let today = env.today;
    let finals = if p.in_window(today) {
        let dealt = match env.store.plan_deal(&p, today)? {
            Some(kept) => kept,
            None if keep => env.store.deal_and_keep(&p, today, |s| deal(s, &p, today))?,
            None => deal(&env.store, &p, today)?,
        };
        // Those reviewed today are done with the window.
        let reviewed = env.store.reviewed_on(today)?;
        dealt
            .today
            .into_iter()
            .filter(|id| !reviewed.contains(id))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Some(Today {
        new_limit: plan::new_limit(configured, &p, env.today, unseen),
        left_unseen: plan::left_unseen(&p, env.today, unseen),
        finals,
        days_left: p.days_left(env.today),
        plan: p,
    }))
}

/// Deals the day from every seen question of the plan.
fn deal(store: &crate::store::Store, p: &Plan, today: NaiveDate) -> Result<plan::Deal> {
    Ok(plan::make_deal(p, today, &store.plan_candidates(p, today)?))
}

/// The plan's decks' counts, and of their questions how many were unseen at the start of today
/// and how many seen before it.
fn counts(
    store: &crate::store::Store,
    p: &Plan,
    today: NaiveDate,
) -> Result<(Vec<DeckCounts>, u64, u64)> {
    let decks = store.deck_counts(&p.decks)?;
    let first_today = store.plan_introduced_today(p, today)?;
    let states: u64 = decks.iter().map(|d| d.states).sum();
    let never: u64 = decks
        .iter()
        .map(|d| d.questions - d.states.min(d.questions))
        .sum();
    Ok((
        decks,
        never + first_today,
        states.saturating_sub(first_today),
    ))
}

/// The line review and `plan` print when the cap leaves questions unseen.
pub fn unseen_warning(left: u64, date: NaiveDate) -> String {
    format!(
        "Even at {} new a day, {left} of the plan's questions will not be seen before {date}: narrow the decks (rehearse plan {date} --deck D ...).",
        plan::MAX_PACE
    )
}

#[derive(Clone, Serialize)]
pub struct DeckReady {
    pub deck: String,
    pub ready: u64,
    pub questions: u64,
}

#[derive(Clone, Serialize)]
pub struct Readiness {
    pub ready: u64,
    pub questions: u64,
    pub decks: Vec<DeckReady>,
}

/// The plan as `plan`, `plan --json` and `stats` show it.
#[derive(Serialize)]
pub struct View {
    pub date: NaiveDate,
    pub set_on: NaiveDate,
    /// Empty: all decks.
    pub decks: Vec<String>,
    pub active: bool,
    pub days_left: u64,
    pub window_days: u64,
    pub window_start: NaiveDate,
    pub in_window: bool,
    /// Today's new-question limit under the plan.
    pub new_today: u64,
    /// The plan's questions never reviewed (as of the start of today).
    pub unseen: u64,
    /// Questions the 50-a-day cap leaves unseen before the date.
    pub left_unseen: u64,
    pub readiness: Readiness,
    /// Every day from today to the eve of the date.
    pub load: Vec<DayLoad>,
}

/// Readiness of the questions of `decks` (all when empty), per deck in bank order.
pub fn readiness(store: &crate::store::Store, decks: &[String]) -> Result<Readiness> {
    Ok(readiness_of(&store.deck_counts(decks)?))
}

/// Readiness from the decks' counts: those with active questions.
fn readiness_of(counts: &[DeckCounts]) -> Readiness {
    let decks: Vec<DeckReady> = counts
        .iter()
        .filter(|d| d.questions > 0)
        .map(|d| DeckReady {
            deck: d.deck_id.clone(),
            ready: d.ready,
            questions: d.questions,
        })
        .collect();
    Readiness {
        ready: decks.iter().map(|d| d.ready).sum(),
        questions: decks.iter().map(|d| d.questions).sum(),
        decks,
    }
}

pub fn view(p: &Plan, env: &Env, configured: u64) -> Result<View> {
    let store = &env.store;
    let today = env.today;
    let active = p.is_active(today);
    let (decks, unseen, seen) = counts(store, p, today)?;
    let load = if active {
        let due: HashMap<NaiveDate, u64> = store
            .plan_due_counts(p, today, p.date)?
            .into_iter()
            .collect();
        // In the window, each day's finals: from the day's kept deal and today's reviews, or,
        // when none is kept, dealt again from every seen question.
        let finals = if !p.in_window(today) {
            HashMap::new()
        } else if let Some(days) = store.kept_window(p, today)? {
            plan::finals_left(&days, &store.plan_reviewed_today(p, today)?)
        } else {
            let candidates = store.plan_candidates(p, today)?;
            let reviewed: Vec<Candidate> = candidates
                .iter()
                .filter(|c| c.reviewed_today)
                .cloned()
                .collect();
            plan::finals_left(&plan::make_deal(p, today, &candidates).days, &reviewed)
        };
        plan::daily_load(p, today, configured, unseen, &due, seen, &finals)
    } else {
        Vec::new()
    };
    Ok(View {
        date: p.date,
        set_on: p.set_on,
        decks: p.decks.clone(),
        active,
        days_left: p.days_left(today),
        window_days: p.window(),
        window_start: p.window_start(),
        in_window: p.in_window(today),
        new_today: if active {
            plan::new_limit(configured, p, today, unseen)
        } else {
            0
        },
        unseen,
        left_unseen: plan::left_unseen(p, today, unseen),
        readiness: readiness_of(&decks),
        load,
    })
}

fn pct(ready: u64, of: u64) -> String {
    (ready * 100)
        .checked_div(of)
        .map_or("-".into(), |p| format!("{p}%"))
}

/// The lines that say where the plan stands: used by `plan` and `stats`.
pub fn summary(v: &View) -> Vec<String> {
    let decks = if v.decks.is_empty() {
        "all decks".to_string()
    } else {
        v.decks.join(", ")
    };
    let mut lines = Vec::new();
    if !v.active {
        lines.push(format!(
            "Interview on {} ({decks}): the date has passed, so the plan is inactive and scheduling is plain SM-2. Set a new date (rehearse plan YYYY-MM-DD) or remove it (rehearse plan --clear).",
            v.date
        ));
    } else {
        let s = if v.days_left == 1 { "" } else { "s" };
        lines.push(format!(
            "Interview on {} ({decks}): {} day{s} left, counting today. Final window: the last {} day{} (from {}){}.",
            v.date,
            v.days_left,
            v.window_days,
            if v.window_days == 1 { "" } else { "s" },
            v.window_start,
            if v.in_window { ", under way" } else { "" }
        ));
        lines.push(format!(
            "New questions today: {} ({} of the plan's never seen).",
            v.new_today, v.unseen
        ));
        if v.left_unseen > 0 {
            lines.push(unseen_warning(v.left_unseen, v.date));
        }
    }
    let r = &v.readiness;
    lines.push(format!(
        "Ready: {} of {} ({}): at least two reviews, the last graded 4 or 5.",
        r.ready,
        r.questions,
        pct(r.ready, r.questions)
    ));
    lines
}

/// Readiness per deck as a table.
pub fn readiness_table(r: &Readiness) -> String {
    let mut t = Table::new(&["deck", "ready", "questions", "share"]);
    for d in &r.decks {
        t.row(vec![
            d.deck.clone(),
            d.ready.to_string(),
            d.questions.to_string(),
            pct(d.ready, d.questions),
        ]);
    }
    t.render(screen::width())
}

fn render(v: &View, out: &mut impl Write) -> Result<()> {
    for line in summary(v) {
        writeln!(out, "{}", screen::wrap(&line, "", ""))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", readiness_table(&v.readiness))?;
    if v.load.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "Daily load until the date (new + due + final), as things stand today:"
    )?;
    load_bars(&v.load, v.window_start, out)
}

/// One bar a day, scaled so the longest is 40 cells (less when the width is smaller).
fn load_bars(load: &[DayLoad], window_start: NaiveDate, out: &mut impl Write) -> Result<()> {
    let max = load.iter().map(DayLoad::total).max().unwrap_or(0).max(1);
    // "  Mon 03-02  123 +  45 +  6 W " takes 30 columns before the bar.
    let longest = screen::room(30, 40) as u64;
    for d in load {
        let len = (d.total() * longest).div_ceil(max) as usize;
        let mark = if d.day >= window_start { "W" } else { " " };
        let line = format!(
            "  {} {:>4} +{:>4} +{:>4} {mark} {}",
            d.day.format("%a %m-%d"),
            d.new,
            d.due,
            d.finals,
            screen::paint(Role::Bar, &"█".repeat(len))
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(out, "  (W: a day of the final window)")?;
    Ok(())
}
