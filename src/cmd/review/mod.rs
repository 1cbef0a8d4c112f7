//! `rehearse review`: the daily session: single keys on a terminal, lines from a pipe.
//! Every grade is saved the moment it is given (log row and state in one transaction).

pub(crate) mod frame;
mod queue;
mod session;

use super::{Env, plural};
use crate::cli::ReviewArgs;
use crate::screen::{self, keys};
use crate::store::{Filter, Store};
use anyhow::{Result, bail};
use chrono::NaiveDate;
use queue::Queue;
use serde::Serialize;
use session::Session;
use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub fn run(
    args: &ReviewArgs,
    env: &mut Env,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<()> {
    let f = &args.filter;
    let filter = super::resolve_filter(&env.store, &f.decks, &f.sections, &f.tags)?;
    if !args.peek && env.today >= crate::sm2::far_date() {
        // Every grade would schedule its question for today again.
        bail!(
            "today ({}) is the last date rehearse keeps, so no review could be scheduled after it: check the clock (REHEARSE_NOW)",
            env.today
        );
    }
    if args.ahead {
        return ahead(args, filter, env, input, out);
    }
    let mut planned = super::plan::today(env, new_limit(args, env), !args.peek)?;
    let new_limit = planned
        .as_ref()
        .map_or(new_limit(args, env), |p| p.new_limit);
    let room = new_limit.saturating_sub(env.store.introduced_on(env.today)?);
    // The plan's finals are active and in bank order; only a filter needs the database.
    // Moved, not copied: on a large bank the day's finals are thousands of ids.
    let finals = match planned {
        Some(ref mut p) if filter.is_empty() => std::mem::take(&mut p.finals),
        Some(ref p) => env.store.ids_matching(&p.finals, &filter)?,
        None => Vec::new(),
    };
    // A plan that names decks takes the day's new questions from them (unless --deck says).
    let new_filter = match &planned {
        Some(p) if filter.decks.is_empty() && !p.plan.decks.is_empty() => Filter {
            decks: p.plan.decks.clone(),
            ..filter.clone()
        },
        _ => filter.clone(),
    };
    let mut queue = Queue::new(
        &env.store,
        filter.clone(),
        env.today,
        room,
        new_filter,
        finals,
        args.limit,
    )?;
    // A session that ended before its drill list was done leaves those questions for later today.
    let resumed = if args.limit == Some(0) {
        Vec::new()
    } else {
        env.store.pending_drills(&filter, env.today)?
    };
    if args.peek {
        return peek(args, &mut queue, resumed.len(), env, out);
    }
    if let Some(p) = &planned {
        plan_header(p, out)?;
    }
    if queue.is_empty() && resumed.is_empty() {
        return nothing_due(&filter, env, args, new_limit, out);
    }
    // The questions carried over from earlier today are on this session's drill list too.
    let tally = Arc::new(Mutex::new(Tally {
        drilled: resumed.iter().map(|c| c.question.id.clone()).collect(),
        ..Tally::default()
    }));
    on_interrupt(
        tally.clone(),
        env.db_path.clone(),
        filter.clone(),
        env.today,
    );
    let again = match resumed.len() {
        0 => String::new(),
        n => format!(", then {n} to drill again from earlier today"),
    };
    let finals = match queue.finals.len() {
        0 => String::new(),
        n => format!(", {n} final (the plan's last look before the interview)"),
    };
    session::say(
        out,
        &format!(
            "{}: {} due{finals}, {} new{again}.",
            plural(queue.len() as u64, "question", "questions"),
            queue.due,
            queue.new
        ),
    )?;
    let mut session = new_session(queue, tally, env);
    session.drill = (0..resumed.len()).map(|i| session::RESUMED + i).collect();
    session.resumed = resumed;
    run_session(session, &filter, env, input, out)
}

/// The flag, else the config's `new_per_day`.
fn new_limit(args: &ReviewArgs, env: &Env) -> u64 {
    args.new_limit.unwrap_or(env.settings.new_per_day.value)
}

/// A session over `queue`, with no drills left from earlier.
fn new_session(queue: Queue, tally: Arc<Mutex<Tally>>, env: &Env) -> Session {
    Session {
        queue,
        resumed: Vec::new(),
        pos: 0,
        drill: Default::default(),
        undo: Vec::new(),
        tally,
        echo: !std::io::stdin().is_terminal(),
        guided: Default::default(),
        cram: false,
        leech: env.settings.leech(),
    }
}

/// Runs the session, then prints its summary.
fn run_session(
    mut session: Session,
    filter: &Filter,
    env: &mut Env,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<()> {
    let mut input = keys::Input::auto(input);
    session.echo = input.is_keys() || !std::io::stdin().is_terminal();
    let ran = session.run(env, &mut input, out);
    screen::restore();
    ran?;
    let tally = session.tally.lock().map(|t| t.clone()).unwrap_or_default();
    tally.print(&env.store, filter, env.today, out)
}

/// `review --ahead`: questions not due yet, weakest first, logged as cram; the schedule is
/// left as it is.
fn ahead(
    args: &ReviewArgs,
    filter: Filter,
    env: &mut Env,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<()> {
    let cards = env.store.ahead(&filter, env.today, args.limit)?;
    if cards.is_empty() {
        let why = if args.limit == Some(0) {
            "--limit 0 allows no question"
        } else {
            "no question is scheduled after today (new ones come in `rehearse review`)"
        };
        session::say(out, &format!("Nothing to study ahead: {why}."))?;
        return Ok(());
    }
    let tally = Arc::new(Mutex::new(Tally::default()));
    on_interrupt(
        tally.clone(),
        env.db_path.clone(),
        filter.clone(),
        env.today,
    );
    session::say(
        out,
        &format!(
            "{} question{} ahead of schedule, weakest first; answers are logged as cram and leave the schedule as it is.",
            cards.len(),
            if cards.len() == 1 { "" } else { "s" }
        ),
    )?;
    let mut session = new_session(Queue::ahead(cards, env.today), tally, env);
    session.cram = true;
    run_session(session, &filter, env, input, out)
}

#[derive(Serialize)]
struct PeekItem<'a> {
    id: &'a str,
    deck: &'a str,
    section: &'a str,
    prompt: &'a str,
    new: bool,
    due: Option<NaiveDate>,
    overdue_days: i64,
    /// Offered today by the interview plan's final window, ahead of its SM-2 due date.
    #[serde(rename = "final")]
    finals: bool,
}

/// How much of the queue --peek lists when no --limit is given.
const PEEK_SHOWS: usize = 100;

fn peek(
    args: &ReviewArgs,
    queue: &mut Queue,
    drill: usize,
    env: &Env,
    out: &mut impl Write,
) -> Result<()> {
    let shown = if args.limit.is_some() {
        queue.len()
    } else {
        queue.len().min(PEEK_SHOWS)
    };
    if shown > 0 {
        queue.load(&env.store, shown - 1)?;
    }
    let items: Vec<PeekItem> = queue
        .cards
        .iter()
        .take(shown)
        .map(|c| PeekItem {
            id: &c.question.id,
            deck: &c.question.deck_id,
            section: &c.question.section,
            prompt: &c.question.prompt,
            new: c.state.is_none(),
            due: c.state.as_ref().map(|s| s.due),
            overdue_days: c
                .state
                .as_ref()
                .map_or(0, |s| (env.today - s.due).num_days().max(0)),
            finals: c.state.as_ref().is_some_and(|s| s.due > env.today),
        })
        .collect();
    let more = queue.len() - items.len();
    if args.json {
        #[derive(Serialize)]
        struct Peek<'a> {
            today: NaiveDate,
            due: u64,
            new: u64,
            queue: Vec<PeekItem<'a>>,
            more: usize,
            /// Questions left to drill again from an earlier session today.
            drill: usize,
            /// Questions the interview plan's final window offers today.
            #[serde(rename = "final")]
            finals: usize,
        }
        let peek = Peek {
            today: env.today,
            finals: queue.finals.len(),
            due: queue.due,
            new: queue.new,
            queue: items,
            more,
            drill,
        };
        serde_json::to_writer_pretty(&mut *out, &peek)?;
        writeln!(out)?;
        return Ok(());
    }
    let finals = match queue.finals.len() {
        0 => String::new(),
        n => format!(", {n} final"),
    };
    writeln!(
        out,
        "{}: {} due{finals}, {} new",
        env.today, queue.due, queue.new
    )?;
    // Without a width, ids keep the 45 columns and prompts the 70 they always had.
    let mut list = screen::List::new(3).right(0).min_width(0, 8);
    if screen::width().is_none() {
        list = list.min_width(1, 45).cap_last(70);
    }
    for i in &items {
        let when = match i.due {
            None => screen::Cell::painted(screen::Role::Good, "new"),
            Some(_) if i.finals => screen::Cell::painted(screen::Role::Heading, "final"),
            Some(_) if i.overdue_days > 0 => {
                screen::Cell::painted(screen::Role::Late, format!("{}d late", i.overdue_days))
            }
            Some(_) => screen::Cell::painted(screen::Role::Heading, "due"),
        };
        list.row(vec![when, i.id.into(), i.prompt.into()]);
    }
    if !items.is_empty() {
        writeln!(out, "{}", list.render(screen::width()))?;
    }
    if more > 0 {
        writeln!(out, "... and {more} more (--limit N lists N)")?;
    }
    if drill > 0 {
        writeln!(out, "then {drill} to drill again from earlier today")?;
    }
    Ok(())
}

/// The plan's line in the review header: the date, today's pace, and the cap's warning.
fn plan_header(p: &super::plan::Today, out: &mut impl Write) -> Result<()> {
    let days = p.days_left;
    session::say(
        out,
        &format!(
            "Plan: interview on {} ({days} day{} left); up to {} new today.",
            p.plan.date,
            if days == 1 { "" } else { "s" },
            p.new_limit
        ),
    )?;
    if p.left_unseen > 0 {
        session::say(
            out,
            &super::plan::unseen_warning(p.left_unseen, p.plan.date),
        )?;
    }
    Ok(())
}

fn nothing_due(
    filter: &Filter,
    env: &Env,
    args: &ReviewArgs,
    new_limit: u64,
    out: &mut impl Write,
) -> Result<()> {
    if args.limit == Some(0) {
        session::say(out, "Nothing to review: --limit 0 allows no question.")?;
        return Ok(());
    }
    if env.store.active_total(filter)? == 0 {
        let what =
            if filter.decks.is_empty() && filter.sections.is_empty() && filter.tags.is_empty() {
                "No question is in the schedule"
            } else {
                "No question matches these filters"
            };
        session::say(
            out,
            &format!(
                "Nothing to review: {what} (suspended ones are left out; `rehearse list` shows what there is)."
            ),
        )?;
        return Ok(());
    }
    let mut text = "Nothing to review today.".to_string();
    match env.store.next_due_after(filter, env.today)? {
        Some(d) => {
            let days = (d - env.today).num_days();
            text.push_str(&format!(
                " Next question due {d} (in {days} day{}).",
                if days == 1 { "" } else { "s" }
            ))
        }
        None => text.push_str(" No question is scheduled yet."),
    }
    let introduced = env.store.introduced_on(env.today)?;
    if new_limit > 0 && env.store.new_total(filter)? > 0 && introduced >= new_limit {
        text.push_str(&format!(
            " Today's {} done; --new N allows more.",
            plural(new_limit, "new question is", "new questions are")
        ));
    }
    session::say(out, &text)?;
    Ok(())
}

/// What the session did: printed at its end, also on Ctrl-C.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub reviewed: u64,
    pub grades: [u64; 6],
    pub drilled: BTreeSet<String>,
    pub drill_answers: u64,
}

impl Tally {
    fn print(
        &self,
        store: &Store,
        filter: &Filter,
        today: NaiveDate,
        out: &mut impl Write,
    ) -> Result<()> {
        // Never past the last date the store keeps (dates compare as text there).
        let tomorrow = crate::sm2::due_date(today, 1);
        let due = store.due_total(filter, tomorrow)?;
        let grades: Vec<String> = (0..6)
            .rev()
            .filter(|&g| self.grades[g] > 0)
            .map(|g| format!("{} at {g}", self.grades[g]))
            .collect();
        let grades = if grades.is_empty() {
            String::new()
        } else {
            format!(" ({})", grades.join(", "))
        };
        writeln!(out)?;
        session::say(
            out,
            &format!(
                "Session over: {} reviewed{grades}; {} drilled ({}); {due} due tomorrow.",
                self.reviewed,
                self.drilled.len(),
                plural(self.drill_answers, "drill answer", "drill answers")
            ),
        )?;
        out.flush()?;
        Ok(())
    }
}

/// Ctrl-C ends the session cleanly: everything graded is already saved, so print the summary.
/// The tally stays locked until the process exits: a save in progress finishes (and is
/// counted) first, and no new one starts while the summary is printed.
fn on_interrupt(tally: Arc<Mutex<Tally>>, db: PathBuf, filter: Filter, today: NaiveDate) {
    let _ = ctrlc::set_handler(move || {
        screen::restore();
        let held = tally.lock();
        let t = held.as_deref().cloned().unwrap_or_default();
        let mut out = std::io::stdout();
        if let Ok(store) = Store::open(&db, crate::store::Mode::ReadOnly, None) {
            let _ = t.print(&store, &filter, today, &mut out);
        }
        std::process::exit(0);
    });
}
