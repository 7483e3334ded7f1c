//! Records written idempotently by their own ids (score events, list
//! entries): the first record with an id wins; a later one with the same id
//! is a repeat when its content matches, else a conflict.

use std::collections::HashMap;

/// What writing one record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome<T> {
    Recorded,
    /// The same id with the same content was recorded before.
    AlreadyRecorded,
    /// The id was recorded before with different content: the stored record.
    Conflict(T),
}

/// Which records of a batch are new, and what happened to each, given the
/// records already stored under the batch's ids.
pub(super) struct Plan<'a, T> {
    pub fresh: Vec<&'a T>,
    pub outcomes: Vec<WriteOutcome<T>>,
}

pub(super) fn plan<'a, T: Clone>(
    records: impl Iterator<Item = &'a T>,
    stored: &'a HashMap<String, T>,
    id: impl Fn(&T) -> &str,
    same: impl Fn(&T, &T) -> bool,
) -> Plan<'a, T> {
    let mut seen: HashMap<&str, &T> = HashMap::new();
    let mut plan = Plan { fresh: Vec::new(), outcomes: Vec::new() };
    for record in records {
        let earlier = stored.get(id(record)).or_else(|| seen.get(id(record)).copied());
        plan.outcomes.push(match earlier {
            Some(earlier) if same(earlier, record) => WriteOutcome::AlreadyRecorded,
            Some(earlier) => WriteOutcome::Conflict(earlier.clone()),
            None => {
                seen.insert(id(record), record);
                plan.fresh.push(record);
                WriteOutcome::Recorded
            }
        });
    }
    plan
}
