#include "hotspot/csv.hpp"

#include <array>

#include "hotspot/error.hpp"

namespace hotspot {

CsvReader::CsvReader(std::string_view data, std::string file, char delimiter)
    : m_data(data), m_file(std::move(file)), m_delim(delimiter) {
    if (m_data.substr(0, 3) == "\xEF\xBB\xBF") m_pos = 3;  // UTF-8 byte-order mark
    // Line ends are those of the first line: LF, CRLF, or a lone CR (Excel's "CSV (Macintosh)",
    // classic Mac OS), which would otherwise merge every record into one.
    bool quoted = false;
    for (std::size_t i = m_pos; i < m_data.size(); ++i) {
        const char c = m_data[i];
        if (c == '"') quoted = !quoted;
        if (quoted || (c != '\n' && c != '\r')) continue;
        if (c == '\r' && (i + 1 >= m_data.size() || m_data[i + 1] != '\n')) m_eol = '\r';
        break;
    }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
    fields.clear();
    m_unquoted.clear();
    const std::size_t n = m_data.size();
    // Skip blank lines (LF or CRLF) between records.
    while (m_pos < n && (m_data[m_pos] == '\n' || m_data[m_pos] == '\r')) {
        if (m_data[m_pos] == m_eol) ++m_line;
        ++m_pos;
    }
    if (m_pos >= n) return false;
    m_record_line = m_line;
    m_record_start = m_pos;
    while (true) {
        if (m_pos < n && m_data[m_pos] == '"') {
            const std::uint64_t start_line = m_line;
            std::string value;
            ++m_pos;
            while (true) {
                if (m_pos >= n)
                    throw InputError("csv", m_file, start_line,
                                     "field " + std::to_string(fields.size() + 1),
                                     "a quoted field is never closed (unbalanced \"); check the "
                                     "quoting on this line or the lines after it");
                const char c = m_data[m_pos];
                if (c == '"') {
                    if (m_pos + 1 < n && m_data[m_pos + 1] == '"') {
                        value.push_back('"');
                        m_pos += 2;
                        continue;
                    }
                    ++m_pos;
                    break;
                }
                if (c == m_eol) ++m_line;
                value.push_back(c);
                ++m_pos;
            }
            // After the closing quote: delimiter, end of line or end of data.
            if (m_pos < n && m_data[m_pos] != m_delim && m_data[m_pos] != '\n' &&
                m_data[m_pos] != '\r')
                throw InputError("csv", m_file, m_line, "field " + std::to_string(fields.size() + 1),
                                 "text after a closing quote; quote the whole field and double "
                                 "any quote inside it (\"\")");
            m_unquoted.push_back(std::move(value));
            fields.emplace_back(m_unquoted.back());
        } else {
            const std::size_t start = m_pos;
            while (m_pos < n && m_data[m_pos] != m_delim && m_data[m_pos] != m_eol) ++m_pos;
            std::size_t end = m_pos;
            if (end > start && m_data[end - 1] == '\r' && (m_pos >= n || m_data[m_pos] == '\n'))
                --end;
            fields.emplace_back(m_data.substr(start, end - start));
        }
        if (m_pos >= n) {
            m_record_end = n;
            return true;
        }
        if (m_data[m_pos] == m_delim) {
            ++m_pos;
            continue;
        }
        m_record_end = m_pos;
        if (m_eol == '\r') {
            ++m_pos;
            ++m_line;
            return true;
        }
        if (m_data[m_pos] == '\r') ++m_pos;
        if (m_pos < n && m_data[m_pos] == '\n') {
            ++m_pos;
            ++m_line;
        }
        return true;
    }
}

char sniff_delimiter(std::string_view header) noexcept {
    const std::array<char, 4> candidates{',', ';', '\t', '|'};
    std::array<int, 4> counts{};
    bool in_quotes = false;
    for (char c : header) {
        if (!in_quotes && (c == '\n' || c == '\r')) break;  // LF, CRLF or a lone CR
        if (c == '"') in_quotes = !in_quotes;
        if (in_quotes) continue;
        for (std::size_t i = 0; i < candidates.size(); ++i)
            if (c == candidates[i]) ++counts[i];
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < candidates.size(); ++i)
        if (counts[i] > counts[best]) best = i;
    return candidates[best];
}

} // namespace hotspot
