//! The frame around a question, worded for its deck: the header, how to answer, what to check
//! and the grade legend. Pure: it returns text, formatted through the screen module.

use crate::screen::{self, Role};
use crate::sm2::Grade;
use crate::store::Card;
use chrono::NaiveDate;

/// How a deck's questions are answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Definition, mechanism, trade-off.
    Technical,
    /// A STAR story.
    Behavioural,
    /// The design process.
    Design,
}

impl Kind {
    /// A deck whose guidance names STAR (or whose id or title says behavioural) tells stories;
    /// one whose id or title says "system design" is a design deck; the rest are technical.
    pub fn of(deck_id: &str, title: &str, guidance: Option<&str>) -> Kind {
        let name = format!("{deck_id} {title}")
            .to_lowercase()
            .replace('-', " ");
        let star =
            guidance.is_some_and(|g| g.split(|c: char| !c.is_alphanumeric()).any(|w| w == "STAR"));
        if star || name.contains("behavio") {
            Kind::Behavioural
        } else if name.contains("system design") {
            Kind::Design
        } else {
            Kind::Technical
        }
    }

    pub fn of_card(card: &Card) -> Kind {
        Kind::of(
            &card.question.deck_id,
            &card.deck_title,
            card.guidance.as_deref(),
        )
    }

    /// How to answer, when the deck gives no guidance of its own.
    pub fn how(self) -> &'static str {
        match self {
            Kind::Technical => "Answer in three layers: definition, mechanism, trade-off.",
            Kind::Behavioural => "Tell it as STAR: situation, task, action, result.",
            Kind::Design => "Drive it: requirements, scale, APIs, design, deep dive.",
        }
    }

    /// What to check an answer against when the question has no points.
    pub fn check(self) -> &'static str {
        match self {
            Kind::Technical => {
                "Check all three layers: definition, mechanism, real-world trade-off."
            }
            Kind::Behavioural => {
                "Check the STAR parts: situation, task, your own action, a measured result."
            }
            Kind::Design => {
                "Check the process: requirements, scale, APIs, high-level design, a deep dive, bottlenecks and trade-offs."
            }
        }
    }

    /// What a grade means for this deck (4 and 5 name the deck's frame).
    pub fn meaning(self, g: Grade) -> &'static str {
        match (self, g.value()) {
            (Kind::Behavioural, 5) => "a full STAR story, fluent",
            (Kind::Behavioural, 4) => "a full STAR story, with pauses",
            (Kind::Design, 5) => "the whole design process, fluent",
            (Kind::Design, 4) => "the whole design process, with pauses",
            _ => g.meaning(),
        }
    }
}

/// The header: place, deck and section (the section only when it says more than the deck's
/// title), and how the question stands: new, due or how late, the last grade and interval,
/// and its lapses.
pub fn header(place: &str, card: &Card, today: NaiveDate) -> String {
    let q = &card.question;
    let mut title = screen::escape_line(&card.deck_title).into_owned();
    if q.section.trim() != card.deck_title.trim() && !q.section.trim().is_empty() {
        title = format!("{title} > {}", screen::escape_line(&q.section));
    }
    let status = match &card.state {
        None => screen::paint(Role::Good, "new"),
        Some(s) => {
            let late = (today - s.due).num_days();
            let when = match late {
                -1 => "due tomorrow".to_string(),
                i64::MIN..=-2 => format!("due in {} days", -late),
                0 => "due today".to_string(),
                1 => screen::paint(Role::Late, "1 day late"),
                n => screen::paint(Role::Late, &format!("{n} days late")),
            };
            let last = match card.last_grade {
                Some(g) => format!("last {g}, "),
                None => String::new(),
            };
            let days = s.interval;
            let mut status = format!("{when}; {last}{days}-day interval");
            if s.lapses > 0 {
                let lapses = format!("{} lapse{}", s.lapses, if s.lapses == 1 { "" } else { "s" });
                status.push_str(&format!("; {}", screen::paint(Role::Late, &lapses)));
            }
            status
        }
    };
    let line = format!(
        "[{place}] {}  ({status})",
        screen::paint(Role::Heading, &title)
    );
    screen::wrap_styled(&line, "", "    ")
}

/// How to answer this deck's questions: in full the first time a session shows the deck,
/// then on one line.
pub fn guidance(card: &Card, first_time: bool) -> String {
    let kind = Kind::of_card(card);
    let text = card
        .guidance
        .as_deref()
        .filter(|g| !g.trim().is_empty())
        .unwrap_or(kind.how());
    if first_time {
        screen::paint(Role::Legend, &screen::wrap(text, "", ""))
    } else {
        let line = match screen::width() {
            Some(w) => screen::fit(text, Some(w)),
            None => first_sentence(text),
        };
        screen::paint(Role::Legend, &line)
    }
}

fn first_sentence(text: &str) -> String {
    let text = screen::escape_line(text);
    match text.find(". ") {
        Some(i) => format!("{}…", &text[..=i]),
        None => text.into_owned(),
    }
}

/// The revealed points, each key under its letter (a must says so) with its detail dimmed
/// beneath, or what to check when there are none; then the red flags, numbered for `!N`.
pub fn points(card: &Card) -> String {
    let q = &card.question;
    let mut lines: Vec<String> = Vec::new();
    if q.points.is_empty() {
        lines.push(screen::wrap(Kind::of_card(card).check(), "  ", "  "));
    }
    for (i, p) in q.points.iter().enumerate() {
        let label = format!("{})", crate::points::label(i));
        let first = format!("  {} ", screen::paint(Role::Key, &label));
        let mut key = screen::escape(&p.key).into_owned();
        if p.must {
            key.push_str(&format!(" {}", screen::paint(Role::Late, "(must)")));
        }
        lines.push(screen::wrap_styled(&key, &first, "     "));
        if let Some(d) = &p.detail {
            lines.push(screen::paint(
                Role::Detail,
                &screen::wrap(d, "     ", "     "),
            ));
        }
    }
    if !q.red_flags.is_empty() {
        let how = if q.points.is_empty() {
            "Red flags (said one? then grade it 2 at most):"
        } else {
            "Red flags (said one? add !N to the letters; it caps the grade at 2):"
        };
        lines.push(screen::paint(Role::Legend, &screen::wrap(how, "  ", "  ")));
        for (i, f) in q.red_flags.iter().enumerate() {
            let first = format!("  {} ", screen::paint(Role::Key, &format!("!{}", i + 1)));
            let flag = screen::paint(Role::Flag, &screen::escape(f));
            lines.push(screen::wrap_styled(&flag, &first, "     "));
        }
    }
    lines.join("\n")
}

/// The grade legend for the deck: two grades a line when they fit, else one.
pub fn legend(kind: Kind) -> String {
    let g = |v: u8| Grade::new(v).expect("0-5 is a grade");
    let left_w = [5, 3, 1]
        .iter()
        .map(|&v| screen::visible_width(kind.meaning(g(v))))
        .max()
        .unwrap_or(0);
    let right_w = [4, 2, 0]
        .iter()
        .map(|&v| screen::visible_width(kind.meaning(g(v))))
        .max()
        .unwrap_or(0);
    let item = |v: u8| {
        format!(
            "{} {}",
            screen::paint(Role::Key, &v.to_string()),
            screen::paint(Role::Legend, kind.meaning(g(v)))
        )
    };
    let pair = 4 + 2 + left_w + 3 + 2 + right_w;
    let two = screen::room(0, pair) == pair;
    let mut lines = Vec::new();
    for v in [5u8, 3, 1] {
        if two {
            let pad = left_w - screen::visible_width(kind.meaning(g(v)));
            lines.push(format!(
                "    {}{}   {}",
                item(v),
                " ".repeat(pad),
                item(v - 1)
            ));
        } else {
            lines.push(format!("    {}", item(v)));
            lines.push(format!("    {}", item(v - 1)));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sm2::MEANINGS;

    #[test]
    fn decks_get_their_frame() {
        let star = "Use STAR (Situation, Task, Action, Result).";
        assert_eq!(
            Kind::of("behavioral", "Behavioral & Leadership", Some(star)),
            Kind::Behavioural
        );
        assert_eq!(Kind::of("team", "Stories", Some(star)), Kind::Behavioural);
        assert_eq!(
            Kind::of("system-design", "System Design", None),
            Kind::Design
        );
        assert_eq!(
            Kind::of(
                "algorithms",
                "Algorithms",
                Some("follow-ups turn it into a system-design discussion")
            ),
            Kind::Technical
        );
        assert_eq!(
            Kind::of("go", "Go", Some("start with the stars")),
            Kind::Technical
        );
    }

    #[test]
    fn legends_name_the_frame() {
        let five = Grade::new(5).unwrap();
        assert_eq!(Kind::Technical.meaning(five), "all three layers, fluent");
        assert!(Kind::Behavioural.meaning(five).contains("STAR"));
        assert!(Kind::Design.meaning(five).contains("design process"));
        let two = Grade::new(2).unwrap();
        assert_eq!(Kind::Design.meaning(two), MEANINGS[2]);
    }

    #[test]
    fn a_sentence_collapses_to_its_first() {
        assert_eq!(first_sentence("One. Two. Three."), "One.…");
        assert_eq!(first_sentence("Only one"), "Only one");
    }
}
