//! The main table's columns: widths, alignment and which to drop on narrow terminals, over the
//! columns `okg status` shares (`okg_domain::columns`: order, headers, cell text).
use okg_domain::columns::{ALL, Column};

#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub id: Column,
    pub title: &'static str,
    pub width: u16,
    pub right: bool,
}

/// Which columns are dropped first when the terminal is too narrow (first in the list goes
/// first). NAME, STATE, READY, STATUS and IMAGES stay to the end: a pod stuck on a bad pull must
/// say `ImagePullBackOff` even at 80 columns.
const DROP_ORDER: [Column; 8] = [
    Column::Node,
    Column::Ip,
    Column::DeletionPriority,
    Column::UpdatePriority,
    Column::Age,
    Column::OpsState,
    Column::Restarts,
    Column::Images,
];

/// The widest text among the rows in view, per column that fits its content.
#[derive(Clone, Copy, Debug)]
pub struct Fit {
    pub name: u16,
    pub images: u16,
    pub status: u16,
}

/// A column's width before any is dropped; `fit` holds what the rows in view need.
fn base_width(c: Column, fit: Fit) -> u16 {
    match c {
        Column::Name => fit.name.clamp(6, 40),
        Column::State => 8,
        Column::OpsState => 11,
        Column::DeletionPriority | Column::UpdatePriority => 3,
        Column::Ready => 5,
        // `Running` in a calm fleet; `ImagePullBackOff`, `CrashLoopBackOff` (16) when not.
        Column::Status => fit.status.clamp(6, 24),
        Column::Restarts => 13,
        Column::Age => 6,
        Column::Images => fit.images.clamp(6, 40),
        Column::Ip => 12,
        Column::Node => 10,
    }
}

/// Lay out columns for `width` cells (after the 2-cell cursor/mark gutter), given the widest
/// texts among the visible rows.
pub fn layout(width: u16, fit: Fit) -> Vec<Col> {
    let mut cols: Vec<Col> = ALL
        .iter()
        .map(|&id| Col {
            id,
            title: id.short_header(),
            width: base_width(id, fit),
            // Numbers line up on the right.
            right: matches!(id, Column::DeletionPriority | Column::UpdatePriority),
        })
        .collect();
    let total = |cols: &[Col]| cols.iter().map(|c| c.width + 1).sum::<u16>();
    for drop in DROP_ORDER {
        if total(&cols) <= width {
            break;
        }
        cols.retain(|c| c.id != drop);
    }
    // Still too wide: shrink the name column.
    let over = total(&cols).saturating_sub(width);
    if let Some(n) = cols.iter_mut().find(|c| c.id == Column::Name).filter(|_| over > 0) {
        n.width = n.width.saturating_sub(over).max(6);
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIT: Fit = Fit { name: 12, images: 14, status: 7 };

    #[test]
    fn narrow_drops_node_first_and_keeps_essentials() {
        let wide = layout(200, FIT);
        assert_eq!(wide.len(), 12);
        let mid = layout(100, FIT);
        assert!(!mid.iter().any(|c| c.id == Column::Node));
        let narrow = layout(78, FIT);
        for id in [Column::Name, Column::State, Column::Ready, Column::Status, Column::Images] {
            assert!(narrow.iter().any(|c| c.id == id), "{id:?}");
        }
        assert!(narrow.iter().map(|c| c.width + 1).sum::<u16>() <= 78);
    }

    #[test]
    fn a_long_status_fits_whole_at_80_columns() {
        let cols = layout(78, Fit { status: "ImagePullBackOff".len() as u16, ..FIT });
        let status = cols.iter().find(|c| c.id == Column::Status).expect("STATUS kept");
        assert_eq!(status.width, 16);
        assert!(cols.iter().map(|c| c.width + 1).sum::<u16>() <= 78);
    }
}
