//! `rehearse review`: the daily session: single keys on a terminal, lines from a pipe.
//! Every grade is saved the moment it is given (log row and state in one transaction).

mod frame;
mod queue;
mod session;

use super::Env;
use crate::cli::ReviewArgs;
use crate::screen::{self, keys};
use crate::store::{Filter, Store};
use anyhow::{Result, bail};
use chrono::{Days, NaiveDate};
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
    let filter = filter(args, &env.store)?;
    let room = args
        .new_limit
        .saturating_sub(env.store.introduced_on(env.today)?);
    let mut queue = Queue::new(&env.store, filter.clone(), env.today, room, args.limit)?;
    // A session that ended before its drill list was done leaves those questions for later today.
    let resumed = if args.limit == Some(0) {
        Vec::new()
    } else {
        env.store.pending_drills(&filter, env.today)?
    };
    if args.peek {
        return peek(args, &mut queue, resumed.len(), env, out);
    }
    if queue.is_empty() && resumed.is_empty() {
        return nothing_due(&filter, env, args, out);
    }
    let tally = Arc::new(Mutex::new(Tally::default()));
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
    session::say(
        out,
        &format!(
            "{} questions: {} due, {} new{again}.",
            queue.len(),
            queue.due,
            queue.new
        ),
    )?;
    let mut input = keys::Input::auto(input);
    let echo = input.is_keys() || !std::io::stdin().is_terminal();
    let drill = (0..resumed.len()).map(|i| session::RESUMED + i).collect();
    let mut session = Session {
        queue,
        resumed,
        pos: 0,
        drill,
        undo: Vec::new(),
        tally,
        echo,
        guided: Default::default(),
    };
    let ran = session.run(env, &mut input, out);
    screen::restore();
    ran?;
    let tally = session.tally.lock().map(|t| t.clone()).unwrap_or_default();
    tally.print(&env.store, &filter, env.today, out)
}

fn filter(args: &ReviewArgs, store: &Store) -> Result<Filter> {
    let decks = store.decks()?;
    for d in &args.decks {
        if !decks.iter().any(|x| &x.id == d) {
            let known: Vec<&str> = decks.iter().map(|x| x.id.as_str()).collect();
            bail!("no deck \"{d}\": use one of {}", known.join(", "));
        }
    }
    for section in &args.sections {
        if !store.has_section(section)? {
            bail!(
                "no section \"{section}\": `rehearse review --peek --json` shows the sections; match one exactly"
            );
        }
    }
    for tag in &args.tags {
        if !store.has_tag(tag)? {
            bail!("no question has the tag \"{tag}\": check its spelling in the bank");
        }
    }
    Ok(Filter {
        decks: args.decks.clone(),
        sections: args.sections.clone(),
        tags: args.tags.clone(),
    })
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
                .map_or(0, |s| (env.today - s.due).num_days()),
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
        }
        let peek = Peek {
            today: env.today,
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
    writeln!(out, "{}: {} due, {} new", env.today, queue.due, queue.new)?;
    // Without a width, ids keep the 45 columns and prompts the 70 they always had.
    let mut list = screen::List::new(3).right(0).min_width(0, 8);
    if screen::width().is_none() {
        list = list.min_width(1, 45).cap_last(70);
    }
    for i in &items {
        let when = match i.due {
            None => screen::Cell::painted(screen::Role::Good, "new"),
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

fn nothing_due(filter: &Filter, env: &Env, args: &ReviewArgs, out: &mut impl Write) -> Result<()> {
    if args.limit == Some(0) {
        session::say(out, "Nothing to review: --limit 0 allows no question.")?;
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
    if args.new_limit > 0 && env.store.new_total(filter)? > 0 && introduced >= args.new_limit {
        text.push_str(&format!(
            " Today's {} new questions are done; --new N allows more.",
            args.new_limit
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
        let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
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
                "Session over: {} reviewed{grades}; {} drilled ({} drill answers); {due} due tomorrow.",
                self.reviewed,
                self.drilled.len(),
                self.drill_answers
            ),
        )?;
        out.flush()?;
        Ok(())
    }
}

/// Ctrl-C ends the session cleanly: everything graded is already saved, so print the summary.
fn on_interrupt(tally: Arc<Mutex<Tally>>, db: PathBuf, filter: Filter, today: NaiveDate) {
    let _ = ctrlc::set_handler(move || {
        screen::restore();
        let t = tally.lock().map(|t| t.clone()).unwrap_or_default();
        let mut out = std::io::stdout();
        if let Ok(store) = Store::open(&db, crate::store::Mode::ReadOnly, None) {
            let _ = t.print(&store, &filter, today, &mut out);
        }
        std::process::exit(0);
    });
}
