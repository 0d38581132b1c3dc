#include "hotspot/csv.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "hotspot/error.hpp"

namespace hotspot {

CsvReader::CsvReader(std::string_view data, std::string file, char delimiter)
    : m_data(data), m_file(std::move(file)), m_delim(delimiter) {}

CsvReader::CsvReader(std::FILE* stream, std::string file, char delimiter, std::size_t chunk_bytes)
    : m_file(std::move(file)), m_delim(delimiter), m_stream(stream),
      m_chunk(std::max<std::size_t>(1, chunk_bytes)), m_eof(false) {}

CsvReader CsvReader::piece(std::string_view data, std::string file, char delimiter, char eol,
                           std::uint64_t first_line, bool last) {
    CsvReader r(data, std::move(file), delimiter);
    r.m_eol = eol;
    r.m_line = first_line;
    r.m_started = true;
    r.m_piece = true;
    r.m_eof = last;
    return r;
}

void CsvReader::refill() {
    m_buf.erase(0, m_pos);  // what is before m_pos was returned already
    m_base += m_pos;
    m_pos = 0;
    const std::size_t kept = m_buf.size();
    m_buf.resize(kept + m_chunk);
    const std::size_t got = std::fread(m_buf.data() + kept, 1, m_chunk, m_stream);
    m_buf.resize(kept + got);
    if (got < m_chunk) {
        if (std::ferror(m_stream))
            throw InputError("csv", m_file, "cannot be read after byte " + std::to_string(m_base + kept) +
                                                "; check the disk or copy the file again");
        if (got == 0) m_eof = true;  // a short read may still be followed by more (a pipe)
    }
    m_data = m_buf;
    if (got > 0 && m_on_chunk) m_on_chunk(std::string_view(m_buf).substr(kept), m_base + kept);
}

bool CsvReader::start() {
    const std::size_t n = m_data.size();
    if (n < 3 && !m_eof) return false;
    const std::size_t from = m_data.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // UTF-8 byte-order mark
    // Line ends are those of the first line: LF, CRLF, or a lone CR (Excel's "CSV (Macintosh)",
    // classic Mac OS), which would otherwise merge every record into one.
    char eol = '\n';
    bool quoted = false, found = false;
    for (std::size_t i = from; i < n; ++i) {
        const char c = m_data[i];
        if (c == '"') quoted = !quoted;
        if (quoted || (c != '\n' && c != '\r')) continue;
        if (c == '\r' && i + 1 >= n && !m_eof) return false;  // CR or CRLF: the next byte says
        if (c == '\r' && (i + 1 >= n || m_data[i + 1] != '\n')) eol = '\r';
        found = true;
        break;
    }
    if (!found && !m_eof) return false;
    m_pos = from;
    m_eol = eol;
    m_started = true;
    return true;
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
    while (true) {
        if (m_started || start()) {
            const std::size_t pos = m_pos;
            const std::uint64_t line = m_line;
            const Step s = parse(fields);
            if (s != Step::more) return s == Step::record;
            if (m_piece && m_clean) return false;  // ended between records
            m_pos = pos;  // the record runs past the chunk: read on and parse it again
            m_line = line;
            if (m_piece) return false;
        }
        refill();
    }
}

CsvReader::Step CsvReader::parse(std::vector<std::string_view>& fields) {
    fields.clear();
    m_unquoted.clear();
    const std::size_t n = m_data.size();
    // Skip blank lines (LF or CRLF) between records.
    while (m_pos < n && (m_data[m_pos] == '\n' || m_data[m_pos] == '\r')) {
        if (m_data[m_pos] == m_eol) ++m_line;
        ++m_pos;
    }
    if (m_pos >= n) {
        m_clean = true;
        return m_eof ? Step::end : Step::more;
    }
    m_clean = false;
    m_record_line = m_line;
    m_record_start = m_pos;
    while (true) {
        if (m_data[m_pos] == '"') {
            const std::uint64_t start_line = m_line;
            std::string value;
            ++m_pos;
            while (true) {
                if (m_pos >= n) {
                    if (!m_eof) return Step::more;
                    throw InputError("csv", m_file, start_line,
                                     "field " + std::to_string(fields.size() + 1),
                                     "a quoted field is never closed (unbalanced \"); check the "
                                     "quoting on this line or the lines after it");
                }
                const char c = m_data[m_pos];
                if (c == '"') {
                    if (m_pos + 1 >= n && !m_eof) return Step::more;  // "" or a closing quote?
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
            if (m_pos >= n && !m_eof) return Step::more;
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
            if (m_pos >= n && !m_eof) return Step::more;
            std::size_t end = m_pos;
            if (end > start && m_data[end - 1] == '\r' && (m_pos >= n || m_data[m_pos] == '\n'))
                --end;
            fields.emplace_back(m_data.substr(start, end - start));
        }
        if (m_pos >= n) {
            m_record_end = n;
            return Step::record;
        }
        if (m_data[m_pos] == m_delim) {
            ++m_pos;
            if (m_pos >= n && !m_eof) return Step::more;  // the last field may be empty or not
            if (m_pos >= n) {
                fields.emplace_back();  // "a," at the end of the data: an empty last field
                m_record_end = n;
                return Step::record;
            }
            continue;
        }
        m_record_end = m_pos;
        if (m_eol == '\r') {
            ++m_pos;
            ++m_line;
            return Step::record;
        }
        if (m_data[m_pos] == '\r') {
            if (m_pos + 1 >= n && !m_eof) return Step::more;  // CRLF split by the chunk edge
            ++m_pos;
        }
        if (m_pos < n && m_data[m_pos] == '\n') {
            ++m_pos;
            ++m_line;
        }
        return Step::record;
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

namespace {

std::string read_whole(const std::string& path, const char* unit, std::string_view remedy) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw InputError(unit, path, "cannot be opened; " + std::string(remedy));
    std::ostringstream s;
    s << f.rdbuf();
    std::string text = s.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // ONS CSVs carry a UTF-8 BOM
    return text;
}

} // namespace

CsvFile::CsvFile(const std::string& path, const char* unit, std::string_view remedy)
    : m_text(read_whole(path, unit, remedy)),
      m_reader(m_text, path, sniff_delimiter(std::string_view(m_text).substr(0, m_text.find('\n')))) {}

} // namespace hotspot
