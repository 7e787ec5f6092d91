//! Loaded files and byte spans into them, turned into `file:line:col` on demand.

/// Identifies one file inside a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

impl FileId {
    /// Position of the file in load order (the spec is 0, overlays follow).
    pub fn index(self) -> u32 {
        self.0
    }
}

/// A byte range in one loaded file. Every node of a loaded document carries one, so any
/// diagnostic about it can point at the exact text, even after overlays moved it around.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the bytes belong to.
    pub file: FileId,
    /// First byte (inclusive).
    pub start: u32,
    /// Last byte (exclusive).
    pub end: u32,
}

impl Span {
    /// A span for values that come from no file (built in code).
    pub const DETACHED: Span = Span {
        file: FileId(u32::MAX),
        start: 0,
        end: 0,
    };

    /// Builds a span from byte offsets, saturating offsets that do not fit in `u32`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    /// Whether this span points into a real file.
    pub fn is_detached(&self) -> bool {
        self.file == Span::DETACHED.file
    }
}

/// A human position: 1-based line and 1-based column counted in characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file's display name, as given when it was loaded.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One loaded file with its line index.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// Characters before each mark: `(byte offset, chars before it)` every [`MARK`] bytes
    /// (at a character boundary), so a column is counted over at most one stretch, not a
    /// whole line — a 25 MB single-line spec stays linear. Empty for ASCII text, where a
    /// column is a byte distance.
    marks: Vec<(usize, usize)>,
}

/// Bytes between two character-count marks.
const MARK: usize = 4096;

/// Character-count marks of a non-ASCII text (see [`SourceFile::marks`]).
fn marks(text: &str) -> Vec<(usize, usize)> {
    if text.is_ascii() {
        return Vec::new();
    }
    let mut out = vec![(0, 0)];
    let (mut at, mut chars) = (0, 0);
    while at + MARK < text.len() {
        let mut next = at + MARK;
        while !text.is_char_boundary(next) {
            next += 1;
        }
        chars += text.get(at..next).map_or(0, |s| s.chars().count());
        out.push((next, chars));
        at = next;
    }
    out
}

impl SourceFile {
    /// The display name (usually the path as the user typed it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Byte offset where 1-based `line` starts, if the file has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        line.checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .copied()
    }

    /// The text of 1-based `line` without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self.line_start(line + 1).unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// 1-based line and character column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_idx = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line_idx).copied().unwrap_or(0);
        let column = self.chars_before(offset) - self.chars_before(start);
        (line_idx + 1, column + 1)
    }

    /// Characters before a byte offset (a character boundary): from the nearest mark.
    fn chars_before(&self, offset: usize) -> usize {
        if self.marks.is_empty() {
            return offset;
        }
        let i = self
            .marks
            .partition_point(|&(at, _)| at <= offset)
            .saturating_sub(1);
        let (at, chars) = self.marks.get(i).copied().unwrap_or((0, 0));
        chars
            + self
                .text
                .get(at..offset)
                .map_or(offset - at, |s| s.chars().count())
    }

    /// Byte offset of a 1-based line and 0-based character column (clamped to that line).
    pub fn offset_of(&self, line: usize, char_col: usize) -> usize {
        let Some(start) = self.line_start(line) else {
            return self.text.len();
        };
        let line_text = self.line_text(line);
        let within = line_text
            .char_indices()
            .nth(char_col)
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    }
}

/// Every file a run has loaded: the spec, its overlays. Spans index into it.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Registers a file under a display name and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX - 1));
        self.files.push(SourceFile {
            name: name.into(),
            marks: marks(&text),
            text,
            line_starts,
        });
        id
    }

    /// The file behind an id, if it exists.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Where a span starts, for messages; `None` for detached spans.
    pub fn location(&self, span: Span) -> Option<Location> {
        let file = self.get(span.file)?;
        let (line, column) = file.line_col(span.start as usize);
        Some(Location {
            file: file.name.clone(),
            line,
            column,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let mut map = SourceMap::new();
        let id = map.add("a.yaml", "ab\né: x\n");
        let file = map.get(id).unwrap();
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        // 'é' is two bytes; "x" is the 4th character of line 2.
        assert_eq!(file.line_col(7), (2, 4));
        assert_eq!(file.offset_of(2, 3), 7);
        assert_eq!(file.line_text(2), "é: x");
        let loc = map.location(Span::new(id, 7, 8)).unwrap();
        assert_eq!(loc.to_string(), "a.yaml:2:4");
    }

    #[test]
    fn detached_spans_have_no_location() {
        assert!(SourceMap::new().location(Span::DETACHED).is_none());
        assert!(Span::DETACHED.is_detached());
    }
}
