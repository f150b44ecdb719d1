use super::*;

/// The small fleet's widths: NAME 12, STATE 8, OPS 11, DP/UP 1, READY 3, STATUS 7,
/// RESTARTS 11, AGE 5, NETWORK 17, IP 9, NODE 6; containers app-2048, battle, sidecar.
fn fit() -> Fit {
    let mut widths = [0; ALL.len()];
    for (w, c) in widths.iter_mut().zip(ALL) {
        *w = match c {
            Column::Name => 12,
            Column::State => 8,
            Column::OpsState => 11,
            Column::DeletionPriority | Column::UpdatePriority => 1,
            Column::Ready => 3,
            Column::Status => 7,
            Column::Restarts => 11,
            Column::Age => 5,
            Column::Images => 0,
            Column::Network => 17,
            Column::Ip => 9,
            Column::Node => 6,
        };
    }
    let slot = |c: &str, w| ImageSlot { container: c.into(), width: w };
    Fit { widths, images: vec![slot("app-2048", 8), slot("battle", 6), slot("sidecar", 7)] }
}

fn ids(l: &Layout) -> Vec<Column> {
    l.cols.iter().map(|c| c.id).collect()
}

/// Cells the columns take: one between each two, none after the last.
fn used(l: &Layout) -> u16 {
    l.cols.iter().map(|c| c.width + 1).sum::<u16>() - 1
}

#[test]
fn wide_shows_every_column_as_wide_as_its_widest_text() {
    let l = layout(200, &fit(), None);
    assert_eq!(ids(&l), ALL);
    for c in &l.cols {
        let want = match c.id {
            Column::Images => 8 + 6 + 7 + 2,
            Column::DeletionPriority | Column::UpdatePriority => 2, // the header is wider
            Column::Ready => 5,
            _ => fit().width(c.id),
        };
        assert_eq!(c.width, want, "{:?}", c.id);
    }
}

#[test]
fn columns_get_two_cells_apart_only_when_all_of_them_fit_so() {
    let all = used(&layout(200, &fit(), None));
    let more = ALL.len() as u16 - 1;
    assert_eq!(layout(all + more, &fit(), None).gap, 2);
    let l = layout(all + more - 1, &fit(), None);
    assert_eq!((l.gap, l.cols.len()), (1, ALL.len()));
}

#[test]
fn ages_and_restart_times_keep_their_room_as_the_clock_turns() {
    let mut f = fit();
    f.widths[7] = "1 (9s ago)".len() as u16;
    f.widths[8] = "59s".len() as u16;
    let l = layout(200, &f, None);
    let w = |c| l.cols.iter().find(|x| x.id == c).unwrap().width;
    assert_eq!((w(Column::Restarts), w(Column::Age)), (11, 5));
    f.widths[7] = 1; // no restarts: "0", under its header
    assert_eq!(
        layout(200, &f, None).cols.iter().find(|x| x.id == Column::Restarts).unwrap().width,
        8
    );
}

#[test]
fn narrow_drops_the_least_important_first_and_keeps_the_essentials() {
    let mid = layout(100, &fit(), None);
    assert!(!ids(&mid).contains(&Column::Node) && !ids(&mid).contains(&Column::Ip));
    assert!(ids(&mid).contains(&Column::OpsState));
    let narrow = layout(78, &fit(), None);
    for id in [Column::Name, Column::State, Column::Ready, Column::Status, Column::Images] {
        assert!(ids(&narrow).contains(&id), "{id:?}");
    }
    // OPS outlasts NETWORK: who is Allocated or Maintaining matters more in a hot update.
    assert!(ids(&narrow).contains(&Column::OpsState), "OPS stays at 80 columns");
    assert!(!ids(&narrow).contains(&Column::Network), "NETWORK gives way first");
    assert!(used(&narrow) <= 78);
    // Nothing kept is cut: every kept column has its full width.
    for c in &narrow.cols {
        assert_eq!(
            c.width,
            layout(200, &fit(), None).cols.iter().find(|w| w.id == c.id).unwrap().width
        );
    }
}

#[test]
fn a_dropped_column_comes_back_when_it_fits_in_what_is_left() {
    // At 86 NETWORK (17) and more go; whatever is left out would not fit in the cells left, and
    // what comes back sits in its own place, not at the end.
    let l = layout(86, &fit(), None);
    assert!(used(&l) <= 86);
    let full = layout(200, &fit(), None);
    let left = 86 - used(&l);
    for c in full.cols.iter().filter(|c| !ids(&l).contains(&c.id)) {
        assert!(c.width + 1 > left, "{:?} fits in {left} and was left out: {:?}", c.id, ids(&l));
    }
    let order: Vec<Column> = ids(&full).into_iter().filter(|c| ids(&l).contains(c)).collect();
    assert_eq!(ids(&l), order);
    // Something dropped before a later one did come back (the fill-back is exercised).
    assert!(ids(&l).contains(&Column::UpdatePriority) && !ids(&l).contains(&Column::Network));
}

/// The longest opsState whole at 120 columns, the longest pod status whole at 80.
#[test]
fn long_values_are_whole_where_they_fit() {
    for (column, value, width) in
        [(Column::OpsState, "WaitToBeDeleted", 118), (Column::Status, "ImagePullBackOff", 78)]
    {
        let mut f = fit();
        f.widths[ALL.iter().position(|&c| c == column).unwrap()] = value.len() as u16;
        let l = layout(width, &f, None);
        let col = l.cols.iter().find(|c| c.id == column).expect("kept");
        assert_eq!(col.width as usize, value.len(), "{column:?} at {width}");
        assert!(used(&l) <= width);
    }
}

#[test]
fn the_sort_marker_widens_its_header_never_cuts_it() {
    let m = Marker { column: Column::Ready, symbol: "▲" };
    let l = layout(200, &fit(), Some(&m));
    let ready = l.cols.iter().find(|c| c.id == Column::Ready).unwrap();
    assert_eq!((ready.title.as_str(), ready.width), ("READY▲", 6));
    // Sorted by a column that goes first at 80 columns: it stays, another goes.
    let m = Marker { column: Column::Node, symbol: "▲" };
    let l = layout(78, &fit(), Some(&m));
    assert!(ids(&l).contains(&Column::Node), "{:?}", ids(&l));
    assert!(used(&l) <= 78);
    // Sorted by images: the first container's name carries it.
    let m = Marker { column: Column::Images, symbol: "v" };
    let l = layout(200, &fit(), Some(&m));
    assert_eq!(l.images[0].width, 9);
}

#[test]
fn too_narrow_for_the_essentials_shrinks_the_name_last() {
    let mut f = fit();
    f.widths[0] = 30;
    // NAME 30 + STATE 8 + READY 5 + STATUS 7 + 3 between = 53: at 50 everything else is gone
    // and NAME gives the 3 cells.
    let l = layout(50, &f, None);
    assert_eq!(ids(&l), [Column::Name, Column::State, Column::Ready, Column::Status]);
    assert_eq!(l.cols[0].width, 27);
    assert_eq!(used(&l), 50);
    assert_eq!(layout(20, &f, None).cols[0].width, NAME_MIN);
}
