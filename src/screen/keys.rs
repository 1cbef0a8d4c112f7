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
    /// Ctrl-C / Ctrl-D at a terminal. `points` is how many point letters may be ticked now,
    /// `flags` how many red flags (`!` and a number) may be.
    pub fn read(
        &mut self,
        points: usize,
        flags: usize,
        out: &mut impl Write,
    ) -> io::Result<Option<String>> {
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
                let Some((line, accept)) = read_keys(points, flags, out)? else {
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

impl<R: BufRead> Input<R> {
    /// Waits for one answer like `read` with no points, while `status` (an elapsed timer) is
    /// redrawn in place on the line every second on a terminal. From a pipe: one line.
    pub fn read_timed(
        &mut self,
        out: &mut impl Write,
        mut status: impl FnMut() -> String,
    ) -> io::Result<Option<String>> {
        if !self.is_keys() {
            return self.read(0, 0, out);
        }
        loop {
            clear_line(out)?;
            write!(out, "{}", status())?;
            out.flush()?;
            let key = {
                let _raw = Raw::on()?;
                if !event::poll(std::time::Duration::from_secs(1))? {
                    continue;
                }
                match event::read()? {
                    Event::Key(k) if k.kind != KeyEventKind::Release => k,
                    _ => continue,
                }
            };
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            let line = match key.code {
                KeyCode::Char('c' | 'd') if ctrl => None,
                KeyCode::Enter | KeyCode::Char(' ') => Some(String::new()),
                KeyCode::Char(c) => Some(c.to_string()),
                _ => continue,
            };
            writeln!(out)?;
            return Ok(line);
        }
    }
}

/// What a key does.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// The answer is this line; `true`: an Enter that accepts the offered grade follows.
    Line(String, bool),
    /// Show the ticks so far after the prompt.
    Show(String),
    /// Ctrl-C or Ctrl-D: the session ends.
    End,
    /// Nothing (a key release, an arrow, ...).
    Ignore,
}

/// Keys turned into answers; `points` letters may be ticked (0 before the points are shown),
/// and `flags` red flags, each as `!` and its number.
struct Ticker {
    points: usize,
    ticks: BTreeSet<usize>,
    flags: usize,
    /// Red flags said (0-based).
    said: BTreeSet<usize>,
    /// `!` was pressed: the next digit names a red flag.
    bang: bool,
    ticking: bool,
}

impl Ticker {
    fn new(points: usize, flags: usize) -> Ticker {
        Ticker {
            points,
            ticks: BTreeSet::new(),
            flags: if points > 0 { flags } else { 0 },
            said: BTreeSet::new(),
            bang: false,
            ticking: false,
        }
    }

    /// The answer the ticks so far stand for, as a pipe would type it ("ac!1").
    fn answer(&self) -> String {
        let mut line: String = self
            .ticks
            .iter()
            .map(|&i| crate::points::label(i))
            .collect();
        if line.is_empty() {
            line.push('-');
        }
        for i in &self.said {
            line.push_str(&format!("!{}", i + 1));
        }
        line
    }

    fn show(&self) -> Step {
        let mut shown: Vec<String> = self
            .ticks
            .iter()
            .map(|&i| crate::points::label(i).to_string())
            .collect();
        if shown.is_empty() {
            shown.push("none".into());
        }
        shown.extend(self.said.iter().map(|i| format!("!{}", i + 1)));
        if self.bang {
            shown.push("!".into());
        }
        Step::Show(format!("{} (Enter accepts)", shown.join(" ")))
    }

    fn press(&mut self, key: KeyEvent) -> Step {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let tick = |c: char| {
            crate::points::index(c.to_ascii_lowercase())
                .filter(|&i| self.points > 0 && i < self.points && !matches!(c, 'q' | 's' | 'u'))
        };
        if self.bang {
            self.bang = false;
            let flag = match key.code {
                KeyCode::Char(c) => c.to_digit(10).map(|d| d as usize),
                _ => None,
            };
            if let Some(n) = flag.filter(|&n| (1..=self.flags).contains(&n)) {
                if !self.said.remove(&(n - 1)) {
                    self.said.insert(n - 1);
                }
                return self.show();
            }
        }
        match key.code {
            KeyCode::Char('c' | 'd') if ctrl => Step::End,
            KeyCode::Enter | KeyCode::Char(' ') if self.ticking => Step::Line(self.answer(), true),
            // A red flag said: its number follows.
            KeyCode::Char('!') if self.flags > 0 => {
                self.bang = true;
                self.ticking = true;
                self.show()
            }
            KeyCode::Enter | KeyCode::Char(' ') => Step::Line(String::new(), false),
            // None covered: the grade that earns, at once.
            KeyCode::Char('-') if self.points > 0 => Step::Line("-".into(), true),
            KeyCode::Backspace | KeyCode::Esc if self.ticking => {
                self.ticks.clear();
                self.said.clear();
                self.ticking = false;
                Step::Show(String::new())
            }
            KeyCode::Char(c) if tick(c).is_some() => {
                let i = tick(c).unwrap_or(0);
                if !self.ticks.remove(&i) {
                    self.ticks.insert(i);
                }
                self.ticking = true;
                self.show()
            }
            KeyCode::Char(c) => Step::Line(c.to_string(), false),
            _ => Step::Ignore,
        }
    }
}

/// One key (or, while ticking points, keys up to Enter), as the line it stands for, and
/// whether an Enter accepting the offered grade follows.
fn read_keys(
    points: usize,
    flags: usize,
    out: &mut impl Write,
) -> io::Result<Option<(String, bool)>> {
    let mut ticker = Ticker::new(points, flags);
    // The ticks get a line of their own under the prompt, redrawn in place: a line that
    // never wraps can always be redrawn.
    let mut below = false;
    loop {
        let key = {
            let _raw = Raw::on()?;
            next_key()?
        };
        match ticker.press(key) {
            Step::Ignore => {}
            Step::Show(text) => {
                if !below {
                    writeln!(out)?;
                    below = true;
                }
                clear_line(out)?;
                write!(out, "  {text}")?;
                out.flush()?;
            }
            Step::Line(line, accept) => {
                if below {
                    clear_line(out)?;
                }
                return Ok(Some((line, accept)));
            }
            Step::End => {
                if below {
                    clear_line(out)?;
                }
                return Ok(None);
            }
        }
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

/// Empties the line the cursor is on and puts the cursor at its start. Straight to the
/// terminal: `out` may be a stream that drops escape codes when colour is off.
fn clear_line(out: &mut impl Write) -> io::Result<()> {
    out.flush()?;
    let mut tty = io::stdout();
    crossterm::queue!(
        tty,
        crossterm::cursor::MoveToColumn(0),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::CurrentLine)
    )?;
    tty.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(points: usize, keys: &[KeyCode]) -> Vec<Step> {
        flag_keys(points, 0, keys)
    }

    fn flag_keys(points: usize, flags: usize, keys: &[KeyCode]) -> Vec<Step> {
        let mut t = Ticker::new(points, flags);
        keys.iter()
            .map(|&k| t.press(KeyEvent::new(k, KeyModifiers::NONE)))
            .collect()
    }

    fn line(s: &str, accept: bool) -> Step {
        Step::Line(s.into(), accept)
    }

    #[test]
    fn single_keys_act_at_once() {
        use KeyCode::*;
        assert_eq!(keys(0, &[Char(' ')]), [line("", false)]);
        assert_eq!(keys(0, &[Enter]), [line("", false)]);
        assert_eq!(keys(5, &[Char('4')]), [line("4", false)]);
        assert_eq!(keys(5, &[Char('u')]), [line("u", false)]);
        assert_eq!(keys(5, &[Char('q')]), [line("q", false)]);
        assert_eq!(keys(3, &[Char('s')]), [line("s", false)]);
        assert_eq!(keys(3, &[Left]), [Step::Ignore]);
        let mut t = Ticker::new(3, 0);
        assert_eq!(
            t.press(KeyEvent::new(Char('c'), KeyModifiers::CONTROL)),
            Step::End
        );
    }

    #[test]
    fn letters_tick_and_enter_accepts() {
        use KeyCode::*;
        let steps = keys(5, &[Char('a'), Char('c'), Char('a'), Char('e'), Enter]);
        assert_eq!(
            steps,
            [
                Step::Show("a (Enter accepts)".into()),
                Step::Show("a c (Enter accepts)".into()),
                Step::Show("c (Enter accepts)".into()),
                Step::Show("c e (Enter accepts)".into()),
                line("ce", true),
            ]
        );
        // A letter past the question's points is not a tick; before the points, none is.
        assert_eq!(keys(2, &[Char('c')]), [line("c", false)]);
        assert_eq!(keys(0, &[Char('a')]), [line("a", false)]);
        // All ticks taken back: nothing covered.
        assert_eq!(keys(3, &[Char('b'), Char('b'), Enter])[2], line("-", true));
        // A digit while ticking grades instead; Backspace clears.
        assert_eq!(keys(3, &[Char('b'), Char('4')])[1], line("4", false));
        assert_eq!(
            keys(3, &[Char('b'), Backspace, Enter])[1..],
            [Step::Show(String::new()), line("", false)]
        );
    }

    #[test]
    fn bang_and_a_number_say_a_red_flag() {
        use KeyCode::*;
        let steps = flag_keys(3, 2, &[Char('a'), Char('!'), Char('2'), Char('c'), Enter]);
        assert_eq!(
            steps,
            [
                Step::Show("a (Enter accepts)".into()),
                Step::Show("a ! (Enter accepts)".into()),
                Step::Show("a !2 (Enter accepts)".into()),
                Step::Show("a c !2 (Enter accepts)".into()),
                line("ac!2", true),
            ]
        );
        // A red flag alone: nothing covered, the flag said; pressed twice, taken back.
        assert_eq!(
            flag_keys(3, 2, &[Char('!'), Char('1'), Enter])[2],
            line("-!1", true)
        );
        assert_eq!(
            flag_keys(3, 2, &[Char('!'), Char('1'), Char('!'), Char('1'), Enter])[4],
            line("-", true)
        );
        // A number past the red flags is not one, and grades; without red flags `!` is a key.
        assert_eq!(
            flag_keys(3, 2, &[Char('!'), Char('3')])[1],
            line("3", false)
        );
        assert_eq!(flag_keys(3, 0, &[Char('!')]), [line("!", false)]);
        // Before the points are shown, no red flag either.
        assert_eq!(flag_keys(0, 2, &[Char('!')]), [line("!", false)]);
    }
}
