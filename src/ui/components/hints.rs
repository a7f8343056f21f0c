//! The key hints at the right of the status line: as many as fit in the room the status text leaves, the most
//! useful kept longest, so the hints never run into a message or the counts.

/// The hints in the order they show, each with its rank (0 kept longest).
const HINTS: [(&str, u8); 5] = [("? help", 0), ("/ query", 2), ("space mark", 4), ("a apply", 3), ("q quit", 1)];

/// The hints that fit in `room` cells ("" when none does), two spaces apart, with a space at the end.
pub fn fit(room: usize) -> String {
    let mut kept = [false; HINTS.len()];
    let mut width = 0;
    for rank in 0..HINTS.len() as u8 {
        let Some(i) = HINTS.iter().position(|(_, r)| *r == rank) else { continue };
        let more = HINTS[i].0.chars().count() + if width == 0 { 1 } else { 2 };
        if width + more > room {
            break;
        }
        width += more;
        kept[i] = true;
    }
    let shown: Vec<&str> = HINTS.iter().zip(kept).filter(|(_, k)| *k).map(|((h, _), _)| *h).collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!("{} ", shown.join("  "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_shorten_to_the_room_left_keeping_help_and_quit_longest() {
        assert_eq!(fit(80), "? help  / query  space mark  a apply  q quit ");
        assert_eq!(fit(45), "? help  / query  space mark  a apply  q quit ");
        assert_eq!(fit(44), "? help  / query  a apply  q quit ");
        assert_eq!(fit(16), "? help  q quit ");
        assert_eq!(fit(7), "? help ");
        assert_eq!(fit(6), "");
        for room in 0..60 {
            assert!(fit(room).chars().count() <= room, "{room}");
        }
    }
}
