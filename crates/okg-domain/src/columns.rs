//! The GameServer columns, defined once for the console's table and `okg status`: their order,
//! headers and each cell's text from a joined row (`fleet::Row`). The front ends add only what
//! is theirs: the console its widths, styles and which columns go on a narrow terminal; the CLI
//! its padding.
use jiff::Timestamp;

use crate::fleet::{ImageCell, Row};
use crate::format;

pub mod sort;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    State,
    OpsState,
    DeletionPriority,
    UpdatePriority,
    Ready,
    Status,
    Restarts,
    Age,
    Images,
    Network,
    Ip,
    Node,
}

/// Every column, in the order both front ends show them.
pub const ALL: [Column; 13] = [
    Column::Name,
    Column::State,
    Column::OpsState,
    Column::DeletionPriority,
    Column::UpdatePriority,
    Column::Ready,
    Column::Status,
    Column::Restarts,
    Column::Age,
    Column::Images,
    Column::Network,
    Column::Ip,
    Column::Node,
];

impl Column {
    /// The header, as kubectl's printer columns for GameServers spell it.
    pub fn header(self) -> &'static str {
        match self {
            Column::Name => "NAME",
            Column::State => "STATE",
            Column::OpsState => "OPSSTATE",
            Column::Status => "STATUS",
            Column::DeletionPriority => "DP",
            Column::UpdatePriority => "UP",
            Column::Ready => "READY",
            Column::Restarts => "RESTARTS",
            Column::Age => "AGE",
            Column::Images => "IMAGES",
            Column::Network => "NETWORK",
            Column::Ip => "IP",
            Column::Node => "NODE",
        }
    }

    /// The header where every cell of width counts (the console's table): `OPS`, else
    /// [`Column::header`].
    pub fn short_header(self) -> &'static str {
        match self {
            Column::OpsState => "OPS",
            c => c.header(),
        }
    }

    /// The cell's text for `row` at `now` (ages and restarts are relative to it). Images are
    /// `container=tag` with their [`ImageMark`], comma-separated; the console draws them piece
    /// by piece instead (tag and mark, in colour; the set's header line names the containers).
    pub fn text(self, row: &Row, now: Timestamp) -> String {
        match self {
            Column::Name => row.key.name.clone(),
            Column::State => row.state.clone(),
            Column::OpsState => row.ops_state.clone(),
            Column::Status => row.status.to_string(),
            Column::DeletionPriority => row.deletion_priority.to_string(),
            Column::UpdatePriority => row.update_priority.to_string(),
            Column::Ready => format!("{}/{}", row.ready, row.containers),
            Column::Restarts => format::restarts(row.restarts, row.last_restart, now),
            Column::Age => row.created.map(|c| format::age(now, c)).unwrap_or_default(),
            Column::Images => row
                .images
                .iter()
                .map(|i| format!("{}={}{}", i.container, i.tag, ImageMark::of(i).symbol()))
                .collect::<Vec<_>>()
                .join(","),
            Column::Network => row.network.as_deref().unwrap_or("-").to_string(),
            Column::Ip => row.ip.clone().unwrap_or_else(|| "-".into()),
            Column::Node => row.node.clone().unwrap_or_else(|| "-".into()),
        }
    }
}

/// How an image on a row compares with the set's template. Colour is never the only signal, so
/// every front end shows the mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageMark {
    /// Mid-update (spec and running image differ, or OKG updates the container): `→`.
    Updating,
    /// Not the template's image: `*`.
    Differs,
    /// The template's image: no mark.
    Same,
}

impl ImageMark {
    pub fn of(image: &ImageCell) -> Self {
        if image.updating {
            ImageMark::Updating
        } else if image.differs {
            ImageMark::Differs
        } else {
            ImageMark::Same
        }
    }

    /// The mark in Unicode (the console has an ASCII `>` for `→`).
    pub fn symbol(self) -> &'static str {
        match self {
            ImageMark::Updating => "→",
            ImageMark::Differs => "*",
            ImageMark::Same => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures as fake;
    use crate::fleet;

    #[test]
    fn cells_of_the_small_fleet() {
        let (s, g, p) = fake::small_fleet();
        let groups = fleet::build(&s, &g, &p);
        let rows = &groups[0].1;
        let now = fake::now();
        let text =
            |name: &str, c: Column| c.text(rows.iter().find(|r| r.key.name == name).unwrap(), now);
        assert_eq!(text("gss-2048-0", Column::Restarts), "1 (33s ago)");
        assert!(text("gss-2048-1", Column::Images).contains("sidecar=v2.0→"));
        assert_eq!(text("gss-2048-0", Column::Ready), "2/2");
        let headers: Vec<_> = ALL.iter().map(|c| c.short_header()).collect();
        assert_eq!(headers[..3], ["NAME", "STATE", "OPS"]);
    }
}
