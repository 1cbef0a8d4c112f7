//! One review session: questions in queue order, then the same-day drill list; grades, undo,
//! skip and quit, each grade saved the moment it is given.

use super::Tally;
use super::queue::Queue;
use crate::cmd::Env;
use crate::sm2::{self, Grade, MEANINGS};
use crate::store::{Card, LogEntry, Recorded, StateRow};
use crate::{clock, points};
use anyhow::Result;
use std::collections::{BTreeSet, VecDeque};
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};

pub struct Undo {
    log_id: i64,
    card: usize,
    /// The state the grade wrote: undo puts `previous` back only over this.
    written: StateRow,
    previous: Option<StateRow>,
    pos: usize,
    drill: VecDeque<usize>,
    tally: Tally,
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
}

/// A grade with how it was reached.
struct Answer {
    grade: Grade,
    /// The points not covered, when the grade came from letters.
    missed: Option<Vec<usize>>,
    ms: u64,
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

    pub fn run(
        &mut self,
        env: &mut Env,
        input: &mut impl BufRead,
        out: &mut impl Write,
    ) -> Result<()> {
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
                // Bytes, not a String: a line that is not UTF-8 gets the hint, not an abort.
                let mut raw = Vec::new();
                let read = input.read_until(b'\n', &mut raw)?;
                let line = String::from_utf8_lossy(&raw).into_owned();
                if read == 0 {
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
                        reveal(self.card(idx), out)?;
                    }
                    Input::Enter => match offered.take() {
                        Some((g, missed)) => {
                            let answer = Answer {
                                grade: g,
                                missed: Some(missed),
                                ms: watch.elapsed_ms(),
                            };
                            self.grade(env, idx, drilling, answer, out)?;
                            break;
                        }
                        None => writeln!(out, "Type a grade from 0 to 5.")?,
                    },
                    Input::Grade(g) => {
                        let answer = Answer {
                            grade: g,
                            missed: None,
                            ms: watch.elapsed_ms(),
                        };
                        self.grade(env, idx, drilling, answer, out)?;
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
            ms: answer_ms,
        } = answer;
        let now = clock::now()?;
        let card = self.card(idx);
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
            drill: drilling,
            before: before.clone(),
            after: after.clone(),
            answer_ms,
            missed,
        })?;
        let log_id = match recorded {
            Recorded::Saved(id) => id,
            Recorded::ChangedElsewhere => {
                writeln!(
                    out,
                    "Not saved: {} was graded in another session meanwhile; moving on.",
                    card.question.id
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
            pos: self.pos,
            drill: self.drill.clone(),
            tally: tally.clone(),
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
        if g.needs_drill() {
            tally.drilled.insert(id);
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
            // The distance to the date shown (the interval can run past the last date kept).
            let days = (after.due - env.today).num_days();
            writeln!(
                out,
                "Saved: next review {} (in {days} day{}).",
                after.due,
                if days == 1 { "" } else { "s" }
            )?;
        }
        self.card_mut(idx).state = Some(after);
        Ok(())
    }

    /// Undoes the last grade of this session; returns false when there is none.
    fn take_back(&mut self, env: &mut Env, out: &mut impl Write) -> Result<bool> {
        let Some(u) = self.undo.pop() else {
            writeln!(out, "Nothing to undo in this session.")?;
            return Ok(false);
        };
        // Locked across the undo, so a Ctrl-C summary sees the grade either saved and counted
        // or removed and uncounted.
        let tally_lock = self.tally.clone();
        let mut tally = tally_lock
            .lock()
            .map_err(|_| anyhow::anyhow!("session state poisoned"))?;
        let card = self.card_mut(u.card);
        if !env
            .store
            .undo(u.log_id, &card.question.id, &u.written, u.previous.as_ref())?
        {
            writeln!(
                out,
                "Cannot undo: {} was graded in another session since.",
                card.question.id
            )?;
            return Ok(false);
        }
        card.state = u.previous;
        writeln!(out, "Undone: {} is back as it was.", card.question.id)?;
        self.pos = u.pos;
        self.drill = u.drill;
        *tally = u.tally;
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
