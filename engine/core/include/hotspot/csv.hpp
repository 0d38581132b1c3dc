#pragma once
/// @file csv.hpp
/// An RFC 4180 CSV tokenizer over an in-memory buffer: quoted fields with embedded commas,
/// quotes ("") and newlines, an optional UTF-8 byte-order mark, LF, CRLF or CR-only line ends
/// (the style of the first line holds for the file).
/// Either over a buffer the caller holds, or streaming a file in chunks (a fixed buffer, grown
/// only for a record longer than it): a record is never split, whatever chunk edge it spans.

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot {

class CsvReader {
public:
    /// @param data the whole file; must outlive the reader.
    /// @param file the file name, for error messages.
    /// @param delimiter the field separator.
    CsvReader(std::string_view data, std::string file, char delimiter = ',');

    /// Streams `stream` (read from its current position) in chunks of `chunk_bytes` (at least 1;
    /// tests use tiny chunks to put a chunk edge everywhere). Only the unfinished record and
    /// one chunk are held. The stream stays the caller's and must outlive the reader.
    /// @throws InputError("csv", file, ...) when the stream cannot be read.
    CsvReader(std::FILE* stream, std::string file, char delimiter, std::size_t chunk_bytes = default_chunk_bytes);

    /// A piece of a larger stream, cut by the caller where it takes a record to end (issue 20: a
    /// file's pieces are parsed on several threads). Its records are read as the streaming
    /// reader reads them, with line ends of style `eol` (eol() of the reader that read the
    /// header), the first byte on line `first_line`. Unless `last`, a record that runs past the
    /// piece's end is not an error: next() returns false, complete() is false and consumed()
    /// says where that record begins, for the caller to cut again there.
    static CsvReader piece(std::string_view data, std::string file, char delimiter, char eol,
                           std::uint64_t first_line, bool last);

    /// 4 MiB: large enough that the refill costs nothing measurable, small beside the data.
    static constexpr std::size_t default_chunk_bytes = std::size_t(4) << 20;

    /// Called with every chunk a streaming reader reads, and its offset in the stream (before
    /// the records in it are returned): a place for checks on raw bytes (NUL bytes).
    void on_chunk(std::function<void(std::string_view bytes, std::uint64_t offset)> f) { m_on_chunk = std::move(f); }

    /// Reads the next record into `fields` (views into the buffer, or into an internal
    /// buffer for fields that needed unquoting; valid until the next call).
    /// Blank lines are skipped. Returns false at the end of the data.
    /// @throws InputError("csv", file, line, ...) for a quote that is never closed or text
    ///         after a closing quote.
    bool next(std::vector<std::string_view>& fields);

    /// 1-based line number on which the last record returned by next() started.
    std::uint64_t record_line() const noexcept { return m_record_line; }
    /// The raw bytes of the last record returned by next(), without its line end.
    std::string_view record_text() const noexcept { return m_data.substr(m_record_start, m_record_end - m_record_start); }
    /// Bytes consumed so far (for progress), counted from the start of the data or stream.
    std::size_t offset() const noexcept { return m_base + m_pos; }
    /// The line the next record starts on or after (blank lines are skipped then).
    std::uint64_t line() const noexcept { return m_line; }
    /// The line-end byte: '\n' (LF or CRLF) or '\r' (lone CR), once the first line is read.
    char eol() const noexcept { return m_eol; }
    /// A piece: whether next() returned false at a record's end (the cut was right), and the
    /// bytes of whole records (and blank lines) before the unfinished one.
    bool complete() const noexcept { return m_clean; }
    std::size_t consumed() const noexcept { return m_pos; }

private:
    enum class Step { record, end, more };
    Step parse(std::vector<std::string_view>& fields);
    bool start();   // BOM and line-end style; false: more data needed first
    void refill();  // drops what is consumed, appends a chunk (m_eof at the end of the stream)

    std::string_view m_data;   // the caller's data, or m_buf
    std::string m_file;
    char m_delim;
    std::size_t m_pos = 0;
    std::uint64_t m_line = 1;
    char m_eol = '\n';  // '\r' for a file whose lines end in a lone CR
    std::uint64_t m_record_line = 0;
    std::size_t m_record_start = 0, m_record_end = 0;
    std::deque<std::string> m_unquoted;  // deque: views into earlier entries stay valid
    std::string m_buf;         // streaming: the unfinished record and the chunk after it
    std::FILE* m_stream = nullptr;
    std::size_t m_chunk = 0;
    std::size_t m_base = 0;    // offset in the stream of m_buf[0]
    bool m_eof = true;         // no more bytes beyond m_data
    bool m_started = false;
    bool m_piece = false;      // a piece: no stream to refill from
    bool m_clean = true;       // no record begun and unfinished
    std::function<void(std::string_view, std::uint64_t)> m_on_chunk;
};

/// Guesses the delimiter from the header line: the most frequent of , ; \t | outside quotes.
char sniff_delimiter(std::string_view header_line) noexcept;

/// A small CSV table read whole into memory (population tables, code lookups): the file's bytes
/// without a UTF-8 byte-order mark, and a reader over them whose delimiter is sniffed from the
/// header line. Neither copied nor moved: the reader views the text this object holds.
class CsvFile {
public:
    /// @throws InputError(unit, path, "cannot be opened; " + remedy) when `path` cannot be read.
    CsvFile(const std::string& path, const char* unit, std::string_view remedy);
    CsvFile(const CsvFile&) = delete;
    CsvFile& operator=(const CsvFile&) = delete;

    std::string_view text() const noexcept { return m_text; }
    CsvReader& reader() noexcept { return m_reader; }

private:
    std::string m_text;  // before m_reader, which views it
    CsvReader m_reader;
};

} // namespace hotspot
