//! Locations kept in file summaries. Findings for open documents carry byte ranges and the server
//! converts them with the document's rope; summaries of closed files have no rope, so every span they
//! keep also carries its line and both column encodings, computed once at extraction.

use tree_sitter::Node;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    pub line: u32,
    /// Column in UTF-8 bytes.
    pub col: u32,
    /// Column in UTF-16 code units.
    pub col16: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub start_pos: Pos,
    pub end_pos: Pos,
}

impl Span {
    pub fn range(&self) -> (usize, usize) {
        (self.start as usize, self.end as usize)
    }

    pub fn contains_byte(&self, b: usize) -> bool {
        (self.start as usize) <= b && b <= (self.end as usize)
    }
}

/// Computes `Pos` values for byte offsets of one source text.
pub struct Locator<'a> {
    src: &'a str,
    /// Byte offsets of line starts, built on first use.
    lines: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Locator<'a> {
    pub fn new(src: &'a str) -> Self {
        Self {
            src,
            lines: std::cell::OnceCell::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.src
                        .bytes()
                        .enumerate()
                        .filter(|(_, b)| *b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        })
    }

    pub fn pos(&self, byte: usize) -> Pos {
        let byte = crate::analysis::go::floor_char_boundary(self.src, byte);
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= byte).saturating_sub(1);
        let line_start = starts.get(line).copied().unwrap_or(0).min(byte);
        let segment = &self.src[line_start..byte];
        let col16 = if segment.is_ascii() {
            segment.len()
        } else {
            segment.chars().map(char::len_utf16).sum()
        };
        Pos {
            line: line as u32,
            col: segment.len() as u32,
            col16: col16 as u32,
        }
    }

    /// Like `pos` but with the row taken from tree-sitter, which already knows it (avoids counting
    /// newlines from the start of the file).
    fn pos_at(&self, byte: usize, row: usize, col: usize) -> Pos {
        let byte = crate::analysis::go::floor_char_boundary(self.src, byte);
        let col = col.min(byte);
        let segment = &self.src[byte - col..byte];
        let col16 = if segment.is_ascii() {
            segment.len()
        } else {
            segment.chars().map(char::len_utf16).sum()
        };
        Pos {
            line: row as u32,
            col: col as u32,
            col16: col16 as u32,
        }
    }

    pub fn node(&self, node: Node<'_>) -> Span {
        let (s, e) = (node.start_position(), node.end_position());
        Span {
            start: node.start_byte() as u32,
            end: node.end_byte() as u32,
            start_pos: self.pos_at(node.start_byte(), s.row, s.column),
            end_pos: self.pos_at(node.end_byte(), e.row, e.column),
        }
    }

    pub fn range(&self, start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
            start_pos: self.pos(start),
            end_pos: self.pos(end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_both_encodings() {
        let src = "ab\n☕é x\n";
        let loc = Locator::new(src);
        let x = src.find('x').unwrap();
        let p = loc.pos(x);
        assert_eq!((p.line, p.col, p.col16), (1, 6, 3));
    }
}
