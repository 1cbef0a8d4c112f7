//! One review session: questions in queue order, then the same-day drill list; grades, undo,
//! skip and quit, each grade saved the moment it is given.

use super::Tally;
use super::frame::{self, Kind};
use super::queue::Queue;
use crate::cmd::Env;
use crate::config::{Leech, LeechAction};
use crate::screen::{self, Role, keys};
use crate::sm2::{self, Grade};
use crate::store::{Card, Kind as LogKind, LogEntry, Recorded, StateRow};
use crate::{clock, points};
use anyhow::Result;
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};

pub struct Undo {
    log_id: i64,
    card: usize,
    /// The state the grade wrote: undo puts `previous` back only over this.
    written: StateRow,
    previous: Option<StateRow>,
    /// The last scheduling grade before this one, for the header.
    last_grade: Option<u8>,
    /// The grade suspended the question (a leech): undo brings it back.
    suspended: bool,
    pos: usize,
    drill: VecDeque<usize>,
    /// The tally's counts before the grade; of its drilled set, the question this grade put
    /// in (only grades add to it), not a copy of the set at every grade.
    counts: (u64, [u64; 6], u64),
    drilled: Option<String>,
}

/// Card numbers from here on name `Session::resumed` cards, not queue positions.
pub const RESUMED: usize = usize::MAX / 2;

pub struct Session {
    pub queue: Queue,
    /// Questions an earlier session today left on its drill list (numbered from RESUMED).
    pub resumed: Vec<Card>,
    /// The next question of the main queue.
    pub pos: usize,
    /// Questions graded below 4 today, asked again after the queue.
    pub drill: VecDeque<usize>,
    pub undo: Vec<Undo>,
    pub tally: Arc<Mutex<Tally>>,
    pub echo: bool,
    /// Decks whose guidance this session has shown in full.
    pub guided: HashSet<String>,
    /// `review --ahead`: every answer is logged as cram and leaves the state as it is.
    pub cram: bool,
    pub leech: Leech,
}

/// A line of the session's own text, wrapped to the width.
pub fn say(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    writeln!(out, "{}", screen::wrap(text, "", ""))
}

/// A grade with how it was reached.
struct Answer {
    grade: Grade,
    /// The points not covered, when the grade came from letters.
    missed: Option<Vec<usize>>,
    /// The red flags said, when the grade came from letters and any was.
    red_flags: Option<Vec<usize>>,
    ms: u64,
}

/// A grade offered from letters: the grade, the points missed, the red flags said.
type Offer = (Grade, Vec<usize>, Vec<usize>);

enum Input {
    Enter,
    Grade(Grade),
    /// Points covered and red flags said (both 0-based).
    Covered(BTreeSet<usize>, BTreeSet<usize>),
    Skip,
    Undo,
    Quit,
    Other,
}

/// An answer line: Enter, a grade, s/u/q, or (once `points` are shown) the letters of the
/// points covered ("-" for none), each red flag said as `!` and its number of `flags`
/// ("ac!1").
fn parse(line: &str, points: usize, flags: usize) -> Input {
    let l = line.trim().to_ascii_lowercase();
    match l.as_str() {
        "" => Input::Enter,
        "s" => Input::Skip,
        "u" => Input::Undo,
        "q" => Input::Quit,
        _ => {
            if let Ok(g) = l.parse::<u8>() {
                return Grade::new(g).map_or(Input::Other, Input::Grade);
            }
            if points == 0 {
                return Input::Other;
            }
            points::ticks(&l, points, flags).map_or(Input::Other, |(c, f)| Input::Covered(c, f))
        }
    }
}

/// What letters earned: "Covered 3 of 4: grade 2 (...). Must a missed; red flag 1 said: at
/// most 2."
fn offer_words(
    covered: &BTreeSet<usize>,
    missed: &[usize],
    musts: &[bool],
    said: &BTreeSet<usize>,
    npoints: usize,
    g: Grade,
    kind: Kind,
) -> String {
    let mut words = format!(
        "Covered {} of {npoints}: grade {} ({}).",
        covered.len(),
        g.value(),
        kind.meaning(g)
    );
    let musts_missed = points::musts_missed(missed, musts);
    let mut why = Vec::new();
    if !musts_missed.is_empty() {
        let labels: Vec<String> = musts_missed
            .iter()
            .map(|&i| points::label(i).to_string())
            .collect();
        why.push(format!("must {} missed", labels.join(", ")));
    }
    if !said.is_empty() {
        let n: Vec<String> = said.iter().map(|i| (i + 1).to_string()).collect();
        why.push(format!("red flag {} said: at most 2", n.join(", ")));
    }
    if !why.is_empty() {
        let mut why = why.join("; ");
        if let Some(first) = why.get(..1) {
            why = format!("{}{}", first.to_uppercase(), &why[1..]);
        }
        words.push_str(&format!(" {why}."));
    }
    words
}

impl Session {
    fn card(&self, idx: usize) -> &Card {
        match idx.checked_sub(RESUMED) {
            Some(i) => &self.resumed[i],
            None => &self.queue.cards[idx],
        }
    }

    fn card_mut(&mut self, idx: usize) -> &mut Card {
        match idx.checked_sub(RESUMED) {
            Some(i) => &mut self.resumed[i],
            None => &mut self.queue.cards[idx],
        }
    }

    pub fn run<R: BufRead>(
        &mut self,
        env: &mut Env,
        input: &mut keys::Input<R>,
        out: &mut impl Write,
    ) -> Result<()> {
        let enter = if input.is_keys() { "Space" } else { "Enter" };
        loop {
            let in_queue = self.pos < self.queue.len() && self.queue.load(&env.store, self.pos)?;
            let (idx, drilling) = if in_queue {
                (self.pos, false)
            } else if let Some(&i) = self.drill.front() {
                (i, true)
            } else {
                return Ok(());
            };
            let card = self.card(idx);
            let place = if drilling {
                format!("drill, {} left", self.drill.len())
            } else {
                format!("{}/{}", idx + 1, self.queue.len())
            };
            let first_time = !self.guided.contains(&card.question.deck_id);
            // The header already counts the lapses; a leech gets the word too.
            let lapses = card.state.as_ref().map_or(0, |s| s.lapses);
            let leech = if self.leech.is_leech(lapses) {
                format!("  {}", screen::paint(Role::Late, "(leech)"))
            } else {
                String::new()
            };
            writeln!(
                out,
                "\n{}{leech}\n{}\n{}",
                frame::header(&place, card, env.today),
                frame::guidance(card, first_time),
                screen::paint(Role::Prompt, &screen::wrap(&card.question.prompt, "", ""))
            )?;
            let kind = Kind::of_card(card);
            let npoints = card.question.points.len();
            let nflags = card.question.red_flags.len();
            let musts: Vec<bool> = card.question.points.iter().map(|p| p.must).collect();
            let deck = card.question.deck_id.clone();
            self.guided.insert(deck);
            let watch = clock::Stopwatch::start();
            let mut revealed = false;
            let mut offered: Option<Offer> = None;
            loop {
                let ask = if !revealed {
                    format!("[{enter}] points, 0-5 grade, s skip, u undo, q quit > ")
                } else if offered.is_some() {
                    "[Enter] accept, or 0-5 grade > ".to_string()
                } else if npoints > 0 && nflags > 0 {
                    format!(
                        "grade 0-5, or the letters you covered, !N per red flag said (e.g. {}!1) > ",
                        points::example(npoints)
                    )
                } else if npoints > 0 {
                    format!(
                        "grade 0-5, or the letters you covered (e.g. {}) > ",
                        points::example(npoints)
                    )
                } else {
                    "grade 0-5 > ".to_string()
                };
                write!(out, "{} ", screen::wrap(&ask, "", ""))?;
                out.flush()?;
                let ticks = if revealed && offered.is_none() {
                    npoints
                } else {
                    0
                };
                let Some(line) = input.read(ticks, nflags, out)? else {
                    writeln!(out)?;
                    self.end();
                    return Ok(());
                };
                if self.echo {
                    // Nothing else echoes what was typed (a pipe, or a terminal in raw mode):
                    // show it, so the transcript reads.
                    writeln!(out, "{}", screen::escape_line(&line))?;
                }
                match parse(&line, if revealed { npoints } else { 0 }, nflags) {
                    Input::Enter if !revealed => {
                        revealed = true;
                        let card = self.card(idx);
                        writeln!(out, "{}\n{}", frame::points(card), frame::legend(kind))?;
                    }
                    Input::Enter => match offered.take() {
                        Some((g, missed, said)) => {
                            let answer = Answer {
                                grade: g,
                                missed: Some(missed),
                                red_flags: (!said.is_empty()).then_some(said),
                                ms: watch.elapsed_ms(),
                            };
                            self.grade(env, idx, drilling, answer, out)?;
                            break;
                        }
                        None => say(out, "Type a grade from 0 to 5.")?,
                    },
                    Input::Grade(g) => {
                        // A digit overrides the offered grade, not what was ticked: the
                        // points missed and the red flags said are logged all the same.
                        let (missed, red_flags) = match offered.take() {
                            Some((_, missed, said)) => {
                                (Some(missed), (!said.is_empty()).then_some(said))
                            }
                            None => (None, None),
                        };
                        let answer = Answer {
                            grade: g,
                            missed,
                            red_flags,
                            ms: watch.elapsed_ms(),
                        };
                        self.grade(env, idx, drilling, answer, out)?;
                        break;
                    }
                    Input::Covered(set, said) => {
                        let g = points::rubric_grade(&set, &musts, !said.is_empty());
                        let missed: Vec<usize> =
                            (0..npoints).filter(|i| !set.contains(i)).collect();
                        say(
                            out,
                            &offer_words(&set, &missed, &musts, &said, npoints, g, kind),
                        )?;
                        offered = Some((g, missed, said.into_iter().collect()));
                    }
                    Input::Skip => {
                        if drilling {
                            self.drill.pop_front();
                        } else {
                            self.pos += 1;
                        }
                        say(out, "Skipped: it stays due.")?;
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
                            &format!(
                                "Press {enter} to see the points, type 0-5 to grade, s to skip, u to undo, q to quit."
                            )
                        } else if npoints > 0 && nflags > 0 {
                            "Type 0-5 to grade, the letters of the points you covered (and !N for each red flag said, e.g. ac!1), s, u or q."
                        } else if npoints > 0 {
                            "Type 0-5 to grade, the letters of the points you covered, s, u or q."
                        } else {
                            "Type 0-5 to grade, s to skip, u to undo, q to quit."
                        };
                        say(out, hint)?;
                    }
                }
            }
        }
    }

    /// Stops the session: nothing more is asked.
    fn end(&mut self) {
        self.pos = self.queue.len();
        self.drill.clear();
    }

    /// Saves a grade at once (log row and state together) and moves the session on.
    fn grade(
        &mut self,
        env: &mut Env,
        idx: usize,
        drilling: bool,
        answer: Answer,
        out: &mut impl Write,
    ) -> Result<()> {
        let Answer {
            grade: g,
            missed,
            red_flags,
            ms: answer_ms,
        } = answer;
        let now = clock::now()?;
        let card = self.card(idx);
        let before = card.state.clone();
        let kind = match (self.cram, drilling) {
            (true, _) => LogKind::Cram,
            (false, true) => LogKind::Drill,
            (false, false) => LogKind::Review,
        };
        let after = match (&before, kind) {
            (Some(s), LogKind::Drill | LogKind::Cram) => s.clone(),
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
                    // The store keeps SQLite integers: an interval past i64 (only after
                    // dozens of perfect grades) is kept as the store will read it back.
                    interval: next.interval.min(i64::MAX as u64),
                    due: sm2::due_date(env.today, next.interval),
                    introduced: before.as_ref().map_or(env.today, |s| s.introduced),
                    last_review: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    lapses: before.as_ref().map_or(0, |s| s.lapses) + u64::from(!g.is_pass()),
                }
            }
        };
        // A lapse that leaves a question a leech suspends it, when the config says so.
        let suspend = kind == LogKind::Review
            && !g.is_pass()
            && self.leech.action == LeechAction::Suspend
            && self.leech.is_leech(after.lapses);
        // The tally is locked from before the save until it counts the grade, so a Ctrl-C
        // summary (which takes the lock) never misses a grade that is saved.
        let tally_lock = self.tally.clone();
        let mut tally = tally_lock
            .lock()
            .map_err(|_| anyhow::anyhow!("session state poisoned"))?;
        let recorded = env.store.record(&LogEntry {
            reviewed_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            day: env.today,
            question_id: card.question.id.clone(),
            grade: g.value(),
            kind,
            before: before.clone(),
            after: after.clone(),
            answer_ms,
            missed,
            red_flags,
            session: None,
            suspend,
        })?;
        let log_id = match recorded {
            Recorded::Saved(id) => id,
            Recorded::ChangedElsewhere => {
                say(
                    out,
                    &format!(
                        "Not saved: {} was graded in another session meanwhile; moving on.",
                        card.question.id
                    ),
                )?;
                if drilling {
                    self.drill.pop_front();
                } else {
                    self.pos += 1;
                }
                return Ok(());
            }
        };
        self.undo.push(Undo {
            log_id,
            card: idx,
            written: after.clone(),
            previous: before,
            last_grade: self.card(idx).last_grade,
            suspended: suspend,
            pos: self.pos,
            drill: self.drill.clone(),
            counts: (tally.reviewed, tally.grades, tally.drill_answers),
            drilled: None,
        });
        let id = self.card(idx).question.id.clone();
        if drilling {
            tally.drill_answers += 1;
            self.drill.pop_front();
        } else {
            tally.reviewed += 1;
            tally.grades[g.value() as usize] += 1;
            self.pos += 1;
        }
        if g.needs_drill() && !self.cram && !suspend {
            if tally.drilled.insert(id.clone())
                && let Some(u) = self.undo.last_mut()
            {
                u.drilled = Some(id.clone());
            }
            self.drill.push_back(idx);
        }
        drop(tally);
        if self.cram {
            say(
                out,
                &format!(
                    "Cram grade {} saved (the schedule is unchanged).",
                    g.value()
                ),
            )?;
        } else if drilling {
            say(
                out,
                &format!(
                    "Drill grade {} saved (the schedule is unchanged).",
                    g.value()
                ),
            )?;
        } else {
            // The distance to the date shown (the interval can run past the last date kept).
            let days = (after.due - env.today).num_days();
            say(
                out,
                &format!(
                    "Saved: next review {} (in {days} day{}).",
                    after.due,
                    if days == 1 { "" } else { "s" }
                ),
            )?;
        }
        if suspend {
            say(
                out,
                &format!(
                    "{id} is a leech ({} lapses): suspended; `rehearse unsuspend {id}` brings it back.",
                    after.lapses
                ),
            )?;
        }
        let cram = self.cram;
        let card = self.card_mut(idx);
        card.state = Some(after);
        if !drilling && !cram {
            card.last_grade = Some(g.value());
        }
        Ok(())
    }

    /// Undoes the last grade of this session; returns false when there is none.
    fn take_back(&mut self, env: &mut Env, out: &mut impl Write) -> Result<bool> {
        let Some(u) = self.undo.pop() else {
            say(out, "Nothing to undo in this session.")?;
            return Ok(false);
        };
        // Locked across the undo, so a Ctrl-C summary sees the grade either saved and counted
        // or removed and uncounted.
        let tally_lock = self.tally.clone();
        let mut tally = tally_lock
            .lock()
            .map_err(|_| anyhow::anyhow!("session state poisoned"))?;
        let card = self.card_mut(u.card);
        if !env.store.undo(
            u.log_id,
            &card.question.id,
            &u.written,
            u.previous.as_ref(),
            u.suspended,
        )? {
            say(
                out,
                &format!(
                    "Cannot undo: {} was graded in another session since.",
                    card.question.id
                ),
            )?;
            return Ok(false);
        }
        card.state = u.previous;
        card.last_grade = u.last_grade;
        say(
            out,
            &format!("Undone: {} is back as it was.", card.question.id),
        )?;
        self.pos = u.pos;
        self.drill = u.drill;
        (tally.reviewed, tally.grades, tally.drill_answers) = u.counts;
        if let Some(id) = &u.drilled {
            tally.drilled.remove(id);
        }
        Ok(true)
    }
}
