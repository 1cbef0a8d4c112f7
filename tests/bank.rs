//! The built-in bank against the seed it was made from: every seed question exactly once, in
//! order, with the code spans the web copy lost restored; every question with 3-6 key points.

use std::path::Path;

struct SeedDeck {
    title: String,
    /// (section, raw lines of its bullets)
    sections: Vec<(String, Vec<String>)>,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn seed() -> Vec<SeedDeck> {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/seed-question-bank.txt")).unwrap();
    let mut decks: Vec<SeedDeck> = Vec::new();
    let mut section: Option<String> = None;
    let mut started = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(heading) = line.strip_suffix('¶') {
            let numbered = heading
                .split_once(". ")
                .filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
            if let Some((_, title)) = numbered {
                started = true;
                decks.push(SeedDeck {
                    title: title.into(),
                    sections: vec![],
                });
                section = None;
            } else if heading.starts_with("Final-mile") {
                decks.push(SeedDeck {
                    title: heading.into(),
                    sections: vec![],
                });
                section = None;
            } else if started {
                section = Some(heading.to_string());
            }
            continue;
        }
        let Some(deck) = decks.last_mut().filter(|_| started) else {
            continue;
        };
        let is_bullet = line.starts_with("- ");
        if !is_bullet && deck.sections.is_empty() {
            continue; // the deck's guidance paragraph
        }
        let name = section.clone().unwrap_or_else(|| deck.title.clone());
        if is_bullet && deck.sections.last().is_none_or(|(s, _)| *s != name) {
            deck.sections.push((name, vec![]));
        }
        deck.sections.last_mut().unwrap().1.push(line.to_string());
    }
    decks
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '`')
        .collect()
}

/// The seed's bullets of a section with the bullet markers removed ("- " at a line start, and
/// "- " run on after a space or a "?" before a capital letter), normalised.
fn seed_norm(lines: &[String]) -> String {
    let mut out = String::new();
    for line in lines {
        let line = line.strip_prefix("- ").unwrap_or(line);
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let marker = chars[i] == '-'
                && chars.get(i + 1) == Some(&' ')
                && chars.get(i + 2).is_some_and(|c| c.is_uppercase())
                && i > 0
                && (chars[i - 1].is_whitespace() || chars[i - 1] == '?');
            if marker {
                i += 2;
                continue;
            }
            out.push(chars[i]);
            i += 1;
        }
    }
    norm(&out)
}

struct BankQ {
    id: String,
    section: String,
    prompt: String,
    /// Each point's text: a plain point's string, a table point's key.
    points: Vec<String>,
    /// The whole question as written, for the rubric checks.
    raw: toml::Value,
}

impl BankQ {
    /// The points as written: plain strings and tables.
    fn raw_points(&self) -> &[toml::Value] {
        self.raw
            .get("points")
            .and_then(|p| p.as_array())
            .map_or(&[], |a| a.as_slice())
    }
}

fn bank() -> Vec<(String, String, Vec<BankQ>)> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("bank"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let doc: toml::Table = toml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            let qs = doc["question"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| BankQ {
                    id: q["id"].as_str().unwrap().into(),
                    section: q["section"].as_str().unwrap().into(),
                    prompt: q["prompt"].as_str().unwrap().into(),
                    points: q
                        .get("points")
                        .and_then(|p| p.as_array())
                        .map(|a| {
                            a.iter()
                                .map(|p| {
                                    p.as_str()
                                        .or_else(|| p["key"].as_str())
                                        .unwrap()
                                        .to_string()
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    raw: q.clone(),
                })
                .collect();
            (
                doc["deck"]["id"].as_str().unwrap().into(),
                doc["deck"]["title"].as_str().unwrap().into(),
                qs,
            )
        })
        .collect()
}

#[test]
fn the_seed_copy_is_the_shared_seed() {
    // CI and developers have ../shared beside the checkout; elsewhere the copy stands alone.
    let shared = root().join("../shared/seed/senior-go-backend-question-bank.txt");
    if let Ok(original) = std::fs::read(&shared) {
        assert_eq!(
            std::fs::read(root().join("tests/fixtures/seed-question-bank.txt")).unwrap(),
            original
        );
    }
}

#[test]
fn every_seed_question_is_in_the_bank_exactly_once_in_order() {
    let seed = seed();
    let bank = bank();
    assert_eq!(seed.len(), 16);
    assert_eq!(
        bank.len(),
        16,
        "one file per seed section plus the final-mile checklist"
    );
    let total: usize = bank.iter().map(|(_, _, qs)| qs.len()).sum();
    assert_eq!(total, 241);
    for (sd, (deck_id, title, qs)) in seed.iter().zip(&bank) {
        assert_eq!(
            &sd.title, title,
            "deck {deck_id} is out of the seed's order"
        );
        for (section, lines) in &sd.sections {
            let got: String = qs
                .iter()
                .filter(|q| &q.section == section)
                .map(|q| norm(&q.prompt))
                .collect();
            assert_eq!(
                got,
                seed_norm(lines),
                "deck {deck_id}, section {section:?} differs from the seed"
            );
        }
        for q in qs {
            assert!(
                sd.sections.iter().any(|(s, _)| *s == q.section),
                "{deck_id}/{}: unknown section",
                q.id
            );
            // exactly once across the whole bank
            let n = bank
                .iter()
                .flat_map(|(_, _, qs)| qs)
                .filter(|o| norm(&o.prompt) == norm(&q.prompt))
                .count();
            assert_eq!(n, 1, "{deck_id}/{} appears {n} times", q.id);
        }
    }
}

#[test]
fn no_glued_code_span_is_left() {
    let seed = seed();
    let bank = bank();
    for (sd, (deck_id, _, qs)) in seed.iter().zip(&bank) {
        for (section, lines) in &sd.sections {
            let text: String = qs
                .iter()
                .filter(|q| &q.section == section)
                .map(|q| q.prompt.as_str())
                .collect();
            // A seed line that is not a bullet starts with a code span the page lost: the bank
            // must have a backtick right before that text.
            for line in lines.iter().filter(|l| !l.starts_with("- ")) {
                let head: Vec<char> = norm(line).chars().take(6).collect();
                assert!(
                    starts_code(&text, &head),
                    "{deck_id} {section:?}: the code at the start of seed line {line:?} is not in backticks"
                );
            }
            // No text outside backticks may carry a code span glued to a word.
            for q in qs.iter().filter(|q| &q.section == section) {
                assert_eq!(
                    q.prompt.matches('`').count() % 2,
                    0,
                    "{deck_id}/{}: unbalanced backticks",
                    q.id
                );
                let spans: Vec<&str> = q.prompt.split('`').skip(1).step_by(2).collect();
                let outside: String = q.prompt.split('`').step_by(2).collect::<Vec<_>>().join(" ");
                for word in outside.split_whitespace() {
                    for span in spans.iter().filter(|s| s.len() >= 4) {
                        let glued = word.match_indices(span).any(|(i, _)| {
                            let before = word[..i].chars().next_back();
                            let after = word[i + span.len()..].chars().next();
                            before.is_some_and(char::is_alphanumeric)
                                || after.is_some_and(char::is_alphanumeric)
                        });
                        assert!(
                            !glued,
                            "{deck_id}/{}: {word:?} still has {span:?} glued to it",
                            q.id
                        );
                    }
                }
            }
        }
    }
}

/// Whether `text` (whitespace ignored) has a backtick followed by `head`, where backticks
/// may stand between the characters of `head` (a span shorter than `head` closes inside it).
fn starts_code(text: &str, head: &[char]) -> bool {
    let t: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    (0..t.len()).filter(|&i| t[i] == '`').any(|i| {
        let mut rest = t[i + 1..].iter().filter(|&&c| c != '`');
        head.iter().all(|h| rest.next() == Some(h))
    })
}

#[test]
fn every_question_has_three_to_six_short_points() {
    for (deck_id, _, qs) in bank() {
        for q in qs {
            assert!(
                (3..=6).contains(&q.points.len()),
                "{deck_id}/{}: {} points",
                q.id,
                q.points.len()
            );
            for p in &q.points {
                assert!(
                    p.chars().count() <= 200,
                    "{deck_id}/{}: point over 200 characters: {p}",
                    q.id
                );
                assert!(
                    !p.trim().is_empty() && !p.contains('\n'),
                    "{deck_id}/{}: empty or multi-line point",
                    q.id
                );
            }
        }
    }
}

/// The rubric rules (product.md, "Bank format"), on every question that uses them: a question
/// with table points has 1-2 musts, short keys and details; red flags, follow-ups, `verified`
/// and time boxes keep their limits. A plain-string question (the format before the rubric)
/// passes as it is.
#[test]
fn the_rubric_rules_hold_wherever_the_bank_uses_them() {
    let one_line = |s: &str| !s.trim().is_empty() && !s.contains('\n');
    for f in std::fs::read_dir(root().join("bank")).unwrap() {
        let f = f.unwrap().path();
        let doc: toml::Table = toml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        if let Some(m) = doc["deck"].get("minutes") {
            assert!(
                (1..=60).contains(&m.as_integer().unwrap()),
                "{f:?}: deck minutes {m}"
            );
        }
    }
    for (deck_id, _, qs) in bank() {
        for q in qs {
            let at = format!("{deck_id}/{}", q.id);
            let points = q.raw_points();
            let tables: Vec<&toml::Table> = points.iter().filter_map(|p| p.as_table()).collect();
            if !tables.is_empty() {
                let musts = tables
                    .iter()
                    .filter(|t| t.get("must").and_then(|m| m.as_bool()) == Some(true))
                    .count();
                assert!((1..=2).contains(&musts), "{at}: {musts} musts");
                for p in points.iter().filter_map(|p| p.as_str()) {
                    assert!(
                        p.chars().count() <= 60,
                        "{at}: a plain key beside tables: {p:?}"
                    );
                }
                for t in &tables {
                    let key = t["key"].as_str().unwrap();
                    assert!(
                        one_line(key) && key.chars().count() <= 60,
                        "{at}: key {key:?}"
                    );
                    if let Some(d) = t.get("detail") {
                        let d = d.as_str().unwrap();
                        assert!(
                            one_line(d) && d.chars().count() <= 200,
                            "{at}: detail {d:?}"
                        );
                    }
                    assert!(
                        t.keys()
                            .all(|k| ["key", "detail", "must"].contains(&k.as_str())),
                        "{at}: unknown key in a point"
                    );
                }
            }
            for (name, max) in [("red_flags", 5), ("follow_ups", 3)] {
                if let Some(list) = q.raw.get(name) {
                    let list = list.as_array().unwrap();
                    assert!(list.len() <= max, "{at}: {} {name}", list.len());
                    for item in list {
                        assert!(one_line(item.as_str().unwrap()), "{at}: {name} {item}");
                    }
                }
            }
            if let Some(v) = q.raw.get("verified") {
                assert!(one_line(v.as_str().unwrap()), "{at}: verified");
            }
            if let Some(m) = q.raw.get("minutes") {
                assert!(
                    (1..=60).contains(&m.as_integer().unwrap()),
                    "{at}: minutes {m}"
                );
            }
        }
    }
}

/// The rubric's content rules (issue 16), on every question of the built-in bank (all are
/// rubrics; a team bank may still use plain points): every point a table with a headline key of at most ten words, red flags and follow-ups
/// present, `verified` naming each product whose version a point names, the design process in
/// system-design prompts and STAR evidence in behavioural ones. Every problem is listed at once,
/// as "deck/id: problem".
#[test]
fn rubric_content() {
    let mut problems = Vec::new();
    for (deck_id, _, qs) in bank() {
        for q in qs {
            let at = format!("{deck_id}/{}", q.id);
            if q.raw_points().iter().any(|p| !p.is_table()) {
                problems.push(format!(
                    "{at}: a plain point: every point is a key/detail table"
                ));
            }
            for key in &q.points {
                if key.split_whitespace().count() > 10 {
                    problems.push(format!("{at}: key over ten words: {key:?}"));
                }
            }
            let count = |name: &str| {
                q.raw
                    .get(name)
                    .and_then(|l| l.as_array())
                    .map_or(0, |l| l.len())
            };
            if !(1..=3).contains(&count("red_flags")) {
                problems.push(format!("{at}: {} red flags, want 1-3", count("red_flags")));
            }
            if !(1..=2).contains(&count("follow_ups")) {
                problems.push(format!(
                    "{at}: {} follow-ups, want 1-2",
                    count("follow_ups")
                ));
            }
            let text = rubric_text(&q.raw);
            let verified = q.raw.get("verified").and_then(|v| v.as_str()).unwrap_or("");
            for product in versions_named(&text) {
                if !verified.contains(product) {
                    problems.push(format!(
                        "{at}: names a {product} version but verified is {verified:?}"
                    ));
                }
            }
            if deck_id == "system-design" && q.section == "Classic prompts" {
                let stages = [
                    "Requirements",
                    "Numbers",
                    "API",
                    "Data model",
                    "Deep dive",
                    "Failure modes",
                ];
                let n = stages
                    .iter()
                    .filter(|s| q.points.iter().any(|k| k.starts_with(*s)))
                    .count();
                if n < 3 {
                    problems.push(format!(
                        "{at}: {n} design-process stages in the keys, want 3"
                    ));
                }
            }
            if deck_id == "behavioral" {
                for s in ["Situation", "Task", "Action", "Result"] {
                    if !q.points.iter().any(|k| k.starts_with(s)) {
                        problems.push(format!("{at}: no {s}: point"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// What a question's rubric says (prompt, point keys and details; not its red flags, which
/// state misconceptions), lower-cased.
fn rubric_text(q: &toml::Value) -> String {
    let mut text = q["prompt"].as_str().unwrap_or("").to_string();
    for p in q
        .get("points")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        for part in [
            p.as_str(),
            p.get("key").and_then(|k| k.as_str()),
            p.get("detail").and_then(|d| d.as_str()),
        ]
        .into_iter()
        .flatten()
        {
            text.push(' ');
            text.push_str(part);
        }
    }
    text.to_lowercase()
}

/// The products whose release a text names ("Go 1.25", "PostgreSQL 18", "Kafka 4.1", ...):
/// the product's name followed by a version number.
fn versions_named(text: &str) -> Vec<&'static str> {
    let products: [(&str, &[&str]); 5] = [
        ("Go", &["go 1."]),
        ("PostgreSQL", &["postgresql ", "postgres ", "pg "]),
        ("Kafka", &["kafka "]),
        ("MongoDB", &["mongodb "]),
        ("Kubernetes", &["kubernetes 1.", "k8s 1."]),
    ];
    products
        .iter()
        .filter(|(_, names)| {
            names.iter().any(|n| {
                text.match_indices(n)
                    .any(|(i, _)| text[i + n.len()..].starts_with(|c: char| c.is_ascii_digit()))
            })
        })
        .map(|(p, _)| *p)
        .collect()
}

/// Facts that must read the same wherever they appear (issue 16's list of defects): each names
/// the questions that must state it (every needle, in lower case), and a guard that every
/// question of the bank must pass: a text that contains `when` contains one of `then`.
struct Fact {
    what: &'static str,
    stated_in: &'static [&'static str],
    needles: &'static [&'static str],
    when: &'static str,
    then: &'static [&'static str],
}

const FACTS: &[Fact] = &[
    Fact {
        what: "pprof's flame graph is drawn root at the top",
        stated_in: &[
            "go-runtime/flame-graph-reading",
            "final-mile/read-explain-and-flame-graph",
        ],
        needles: &["root at the top"],
        when: "top edge",
        then: &["root at the bottom", "root-at-bottom"],
    },
    Fact {
        what: "EXPLAIN ANALYZE includes BUFFERS by default since PostgreSQL 18",
        stated_in: &[
            "postgresql/reading-explain-analyze",
            "final-mile/read-explain-and-flame-graph",
        ],
        needles: &["buffers", "18"],
        when: "explain (analyze, buffers)",
        then: &["18"],
    },
    Fact {
        what: "GOMAXPROCS follows the cgroup CPU limit since Go 1.25",
        stated_in: &["go-runtime/gomaxprocs"],
        needles: &["cgroup", "1.25"],
        when: "gomaxprocs defaults to",
        then: &["cgroup"],
    },
    Fact {
        what: "Go's GC is not generational; Green Tea is the default since Go 1.26",
        stated_in: &["go-runtime/gc-tricolor"],
        needles: &["green tea", "1.26"],
        when: "generational",
        then: &["non-generational", "not generational"],
    },
    Fact {
        what: "DynamoDB has one leader per partition; only global tables are last-writer-wins",
        stated_in: &["distributed-systems/cap-theorem"],
        needles: &["global tables", "last-writer-wins"],
        when: "both sides accept writes",
        then: &["global tables"],
    },
    Fact {
        what: "RabbitMQ 4.0 removed classic mirrored queues",
        stated_in: &[],
        needles: &[],
        when: "mirrored",
        then: &["removed", "4.0"],
    },
    Fact {
        what: "MongoDB read-your-writes needs majority read and write concern",
        stated_in: &["distributed-systems/read-your-writes"],
        needles: &["causal", "majority"],
        when: "causal consisten",
        then: &["majority"],
    },
    Fact {
        what: "the Deprecation header is RFC 9745, Sunset RFC 8594",
        stated_in: &["api-design/api-versioning"],
        needles: &["9745", "8594"],
        when: "deprecation header",
        then: &["9745"],
    },
    Fact {
        what: "Kafka share groups are production-ready in 4.2",
        stated_in: &["messaging/scaling-consumers"],
        needles: &["share groups", "4.2"],
        when: "share groups",
        then: &["4.2"],
    },
    Fact {
        what: "S3 objects go up to 50 TB (10,000 parts of 5 GiB, 48.8 TiB)",
        stated_in: &[
            "cloud/s3-uploads-and-storage",
            "system-design/object-storage",
        ],
        needles: &["50 tb", "48.8 tib"],
        when: "5 tb",
        then: &["50 tb"],
    },
    Fact {
        what: "Prometheus native histograms are stable since 3.8",
        stated_in: &["observability/prometheus-metric-types"],
        needles: &["native histograms", "3.8"],
        when: "native histogram",
        then: &["3.8"],
    },
    Fact {
        what: "kube-proxy's IPVS mode is deprecated (Kubernetes 1.35)",
        stated_in: &["devops/k8s-service-discovery"],
        needles: &["ipvs", "deprecated"],
        when: "ipvs mode",
        then: &["deprecated"],
    },
    Fact {
        what: "community ingress-nginx is retired; Gateway API replaces it",
        stated_in: &["devops/kubernetes-objects"],
        needles: &["gateway api"],
        when: "ingress-nginx",
        then: &["retired"],
    },
];

#[test]
fn the_listed_facts_read_the_same_everywhere() {
    let all: Vec<(String, String)> = bank()
        .into_iter()
        .flat_map(|(deck, _, qs)| {
            qs.into_iter()
                .map(move |q| (format!("{deck}/{}", q.id), rubric_text(&q.raw)))
        })
        .collect();
    let mut problems = Vec::new();
    for fact in FACTS {
        for id in fact.stated_in {
            let Some((_, text)) = all.iter().find(|(at, _)| at == id) else {
                problems.push(format!("{id}: no such question ({})", fact.what));
                continue;
            };
            for needle in fact.needles {
                if !text.contains(needle) {
                    problems.push(format!("{id}: lacks {needle:?} ({})", fact.what));
                }
            }
        }
        for (at, text) in &all {
            if text.contains(fact.when) && !fact.then.iter().any(|t| text.contains(t)) {
                problems.push(format!(
                    "{at}: says {:?} without {:?} ({})",
                    fact.when, fact.then, fact.what
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
