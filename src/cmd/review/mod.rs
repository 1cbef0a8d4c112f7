//! `rehearse review`: the daily session, line-based so a terminal and a pipe behave alike.
//! Every grade is saved the moment it is given (log row and state in one transaction).

mod queue;
mod session;

use super::{Env, plural};
use crate::cli::ReviewArgs;
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

const LAYERS: &str = "Answer out loud in three layers: definition -> mechanism -> real-world trade-off; then check yourself.";

pub fn run(
    args: &ReviewArgs,
    env: &mut Env,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> Result<()> {
    let filter = filter(args, &env.store)?;
    if !args.peek && env.today >= crate::sm2::far_date() {
        // Every grade would schedule its question for today again.
        bail!(
            "today ({}) is the last date rehearse keeps, so no review could be scheduled after it: check the clock (REHEARSE_NOW)",
            env.today
        );
    }
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
    writeln!(
        out,
        "{}: {} due, {} new{again}. {LAYERS}",
        plural(queue.len() as u64, "question", "questions"),
        queue.due,
        queue.new
    )?;
    let echo = !std::io::stdin().is_terminal();
    let drill = (0..resumed.len()).map(|i| session::RESUMED + i).collect();
    let mut session = Session {
        queue,
        resumed,
        pos: 0,
        drill,
        undo: Vec::new(),
        tally,
        echo,
    };
    session.run(env, input, out)?;
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
    for i in &items {
        let when = match i.due {
            None => "new".to_string(),
            Some(_) if i.overdue_days > 0 => format!("{}d late", i.overdue_days),
            Some(_) => "due".to_string(),
        };
        writeln!(out, "{when:>8}  {:<45} {}", i.id, shorten(i.prompt, 70))?;
    }
    if more > 0 {
        writeln!(out, "... and {more} more (--limit N lists N)")?;
    }
    if drill > 0 {
        writeln!(out, "then {drill} to drill again from earlier today")?;
    }
    Ok(())
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(max - 3).collect::<String>())
    }
}

fn nothing_due(filter: &Filter, env: &Env, args: &ReviewArgs, out: &mut impl Write) -> Result<()> {
    if args.limit == Some(0) {
        writeln!(out, "Nothing to review: --limit 0 allows no question.")?;
        return Ok(());
    }
    write!(out, "Nothing to review today.")?;
    match env.store.next_due_after(filter, env.today)? {
        Some(d) => {
            let days = (d - env.today).num_days();
            write!(
                out,
                " Next question due {d} (in {days} day{}).",
                if days == 1 { "" } else { "s" }
            )?
        }
        None => write!(out, " No question is scheduled yet.")?,
    }
    let introduced = env.store.introduced_on(env.today)?;
    if args.new_limit > 0 && env.store.new_total(filter)? > 0 && introduced >= args.new_limit {
        write!(
            out,
            " Today's {} done; --new N allows more.",
            plural(args.new_limit, "new question is", "new questions are")
        )?;
    }
    writeln!(out)?;
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
        writeln!(
            out,
            "\nSession over: {} reviewed{grades}; {} drilled ({}); {due} due tomorrow.",
            self.reviewed,
            self.drilled.len(),
            plural(self.drill_answers, "drill answer", "drill answers")
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
        let held = tally.lock();
        let t = held.as_deref().cloned().unwrap_or_default();
        let mut out = std::io::stdout();
        if let Ok(store) = Store::open(&db) {
            let _ = t.print(&store, &filter, today, &mut out);
        }
        std::process::exit(0);
    });
}
