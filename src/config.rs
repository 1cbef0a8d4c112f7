//! Settings that stick: `<config dir>/rehearse/config.toml` (or `REHEARSE_CONFIG`), then
//! environment variables, then flags. Parsing is pure; `load` reads the file and the
//! environment once.

use anyhow::{Result, bail};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

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

/// The `color` key takes the values of `--color`.
pub use crate::screen::ColorWhen as Color;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeechAction {
    Mark,
    Suspend,
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

fn line_of(text: &str, offset: usize) -> usize {
    let offset = text.floor_char_boundary(offset.min(text.len()));
    text[..offset].matches('\n').count() + 1
}

/// A whole number in `range`, or the line that says what to write.
fn number(
    v: &DeValue,
    key: &str,
    range: std::ops::RangeInclusive<u64>,
    what: &str,
) -> Result<u64, String> {
    let Some(i) = v.as_integer() else {
        return Err(format!(
            "{key} must be a whole number, not a {}",
            v.type_str()
        ));
    };
    let digits = i.as_str().replace('_', "");
    match u64::from_str_radix(digits.trim_start_matches('+'), i.radix()) {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(format!(
            "{key} = {} is not {what}: use a whole number from {} to {}",
            i.as_str(),
            range.start(),
            range.end()
        )),
    }
}

/// One of `choices`, or the line that lists them.
fn choice<T: Copy>(v: &DeValue, key: &str, choices: &[(&str, T)]) -> Result<T, String> {
    let Some(text) = v.as_str() else {
        return Err(format!("{key} must be a string, not a {}", v.type_str()));
    };
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    choices
        .iter()
        .find(|(n, _)| *n == text)
        .map(|(_, c)| *c)
        .ok_or_else(|| {
            format!(
                "{key} = {text:?} is not a choice: use {}",
                names.join(" or ")
            )
        })
}

/// Applies a config file's text to the defaults. Every error names the file and the line.
pub fn parse(path: &Path, text: &str) -> Result<Settings> {
    let shown = path.display();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = DeTable::parse(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        let msg = e.message().trim().replace('\n', " ");
        anyhow::anyhow!("{shown}:{line}: invalid TOML: {msg}")
    })?;
    let mut s = Settings {
        file: Some(path.to_path_buf()),
        file_found: true,
        ..Settings::default()
    };
    for (k, v) in root.get_ref().iter() {
        let key = k.get_ref().as_ref();
        let line = line_of(text, k.span().start);
        let v = v.get_ref();
        let applied =
            match key {
                "new_per_day" => number(v, key, 0..=10_000, "a count")
                    .map(|n| s.new_per_day = from_file(n, line)),
                "day_starts" => number(v, key, 0..=23, "an hour")
                    .map(|h| s.day_starts = from_file(h as u32, line)),
                "leech_lapses" => number(v, key, 0..=1000, "a count (0 turns leeches off)")
                    .map(|n| s.leech_lapses = from_file(n, line)),
                "color" => choice(
                    v,
                    key,
                    &[
                        ("auto", Color::Auto),
                        ("always", Color::Always),
                        ("never", Color::Never),
                    ],
                )
                .map(|c| s.color = from_file(c, line)),
                "leech_action" => choice(
                    v,
                    key,
                    &[
                        ("mark", LeechAction::Mark),
                        ("suspend", LeechAction::Suspend),
                    ],
                )
                .map(|a| s.leech_action = from_file(a, line)),
                other => Err(format!("unknown key {other:?}: the keys are {KEYS}")),
            };
        if let Err(msg) = applied {
            bail!("{shown}:{line}: {msg}");
        }
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
        let e = |text: &str| p(text).unwrap_err().to_string();
        assert_eq!(
            e("new_per_day = 3\nnew_per_dya = 4\n"),
            format!("c.toml:2: unknown key \"new_per_dya\": the keys are {KEYS}")
        );
        assert_eq!(
            e("\nday_starts = 24\n"),
            "c.toml:2: day_starts = 24 is not an hour: use a whole number from 0 to 23"
        );
        assert!(e("new_per_day = -1").starts_with("c.toml:1: new_per_day = -1 is not a count"));
        assert_eq!(
            e("\n\ncolor = \"red\""),
            "c.toml:3: color = \"red\" is not a choice: use auto or always or never"
        );
        assert_eq!(
            e("leech_lapses = \"six\""),
            "c.toml:1: leech_lapses must be a whole number, not a string"
        );
        assert!(e("\n[extra]\nx = 1").starts_with("c.toml:2: unknown key \"extra\""));
        assert!(e("x = = 1").starts_with("c.toml:1: invalid TOML: "));
        assert_eq!(p("new_per_day = 1_0").unwrap().new_per_day.value, 10);
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
