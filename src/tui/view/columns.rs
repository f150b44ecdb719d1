//! The main table's columns and which to drop on narrow terminals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColId {
    Name,
    State,
    Ops,
    Dp,
    Up,
    Ready,
    Restarts,
    Age,
    Images,
    Ip,
    Node,
}

#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub id: ColId,
    pub title: &'static str,
    pub width: u16,
    pub right: bool,
}

/// Which columns are dropped first when the terminal is too narrow (first in the list goes
/// first). NAME, STATE, READY and IMAGES stay to the end.
const DROP_ORDER: [ColId; 8] = [
    ColId::Node,
    ColId::Ip,
    ColId::Dp,
    ColId::Up,
    ColId::Age,
    ColId::Ops,
    ColId::Restarts,
    ColId::Images,
];

/// Lay out columns for `width` cells (after the 2-cell cursor/mark gutter), given the widest
/// name and image text among the visible rows.
pub fn layout(width: u16, name_w: u16, images_w: u16) -> Vec<Col> {
    let c = |id, title, width, right| Col { id, title, width, right };
    let mut cols = vec![
        c(ColId::Name, "NAME", name_w.clamp(6, 40), false),
        c(ColId::State, "STATE", 8, false),
        c(ColId::Ops, "OPS", 11, false),
        c(ColId::Dp, "DP", 3, true),
        c(ColId::Up, "UP", 3, true),
        c(ColId::Ready, "READY", 5, false),
        c(ColId::Restarts, "RESTARTS", 13, false),
        c(ColId::Age, "AGE", 6, false),
        c(ColId::Images, "IMAGES", images_w.clamp(6, 40), false),
        c(ColId::Ip, "IP", 12, false),
        c(ColId::Node, "NODE", 10, false),
    ];
    let total = |cols: &[Col]| cols.iter().map(|c| c.width + 1).sum::<u16>();
    for drop in DROP_ORDER {
        if total(&cols) <= width {
            break;
        }
        cols.retain(|c| c.id != drop);
    }
    // Still too wide: shrink the name column.
    let over = total(&cols).saturating_sub(width);
    if let Some(n) = cols.iter_mut().find(|c| c.id == ColId::Name).filter(|_| over > 0) {
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
        assert!(!mid.iter().any(|c| c.id == ColId::Node));
        let narrow = layout(78, 12, 14);
        for id in [ColId::Name, ColId::State, ColId::Ready, ColId::Images] {
            assert!(narrow.iter().any(|c| c.id == id), "{id:?}");
        }
        assert!(narrow.iter().map(|c| c.width + 1).sum::<u16>() <= 78);
    }
}
