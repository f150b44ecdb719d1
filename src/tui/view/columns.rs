//! The main table's columns: widths, alignment and which to drop on narrow terminals, over the
//! columns `okg status` shares (`okg_domain::columns`: order, headers, cell text).
//!
//! Every column is as wide as the widest text it shows among the rows in view (and its header,
//! with the sort marker), so nothing is cut that fits. When the terminal is narrower than all
//! of them, whole columns go, least important first; a column that fits in what is left comes
//! back; only then is NAME shrunk.
use okg_domain::columns::{ALL, Column};

/// One column as drawn.
#[derive(Clone, Debug)]
pub struct Col {
    pub id: Column,
    /// The header, with the sort marker when the table is sorted by it.
    pub title: String,
    pub width: u16,
    pub right: bool,
}

/// One container's slot under IMAGES: its name is the slot's header, each row's tag for that
/// container sits under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSlot {
    pub container: String,
    pub width: u16,
}

/// What the layout is: the columns kept, in order, and the IMAGES column's slots.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub cols: Vec<Col>,
    pub images: Vec<ImageSlot>,
    /// Cells between columns: 2 when every column fits with 2, else 1.
    pub gap: u16,
}

/// Which columns are dropped first when the terminal is too narrow (first in the list goes
/// first). NAME, STATE, READY and STATUS are never dropped: a pod stuck on a bad pull must say
/// `ImagePullBackOff` even at 80 columns. At 80 columns the table answers "is it up, on which
/// image, where do players reach it"; opsState and restarts come back as soon as they fit.
const DROP_ORDER: [Column; 9] = [
    Column::Node,
    Column::Ip,
    Column::DeletionPriority,
    Column::UpdatePriority,
    Column::Age,
    Column::Restarts,
    // NETWORK before OPS: during a hot update an operator must see which servers are
    // Allocated or Maintaining; the address is in the detail view.
    Column::Network,
    Column::OpsState,
    Column::Images,
];

/// The narrowest NAME may get when nothing else can give way.
const NAME_MIN: u16 = 8;

/// The widest text among the rows in view, per column (`ALL` order), and the containers seen
/// with their widest tag.
#[derive(Clone, Debug, Default)]
pub struct Fit {
    pub widths: [u16; ALL.len()],
    pub images: Vec<ImageSlot>,
}

impl Fit {
    fn width(&self, c: Column) -> u16 {
        ALL.iter().position(|&a| a == c).map(|i| self.widths[i]).unwrap_or(0)
    }
}

/// The sort marker of a header (`▲` ascending, `▼` descending; the caller picks ASCII).
pub struct Marker {
    pub column: Column,
    pub symbol: &'static str,
}

/// Lay out columns for `width` cells (after the 2-cell cursor/mark gutter).
pub fn layout(width: u16, fit: &Fit, marker: Option<&Marker>) -> Layout {
    let images_width = |slots: &[ImageSlot]| {
        let n = slots.len() as u16;
        slots.iter().map(|s| s.width).sum::<u16>() + n.saturating_sub(1)
    };
    // Sorted by images: the marker follows the first container's name.
    let mut slots = fit.images.clone();
    if let (Some(first), Some(m)) =
        (slots.first_mut(), marker.filter(|m| m.column == Column::Images))
    {
        let named = (first.container.chars().count() + m.symbol.chars().count()) as u16;
        first.width = first.width.max(named);
    }
    let all: Vec<Col> = ALL
        .iter()
        .map(|&id| {
            let mut title = id.short_header().to_string();
            if let Some(m) = marker.filter(|m| m.column == id) {
                title.push_str(m.symbol);
            }
            let content = match id {
                // Without rows in view there are no slots: the header says IMAGES.
                Column::Images if !slots.is_empty() => images_width(&slots),
                // Texts that change with the clock get the room of their usual longest form
                // (`8m55s`, `1 (59s ago)`), so a tick does not shift every column to the right.
                Column::Age => fit.width(id).max(5),
                Column::Restarts if fit.width(id) > 1 => fit.width(id).max(11),
                c => fit.width(c),
            };
            let width = if id == Column::Images && !slots.is_empty() {
                content
            } else {
                content.max(title.chars().count() as u16)
            };
            // Numbers line up on the right.
            let right = matches!(id, Column::DeletionPriority | Column::UpdatePriority);
            Col { id, title, width, right }
        })
        .collect();
    // One cell between columns, none after the last.
    let total = |cols: &[Col]| cols.iter().map(|c| c.width + 1).sum::<u16>().saturating_sub(1);
    let mut kept = all.clone();
    let mut dropped = Vec::new();
    // The column the table is sorted by stays: the marker says what the order is.
    let sorted = marker.map(|m| m.column);
    for drop in DROP_ORDER.into_iter().filter(|&c| Some(c) != sorted) {
        if total(&kept) <= width {
            break;
        }
        kept.retain(|c| c.id != drop);
        dropped.push(drop);
    }
    // What was dropped may fit in what is left: the most important back first.
    for back in dropped.into_iter().rev() {
        let col = all.iter().find(|c| c.id == back).expect("every column is in ALL");
        if total(&kept) + col.width < width {
            kept.push(col.clone());
        }
    }
    kept.sort_by_key(|c| ALL.iter().position(|&a| a == c.id));
    // Still too wide: shrink the name column.
    let over = total(&kept).saturating_sub(width);
    if let Some(n) = kept.iter_mut().find(|c| c.id == Column::Name).filter(|_| over > 0) {
        n.width = n.width.saturating_sub(over).max(NAME_MIN);
    }
    let images = if kept.iter().any(|c| c.id == Column::Images) { slots } else { Vec::new() };
    // Room to spare: columns breathe.
    let gap = if total(&kept) + (kept.len() as u16).saturating_sub(1) <= width { 2 } else { 1 };
    Layout { cols: kept, images, gap }
}

#[cfg(test)]
mod tests;
