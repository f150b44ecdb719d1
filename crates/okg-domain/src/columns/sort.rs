//! Ordering rows by a column, for the console's sort keys (as k9s: shift+letter, again to turn
//! it around). Values compare as what they mean (numbers as numbers, `gss-2` before `gss-10`,
//! IPs octet by octet); a row without the value (no pod, no address) goes last either way.
use std::cmp::Ordering;

use super::Column;
use crate::fleet::Row;

/// A column and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Sort {
    /// The direction a first press sorts in: the numbers where more stands out (restarts, the
    /// priorities OKG acts on first) from the top, everything else A→Z.
    pub fn first(column: Column) -> Self {
        let descending =
            matches!(column, Column::Restarts | Column::DeletionPriority | Column::UpdatePriority);
        Sort { column, descending }
    }

    /// The sort after a press of `column`'s key: the same column turns around, another starts
    /// in its first direction.
    pub fn pressed(current: Option<Sort>, column: Column) -> Sort {
        match current {
            Some(s) if s.column == column => Sort { descending: !s.descending, ..s },
            _ => Sort::first(column),
        }
    }

    /// `a` against `b`. Ties are `Equal`, so a stable sort keeps the rows' own order.
    pub fn cmp(&self, a: &Row, b: &Row) -> Ordering {
        match (missing(self.column, a), missing(self.column, b)) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let o = ascending(self.column, a, b);
                if self.descending { o.reverse() } else { o }
            }
        }
    }
}

fn missing(c: Column, r: &Row) -> bool {
    match c {
        Column::Status => !r.has_pod,
        Column::Age => r.created.is_none(),
        Column::Images => r.images.is_empty(),
        Column::Network => r.network.is_none(),
        Column::Ip => r.ip.is_none(),
        Column::Node => r.node.is_none(),
        _ => false,
    }
}

fn ascending(c: Column, a: &Row, b: &Row) -> Ordering {
    match c {
        Column::Name => natural(&a.key.name, &b.key.name),
        Column::State => natural(&a.state, &b.state),
        Column::OpsState => natural(&a.ops_state, &b.ops_state),
        Column::Status => natural(&a.status, &b.status),
        Column::DeletionPriority => a.deletion_priority.cmp(&b.deletion_priority),
        Column::UpdatePriority => a.update_priority.cmp(&b.update_priority),
        // The share ready (1/2 before 2/2 before 3/3), then how many.
        Column::Ready => (a.ready as u64 * b.containers.max(1) as u64)
            .cmp(&(b.ready as u64 * a.containers.max(1) as u64))
            .then(a.ready.cmp(&b.ready)),
        Column::Restarts => a.restarts.cmp(&b.restarts).then(a.last_restart.cmp(&b.last_restart)),
        // As the column reads: the youngest (smallest age) first.
        Column::Age => b.created.cmp(&a.created),
        Column::Images => {
            let tags = |r: &Row| r.images.iter().map(|i| i.tag.clone()).collect::<Vec<_>>();
            let (ta, tb) = (tags(a), tags(b));
            ta.iter()
                .zip(&tb)
                .map(|(x, y)| natural(x, y))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| ta.len().cmp(&tb.len()))
        }
        Column::Network => {
            natural(a.network.as_deref().unwrap_or(""), b.network.as_deref().unwrap_or(""))
        }
        // Dotted quads octet by octet: natural order reads each as a number.
        Column::Ip => natural(a.ip.as_deref().unwrap_or(""), b.ip.as_deref().unwrap_or("")),
        Column::Node => natural(a.node.as_deref().unwrap_or(""), b.node.as_deref().unwrap_or("")),
    }
}

/// Text with its runs of digits compared as numbers: `node-2` < `node-10`, `v1.9` < `v1.10`,
/// `203.0.113.9:8001` < `203.0.113.11:8000`.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.chars().next(), y.chars().next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let run =
                    |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (ra, rb) = (run(x), run(y));
                let (da, db) = (x[..ra].trim_start_matches('0'), y[..rb].trim_start_matches('0'));
                let o = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
                if o.is_ne() {
                    return o;
                }
                (x, y) = (&x[ra..], &y[rb..]);
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(&q);
                }
                (x, y) = (&x[p.len_utf8()..], &y[q.len_utf8()..]);
            }
        }
    }
}

#[cfg(test)]
mod tests;
