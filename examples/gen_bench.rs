//! Generates the benchmark data set, deterministically (a fixed-seed PRNG):
//! - DIR/bank/deck-NNN.toml: 100 decks x 1,000 questions (prompts ~150 characters, 3 key
//!   points, 2 tags);
//! - DIR/history.json: a rehearse backup of that bank with 1,000,000 review-log rows and the
//!   SM-2 states they lead to (SM-2 as docs/sm2.md, re-implemented here), all before
//!   2026-03-01, spaced as a person who reviews every day would leave them.
//!
//! Usage: cargo run --release --example gen_bench -- DIR

use std::fmt::Write as _;
use std::io::{BufWriter, Write};

const DECKS: usize = 100;
const PER_DECK: usize = 1000;
const LOG_ROWS: usize = 1_000_000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "goroutine",
    "scheduler",
    "channel",
    "mutex",
    "index",
    "replica",
    "partition",
    "consumer",
    "latency",
    "throughput",
    "snapshot",
    "vacuum",
    "quorum",
    "leader",
    "timeout",
    "backoff",
    "cache",
    "shard",
    "transaction",
    "isolation",
    "deadlock",
    "pipeline",
    "trace",
    "metric",
    "budget",
    "rollout",
];

fn sentence(rng: &mut Rng, len: usize) -> String {
    let mut s = String::from("How does the");
    while s.len() < len {
        s.push(' ');
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    s.push('?');
    s
}

fn day(n: i64) -> String {
    // day 0 = 2024-03-01; today is 2026-03-01 (day 730); earlier histories go negative
    let base = 19_783; // days from 1970-01-01 to 2024-03-01
    let z = base + n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: gen_bench DIR"));
    std::fs::create_dir_all(dir.join("bank"))?;
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut questions = Vec::new();
    for d in 0..DECKS {
        let deck = format!("deck-{d:03}");
        let mut t = format!("[deck]\nid = \"{deck}\"\ntitle = \"Benchmark deck {d}\"\n");
        for q in 0..PER_DECK {
            let prompt = sentence(&mut rng, 150);
            let points: Vec<String> = (0..3).map(|_| sentence(&mut rng, 60)).collect();
            let section = format!("Section {}", q / 100);
            let tags = [format!("t{}", q % 10), format!("g{}", d % 5)];
            write!(
                t,
                "\n[[question]]\nid = \"q-{q:04}\"\nsection = \"{section}\"\nprompt = \"{prompt}\"\ntags = [\"{}\", \"{}\"]\npoints = [\"{}\", \"{}\", \"{}\"]\n",
                tags[0], tags[1], points[0], points[1], points[2]
            )
            .unwrap();
            questions.push((
                format!("{deck}/q-{q:04}"),
                deck.clone(),
                section,
                prompt,
                tags,
                points,
                q,
            ));
        }
        std::fs::write(dir.join("bank").join(format!("deck-{d:03}.toml")), t)?;
    }

    let mut out = BufWriter::new(std::fs::File::create(dir.join("history.json"))?);
    write!(
        out,
        "{{\"format\":\"rehearse-backup\",\"version\":1,\n\"decks\":["
    )?;
    for d in 0..DECKS {
        write!(
            out,
            "{}\n{{\"id\":\"deck-{d:03}\",\"title\":\"Benchmark deck {d}\",\"guidance\":null,\"position\":{d}}}",
            if d == 0 { "" } else { "," }
        )?;
    }
    // Ten scheduling reviews per question, so 100k questions give 1M rows. Each question's
    // reviews fall on its due days, and its history is placed so the last review lies within
    // its final interval before today (day 730 = 2026-03-01): mostly not yet due, some due
    // today, a few overdue, as for someone who reviews every day.
    let per_q = LOG_ROWS / questions.len();
    let mut log = Vec::with_capacity(LOG_ROWS);
    let mut states = Vec::with_capacity(questions.len());
    for (id, ..) in &questions {
        let (mut n, mut ef, mut interval) = (0u32, 2500i64, 0u64);
        let mut steps = Vec::with_capacity(per_q);
        let mut offset = 0i64; // days since this question's first review
        for _ in 0..per_q {
            let g = [5, 4, 4, 3, 3, 2, 4, 3][rng.below(8) as usize];
            let before = (n, ef, interval);
            if g >= 3 {
                interval = match n {
                    0 => 1,
                    1 => 6,
                    _ => ((interval as u128 * ef as u128 + 500) / 1000) as u64,
                };
                n += 1;
            } else {
                n = 0;
                interval = 1;
            }
            let dq = 5 - g as i64;
            ef = (ef + 100 - dq * (80 + 20 * dq)).max(1300);
            steps.push((offset, g, before, (n, ef, interval)));
            offset += interval as i64;
        }
        let (last_offset, ..) = *steps.last().unwrap();
        let last_interval = interval as i64;
        // days from the last review to today: within the interval, or a little overdue
        let gap = if rng.below(20) == 0 {
            last_interval + 1 + rng.below(5) as i64
        } else {
            1 + rng.below(last_interval as u64) as i64
        };
        let first_day = 730 - gap - last_offset;
        let mut last = String::new();
        let mut prev_due: Option<i64> = None;
        for (off, g, b, a) in &steps {
            let today = first_day + off;
            let due_day = today + a.2 as i64;
            last = format!(
                "{}T09:{:02}:{:02}.000Z",
                day(today),
                rng.below(60),
                rng.below(60)
            );
            let bdue = prev_due.map_or("null".to_string(), |d| format!("\"{}\"", day(d)));
            log.push((
                last.clone(),
                format!(
                    "{{\"reviewed_at\":\"{last}\",\"day\":\"{}\",\"question\":\"{id}\",\"kind\":\"review\",\"grade\":{g},\"before\":{{\"n\":{},\"ef_milli\":{},\"interval\":{},\"due\":{bdue}}},\"after\":{{\"n\":{},\"ef_milli\":{},\"interval\":{},\"due\":\"{}\"}},\"answer_ms\":{},\"missed\":null}}",
                    day(today), b.0, b.1, b.2, a.0, a.1, a.2, day(due_day), 5000 + rng.below(60_000)
                ),
            ));
            prev_due = Some(due_day);
        }
        states.push(format!(
            "{{\"n\":{n},\"ef_milli\":{ef},\"interval\":{interval},\"due\":\"{}\",\"introduced\":\"{}\",\"last_review\":\"{last}\"}}",
            day(prev_due.unwrap()),
            day(first_day)
        ));
    }
    write!(out, "\n],\n\"questions\":[")?;
    for (i, (id, deck, section, prompt, tags, points, pos)) in questions.iter().enumerate() {
        write!(
            out,
            "{}\n{{\"id\":\"{id}\",\"deck\":\"{deck}\",\"section\":\"{section}\",\"prompt\":\"{prompt}\",\"tags\":[\"{}\",\"{}\"],\"points\":[\"{}\",\"{}\",\"{}\"],\"position\":{pos},\"retired\":false,\"state\":{}}}",
            if i == 0 { "" } else { "," },
            tags[0],
            tags[1],
            points[0],
            points[1],
            points[2],
            states[i]
        )?;
    }
    write!(out, "\n],\n\"log\":[")?;
    log.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (_, row)) in log.iter().enumerate() {
        write!(out, "{}\n{row}", if i == 0 { "" } else { "," })?;
    }
    writeln!(out, "\n]}}")?;
    out.flush()?;
    eprintln!(
        "wrote {} questions in {DECKS} decks and {} log rows to {}",
        questions.len(),
        log.len(),
        dir.display()
    );
    Ok(())
}
