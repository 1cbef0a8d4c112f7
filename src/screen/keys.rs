//! Answers from the person: single keys on a terminal (raw mode only while a key is awaited,
//! so everything printed reads as usual), whole lines from a pipe.
//!
//! Each answer comes back as the line a pipe would have sent, so one parser serves both.

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::{BTreeSet, VecDeque};
use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static RAW: AtomicBool = AtomicBool::new(false);

/// Leaves raw mode if this process put the terminal in it.
pub fn restore() {
    if RAW.swap(false, Ordering::SeqCst) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Raw mode for as long as it lives: dropped also when a panic unwinds.
struct Raw;

impl Raw {
    fn on() -> io::Result<Raw> {
        crossterm::terminal::enable_raw_mode()?;
        RAW.store(true, Ordering::SeqCst);
        Ok(Raw)
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        restore();
    }
}

/// Where answers come from.
pub enum Input<R> {
    /// A pipe or file: one answer a line, as typed.
    Lines(R),
    /// A terminal: keys act at once.
    Keys { pending: VecDeque<String> },
}

impl<R: BufRead> Input<R> {
    /// Keys when both stdin and stdout are terminals, else lines from `lines`.
    pub fn auto(lines: R) -> Input<R> {
        if io::stdin().is_terminal() && io::stdout().is_terminal() {
            static HOOK: Once = Once::new();
            HOOK.call_once(|| {
                let previous = std::panic::take_hook();
                std::panic::set_hook(Box::new(move |info| {
                    restore();
                    previous(info)
                }));
            });
            Input::Keys {
                pending: VecDeque::new(),
            }
        } else {
            Input::Lines(lines)
        }
    }

    pub fn is_keys(&self) -> bool {
        matches!(self, Input::Keys { .. })
    }

    /// The next answer as a line (without its line break); `None` at the end of input, or on
    /// Ctrl-C / Ctrl-D at a terminal. `points` is how many point letters may be ticked now.
    pub fn read(&mut self, points: usize, out: &mut impl Write) -> io::Result<Option<String>> {
        match self {
            Input::Lines(r) => {
                // Bytes, not a String: a line that is not UTF-8 gets the hint, not an abort.
                let mut raw = Vec::new();
                if r.read_until(b'\n', &mut raw)? == 0 {
                    return Ok(None);
                }
                Ok(Some(String::from_utf8_lossy(&raw).trim_end().to_string()))
            }
            Input::Keys { pending } => {
                if let Some(p) = pending.pop_front() {
                    return Ok(Some(p));
                }
                let Some((line, accept)) = read_keys(points, out)? else {
                    return Ok(None);
                };
                // Ticks and Enter: the letters, then the Enter that accepts what they offer.
                if accept {
                    pending.push_back(String::new());
                }
                Ok(Some(line))
            }
        }
    }
}

/// One key (or, while ticking points, keys up to Enter), as the line it stands for.
/// The flag: an Enter that accepts the offered grade follows.
fn read_keys(points: usize, out: &mut impl Write) -> io::Result<Option<(String, bool)>> {
    let mut ticks: BTreeSet<usize> = BTreeSet::new();
    let mut shown = 0u16;
    loop {
        let key = {
            let _raw = Raw::on()?;
            next_key()?
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let answer = match key.code {
            KeyCode::Char('c' | 'd') if ctrl => return Ok(None),
            KeyCode::Enter | KeyCode::Char(' ') if !ticks.is_empty() => {
                let letters: String = ticks.iter().map(|&i| crate::points::label(i)).collect();
                clear(out, &mut shown)?;
                return Ok(Some((letters, true)));
            }
            KeyCode::Enter | KeyCode::Char(' ') => String::new(),
            // None covered: the grade that earns, at once.
            KeyCode::Char('-') if points > 0 => return Ok(Some(("-".to_string(), true))),
            KeyCode::Backspace | KeyCode::Esc if !ticks.is_empty() => {
                ticks.clear();
                clear(out, &mut shown)?;
                continue;
            }
            KeyCode::Char(c)
                if points > 0
                    && !matches!(c, 'q' | 's' | 'u')
                    && crate::points::index(c.to_ascii_lowercase()).is_some_and(|i| i < points) =>
            {
                let i = crate::points::index(c.to_ascii_lowercase()).unwrap_or(0);
                if !ticks.remove(&i) {
                    ticks.insert(i);
                }
                clear(out, &mut shown)?;
                let text: Vec<String> = ticks
                    .iter()
                    .map(|&i| crate::points::label(i).to_string())
                    .collect();
                let text = format!(
                    "{} (Enter accepts)",
                    if text.is_empty() {
                        "none".to_string()
                    } else {
                        text.join(" ")
                    }
                );
                write!(out, "{text}")?;
                out.flush()?;
                shown = text.chars().count() as u16;
                continue;
            }
            KeyCode::Char(c) if !ticks.is_empty() && c.is_ascii_digit() => {
                clear(out, &mut shown)?;
                c.to_string()
            }
            KeyCode::Char(c) => c.to_string(),
            _ => continue,
        };
        return Ok(Some((answer, false)));
    }
}

fn next_key() -> io::Result<KeyEvent> {
    loop {
        if let Event::Key(k) = event::read()?
            && k.kind != KeyEventKind::Release
        {
            return Ok(k);
        }
    }
}

/// Takes back the tick display written after the prompt.
fn clear(out: &mut impl Write, shown: &mut u16) -> io::Result<()> {
    if *shown > 0 {
        crossterm::queue!(
            out,
            crossterm::cursor::MoveLeft(*shown),
            crossterm::terminal::Clear(crossterm::terminal::ClearType::UntilNewLine)
        )?;
        *shown = 0;
    }
    out.flush()
}
