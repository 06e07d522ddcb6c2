//! LSP positions <-> byte offsets, in the encoding negotiated with the client (UTF-8 when offered,
//! else UTF-16). Conversions go through the rope and clamp: a position past the end of a line means
//! the end of that line, a line past the end means the end of the text. Nothing here panics on
//! client input.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

use crate::analysis::span::{Pos, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Byte offset of the start of `line`, and of its end (before the line break).
fn line_bounds(rope: &Rope, line: usize) -> Option<(usize, usize)> {
    if line >= rope.len_lines() {
        return None;
    }
    let start = rope.try_line_to_byte(line).ok()?;
    let slice = rope.get_line(line)?;
    let n = slice.len_chars();
    let mut len = slice.len_bytes();
    if n >= 1 {
        match slice.char(n - 1) {
            '\n' => {
                len -= 1;
                if n >= 2 && slice.char(n - 2) == '\r' {
                    len -= 1;
                }
            }
            '\r' => len -= 1,
            _ => {}
        }
    }
    Some((start, start + len))
}

/// The byte offset of an LSP position, clamped to the text.
pub fn to_byte(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    let Some((start, end)) = line_bounds(rope, line) else {
        return rope.len_bytes();
    };
    let col = pos.character as usize;
    match enc {
        Encoding::Utf8 => {
            let target = (start + col).min(end);
            // A byte column inside a multi-byte char snaps back to the char's start.
            match rope.try_byte_to_char(target) {
                Ok(c) => rope.try_char_to_byte(c).unwrap_or(target),
                Err(_) => end,
            }
        }
        Encoding::Utf16 => {
            let (Ok(start_char), Ok(end_char)) =
                (rope.try_byte_to_char(start), rope.try_byte_to_char(end))
            else {
                return end;
            };
            let (Ok(start16), Ok(end16)) = (
                rope.try_char_to_utf16_cu(start_char),
                rope.try_char_to_utf16_cu(end_char),
            ) else {
                return end;
            };
            let target16 = (start16 + col).min(end16);
            match rope.try_utf16_cu_to_char(target16) {
                Ok(c) => rope.try_char_to_byte(c).unwrap_or(end),
                Err(_) => end,
            }
        }
    }
}

/// The LSP position of a byte offset (clamped).
pub fn to_position(rope: &Rope, byte: usize, enc: Encoding) -> Position {
    let byte = byte.min(rope.len_bytes());
    let Ok(char_idx) = rope.try_byte_to_char(byte) else {
        return Position::new(0, 0);
    };
    let line = rope.char_to_line(char_idx);
    let line_char = rope.line_to_char(line);
    let character = match enc {
        Encoding::Utf8 => {
            let line_byte = rope.line_to_byte(line);
            rope.char_to_byte(char_idx) - line_byte
        }
        Encoding::Utf16 => rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_char),
    };
    Position::new(line as u32, character as u32)
}

pub fn to_range(rope: &Rope, start: usize, end: usize, enc: Encoding) -> Range {
    Range::new(to_position(rope, start, enc), to_position(rope, end, enc))
}

/// A span from a file summary (no rope needed: positions were computed at extraction).
pub fn span_to_range(span: &Span, enc: Encoding) -> Range {
    Range::new(pos(&span.start_pos, enc), pos(&span.end_pos, enc))
}

fn pos(p: &Pos, enc: Encoding) -> Position {
    Position::new(
        p.line,
        match enc {
            Encoding::Utf8 => p.col,
            Encoding::Utf16 => p.col16,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_clamps() {
        let rope = Rope::from_str("a☕é\r\nline 2\n😀x\n");
        // '☕' is 3 bytes / 1 UTF-16 unit, 'é' 2 bytes / 1 unit, '😀' 4 bytes / 2 units.
        assert_eq!(to_byte(&rope, Position::new(0, 2), Encoding::Utf16), 4);
        assert_eq!(to_byte(&rope, Position::new(0, 4), Encoding::Utf8), 4);
        assert_eq!(to_byte(&rope, Position::new(0, 99), Encoding::Utf16), 6);
        assert_eq!(to_byte(&rope, Position::new(2, 2), Encoding::Utf16), 19);
        // Inside a surrogate pair: the start of the emoji.
        assert_eq!(to_byte(&rope, Position::new(2, 1), Encoding::Utf16), 15);
        assert_eq!(
            to_byte(&rope, Position::new(99, 0), Encoding::Utf8),
            rope.len_bytes()
        );
        assert_eq!(to_position(&rope, 19, Encoding::Utf16), Position::new(2, 2));
        assert_eq!(to_position(&rope, 19, Encoding::Utf8), Position::new(2, 4));
        assert_eq!(to_position(&rope, 999, Encoding::Utf8), Position::new(3, 0));
        // Inside a multi-byte char (UTF-8 column 2 is inside '☕'): snaps to its start.
        assert_eq!(to_byte(&rope, Position::new(0, 2), Encoding::Utf8), 1);
    }
}
