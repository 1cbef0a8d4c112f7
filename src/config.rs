//! Settings that stick: `<config dir>/rehearse/config.toml` (or `REHEARSE_CONFIG`), then
//! environment variables, then flags. Parsing is pure; `load` reads the file and the
//! environment once.

use anyhow::{Result, bail};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Where a setting in force came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    /// The config file, at this line.
    File(usize),
    /// This environment variable.
    Env(&'static str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub from: Source,
}

impl<T> Setting<T> {
    fn default(value: T) -> Setting<T> {
        Setting {
            value,
            from: Source::Default,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeechAction {
    Mark,
    Suspend,
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Color::Auto => "auto",
            Color::Always => "always",
            Color::Never => "never",
        })
    }
}

impl fmt::Display for LeechAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LeechAction::Mark => "mark",
            LeechAction::Suspend => "suspend",
        })
    }
}

/// When a question counts as a leech, and what happens to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leech {
    /// Lapses that make a leech; 0 turns leeches off.
    pub lapses: u64,
    pub action: LeechAction,
}

impl Leech {
    pub fn is_leech(&self, lapses: u64) -> bool {
        self.lapses > 0 && lapses >= self.lapses
    }
}

/// The settings in force, each with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The config file read (or looked for).
    pub file: Option<PathBuf>,
    /// Whether that file exists.
    pub file_found: bool,
    pub new_per_day: Setting<u64>,
    pub day_starts: Setting<u32>,
    pub color: Setting<Color>,
    pub leech_lapses: Setting<u64>,
    pub leech_action: Setting<LeechAction>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            file: None,
            file_found: false,
            new_per_day: Setting::default(10),
            day_starts: Setting::default(4),
            color: Setting::default(Color::Auto),
            leech_lapses: Setting::default(6),
            leech_action: Setting::default(LeechAction::Mark),
        }
    }
}

impl Settings {
    pub fn leech(&self) -> Leech {
        Leech {
            lapses: self.leech_lapses.value,
            action: self.leech_action.value,
        }
    }
}

pub const KEYS: &str = "new_per_day, day_starts, color, leech_lapses, leech_action";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    new_per_day: Option<Spanned<i64>>,
    day_starts: Option<Spanned<i64>>,
    color: Option<Spanned<String>>,
    leech_lapses: Option<Spanned<i64>>,
    leech_action: Option<Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    let offset = text.floor_char_boundary(offset.min(text.len()));
    text[..offset].matches('\n').count() + 1
}

/// Applies a config file's text to the defaults. Every error names the file and the line.
pub fn parse(path: &Path, text: &str) -> Result<Settings> {
    let shown = path.display();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        let msg = e.message().trim().replace('\n', " ");
        let msg = if msg.starts_with("unknown field") {
            format!("{msg}; the keys are {KEYS}")
        } else {
            msg
        };
        anyhow::anyhow!("{shown}:{line}: {msg}")
    })?;
    let mut s = Settings {
        file: Some(path.to_path_buf()),
        file_found: true,
        ..Settings::default()
    };
    let at = |v: &Spanned<i64>| line_of(text, v.span().start);
    if let Some(v) = &file.new_per_day {
        match u64::try_from(*v.get_ref()) {
            Ok(n) if n <= 10_000 => s.new_per_day = from_file(n, at(v)),
            _ => bail!(
                "{shown}:{}: new_per_day = {} is not a count: use a whole number from 0 to 10000",
                at(v),
                v.get_ref()
            ),
        }
    }
    if let Some(v) = &file.day_starts {
        match u32::try_from(*v.get_ref()) {
            Ok(h) if h < 24 => s.day_starts = from_file(h, at(v)),
            _ => bail!(
                "{shown}:{}: day_starts = {} is not an hour: use a whole number from 0 to 23",
                at(v),
                v.get_ref()
            ),
        }
    }
    if let Some(v) = &file.leech_lapses {
        match u64::try_from(*v.get_ref()) {
            Ok(n) if n <= 1000 => s.leech_lapses = from_file(n, at(v)),
            _ => bail!(
                "{shown}:{}: leech_lapses = {} is not a count: use a whole number from 0 (off) to 1000",
                at(v),
                v.get_ref()
            ),
        }
    }
    if let Some(v) = &file.color {
        let line = line_of(text, v.span().start);
        let c = match v.get_ref().as_str() {
            "auto" => Color::Auto,
            "always" => Color::Always,
            "never" => Color::Never,
            other => {
                bail!(
                    "{shown}:{line}: color = {other:?} is not a choice: use auto, always or never"
                )
            }
        };
        s.color = from_file(c, line);
    }
    if let Some(v) = &file.leech_action {
        let line = line_of(text, v.span().start);
        let a = match v.get_ref().as_str() {
            "mark" => LeechAction::Mark,
            "suspend" => LeechAction::Suspend,
            other => bail!(
                "{shown}:{line}: leech_action = {other:?} is not a choice: use mark or suspend"
            ),
        };
        s.leech_action = from_file(a, line);
    }
    Ok(s)
}

fn from_file<T>(value: T, line: usize) -> Setting<T> {
    Setting {
        value,
        from: Source::File(line),
    }
}

/// `REHEARSE_CONFIG`, else `<config dir>/rehearse/config.toml`; `None` when there is no
/// config folder (no HOME). The bool says whether the path was given explicitly.
fn path() -> Option<(PathBuf, bool)> {
    match std::env::var_os("REHEARSE_CONFIG") {
        Some(p) if !p.is_empty() => Some((PathBuf::from(p), true)),
        _ => dirs::config_dir().map(|d| (d.join("rehearse").join("config.toml"), false)),
    }
}

/// Reads the config file (when there is one) and the environment.
pub fn load() -> Result<Settings> {
    let mut s = match path() {
        None => Settings::default(),
        Some((p, explicit)) => match std::fs::read(&p) {
            Ok(bytes) => {
                let Ok(text) = String::from_utf8(bytes) else {
                    bail!("{}: not valid UTF-8: save the file as UTF-8", p.display())
                };
                parse(&p, &text)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Settings {
                file: Some(p),
                ..Settings::default()
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "REHEARSE_CONFIG names {}, which does not exist: create it, or unset REHEARSE_CONFIG",
                p.display()
            ),
            Err(e) => bail!("cannot read the config file {}: {e}", p.display()),
        },
    };
    if std::env::var_os("REHEARSE_DAY_STARTS").is_some() {
        s.day_starts = Setting {
            value: crate::clock::day_starts()?,
            from: Source::Env("REHEARSE_DAY_STARTS"),
        };
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Settings> {
        parse(Path::new("c.toml"), text)
    }

    #[test]
    fn values_and_lines() {
        let s = p("# mine\nnew_per_day = 3\n\nleech_action = \"suspend\"\ncolor = \"never\"\n")
            .unwrap();
        assert_eq!(s.new_per_day, from_file(3, 2));
        assert_eq!(s.leech_action, from_file(LeechAction::Suspend, 4));
        assert_eq!(s.color, from_file(Color::Never, 5));
        assert_eq!(s.day_starts, Setting::default(4));
        assert_eq!(s.leech_lapses, Setting::default(6));
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = p("new_per_day = 3\nnew_per_dya = 4\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml:2: unknown field `new_per_dya`"),
            "{e}"
        );
        assert!(e.ends_with(KEYS), "{e}");
        let e = p("\nday_starts = 24\n").unwrap_err().to_string();
        assert_eq!(
            e,
            "c.toml:2: day_starts = 24 is not an hour: use a whole number from 0 to 23"
        );
        let e = p("new_per_day = -1").unwrap_err().to_string();
        assert!(e.starts_with("c.toml:1: new_per_day = -1"), "{e}");
        let e = p("\n\ncolor = \"red\"").unwrap_err().to_string();
        assert!(e.starts_with("c.toml:3: color = \"red\""), "{e}");
        let e = p("leech_lapses = \"six\"").unwrap_err().to_string();
        assert!(e.starts_with("c.toml:1: "), "{e}");
        let e = p("x = = 1").unwrap_err().to_string();
        assert!(e.starts_with("c.toml:1: "), "{e}");
    }

    #[test]
    fn leech_threshold() {
        let l = Leech {
            lapses: 3,
            action: LeechAction::Mark,
        };
        assert!(!l.is_leech(2) && l.is_leech(3) && l.is_leech(9));
        let off = Leech { lapses: 0, ..l };
        assert!(!off.is_leech(0) && !off.is_leech(100));
    }
}
