//! Lists: one line a row, columns padded to their widest cell, the last column cut to the
//! width with an ellipsis (the shape of `review --peek`, and of a `list` of questions).

use super::{Role, escape_line, fit, paint, visible_width};

/// A cell: text (escaped when the list is rendered) and how to colour it.
pub struct Cell {
    text: String,
    role: Option<Role>,
}

impl Cell {
    pub fn painted(role: Role, text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            role: Some(role),
        }
    }
}

impl<T: Into<String>> From<T> for Cell {
    fn from(text: T) -> Cell {
        Cell {
            text: text.into(),
            role: None,
        }
    }
}

pub struct List {
    right: Vec<bool>,
    min: Vec<usize>,
    cap: Option<usize>,
    rows: Vec<Vec<Cell>>,
}

/// When fewer columns than this are left for the last one, it goes on a line of its own.
const MIN_LAST: usize = 20;

impl List {
    /// A list of `columns` columns, all left-aligned.
    pub fn new(columns: usize) -> List {
        List {
            right: vec![false; columns],
            min: vec![0; columns],
            cap: None,
            rows: Vec::new(),
        }
    }

    /// Right-aligns column `i`.
    pub fn right(mut self, i: usize) -> List {
        self.right[i] = true;
        self
    }

    /// Column `i` is at least `w` wide.
    pub fn min_width(mut self, i: usize, w: usize) -> List {
        self.min[i] = w;
        self
    }

    /// With no width, the last column is still cut at `w` columns.
    pub fn cap_last(mut self, w: usize) -> List {
        self.cap = Some(w);
        self
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// The rows as lines of at most `width` columns (no final line break): the last column
    /// gets what the others leave, or, when that is too little, a line of its own.
    pub fn render(&self, width: Option<usize>) -> String {
        let n = self.right.len();
        let text: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| escape_line(&c.text).into_owned())
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = (0..n.saturating_sub(1))
            .map(|i| {
                text.iter()
                    .map(|r| visible_width(&r[i]))
                    .max()
                    .unwrap_or(0)
                    .max(self.min[i])
            })
            .collect();
        // Columns are two apart, and the last one is one apart from the one before it.
        let lead: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1) + 1;
        let room = width.map(|w| w.saturating_sub(lead));
        let own_line = room.is_some_and(|r| r < MIN_LAST);
        let mut out = Vec::new();
        for (row, cells) in self.rows.iter().zip(&text) {
            let mut line = String::new();
            for i in 0..n.saturating_sub(1) {
                let pad = " ".repeat(widths[i] - visible_width(&cells[i]));
                let cell = match row[i].role {
                    Some(role) => paint(role, &cells[i]),
                    None => cells[i].clone(),
                };
                let sep = if i + 2 == n { " " } else { "  " };
                if self.right[i] {
                    line.push_str(&format!("{pad}{cell}{sep}"));
                } else {
                    line.push_str(&format!("{cell}{pad}{sep}"));
                }
            }
            let last = &row[n - 1].text;
            if own_line {
                out.push(line.trim_end().to_string());
                let indent = 10.min(width.unwrap_or(0) / 4);
                let rest = width.map(|w| w.saturating_sub(indent));
                out.push(format!("{}{}", " ".repeat(indent), fit(last, rest)));
            } else {
                line.push_str(&fit(last, room.or(self.cap)));
                out.push(line.trim_end().to_string());
            }
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> List {
        let mut l = List::new(3).right(0).min_width(1, 12);
        l.row(vec![
            "new".into(),
            "go/gmp".into(),
            "Explain the GMP model".into(),
        ]);
        l.row(vec![
            Cell::painted(Role::Late, "3d late"),
            "go/x".into(),
            "Short".into(),
        ]);
        l
    }

    #[test]
    fn the_last_column_is_cut_to_the_width() {
        assert_eq!(
            sample().render(Some(50)),
            "    new  go/gmp       Explain the GMP model\n3d late  go/x         Short"
                .replace("3d late", &paint(Role::Late, "3d late"))
        );
        let cut = sample().render(Some(42));
        assert!(
            cut.starts_with("    new  go/gmp       Explain the GMP mod…\n"),
            "{cut}"
        );
    }

    #[test]
    fn too_little_room_puts_it_on_its_own_line() {
        let s = sample().render(Some(30));
        assert!(
            s.starts_with("    new  go/gmp\n       Explain the GMP model\n"),
            "{s}"
        );
    }

    #[test]
    fn no_width_keeps_lines_whole_up_to_the_cap() {
        let mut l = List::new(2).cap_last(10);
        l.row(vec!["a\x1b".into(), "0123456789abc".into()]);
        assert_eq!(l.render(None), "a\\u{1b} 012345678…");
    }
}
