//! `rehearse review`: the daily session, line-based so a terminal and a pipe behave alike.
//! Every grade is saved the moment it is given (log row and state in one transaction).

use super::Env;
use crate::cli::ReviewArgs;
use crate::sm2::{self, Grade, MEANINGS};
use crate::store::{Card, Filter, LogEntry, StateRow, Store};
use crate::{clock, points};
use anyhow::{Result, bail};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};
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
    let cards = queue(args, &filter, &env.store, env.today)?;
    if args.peek {
        return peek(args, &cards, env, out);
    }
    if cards.is_empty() {
        return nothing_due(&filter, env, args, out);
    }
    let tally = Arc::new(Mutex::new(Tally::default()));
    on_interrupt(
        tally.clone(),
        env.db_path.clone(),
        filter.clone(),
        env.today,
    );
    let due = cards.iter().filter(|c| c.state.is_some()).count();
    writeln!(
        out,
        "{} questions: {} due, {} new. {LAYERS}",
        cards.len(),
        due,
        cards.len() - due
    )?;
    let echo = !std::io::stdin().is_terminal();
    let mut session = Session {
        cards,
        pos: 0,
        drill: VecDeque::new(),
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
    Ok(Filter {
        decks: args.decks.clone(),
        sections: args.sections.clone(),
        tags: args.tags.clone(),
    })
}

/// Due questions (most overdue first), then today's remaining new ones, capped by --limit.
fn queue(args: &ReviewArgs, filter: &Filter, store: &Store, today: NaiveDate) -> Result<Vec<Card>> {
    let mut cards = store.due_cards(filter, today)?;
    let room = args.new_limit.saturating_sub(store.introduced_on(today)?);
    if room > 0 {
        cards.extend(store.new_cards(filter, room)?);
    }
    if let Some(limit) = args.limit {
        cards.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(cards)
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

fn peek(args: &ReviewArgs, cards: &[Card], env: &Env, out: &mut impl Write) -> Result<()> {
    let items: Vec<PeekItem> = cards
        .iter()
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
    let new = items.iter().filter(|i| i.new).count();
    if args.json {
        #[derive(Serialize)]
        struct Peek<'a> {
            today: NaiveDate,
            due: usize,
            new: usize,
            queue: Vec<PeekItem<'a>>,
        }
        serde_json::to_writer_pretty(
            &mut *out,
            &Peek {
                today: env.today,
                due: items.len() - new,
                new,
                queue: items,
            },
        )?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}: {} due, {} new", env.today, items.len() - new, new)?;
    for i in &items {
        let when = match i.due {
            None => "new".to_string(),
            Some(_) if i.overdue_days > 0 => format!("{}d late", i.overdue_days),
            Some(_) => "due".to_string(),
        };
        writeln!(out, "{when:>8}  {:<45} {}", i.id, shorten(i.prompt, 70))?;
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
    if env.store.new_count(filter)? > 0 && introduced >= args.new_limit {
        write!(
            out,
            " Today's {} new questions are done; --new N allows more.",
            args.new_limit
        )?;
    }
    writeln!(out)?;
    Ok(())
}

/// What the session did: printed at its end, also on Ctrl-C.
#[derive(Clone, Debug, Default)]
struct Tally {
    reviewed: u64,
    grades: [u64; 6],
    drilled: BTreeSet<String>,
    drill_answers: u64,
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
        let due = store.due_count(filter, tomorrow, true)?;
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
            "\nSession over: {} reviewed{grades}; {} drilled ({} drill answers); {due} due tomorrow.",
            self.reviewed,
            self.drilled.len(),
            self.drill_answers
        )?;
        out.flush()?;
        Ok(())
    }
}

/// Ctrl-C ends the session cleanly: everything graded is already saved, so print the summary.
fn on_interrupt(tally: Arc<Mutex<Tally>>, db: PathBuf, filter: Filter, today: NaiveDate) {
    let _ = ctrlc::set_handler(move || {
        let t = tally.lock().map(|t| t.clone()).unwrap_or_default();
        let mut out = std::io::stdout();
        if let Ok(store) = Store::open(&db) {
            let _ = t.print(&store, &filter, today, &mut out);
        }
        std::process::exit(0);
    });
}

struct Undo {
    log_id: i64,
    card: usize,
    previous: Option<StateRow>,
    pos: usize,
    drill: VecDeque<usize>,
    tally: Tally,
}

struct Session {
    cards: Vec<Card>,
    /// The next question of the main queue.
    pos: usize,
    /// Questions graded below 4 today, asked again after the queue.
    drill: VecDeque<usize>,
    undo: Vec<Undo>,
    tally: Arc<Mutex<Tally>>,
    echo: bool,
}

enum Input {
    Enter,
    Grade(Grade),
    Covered(BTreeSet<usize>),
    Skip,
    Undo,
    Quit,
    Other,
}

fn parse(line: &str, points: usize) -> Input {
    let l = line.trim().to_ascii_lowercase();
    match l.as_str() {
        "" => Input::Enter,
        "s" => Input::Skip,
        "u" => Input::Undo,
        "q" => Input::Quit,
        "-" if points > 0 => Input::Covered(BTreeSet::new()),
        _ => {
            if let Ok(g) = l.parse::<u8>() {
                return Grade::new(g).map_or(Input::Other, Input::Grade);
            }
            let letters: Option<BTreeSet<usize>> = l
                .chars()
                .filter(|c| !c.is_whitespace() && *c != ',')
                .map(|c| points::index(c).filter(|&i| i < points))
                .collect();
            match letters {
                Some(set) if !set.is_empty() => Input::Covered(set),
                _ => Input::Other,
            }
        }
    }
}

impl Session {
    fn run(&mut self, env: &mut Env, input: &mut impl BufRead, out: &mut impl Write) -> Result<()> {
        loop {
            let (idx, drilling) = if self.pos < self.cards.len() {
                (self.pos, false)
            } else if let Some(&i) = self.drill.front() {
                (i, true)
            } else {
                return Ok(());
            };
            let card = &self.cards[idx];
            let place = if drilling {
                format!("drill, {} left", self.drill.len())
            } else {
                format!("{}/{}", idx + 1, self.cards.len())
            };
            let fresh = if card.state.is_none() { "  (new)" } else { "" };
            writeln!(
                out,
                "\n[{place}] {} > {}{fresh}\n{}",
                card.deck_title, card.question.section, card.question.prompt
            )?;
            let watch = clock::Stopwatch::start();
            let npoints = card.question.points.len();
            let mut revealed = false;
            let mut offered: Option<(Grade, Vec<usize>)> = None;
            loop {
                if !revealed {
                    write!(
                        out,
                        "[Enter] show the points, 0-5 grade, s skip, u undo, q quit > "
                    )?;
                } else if offered.is_some() {
                    write!(out, "[Enter] accept, or 0-5 grade > ")?;
                } else if npoints > 0 {
                    write!(
                        out,
                        "grade 0-5, or the letters you covered (e.g. {}) > ",
                        points::example(npoints)
                    )?;
                } else {
                    write!(out, "grade 0-5 > ")?;
                }
                out.flush()?;
                let mut line = String::new();
                if input.read_line(&mut line)? == 0 {
                    writeln!(out)?;
                    self.end();
                    return Ok(());
                }
                if self.echo {
                    // From a pipe nothing echoes what was typed: show it, so the transcript reads.
                    writeln!(out, "{}", line.trim_end())?;
                }
                match parse(&line, if revealed { npoints } else { 0 }) {
                    Input::Enter if !revealed => {
                        revealed = true;
                        reveal(&self.cards[idx], out)?;
                    }
                    Input::Enter => match offered.take() {
                        Some((g, missed)) => {
                            self.grade(
                                env,
                                idx,
                                drilling,
                                g,
                                Some(missed),
                                watch.elapsed_ms(),
                                out,
                            )?;
                            break;
                        }
                        None => writeln!(out, "Type a grade from 0 to 5.")?,
                    },
                    Input::Grade(g) => {
                        self.grade(env, idx, drilling, g, None, watch.elapsed_ms(), out)?;
                        break;
                    }
                    Input::Covered(set) => {
                        let g = points::offered_grade(set.len(), npoints);
                        let missed: Vec<usize> =
                            (0..npoints).filter(|i| !set.contains(i)).collect();
                        writeln!(
                            out,
                            "Covered {} of {npoints}: grade {} ({}).",
                            set.len(),
                            g.value(),
                            g.meaning()
                        )?;
                        offered = Some((g, missed));
                    }
                    Input::Skip => {
                        if drilling {
                            self.drill.pop_front();
                        } else {
                            self.pos += 1;
                        }
                        writeln!(out, "Skipped: it stays due.")?;
                        break;
                    }
                    Input::Undo => {
                        if self.take_back(env, out)? {
                            break;
                        }
                    }
                    Input::Quit => {
                        self.end();
                        return Ok(());
                    }
                    Input::Other => {
                        let hint = if !revealed {
                            "Press Enter to see the points, type 0-5 to grade, s to skip, u to undo, q to quit."
                        } else if npoints > 0 {
                            "Type 0-5 to grade, the letters of the points you covered, s, u or q."
                        } else {
                            "Type 0-5 to grade, s to skip, u to undo, q to quit."
                        };
                        writeln!(out, "{hint}")?;
                    }
                }
            }
        }
    }

    /// Stops the session: nothing more is asked.
    fn end(&mut self) {
        self.pos = self.cards.len();
        self.drill.clear();
    }

    #[allow(clippy::too_many_arguments)]
    fn grade(
        &mut self,
        env: &mut Env,
        idx: usize,
        drilling: bool,
        g: Grade,
        missed: Option<Vec<usize>>,
        answer_ms: u64,
        out: &mut impl Write,
    ) -> Result<()> {
        let now = clock::now()?;
        let card = &self.cards[idx];
        let before = card.state.clone();
        let after = match (&before, drilling) {
            (Some(s), true) => s.clone(),
            _ => {
                let start = before.as_ref().map_or(sm2::State::NEW, |s| sm2::State {
                    n: s.n,
                    ef_milli: s.ef_milli,
                    interval: s.interval,
                });
                let next = sm2::review(start, g);
                StateRow {
                    n: next.n,
                    ef_milli: next.ef_milli,
                    interval: next.interval,
                    due: sm2::due_date(env.today, next.interval),
                    introduced: before.as_ref().map_or(env.today, |s| s.introduced),
                    last_review: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                }
            }
        };
        let log_id = env.store.record(&LogEntry {
            reviewed_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            day: env.today,
            question_id: card.question.id.clone(),
            grade: g.value(),
            drill: drilling,
            before: before.clone(),
            after: after.clone(),
            answer_ms,
            missed,
        })?;
        let mut tally = self
            .tally
            .lock()
            .map_err(|_| anyhow::anyhow!("session state poisoned"))?;
        self.undo.push(Undo {
            log_id,
            card: idx,
            previous: before,
            pos: self.pos,
            drill: self.drill.clone(),
            tally: tally.clone(),
        });
        let id = &self.cards[idx].question.id;
        if drilling {
            tally.drill_answers += 1;
            self.drill.pop_front();
        } else {
            tally.reviewed += 1;
            tally.grades[g.value() as usize] += 1;
            self.pos += 1;
        }
        if g.needs_drill() {
            tally.drilled.insert(id.clone());
            self.drill.push_back(idx);
        }
        drop(tally);
        if drilling {
            writeln!(
                out,
                "Drill grade {} saved (the schedule is unchanged).",
                g.value()
            )?;
        } else {
            let days = after.interval;
            writeln!(
                out,
                "Saved: next review {} (in {days} day{}).",
                after.due,
                if days == 1 { "" } else { "s" }
            )?;
        }
        self.cards[idx].state = Some(after);
        Ok(())
    }

    /// Undoes the last grade of this session; returns false when there is none.
    fn take_back(&mut self, env: &mut Env, out: &mut impl Write) -> Result<bool> {
        let Some(u) = self.undo.pop() else {
            writeln!(out, "Nothing to undo in this session.")?;
            return Ok(false);
        };
        let card = &mut self.cards[u.card];
        env.store
            .undo(u.log_id, &card.question.id, u.previous.as_ref())?;
        card.state = u.previous;
        writeln!(out, "Undone: {} is back as it was.", card.question.id)?;
        self.pos = u.pos;
        self.drill = u.drill;
        if let Ok(mut t) = self.tally.lock() {
            *t = u.tally;
        }
        Ok(true)
    }
}

fn reveal(card: &Card, out: &mut impl Write) -> Result<()> {
    let pts = &card.question.points;
    if pts.is_empty() {
        if let Some(g) = &card.guidance {
            writeln!(out, "  {g}")?;
        }
        writeln!(
            out,
            "  Check all three layers: definition, mechanism, real-world trade-off."
        )?;
    } else {
        for (i, p) in pts.iter().enumerate() {
            writeln!(out, "  {}) {p}", points::label(i))?;
        }
    }
    for g in [5, 3, 1] {
        writeln!(
            out,
            "    {g} {:<36} {} {}",
            MEANINGS[g],
            g - 1,
            MEANINGS[g - 1]
        )?;
    }
    Ok(())
}
