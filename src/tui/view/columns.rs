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
/// first). NAME, STATE, READY and IMAGES stay to the end.
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

/// A column's width before any is dropped; `name_w` and `images_w` fit the rows in view.
fn base_width(c: Column, name_w: u16, images_w: u16) -> u16 {
    match c {
        Column::Name => name_w.clamp(6, 40),
        Column::State => 8,
        Column::OpsState => 11,
        Column::DeletionPriority | Column::UpdatePriority => 3,
        Column::Ready => 5,
        Column::Restarts => 13,
        Column::Age => 6,
        Column::Images => images_w.clamp(6, 40),
        Column::Ip => 12,
        Column::Node => 10,
    }
}

/// Lay out columns for `width` cells (after the 2-cell cursor/mark gutter), given the widest
/// name and image text among the visible rows.
pub fn layout(width: u16, name_w: u16, images_w: u16) -> Vec<Col> {
    let mut cols: Vec<Col> = ALL
        .iter()
        .map(|&id| Col {
            id,
            title: id.short_header(),
            width: base_width(id, name_w, images_w),
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

    #[test]
    fn narrow_drops_node_first_and_keeps_essentials() {
        let wide = layout(200, 12, 14);
        assert_eq!(wide.len(), 11);
        let mid = layout(100, 12, 14);
        assert!(!mid.iter().any(|c| c.id == Column::Node));
        let narrow = layout(78, 12, 14);
        for id in [Column::Name, Column::State, Column::Ready, Column::Images] {
            assert!(narrow.iter().any(|c| c.id == id), "{id:?}");
        }
        assert!(narrow.iter().map(|c| c.width + 1).sum::<u16>() <= 78);
    }
}
