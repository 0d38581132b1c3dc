#pragma once
/// @file csv.hpp
/// An RFC 4180 CSV tokenizer over an in-memory buffer: quoted fields with embedded commas,
/// quotes ("") and newlines, an optional UTF-8 byte-order mark, LF, CRLF or CR-only line ends
/// (the style of the first line holds for the file).
/// Pure (no I/O): the caller reads the file.

#include <cstdint>
#include <deque>
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
    /// Bytes consumed so far (for progress).
    std::size_t offset() const noexcept { return m_pos; }

private:
    std::string_view m_data;
    std::string m_file;
    char m_delim;
    std::size_t m_pos = 0;
    std::uint64_t m_line = 1;
    char m_eol = '\n';  // '\r' for a file whose lines end in a lone CR
    std::uint64_t m_record_line = 0;
    std::size_t m_record_start = 0, m_record_end = 0;
    std::deque<std::string> m_unquoted;  // deque: views into earlier entries stay valid
};

/// Guesses the delimiter from the header line: the most frequent of , ; \t | outside quotes.
char sniff_delimiter(std::string_view header_line) noexcept;

} // namespace hotspot
