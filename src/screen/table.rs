//! Tables that fit the width: boxed when there is room, else borderless with short headers,
//! the text columns wrapped at word boundaries by comfy-table's dynamic arrangement.

use super::{escape, visible_width};
use comfy_table::{
    CellAlignment, ColumnConstraint, ContentArrangement, LineStyle, TableStyle, Width,
};

/// A table: the first column is text (left-aligned), the others are figures (right-aligned)
/// unless [`Table::left`] says otherwise.
pub struct Table {
    head: Vec<String>,
    short: Vec<String>,
    left: Vec<bool>,
    rows: Vec<Vec<String>>,
}

/// Only a line under the header: three cells less a column than a box.
const NARROW: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─'));

impl Table {
    /// A table with these column headers.
    pub fn new(head: &[&str]) -> Table {
        Table {
            head: head.iter().map(|h| h.to_string()).collect(),
            short: head.iter().map(|h| h.to_string()).collect(),
            left: (0..head.len()).map(|i| i == 0).collect(),
            rows: Vec::new(),
        }
    }

    /// Headers used when the table must be narrow (same count as the columns).
    pub fn short(mut self, short: &[&str]) -> Table {
        self.short = short.iter().map(|h| h.to_string()).collect();
        self
    }

    /// Left-aligns column `i` (a text column).
    pub fn left(mut self, i: usize) -> Table {
        if let Some(l) = self.left.get_mut(i) {
            *l = true;
        }
        self
    }

    /// Adds a row; its cells are escaped.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.iter().map(|c| escape(c).into_owned()).collect());
    }

    fn build(&self, narrow: Option<&[u16]>) -> comfy_table::Table {
        let mut t = comfy_table::Table::new();
        match narrow {
            Some(_) => {
                t.load_style(NARROW)
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_header(self.short.clone());
            }
            None => {
                t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
                    .set_content_arrangement(ContentArrangement::Disabled)
                    .set_header(self.head.clone());
            }
        }
        for r in &self.rows {
            t.add_row(r.clone());
        }
        for (i, c) in t.column_iter_mut().enumerate() {
            if !self.left[i] {
                c.set_cell_alignment(CellAlignment::Right);
            }
            if let Some(widths) = narrow {
                c.set_padding((0, self.gap(i)));
                c.set_constraint(ColumnConstraint::Absolute(Width::Fixed(widths[i])));
            }
        }
        if let Some(widths) = narrow {
            t.set_width(widths.iter().sum());
        }
        t
    }

    /// The space after column `i` in the narrow layout: two after text, one after figures.
    fn gap(&self, i: usize) -> u16 {
        if i + 1 == self.head.len() {
            0
        } else if self.left[i] {
            2
        } else {
            1
        }
    }

    /// Column widths (with their gap) for the narrow layout in `width`, or `None` when a
    /// text column would have to cut a word.
    fn narrow_widths(&self, width: usize) -> Option<Vec<u16>> {
        let n = self.head.len();
        let cells = |i: usize| {
            std::iter::once(self.short[i].as_str())
                .chain(self.rows.iter().map(move |r| r[i].as_str()))
        };
        let content: Vec<usize> = (0..n)
            .map(|i| {
                cells(i)
                    .flat_map(str::lines)
                    .map(visible_width)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let longest_word: Vec<usize> = (0..n)
            .map(|i| {
                cells(i)
                    .flat_map(str::split_whitespace)
                    .map(visible_width)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut widths: Vec<usize> = (0..n)
            .map(|i| content[i] + usize::from(self.gap(i)))
            .collect();
        let text: Vec<usize> = (0..n).filter(|&i| self.left[i]).collect();
        let fixed: usize = (0..n).filter(|i| !self.left[*i]).map(|i| widths[i]).sum();
        let mut room = width.checked_sub(fixed)?;
        // Each text column first gets its longest word, then the rest goes to the columns
        // with more to show, in proportion to what they hold.
        for &i in &text {
            widths[i] = (longest_word[i].max(MIN_TEXT.min(content[i])) + usize::from(self.gap(i)))
                .min(content[i] + usize::from(self.gap(i)));
            room = room.checked_sub(widths[i])?;
        }
        let want: usize = text
            .iter()
            .map(|&i| content[i] + usize::from(self.gap(i)) - widths[i])
            .sum();
        for &i in &text {
            let more = content[i] + usize::from(self.gap(i)) - widths[i];
            widths[i] += (more * room).checked_div(want).unwrap_or(0);
        }
        widths.into_iter().map(|w| u16::try_from(w).ok()).collect()
    }

    /// One record a row: the first column on its line, the others as "header value" under it.
    fn records(&self, width: usize) -> String {
        let mut out = Vec::new();
        for r in &self.rows {
            out.push(super::wrap_styled_to(&r[0], Some(width), "", "  "));
            let rest: Vec<String> = (1..self.head.len())
                .map(|i| format!("{} {}", self.head[i], r[i]))
                .collect();
            out.push(super::wrap_styled_to(
                &rest.join(" · "),
                Some(width),
                "  ",
                "  ",
            ));
        }
        out.join("\n")
    }

    /// The table as lines of at most `width` columns (whole lines when `width` is `None`),
    /// with no final line break: boxed when it fits, else borderless with short headers and
    /// text wrapped at words, else (too narrow for that) one record a row.
    pub fn render(&self, width: Option<usize>) -> String {
        let boxed = self.build(None).to_string();
        let Some(w) = width else {
            return boxed;
        };
        if boxed.lines().all(|l| visible_width(l) <= w) {
            return boxed;
        }
        match self.narrow_widths(w) {
            Some(widths) => {
                let narrow = self.build(Some(&widths)).to_string();
                let mut lines: Vec<String> =
                    narrow.lines().map(|l| l.trim_end().to_string()).collect();
                // Short headers are named in full under the table.
                let named: Vec<String> = (0..self.head.len())
                    .filter(|&i| self.short[i] != self.head[i])
                    .map(|i| format!("{} = {}", self.short[i], self.head[i]))
                    .collect();
                if !named.is_empty() {
                    lines.push(super::wrap_styled_to(&named.join(", "), Some(w), "", ""));
                }
                lines.join("\n")
            }
            None => self.records(w),
        }
    }
}

/// A text column narrower than this makes the table a list of records instead.
const MIN_TEXT: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t =
            Table::new(&["section", "questions", "retention"]).short(&["section", "qs", "kept"]);
        t.row(vec![
            "Goroutines, Scheduler & the GMP Model".into(),
            "12".into(),
            "75%".into(),
        ]);
        t
    }

    #[test]
    fn a_table_with_room_is_boxed_and_whole() {
        let s = sample().render(Some(120));
        assert_eq!(s, sample().render(None));
        assert!(
            s.contains("│ Goroutines, Scheduler & the GMP Model ┆        12 ┆       75% │"),
            "{s}"
        );
    }

    #[test]
    fn a_narrow_table_fits_and_keeps_words_whole() {
        let s = sample().render(Some(30));
        for l in s.lines() {
            assert!(visible_width(l) <= 30, "{l:?} in\n{s}");
        }
        for word in [
            "Goroutines,",
            "Scheduler",
            "GMP",
            "Model",
            "qs",
            "kept",
            "75%",
        ] {
            assert!(s.split_whitespace().any(|w| w == word), "{word} in\n{s}");
        }
    }

    #[test]
    fn too_narrow_for_columns_gives_records() {
        let s = sample().render(Some(20));
        assert_eq!(
            s,
            "Goroutines,\n  Scheduler & the\n  GMP Model\n  questions 12 ·\n  retention 75%"
        );
    }

    #[test]
    fn cells_are_escaped() {
        let mut t = Table::new(&["a"]);
        t.row(vec!["x\x1b[31my".into()]);
        assert!(t.render(None).contains("x\\u{1b}[31my"));
    }
}
