//! `rehearse mock`: a timed mock interview, graded at the end like an interviewer would. Each
//! answer is logged as kind `mock`: n, EF and interval never change; a failed answer brings
//! the question's due date forward to tomorrow.

use super::Env;
use crate::cli::MockArgs;
use crate::mock;
use crate::screen::{self, Role, Table, keys};
use crate::store::{Card, Kind, LogEntry, MockRun, Recorded, StateRow};
use crate::{clock, points, sm2};
use anyhow::Result;
use chrono::{Days, NaiveDate};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};

/// A question's time box in minutes: its own `minutes`, else its deck's, else 4.
fn time_box(card: &Card) -> u64 {
    card.question
        .minutes
        .or(card.deck_minutes)
        .map_or(4, u64::from)
}

/// What the interviewer asks next (the bank's `follow_ups`).
fn follow_ups(card: &Card) -> Vec<String> {
    card.question.follow_ups.clone()
}

/// The misconceptions that fail an answer (the bank's `red_flags`).
fn red_flags(card: &Card) -> Vec<String> {
    card.question.red_flags.clone()
}

/// How many of `missed` (point indexes) are must points; None for a question without musts.
fn musts_missed(card: &Card, missed: &[usize]) -> Option<usize> {
    let musts = musts(card);
    musts
        .iter()
        .any(|&m| m)
        .then(|| points::musts_missed(missed, &musts).len())
}

fn musts(card: &Card) -> Vec<bool> {
    card.question.points.iter().map(|p| p.must).collect()
}

/// One line of the report.
#[derive(Clone, Debug)]
struct Row {
    id: String,
    ms: u64,
    box_minutes: u64,
    grade: u8,
    musts_missed: Option<usize>,
    red_flags: Option<usize>,
}

/// A saved answer, for undo.
struct Saved {
    pos: usize,
    log_id: i64,
    before: Option<StateRow>,
    after: StateRow,
}

/// What the report compares with and says about the draw.
#[derive(Clone)]
struct Context {
    today: NaiveDate,
    seed: u64,
    previous: Option<MockRun>,
}

pub fn run(
    args: &MockArgs,
    env: &mut Env,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<()> {
    let plan_decks = match args.decks.is_empty() {
        true => env.store.plan()?.map(|p| p.decks).unwrap_or_default(),
        false => args.decks.clone(),
    };
    let filter = super::resolve_filter(&env.store, &plan_decks, &[], &[])?;
    let cards: Vec<Card> = env
        .store
        .cards(&filter)?
        .into_iter()
        .filter(|c| !c.suspended)
        .collect();
    let pool: Vec<mock::Candidate> = cards
        .iter()
        .map(|c| mock::Candidate {
            section: (c.question.deck_id.clone(), c.question.section.clone()),
            seen: c.state.as_ref().map(|s| (s.ef_milli, s.lapses)),
            order: (c.deck_position, c.question.position),
        })
        .collect();
    let seed = args.seed.unwrap_or_else(|| mock::day_seed(env.today));
    let want = match (args.questions, args.minutes) {
        (Some(n), _) => n as usize,
        (None, Some(_)) => cards.len(),
        (None, None) => mock::DEFAULT_QUESTIONS,
    };
    let mut drawn: Vec<Card> = mock::draw(&pool, want, seed)
        .into_iter()
        .map(|i| cards[i].clone())
        .collect();
    if let Some(m) = args.minutes {
        let boxes: Vec<u64> = drawn.iter().map(time_box).collect();
        drawn.truncate(mock::fit_minutes(&boxes, m));
    }
    if drawn.is_empty() {
        say(
            out,
            "Nothing to draw a mock from: no question in these decks can be scheduled (`rehearse list` shows what there is).",
        )?;
        return Ok(());
    }
    let minutes: u64 = drawn.iter().map(time_box).sum();
    say(
        out,
        &format!(
            "Mock interview: {} question{} in about {minutes} minutes (seed {seed}). Answer out loud as you would to an interviewer; Enter ends the answer. u undoes, q stops with the report so far.",
            drawn.len(),
            if drawn.len() == 1 { "" } else { "s" },
        ),
    )?;
    if drawn.len() < want && args.minutes.is_none() {
        say(
            out,
            &format!(
                "Only {} could be drawn: a mock takes one question per section, from those you have reviewed and at most one never seen.",
                drawn.len()
            ),
        )?;
    }
    let ctx = Context {
        today: env.today,
        seed,
        previous: env.store.mocks(1)?.into_iter().next(),
    };
    let rows = Arc::new(Mutex::new(Vec::new()));
    on_interrupt(rows.clone(), ctx.clone());
    let mut input = keys::Input::auto(input);
    let echo = input.is_keys() || !std::io::stdin().is_terminal();
    let ran = interview(&drawn, env, &mut input, echo, &rows, out);
    screen::restore();
    ran?;
    let rows = rows.lock().map(|r| r.clone()).unwrap_or_default();
    report(&rows, &ctx, out)
}

fn say(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    writeln!(out, "{}", screen::wrap(text, "", ""))
}

/// What the person typed, as the session reads it.
enum Said {
    Line(String),
    Undo,
    Quit,
}

fn read<R: BufRead>(
    input: &mut keys::Input<R>,
    ticks: usize,
    flags: usize,
    echo: bool,
    out: &mut impl Write,
) -> Result<Said> {
    let Some(line) = input.read(ticks, flags, out)? else {
        return Ok(Said::Quit);
    };
    Ok(said(line, echo, out)?)
}

fn said(line: String, echo: bool, out: &mut impl Write) -> std::io::Result<Said> {
    if echo {
        writeln!(out, "{}", screen::escape_line(&line))?;
    }
    Ok(match line.trim().to_ascii_lowercase().as_str() {
        "u" => Said::Undo,
        "q" => Said::Quit,
        l => Said::Line(l.to_string()),
    })
}

fn clock_text(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Asks the drawn questions in turn; returns when they are done or the person stops.
fn interview<R: BufRead>(
    drawn: &[Card],
    env: &mut Env,
    input: &mut keys::Input<R>,
    echo: bool,
    rows: &Arc<Mutex<Vec<Row>>>,
    out: &mut impl Write,
) -> Result<()> {
    let session = clock::now()?.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut saved: Vec<Saved> = Vec::new();
    let mut pos = 0;
    'questions: while pos < drawn.len() {
        let card = &drawn[pos];
        let boxed = time_box(card);
        let warm = if pos == 0 { " (warm-up)" } else { "" };
        writeln!(
            out,
            "\n{}\n{}\nTime box: {boxed} min.",
            screen::paint(
                Role::Heading,
                &screen::escape_line(&format!(
                    "Question {}/{}{warm} · {}{}",
                    pos + 1,
                    drawn.len(),
                    card.deck_title,
                    // The section only when it says more than the deck's title.
                    if card.question.section == card.deck_title {
                        String::new()
                    } else {
                        format!(" · {}", card.question.section)
                    }
                ))
            ),
            screen::paint(Role::Prompt, &screen::wrap(&card.question.prompt, "", ""))
        )?;
        let watch = clock::Stopwatch::start();
        let started = std::time::Instant::now();
        let ask = "[Enter] done answering, u undo, q stop >";
        loop {
            if !input.is_keys() {
                write!(out, "{ask} ")?;
                out.flush()?;
            }
            let line = input.read_timed(out, || {
                let ms = started.elapsed().as_millis() as u64;
                let over = if ms > boxed * 60_000 { " (over)" } else { "" };
                format!("  {} of {}:00{over}  {ask} ", clock_text(ms), boxed)
            })?;
            let Some(line) = line else { return Ok(()) };
            match said(line, echo && !input.is_keys(), out)? {
                Said::Line(l) if l.is_empty() => break,
                Said::Undo => {
                    if let Some(p) = take_back(&mut saved, env, rows, out)? {
                        pos = p;
                        continue 'questions;
                    }
                }
                Said::Quit => return Ok(()),
                Said::Line(_) => say(
                    out,
                    "Press Enter when you are done answering (u undo, q stop).",
                )?,
            }
        }
        let ms = watch.elapsed_ms();
        say(out, &format!("Answered in {}.", clock_text(ms)))?;
        for f in follow_ups(card) {
            say(out, &format!("Follow-up: {f}"))?;
            write!(out, "[Enter] when answered > ")?;
            out.flush()?;
            if let Said::Quit = read(input, 0, 0, echo, out)? {
                return Ok(());
            }
        }
        let flags = red_flags(card);
        // The points (keys, details, musts) and the red flags, as review shows them.
        writeln!(out, "{}", super::review::frame::points(card))?;
        let (grade, missed, said) = match grade_answer(card, input, echo, out)? {
            Graded::Grade(g, missed, said) => (g, missed, said),
            Graded::Stop => return Ok(()),
            Graded::Undo => {
                // u at the grade: back to the answer before (or this one again).
                if let Some(p) = take_back(&mut saved, env, rows, out)? {
                    pos = p;
                }
                continue;
            }
        };
        let before = card.state.clone();
        let after = after_mock(before.as_ref(), grade, env.today, &session);
        let recorded = env.store.record(&LogEntry {
            reviewed_at: clock::now()?.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            day: env.today,
            question_id: card.question.id.clone(),
            grade: grade.value(),
            kind: Kind::Mock,
            before: before.clone(),
            after: after.clone(),
            answer_ms: ms,
            missed: missed.clone(),
            red_flags: (!said.is_empty()).then(|| said.clone()),
            session: Some(session.clone()),
            suspend: false,
        })?;
        let log_id = match recorded {
            Recorded::Saved(id) => id,
            Recorded::ChangedElsewhere => {
                say(
                    out,
                    "Not saved: another session reviewed this question meanwhile; it is left out of this mock.",
                )?;
                pos += 1;
                continue;
            }
        };
        // In the report before the word "Saved": a Ctrl-C after it reports this answer.
        if let Ok(mut r) = rows.lock() {
            r.push(Row {
                id: card.question.id.clone(),
                ms,
                box_minutes: boxed,
                grade: grade.value(),
                musts_missed: musts_missed(card, missed.as_deref().unwrap_or(&[])),
                red_flags: (!flags.is_empty()).then_some(said.len()),
            });
        }
        let pulled = before.as_ref().is_some_and(|b| b.due != after.due);
        say(
            out,
            &format!(
                "Saved: grade {}{}.",
                grade.value(),
                if pulled {
                    "; it comes back in tomorrow's review"
                } else {
                    ""
                }
            ),
        )?;
        saved.push(Saved {
            pos,
            log_id,
            before,
            after,
        });
        pos += 1;
    }
    Ok(())
}

/// What the grade prompt got.
enum Graded {
    /// A grade, with the points missed when letters were typed, and the red flags said.
    Grade(sm2::Grade, Option<Vec<usize>>, Vec<usize>),
    Undo,
    Stop,
}

/// The grade of an answer: letters of the points covered (and `!N` for a red flag said)
/// offer the rubric's grade (Enter accepts it), a digit overrides.
fn grade_answer<R: BufRead>(
    card: &Card,
    input: &mut keys::Input<R>,
    echo: bool,
    out: &mut impl Write,
) -> Result<Graded> {
    let npoints = card.question.points.len();
    let nflags = card.question.red_flags.len();
    let musts = musts(card);
    let mut offered: Option<(sm2::Grade, Vec<usize>, Vec<usize>)> = None;
    loop {
        let ask = match (&offered, npoints) {
            (Some(_), _) => "[Enter] accept, or 0-5 grade >".to_string(),
            (None, 0) => "grade 0-5 >".to_string(),
            (None, n) => format!(
                "the letters of the points you covered (e.g. {}{}), - for none, or 0-5 >",
                points::example(n),
                if nflags > 0 { "!1" } else { "" }
            ),
        };
        write!(out, "{} ", screen::wrap(&ask, "", ""))?;
        out.flush()?;
        let (ticks, flags) = if offered.is_none() {
            (npoints, nflags)
        } else {
            (0, 0)
        };
        let line = match read(input, ticks, flags, echo, out)? {
            Said::Quit => return Ok(Graded::Stop),
            Said::Undo => return Ok(Graded::Undo),
            Said::Line(l) => l,
        };
        if let Some(g) = line.parse::<u8>().ok().and_then(sm2::Grade::new) {
            return Ok(match offered {
                Some((_, missed, said)) => Graded::Grade(g, Some(missed), said),
                None => Graded::Grade(g, None, Vec::new()),
            });
        }
        if line.is_empty() {
            match offered.take() {
                Some((g, missed, said)) => return Ok(Graded::Grade(g, Some(missed), said)),
                None => {
                    say(out, "Type the letters you covered, or a grade from 0 to 5.")?;
                    continue;
                }
            }
        }
        match points::ticks(&line, npoints, nflags).filter(|_| npoints > 0) {
            Some((covered, said)) => {
                let g = points::rubric_grade(&covered, &musts, !said.is_empty());
                let missed: Vec<usize> = (0..npoints).filter(|i| !covered.contains(i)).collect();
                let mut words = format!(
                    "Covered {} of {npoints}: grade {}.",
                    covered.len(),
                    g.value()
                );
                let musts_missed = points::musts_missed(&missed, &musts);
                if !musts_missed.is_empty() {
                    words.push_str(&format!(" {} must missed.", musts_missed.len()));
                }
                if !said.is_empty() {
                    words.push_str(" A red flag said: at most 2.");
                }
                say(out, &words)?;
                offered = Some((g, missed, said.into_iter().collect()));
            }
            None => say(
                out,
                "Type the letters of the points you covered (!N for a red flag said), - for none, or a grade from 0 to 5 (u undo, q stop).",
            )?,
        }
    }
}

/// The state a mock answer leaves: as it was, except that a failed answer brings a later
/// due date forward to tomorrow. A question never reviewed stays new (its row is logged only).
fn after_mock(
    before: Option<&StateRow>,
    grade: sm2::Grade,
    today: NaiveDate,
    now: &str,
) -> StateRow {
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
    match before {
        Some(s) if !grade.is_pass() && s.due > tomorrow => StateRow {
            due: tomorrow,
            ..s.clone()
        },
        Some(s) => s.clone(),
        None => StateRow {
            n: 0,
            ef_milli: sm2::INITIAL_EF_MILLI,
            interval: 0,
            due: today,
            introduced: today,
            last_review: now.to_string(),
            lapses: 0,
        },
    }
}

/// Undoes the last saved answer; returns the position to ask again.
fn take_back(
    saved: &mut Vec<Saved>,
    env: &mut Env,
    rows: &Arc<Mutex<Vec<Row>>>,
    out: &mut impl Write,
) -> Result<Option<usize>> {
    let Some(last) = saved.pop() else {
        say(out, "Nothing to undo.")?;
        return Ok(None);
    };
    let id = rows
        .lock()
        .ok()
        .and_then(|r| r.last().map(|r| r.id.clone()))
        .unwrap_or_default();
    if !env
        .store
        .undo_mock(last.log_id, &id, last.before.as_ref(), &last.after)?
    {
        say(
            out,
            "Cannot undo: another session has reviewed that question since.",
        )?;
        saved.push(last);
        return Ok(None);
    }
    if let Ok(mut r) = rows.lock() {
        r.pop();
    }
    say(out, &format!("Undone: {id} is asked again."))?;
    Ok(Some(last.pos))
}

fn report(rows: &[Row], ctx: &Context, out: &mut impl Write) -> Result<()> {
    writeln!(out)?;
    if rows.is_empty() {
        say(out, "Mock over: no answer graded, nothing logged.")?;
        return Ok(());
    }
    writeln!(out, "Mock report, {} (seed {}):", ctx.today, ctx.seed)?;
    let mut t = Table::new(&[
        "#",
        "question",
        "time",
        "box",
        "grade",
        "musts missed",
        "red flags",
    ])
    .short(&["#", "question", "time", "box", "grade", "musts", "flags"])
    .left(1);
    for (i, r) in rows.iter().enumerate() {
        let over = if r.ms > r.box_minutes * 60_000 {
            " over"
        } else {
            ""
        };
        let opt = |v: Option<usize>| v.map_or("-".to_string(), |n| n.to_string());
        t.row(vec![
            (i + 1).to_string(),
            r.id.clone(),
            format!("{}{over}", clock_text(r.ms)),
            format!("{}:00", r.box_minutes),
            r.grade.to_string(),
            opt(r.musts_missed),
            opt(r.red_flags),
        ]);
    }
    writeln!(out, "{}", t.render(screen::width()))?;
    let grades: Vec<u8> = rows.iter().map(|r| r.grade).collect();
    let score = mock::score(&grades).unwrap_or(0);
    let mean = grades.iter().map(|&g| f64::from(g)).sum::<f64>() / grades.len() as f64;
    let since = match ctx
        .previous
        .as_ref()
        .and_then(|p| Some((p, mock::score(&p.grades)?)))
    {
        Some((p, before)) => {
            let change = score as i64 - before as i64;
            format!(
                " Since the last mock ({}, {before}%): {change:+} points.",
                p.day
            )
        }
        None => " The first mock: nothing to compare yet.".to_string(),
    };
    say(
        out,
        &format!("Score: {score}% (mean grade {mean:.1} of 5).{since}"),
    )?;
    out.flush()?;
    Ok(())
}

/// Ctrl-C ends the mock with the report so far: every answer graded is already saved.
fn on_interrupt(rows: Arc<Mutex<Vec<Row>>>, ctx: Context) {
    let _ = ctrlc::set_handler(move || {
        screen::restore();
        let r = rows.lock().map(|r| r.clone()).unwrap_or_default();
        let _ = report(&r, &ctx, &mut std::io::stdout());
        std::process::exit(0);
    });
}
