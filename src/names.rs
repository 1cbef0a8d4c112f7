//! What a user typed for a section, tag or deck, matched against the names that exist:
//! exactly, else in any case, else by a unique prefix in any case. Pure.

use anyhow::{Result, bail};

/// How many names an error lists before it points at `rehearse list`.
const SHOWN: usize = 12;

/// The one name `given` means among `known`, or an error that lists what is accepted.
pub fn resolve<'a>(what: &str, given: &str, known: &'a [String]) -> Result<&'a str> {
    if let Some(k) = known.iter().find(|k| *k == given) {
        return Ok(k);
    }
    let lower = given.to_lowercase();
    let same: Vec<&String> = known.iter().filter(|k| k.to_lowercase() == lower).collect();
    if let [one] = same.as_slice() {
        return Ok(one);
    }
    let starts: Vec<&String> = known
        .iter()
        .filter(|k| k.to_lowercase().starts_with(&lower))
        .collect();
    if known.is_empty() {
        bail!("no {what} \"{given}\": there are none");
    }
    match starts.as_slice() {
        [one] if !lower.is_empty() => Ok(one),
        [] if known.len() > SHOWN => bail!(
            "no {what} \"{given}\": `rehearse list {what}s` names the {} there are, e.g. {}",
            known.len(),
            quoted(known.iter().take(SHOWN))
        ),
        [] => bail!("no {what} \"{given}\": use one of {}", quoted(known.iter())),
        many => bail!(
            "{what} \"{given}\" matches {}: type more of it",
            quoted(many.iter().copied())
        ),
    }
}

fn quoted<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = names.map(|n| format!("\"{n}\"")).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        ["Indexes & Query Plans", "Indexing Strategy", "MVCC", "mvcc"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn exact_then_case_then_unique_prefix() {
        let k = known();
        assert_eq!(resolve("section", "MVCC", &k).unwrap(), "MVCC");
        assert_eq!(resolve("section", "mvcc", &k).unwrap(), "mvcc");
        assert_eq!(
            resolve("section", "indexes", &k).unwrap(),
            "Indexes & Query Plans"
        );
        assert_eq!(
            resolve("section", "INDEXING", &k).unwrap(),
            "Indexing Strategy"
        );
    }

    #[test]
    fn unknown_and_ambiguous_say_what_to_type() {
        let k = known();
        let e = resolve("section", "Index", &k).unwrap_err().to_string();
        assert_eq!(
            e,
            "section \"Index\" matches \"Indexes & Query Plans\", \"Indexing Strategy\": type more of it"
        );
        let e = resolve("section", "Mv", &k).unwrap_err().to_string();
        assert!(e.contains("matches \"MVCC\", \"mvcc\""), "{e}");
        let e = resolve("tag", "nope", &k).unwrap_err().to_string();
        assert_eq!(
            e,
            "no tag \"nope\": use one of \"Indexes & Query Plans\", \"Indexing Strategy\", \"MVCC\", \"mvcc\""
        );
        assert!(resolve("tag", "", &k).is_err());
        let many: Vec<String> = (0..20).map(|i| format!("t{i:02}")).collect();
        let e = resolve("tag", "x", &many).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "no tag \"x\": `rehearse list tags` names the 20 there are, e.g. \"t00\""
            ),
            "{e}"
        );
        assert!(e.ends_with("\"t11\""), "{e}");
    }
}
