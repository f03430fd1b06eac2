//! The limits of the workbook readers (`.xlsx`, `.xlsm`, `.xls`, `.ods`), in one place.
//!
//! A workbook is a zip archive of XML parts (`.xls`: a compound file of binary records),
//! and a small file can declare or expand to far more than it holds: a stray cell at
//! `XFD1048576` makes a dense sheet of 17 billion cells, a 6 MB archive can expand to
//! gigabytes of XML, a shared string can be a gigabyte long. sisetu therefore checks a
//! workbook before it parses anything and while it reads it:
//!
//! 1. **Before parsing** (`.xlsx`, `.xlsm`, `.ods`): every part of the archive is looked up
//!    in its central directory and then decompressed once, counting bytes (the declared
//!    sizes may lie): a worksheet part may hold at most [`MAX_SHEET_PART_BYTES`], the
//!    shared strings at most [`MAX_SHARED_STRINGS_BYTES`] (they are held in memory while
//!    the sheets are read, so this bounds that memory), any other part
//!    [`MAX_OTHER_PART_BYTES`], all parts together [`MAX_TOTAL_BYTES`]; a part larger than
//!    [`RATIO_FLOOR_BYTES`] may expand at most [`MAX_COMPRESSION_RATIO`] times; and no
//!    single XML token (a text between tags, or a tag) of the parts sisetu reads may exceed
//!    [`MAX_XML_TOKEN_BYTES`], so that the XML parser never buffers more than that.
//! 2. **While reading** (every format): cells are read one at a time and only cells that
//!    hold a value are kept, so memory follows the cells present, not the declared or used
//!    range. A cell beyond row [`MAX_ROWS`] or column [`MAX_COLUMNS`], a row with more than
//!    [`MAX_COLUMNS`] cells, or a cell of more than [`MAX_CELL_CHARS`] characters is an error.
//! 3. **`.xls` and `.ods`**, which calamine reads as dense ranges of every sheet when it
//!    opens the file: a worksheet whose cells span more than [`MAX_DENSE_CELLS`] (rows ×
//!    columns between its first and last used cell) is refused before calamine opens the
//!    file, from a scan of the `.ods` file's `content.xml` or of the `.xls` file's cell
//!    records; so is an `.xls` worksheet whose DIMENSIONS record declares more (calamine
//!    reserves room for the declared cells at once).
//!
//! Each limit's error names the file and the sheet or part, and says what to do: usually
//! to delete what lies outside the table, or to save the sheet as CSV, which sisetu reads
//! without these limits (a CSV census has no practical size limit).

/// Most rows of a worksheet: Excel's own limit (1,048,576).
pub const MAX_ROWS: u32 = 1_048_576;

/// Most columns of a worksheet: Excel's own limit (16,384, column `XFD`).
pub const MAX_COLUMNS: u32 = 16_384;

/// Most characters of one cell: Excel's own limit (32,767).
pub const MAX_CELL_CHARS: usize = 32_767;

/// Most bytes of one worksheet part once decompressed (1 GiB, about ten million cells of
/// typical census data).
pub const MAX_SHEET_PART_BYTES: u64 = 1 << 30;

/// Most bytes of the shared-strings part once decompressed (128 MiB). calamine keeps every
/// shared string in memory while the sheets are read; this bounds that memory to a few
/// hundred MiB even for millions of short strings.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 128 << 20;

/// Most bytes of any other part of the archive once decompressed (64 MiB): the workbook,
/// its relationships, the styles.
pub const MAX_OTHER_PART_BYTES: u64 = 64 << 20;

/// Most bytes of all parts of the archive together once decompressed (4 GiB).
pub const MAX_TOTAL_BYTES: u64 = 4 << 30;

/// Largest expansion of a compressed part (uncompressed / compressed size). Spreadsheet XML
/// compresses 5 to 30 times; a zip bomb expands a thousand times.
pub const MAX_COMPRESSION_RATIO: u64 = 200;

/// Parts up to this size (1 MiB once decompressed) may have any compression ratio.
pub const RATIO_FLOOR_BYTES: u64 = 1 << 20;

/// Most bytes of one XML token (the text between two tags, or one tag) in the parts sisetu
/// reads (1 MiB): a cell of [`MAX_CELL_CHARS`] characters takes at most 32,767 × 10 bytes
/// even with every character written as a numeric entity.
pub const MAX_XML_TOKEN_BYTES: u64 = 1 << 20;

/// Most cells in the rectangle between the first and last used cell of one `.xls` or
/// `.ods` worksheet (16 million, about 512 MiB as calamine holds them). `.xlsx` sheets are
/// read cell by cell and have no such limit.
pub const MAX_DENSE_CELLS: u64 = 16 << 20;
