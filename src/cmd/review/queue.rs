//! Today's queue, loaded a page at a time: the counts come from the store's tallies, and the
//! cards only as the session reaches them, so the first question is on screen at once however
//! many are due.

use crate::store::{Card, DueKey, Filter, NewKey, Store, due_key};
use anyhow::Result;
use chrono::NaiveDate;

/// The largest page; the first pages are smaller (8, 8, 16, 32, then 64), so the first
/// question costs the reading of a few rows and a long session few queries.
const PAGE: u64 = 64;
const FIRST_PAGE: u64 = 8;

pub struct Queue {
    filter: Filter,
    /// What new questions are taken from: the filter, or an interview plan's decks.
    new_filter: Filter,
    today: NaiveDate,
    /// Due questions in the queue (capped by --limit).
    pub due: u64,
    /// Questions the interview plan gives a final day today (after the due ones), in bank
    /// order: ids, loaded a page at a time like the others.
    pub finals: Vec<String>,
    /// New questions in the queue (today's room, capped by --limit).
    pub new: u64,
    /// The cards loaded so far, in queue order: due ones, the plan's finals, then new ones.
    pub cards: Vec<Card>,
    due_after: Option<DueKey>,
    new_after: Option<NewKey>,
}

impl Queue {
    pub fn new(
        store: &Store,
        filter: Filter,
        today: NaiveDate,
        new_room: u64,
        new_filter: Filter,
        mut finals: Vec<String>,
        limit: Option<u64>,
    ) -> Result<Queue> {
        let mut due = store.due_total(&filter, today)?;
        let mut new = if new_room == 0 {
            0
        } else {
            store.new_total(&new_filter)?.min(new_room)
        };
        if let Some(limit) = limit {
            due = due.min(limit);
            finals.truncate((limit - due) as usize);
            new = new.min(limit - due - finals.len() as u64);
        }
        Ok(Queue {
            filter,
            new_filter,
            today,
            due,
            finals,
            new,
            cards: Vec::new(),
            due_after: None,
            new_after: None,
        })
    }

    /// A queue of these cards only (`review --ahead`): all loaded, counted as due.
    pub fn ahead(cards: Vec<Card>, today: NaiveDate) -> Queue {
        Queue {
            filter: Filter::default(),
            new_filter: Filter::default(),
            today,
            due: cards.len() as u64,
            finals: Vec::new(),
            new: 0,
            cards,
            due_after: None,
            new_after: None,
        }
    }

    pub fn len(&self) -> usize {
        self.due as usize + self.finals.len() + self.new as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Loads cards up to index `i`; false when the queue turns out shorter (another process
    /// changed the database since the counts), which then shrinks to what exists.
    pub fn load(&mut self, store: &Store, i: usize) -> Result<bool> {
        while self.cards.len() <= i {
            let loaded = self.cards.len() as u64;
            let page_size = loaded.clamp(FIRST_PAGE, PAGE);
            if loaded < self.due {
                let page = store.due_page(
                    &self.filter,
                    self.today,
                    self.due_after.clone(),
                    (self.due - loaded).min(page_size),
                )?;
                match page.last() {
                    Some(last) => self.due_after = Some(due_key(last)),
                    None => self.due = loaded,
                }
                self.cards.extend(page);
            } else if (loaded as usize) < self.due as usize + self.finals.len() {
                let from = loaded as usize - self.due as usize;
                let to = self.finals.len().min(from + page_size as usize);
                let page = store.cards_by_ids(&self.finals[from..to], &Filter::default())?;
                if page.len() < to - from {
                    // Some went inactive meanwhile: keep only what loaded.
                    let kept: Vec<String> = page.iter().map(|c| c.question.id.clone()).collect();
                    self.finals.splice(from..to, kept);
                }
                self.cards.extend(page);
            } else if (loaded as usize) < self.len() {
                let want = (self.len() as u64 - loaded).min(page_size);
                let page = store.new_page(&self.new_filter, self.new_after.clone(), want)?;
                match page.last() {
                    Some(last) => {
                        self.new_after = Some((
                            last.deck_position,
                            last.question.position,
                            last.question.id.clone(),
                        ))
                    }
                    None => {
                        self.new = (loaded as usize - self.due as usize - self.finals.len()) as u64
                    }
                }
                self.cards.extend(page);
            } else {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
