// Reading incidents from CSV (police.uk recognised by its header) and OGR sources.
// Every row ends kept or rejected with a reason; nothing is skipped silently.

#include "hotspot/incidents_io.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <glob.h>
#include <limits>
#include <map>
#include <cpl_conv.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <gdal.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "gdal_env.hpp"
#include "postgis_in.hpp"
#include "hotspot/crs.hpp"
#include "hotspot/csv.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/distinct_points.hpp"
#include "hotspot/encoding.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/sha256.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "read";

using util::lower;
using util::trim;

bool is_csv_path(const std::string& p) {
    const std::string ext = lower(fs::path(p).extension().string());
    return ext == ".csv" || ext == ".txt" || ext == ".tsv";
}

// Finds a field by name, case-insensitively. -1 when absent.
int find_field(const std::vector<std::string>& names, std::string_view wanted) {
    const std::string w = lower(trim(wanted));
    for (std::size_t i = 0; i < names.size(); ++i)
        if (lower(trim(names[i])) == w) return int(i);
    return -1;
}

int find_any(const std::vector<std::string>& names, std::initializer_list<std::string_view> cands) {
    for (auto c : cands)
        if (int i = find_field(names, c); i >= 0) return i;
    return -1;
}

std::string header_list(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size() && i < 20; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > 20) s += ", ...";
    return s;
}

// A named role field the user asked for must exist.
int required_field(const std::vector<std::string>& names, const std::string& wanted,
                   const std::string& option, const std::string& file) {
    const int i = find_field(names, wanted);
    if (i < 0)
        throw InputError(unit, file, 1, wanted,
                         "no such column (given by " + option + "); the header has: " +
                             header_list(names));
    return i;
}

bool is_police_uk(const std::vector<std::string>& names) {
    for (auto n : {"Crime ID", "Month", "Longitude", "Latitude", "LSOA code", "Crime type"})
        if (find_field(names, n) < 0) return false;
    return true;
}

enum class Parse { ok, blank, bad, non_finite };

Parse parse_number(std::string_view s, double& v) {
    s = trim(s);
    if (s.empty()) return Parse::blank;
    if (s.front() == '+') s.remove_prefix(1);
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc() || p != end) {
        const std::string l = lower(s);
        if (l == "nan" || l == "inf" || l == "-inf" || l == "infinity" || l == "-infinity")
            return Parse::non_finite;
        return Parse::bad;
    }
    return std::isfinite(v) ? Parse::ok : Parse::non_finite;
}

// A bare whole number of 4-6 digits in a date column is what Excel writes when a date cell
// is formatted as a number (days since 1899-12-30); it is reported, not guessed, because a
// bare number could equally be a record number or a day count from another epoch.
bool looks_like_excel_serial(std::string_view text) {
    text = trim(text);
    if (text.size() < 4 || text.size() > 6) return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Dates and times that were read but deserve a word: unreadable, before 1900, after today.
struct DateChecks {
    struct Kind {
        std::uint64_t count = 0;
        std::string first;  // up to three "file:line 'value'"
    };
    Kind bad_dates, bad_times, future, old;
    std::uint64_t excel_serials = 0;
    std::int32_t today = std::int32_t(std::chrono::floor<std::chrono::days>(
                                          std::chrono::system_clock::now()).time_since_epoch().count());
    std::int32_t year_1900 = days_from_civil(1900, 1, 1);

    void note(Kind& k, const std::string& file, std::uint64_t line, std::string_view value) {
        if (k.count++ < 3)
            k.first += (k.first.empty() ? "" : ", ") + file + ":" + std::to_string(line) + " '" +
                       std::string(trim(value)) + "'";
    }
    static std::string first_of(const Kind& k) {
        return "first: " + k.first;
    }
    void warn(std::vector<std::string>& out) const {
        if (bad_dates.count > 0)
            out.push_back("read: " + std::to_string(bad_dates.count) +
                          " dates could not be read and are left unknown (" + first_of(bad_dates) +
                          "); use YYYY-MM-DD or DD/MM/YYYY" +
                          (excel_serials > 0
                               ? ". " + std::to_string(excel_serials) +
                                     " of them are bare numbers, as Excel writes a date cell "
                                     "formatted as a number: format the column as a date "
                                     "(yyyy-mm-dd) in Excel and save the CSV again"
                               : std::string()));
        if (bad_times.count > 0)
            out.push_back("read: " + std::to_string(bad_times.count) +
                          " times of day could not be read and are left unknown (" +
                          first_of(bad_times) + "); use HH:MM (00:00 to 23:59, or 24:00 for "
                          "midnight at the end of the day)");
        if (future.count > 0)
            out.push_back("read: " + std::to_string(future.count) +
                          " incidents are dated after today (" + first_of(future) +
                          "); check the date column and its day/month order");
        if (old.count > 0)
            out.push_back("read: " + std::to_string(old.count) +
                          " incidents are dated before 1900 (" + first_of(old) +
                          "); they are kept as dated; check them for typing errors");
    }
};

// The ids seen so far (FieldRoles::id: a repeat is rejected as duplicate_id), exactly: their
// text in a StringColumn and an open-addressing table of (hash tag, index), 8 bytes a slot. A
// million 64-character police.uk Crime IDs take ~80 MB here against ~140 MB in an
// unordered_set<std::string>, and no allocation per id (issue 20). The hashes come from the
// row checks, on the workers.
class IdSet {
public:
    // Inserts `id` (hash `h`); false when it was there already.
    bool insert(std::string_view id, std::uint64_t h) {
        if (m_text.size() >= std::size_t(empty) - 1)
            throw UsageError(unit, "more than 4,294,967,293 incidents have an id; read the input in parts");
        if ((m_text.size() + 1) * 2 > m_slots.size()) rehash(std::max<std::size_t>(1024, m_slots.size() * 2));
        const std::uint32_t tag = std::uint32_t(h >> 32);
        for (std::size_t s = std::size_t(h) & (m_slots.size() - 1);; s = (s + 1) & (m_slots.size() - 1)) {
            Slot& slot = m_slots[s];
            if (slot.index == empty) {
                slot = {tag, std::uint32_t(m_text.size())};
                m_text.push_back(id);
                return true;
            }
            if (slot.tag == tag && m_text[slot.index] == id) return false;
        }
    }
    // Room for `n` ids without growing the table.
    void reserve(std::size_t n) {
        std::size_t size = 1024;
        while (size < 2 * n + 2) size *= 2;
        if (size > m_slots.size()) rehash(size);
    }
    void clear() {
        std::vector<Slot>().swap(m_slots);
        m_text = StringColumn();
    }

private:
    struct Slot {
        std::uint32_t tag = 0, index = empty;
    };
    static constexpr std::uint32_t empty = ~std::uint32_t(0);
    void rehash(std::size_t size) {  // a power of two
        std::vector<Slot> slots(size);
        for (std::uint32_t i = 0; i < m_text.size(); ++i) {
            const std::uint64_t h = std::hash<std::string_view>{}(m_text[i]);
            std::size_t s = std::size_t(h) & (slots.size() - 1);
            while (slots[s].index != empty) s = (s + 1) & (slots.size() - 1);
            slots[s] = {std::uint32_t(h >> 32), i};
        }
        m_slots.swap(slots);
    }
    std::vector<Slot> m_slots;
    StringColumn m_text;
};

// What a row is checked against: fixed once the first file's header is read, so the rows of a
// CSV file's pieces can be checked on several threads (issue 20).
struct RowRules {
    FieldRoles roles;
    std::size_t n_fields = 0;
    const CrsTransform* transform = nullptr;
    std::int32_t today = 0, year_1900 = 0;
};

// The dates and times of a kept row that deserve a word (DateChecks), noted in file order.
enum DateNote : std::uint8_t { note_bad_date = 1, note_excel = 2, note_bad_time = 4, note_future = 8, note_old = 16 };

// What one row's own text says, worked out from the row alone (check_row): whether its field
// count and coordinates let it be kept, and if so its coordinates, date and time. The id (a
// repeat of an earlier row's) and the tables are the reader's, applied in file order.
struct RowCheck {
    std::uint64_t hash = 0;  // of the record's text: rows with the same text are exact duplicates
    std::uint64_t id_hash = 0;  // of the trimmed id (FieldRoles::id) of a kept row
    double x = 0, y = 0;
    std::int32_t days = no_date;
    std::int16_t minute = -1;
    std::uint8_t notes = 0;   // DateNote bits
    bool keep = false;        // false: rejected for `why`, with `detail`
    std::int32_t recoded_field = -1;  // the first field that was not UTF-8 (-1: none)
    RejectReason why{};
    std::string detail;
};

// Checks a coordinate in the source CRS. Returns true when it may be kept.
bool check_coordinate(const CrsTransform& transform, double x, double y, RejectReason& why) {
    if (x == 0 && y == 0) {
        why = RejectReason::zero_zero;
        return false;
    }
    if (transform.source_geographic()) {
        const Bounds& area = transform.common_area_lonlat();
        if (area.empty() ? (std::abs(x) <= 180 && std::abs(y) <= 90) : area.contains(x, y))
            return true;
        why = (!area.empty() && area.contains(y, x)) ? RejectReason::swapped_lat_lon
                                                     : RejectReason::outside_crs_area;
        return false;
    }
    if (std::abs(x) <= 180 && std::abs(y) <= 90) {
        why = RejectReason::looks_like_lon_lat;
        return false;
    }
    const Bounds& area = transform.source_area_of_use();
    if (!area.empty() && !area.contains(x, y)) {
        why = RejectReason::outside_crs_area;
        return false;
    }
    return true;
}

// Checks one row. `fields` are its fields; text that is not UTF-8 (a Windows-1252/Latin-1
// export) is converted into `owned` (OGR's GeoPackage driver would store the bytes as they are,
// and QGIS would show them garbled) and `fields` then views `scratch`. `raw` is the record's
// text; `raw_x` and `raw_y` the coordinates' text as read. Touches nothing shared: safe on any
// thread.
RowCheck check_row(const RowRules& rules, std::span<const std::string_view>& fields, std::string_view raw,
                   std::string_view raw_x, std::string_view raw_y, std::vector<std::string_view>& scratch,
                   std::deque<std::string>& owned) {
    RowCheck c;
    c.hash = std::hash<std::string_view>{}(raw);
    // A record that is UTF-8 as a whole has only UTF-8 fields (they are cut at ASCII commas and
    // quotes, which never fall inside a multi-byte sequence): one pass instead of one per field.
    if (!is_utf8(raw))
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (is_utf8(fields[i])) continue;
            if (c.recoded_field < 0) {
                c.recoded_field = std::int32_t(i);
                scratch.assign(fields.begin(), fields.end());
            }
            scratch[i] = owned.emplace_back(cp1252_to_utf8(fields[i]));
        }
    if (c.recoded_field >= 0) fields = scratch;
    if (fields.size() != rules.n_fields) {
        c.why = RejectReason::wrong_field_count;
        c.detail = std::to_string(fields.size()) + " fields, header has " + std::to_string(rules.n_fields);
        return c;
    }
    const Parse px = parse_number(raw_x, c.x), py = parse_number(raw_y, c.y);
    if (px == Parse::blank || py == Parse::blank)
        c.why = RejectReason::missing_coordinate;
    else if (px == Parse::bad || py == Parse::bad)
        c.why = RejectReason::unparsable_coordinate;
    else if (px == Parse::non_finite || py == Parse::non_finite)
        c.why = RejectReason::non_finite_coordinate;
    else if (check_coordinate(*rules.transform, c.x, c.y, c.why))
        c.keep = true;
    if (!c.keep) {
        c.detail = std::string(raw_x) + " " + std::string(raw_y);
        if (!is_utf8(c.detail)) c.detail = cp1252_to_utf8(c.detail);
        return c;
    }
    const FieldRoles& r = rules.roles;
    if (r.id >= 0) c.id_hash = std::hash<std::string_view>{}(trim(fields[std::size_t(r.id)]));
    const int date_col = r.date >= 0 ? r.date : r.month;
    if (date_col >= 0 && std::size_t(date_col) < fields.size()) {
        const std::string_view text = fields[std::size_t(date_col)];
        if (auto d = parse_date(text)) {
            c.days = d->days;
            c.minute = d->minute_of_day;
        } else if (!trim(text).empty()) {
            c.notes |= note_bad_date;
            if (looks_like_excel_serial(text)) c.notes |= note_excel;
        }
    }
    if (r.time >= 0 && std::size_t(r.time) < fields.size()) {
        const std::string_view text = fields[std::size_t(r.time)];
        if (auto t = parse_time(text)) {
            c.minute = *t;
            if (c.minute == minutes_per_day) {  // "24:00": 00:00 of the next day
                c.minute = 0;
                if (c.days != no_date) ++c.days;
            }
        } else if (!trim(text).empty()) {
            c.notes |= note_bad_time;
        }
    }
    if (c.days != no_date) {
        if (c.days > rules.today) c.notes |= note_future;
        else if (c.days < rules.year_1900) c.notes |= note_old;
    }
    return c;
}

// What a reader collects before coordinates are transformed.
struct Collector {
    Collector(const ReadOptions& o, ReadResult& r) : options(o), result(r) {}
    const ReadOptions& options;
    ReadResult& result;
    std::vector<std::string> field_names;
    bool have_schema = false;
    IdSet ids;
    std::vector<std::uint64_t> row_hashes;  // sorted once at the end: duplicates = size - unique
    DateChecks dates;
    const PostcodeLookup* postcodes = nullptr;  // set when rows are placed by postcode
    std::string first_terminated, first_corrected;
    std::string source_crs;
    std::uint64_t recoded_rows = 0;
    std::string first_recoded;
    RowRules rules;  // set once the first file's roles and CRS are known
    std::vector<char> keeps_text;  // per field: its text is kept (ReadOptions::keep_text); set with the rules
    std::vector<std::string_view> scratch;  // a row's fields once recoded (the sequential path)
    std::deque<std::string> owned;

    // Once the first file's roles and CRS are known.
    void set_rules(const CrsTransform& transform) {
        rules.roles = result.incidents.roles;
        rules.n_fields = field_names.size();
        rules.transform = &transform;
        rules.today = dates.today;
        rules.year_1900 = dates.year_1900;
        keeps_text.assign(field_names.size(), 1);
        if (options.keep_text)
            for (std::size_t c = 0; c < field_names.size(); ++c)
                keeps_text[c] = int(c) == rules.roles.precision ||
                                std::find(options.keep_text->begin(), options.keep_text->end(), field_names[c]) !=
                                    options.keep_text->end();
    }

    void set_schema(const std::vector<std::string>& names, const std::string& file) {
        if (!have_schema) {
            field_names = names;
            have_schema = true;
            auto& inc = result.incidents;
            auto& rej = result.rejects;
            inc.field_names = rej.field_names = names;
            inc.fields.resize(names.size());
            rej.fields.resize(names.size());
            return;
        }
        if (names != field_names)
            throw InputError(unit, file, 1, "",
                             "its header differs from the first file's (" +
                                 result.incidents.source_files.front() +
                                 "); every file must have the same columns in the same order. "
                                 "This file has: " + header_list(names));
    }

    void reject(std::span<const std::string_view> fields, RejectReason why, std::string_view detail,
                std::uint32_t file, std::uint64_t line) {
        auto& rej = result.rejects;
        for (std::size_t c = 0; c < rej.fields.size(); ++c)
            rej.fields[c].push_back(c < fields.size() ? fields[c] : std::string_view());
        rej.reason.push_back(why);
        rej.detail.push_back(detail);
        rej.source_file.push_back(file);
        rej.source_line.push_back(line);
    }

    bool keeps(std::size_t col) const noexcept { return col >= keeps_text.size() || keeps_text[col]; }

    // Sizes the columns for a file of `bytes` (a guess from the first rows' length would be
    // better; a ~200-byte police.uk row is the common case).
    // The row estimate divides by the header's length too: with a fixed 150 bytes per row, a
    // file of 100,000 columns reserved (bytes / 150) offsets in each of 100,000 columns,
    // memory growing with the square of the column count (863 MB for 5 rows).
    void reserve(std::size_t bytes, std::size_t header_bytes) {
        const std::size_t row_bytes = std::max<std::size_t>(150, header_bytes == std::string::npos ? 0 : header_bytes);
        const std::size_t rows = result.incidents.size() + bytes / row_bytes + 16;
        auto& inc = result.incidents;
        for (auto& c : inc.fields) c.reserve(rows, bytes / std::max<std::size_t>(1, inc.fields.size()) + 16);
        inc.x.reserve(rows); inc.y.reserve(rows); inc.date_days.reserve(rows); inc.minute_of_day.reserve(rows);
        inc.category.reserve(rows); inc.source_file.reserve(rows); inc.source_line.reserve(rows);
        row_hashes.reserve(rows);
        if (inc.roles.id >= 0) ids.reserve(rows);
    }

    void keep(std::span<const std::string_view> fields, const RowCheck& c, std::uint32_t file, std::uint64_t line) {
        auto& inc = result.incidents;
        const FieldRoles& r = inc.roles;
        row_hashes.push_back(c.hash);
        for (std::size_t col = 0; col < inc.fields.size(); ++col)
            inc.fields[col].push_back(col < fields.size() && keeps(col) ? fields[col] : std::string_view());
        inc.x.push_back(c.x);
        inc.y.push_back(c.y);
        if (c.notes) {
            const std::string& name = inc.source_files[file];
            const std::string_view date = fields[std::size_t(r.date >= 0 ? r.date : r.month)];
            if (c.notes & note_bad_date) dates.note(dates.bad_dates, name, line, date);
            if (c.notes & note_excel) ++dates.excel_serials;
            if (c.notes & note_bad_time) dates.note(dates.bad_times, name, line, fields[std::size_t(r.time)]);
            if (c.notes & note_future) dates.note(dates.future, name, line, date);
            if (c.notes & note_old) dates.note(dates.old, name, line, date);
        }
        inc.date_days.push_back(c.days);
        inc.minute_of_day.push_back(c.minute);
        const std::string_view cat = r.category >= 0 && std::size_t(r.category) < fields.size()
                                         ? trim(fields[std::size_t(r.category)])
                                         : std::string_view();
        // Few distinct categories: a linear scan beats hashing a fresh std::string per row.
        std::uint32_t ci = 0;
        while (ci < inc.categories.size() && inc.categories[ci] != cat) ++ci;
        if (ci == inc.categories.size()) inc.categories.emplace_back(cat);
        inc.category.push_back(ci);
        inc.source_file.push_back(file);
        inc.source_line.push_back(line);
    }

    // A row placed by postcode: its fields gain location_precision, postcode_matched and
    // postcode_status; an unknown postcode rejects it (postcode.hpp).
    void postcode_row(std::span<const std::string_view> fields, std::size_t source_columns, std::size_t pc_col,
                      std::string_view raw, std::uint32_t file, std::uint64_t line) {
        std::vector<std::string_view> ext(fields.begin(), fields.end());
        auto& counts = result.postcodes;
        if (fields.size() != source_columns) {
            ++result.rows_in;
            reject(ext, RejectReason::wrong_field_count,
                   std::to_string(fields.size()) + " fields, header has " + std::to_string(source_columns), file, line);
            return;
        }
        const std::string_view text = fields[pc_col];
        const PostcodeLookup::Match m = postcodes->find(text);
        if (!m.placed()) {
            ++result.rows_in;
            ext.insert(ext.end(), {"", "", ""});
            std::string detail = postcodes->reject_detail(text, m);
            if (!is_utf8(detail)) detail = cp1252_to_utf8(detail);
            reject(ext, RejectReason::unknown_postcode, detail, file, line);
            ++counts.unknown;
            return;
        }
        const bool terminated = m.outcome == PostcodeLookup::Outcome::terminated;
        ext.insert(ext.end(), {postcode_centroid, m.postcode, terminated ? "terminated" : "live"});
        char bx[32], by[32];
        const auto rx = std::to_chars(bx, bx + sizeof bx, m.x);
        const auto ry = std::to_chars(by, by + sizeof by, m.y);
        const std::size_t before = result.incidents.size();
        row(ext, raw, std::string_view(bx, std::size_t(rx.ptr - bx)), std::string_view(by, std::size_t(ry.ptr - by)),
            file, line);
        if (result.incidents.size() == before) return;
        ++counts.placed;
        const std::string where = result.incidents.source_files[file] + ":" + std::to_string(line) + " '" +
                                  std::string(text) + "' -> " + m.postcode;
        if (terminated && counts.terminated++ == 0) first_terminated = where;
        if (m.corrected && counts.corrected++ == 0) first_corrected = where;
    }

    void postcode_warnings(std::vector<std::string>& out) const {
        const auto& c = result.postcodes;
        if (c.terminated > 0)
            out.push_back("read: " + std::to_string(c.terminated) +
                          (c.terminated == 1 ? " row was" : " rows were") + " placed at terminated postcodes (first: " + first_terminated +
                          "), at the centroid the lookup last published for them; check the addresses");
        if (c.corrected > 0)
            out.push_back("read: " + std::to_string(c.corrected) +
                          (c.corrected == 1 ? " postcode had" : " postcodes had") + " the letter O or I typed for the digit 0 or 1 of the inward code "
                          "and were read with the digit (first: " + first_corrected + ")");
        if (c.unknown > 0)
            out.push_back("read: " + std::to_string(c.unknown) +
                          (c.unknown == 1 ? " row was" : " rows were") + " rejected as unknown_postcode (blank, not a postcode, or not in the "
                          "lookup); see the rejects layer's reject_detail for each value");
    }

    // One checked row (check_row), in file order: counted, then rejected, or kept unless its id
    // repeats an earlier row's.
    void apply(const RowCheck& c, std::span<const std::string_view> fields, std::uint32_t file, std::uint64_t line) {
        ++result.rows_in;
        if (c.recoded_field >= 0) {
            if (recoded_rows == 0) {
                const std::size_t f = std::size_t(c.recoded_field);
                first_recoded = result.incidents.source_files[file] + ":" + std::to_string(line) + " field '" +
                                (f < field_names.size() ? field_names[f] : std::to_string(f + 1)) + "'";
            }
            ++recoded_rows;
        }
        if (!c.keep) {
            reject(fields, c.why, c.detail, file, line);
            return;
        }
        const FieldRoles& r = result.incidents.roles;
        if (r.id >= 0) {
            const std::string_view id = trim(fields[std::size_t(r.id)]);
            if (!id.empty() && !ids.insert(id, c.id_hash)) {
                reject(fields, RejectReason::duplicate_id, id, file, line);
                return;
            }
        }
        keep(fields, c, file, line);
    }

    // One row: checked and applied at once (OGR layers, rows placed by postcode).
    // `raw` is the record's text: rows with the same text are exact duplicates.
    void row(std::span<const std::string_view> fields, std::string_view raw, std::string_view raw_x,
             std::string_view raw_y, std::uint32_t file, std::uint64_t line) {
        const RowCheck c = check_row(rules, fields, raw, raw_x, raw_y, scratch, owned);
        apply(c, fields, file, line);
        owned.clear();
    }
};

FieldRoles detect_roles(const std::vector<std::string>& names, const ReadOptions& o,
                        const std::string& file, bool police_uk) {
    FieldRoles r;
    auto pick = [&](const std::string& given, const char* option,
                    std::initializer_list<std::string_view> cands) {
        if (!given.empty()) return required_field(names, given, option, file);
        return find_any(names, cands);
    };
    if (police_uk) {
        r.x = find_field(names, "Longitude");
        r.y = find_field(names, "Latitude");
        r.category = find_field(names, "Crime type");
        r.month = find_field(names, "Month");
        r.lsoa_code = find_field(names, "LSOA code");
        r.street = o.street_field.empty() ? find_field(names, "Location")
                                          : required_field(names, o.street_field, "--street", file);
        // police.uk Crime IDs are blank for anti-social behaviour and not unique (the same
        // crime can appear twice), so they are not used to reject rows unless asked.
        if (!o.id_field.empty()) r.id = required_field(names, o.id_field, "--id", file);
    } else {
        r.x = pick(o.x_field, "--x", {"easting", "x", "east", "x_coord", "longitude", "lon", "lng", "long"});
        r.y = pick(o.y_field, "--y", {"northing", "y", "north", "y_coord", "latitude", "lat"});
        r.id = pick(o.id_field, "--id", {"incident_id", "crime_id", "crime_ref", "crime_reference", "urn"});
        r.category = pick(o.category_field, "--category", {"category", "crime_type", "crime type", "offence_category", "offence category"});
        r.offence_code = pick(o.offence_code_field, "--offence-code", {"offence_code", "offence code", "ho_code", "home_office_code"});
        r.date = pick(o.date_field, "--date", {"date", "date_time", "datetime", "occurred", "committed_date", "date_from"});
        r.time = pick(o.time_field, "--time", {"time", "time_from", "committed_time"});
        r.location_type = pick(o.location_type_field, "--location-type", {"location_type", "location type", "premises_type"});
        r.mo_text = pick(o.mo_field, "--mo", {"mo_text", "mo", "modus_operandi", "mo text"});
        r.lsoa_code = find_any(names, {"lsoa_code", "lsoa code", "lsoa11cd"});
        r.street = pick(o.street_field, "--street", {"street", "street_name", "street name", "location", "address"});
        if ((r.x < 0 || r.y < 0) && o.postcode_field.empty())
            throw InputError(unit, file, 1, "",
                             "no coordinate columns found; name them with --x and --y (e.g. "
                             "--x Easting --y Northing). The header has: " + header_list(names) +
                             (names.size() == 1 ? " (one column only: is the delimiter right?)" : ""));
    }
    if (police_uk && !o.x_field.empty()) r.x = required_field(names, o.x_field, "--x", file);
    if (police_uk && !o.y_field.empty()) r.y = required_field(names, o.y_field, "--y", file);
    return r;
}

// The fields a row placed by postcode gains (postcode.hpp), prefixed "hs_" on a clash.
void add_postcode_fields(std::vector<std::string>& names) {
    for (const char* wanted : {"location_precision", "postcode_matched", "postcode_status"}) {
        std::string n = wanted;
        while (find_field(names, n) >= 0) n = "hs_" + n;
        names.push_back(n);
    }
}

std::string guess_crs(const std::vector<std::string>& names, const FieldRoles& r) {
    const std::string xn = lower(names[std::size_t(r.x)]);
    if (xn == "longitude" || xn == "lon" || xn == "lng" || xn == "long") return "EPSG:4326";
    return "EPSG:27700";
}

// Text no CSV reader can use: UTF-16 (Excel's "Unicode text", some Windows exports) reads as
// garbage with a NUL after every ASCII letter, and a NUL byte elsewhere would silently cut a
// field where OGR writes it. Both are refused with what to do.
void refuse_unreadable_text(std::string_view data, const std::string& path) {
    const bool bom16 = data.size() >= 2 && ((data[0] == '\xFF' && data[1] == '\xFE') ||
                                           (data[0] == '\xFE' && data[1] == '\xFF'));
    std::size_t nul_odd = 0, nul_even = 0;
    const std::size_t probe = std::min<std::size_t>(data.size(), 256);
    for (std::size_t i = 0; i < probe; ++i)
        if (data[i] == '\0') ++(i % 2 ? nul_odd : nul_even);
    if (bom16 || (probe >= 8 && std::max(nul_odd, nul_even) * 4 >= probe))
        throw InputError(unit, path, 1, "",
                         "the file is UTF-16 text, not UTF-8; save it as UTF-8 (Excel: Save As "
                         "\"CSV UTF-8 (Comma delimited)\")");
    if (const auto nul = data.find('\0'); nul != std::string_view::npos) {
        const std::string_view before = data.substr(0, nul);
        const std::uint64_t line = std::uint64_t(std::count(before.begin(), before.end(), '\n')) + 1;
        const auto line_start = before.rfind('\n');
        const std::string_view head = data.substr(0, data.find('\n'));
        const std::size_t column = std::size_t(std::count(before.begin() + std::ptrdiff_t(line_start == std::string_view::npos ? 0 : line_start + 1),
                                                          before.end(), ','));
        std::string field;
        std::size_t c = 0, start = 0;
        for (std::size_t i = 0; i <= head.size(); ++i)
            if (i == head.size() || head[i] == ',') {
                if (c++ == column) field = std::string(trim(head.substr(start, i - start)));
                start = i + 1;
            }
        throw InputError(unit, path, line, field,
                         "holds a NUL byte (character 0), which would cut the text short; remove "
                         "it (it often comes from a binary export or a UTF-16 file)");
    }
}

// A GeoPackage table holds at most 2,000 columns (SQLite's limit), less the fields the engine
// adds; and a repeated column name makes every output fail at the end. Both are refused
// before any work.
constexpr std::size_t max_columns = 1900;

void refuse_bad_header(const std::vector<std::string>& names, const std::string& path) {
    if (names.size() > max_columns)
        throw InputError(unit, path, 1, "",
                         "has " + std::to_string(names.size()) + " columns; outputs hold at most " +
                             std::to_string(max_columns) +
                             " (a GeoPackage table is limited to 2,000 by SQLite). Keep only the "
                             "columns you need (coordinates, date, time, category, ...) and try again");
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto [it, fresh] = seen.emplace(lower(names[i]), i);
        if (!fresh && !names[i].empty())
            throw InputError(unit, path, 1, names[i],
                             "the header names this column twice (columns " + std::to_string(it->second + 1) +
                                 " and " + std::to_string(i + 1) +
                                 "); rename one so every column has its own name");
    }
}

// The start of a CSV file, for the checks made before any row is read: at least 256 bytes (the
// UTF-16 probe), through the first line end outside quotes (the delimiter is sniffed from the
// header; a CR is followed by one more byte, so a CRLF ends in the head) and through the first
// byte that is not white space (a file of blanks is refused as empty), or the whole file when
// shorter.
std::string read_head(std::FILE* f) {
    std::string head;
    bool quoted = false, line_end = false, text = false;
    std::size_t scanned = 0;
    char buf[4096];
    while (head.size() < 256 || !line_end || !text || head.back() == '\r') {
        const std::size_t got = std::fread(buf, 1, sizeof buf, f);
        if (got == 0) break;
        head.append(buf, got);
        for (; scanned < head.size() && (!line_end || !text); ++scanned) {
            const char c = head[scanned];
            const bool bom = scanned < 3 && head.compare(0, 3, "\xEF\xBB\xBF") == 0;
            if (!bom && std::string_view(" \t\r\n\v\f").find(c) == std::string_view::npos) text = true;
            if (c == '"') quoted = !quoted;
            if (!quoted && (c == '\n' || c == '\r')) line_end = true;
        }
    }
    return head;
}

// A NUL byte found at `offset` by the streaming reader: the file's start up to the line after
// it is read again (an error path), so the message names its line and field as before.
[[noreturn]] void refuse_nul_at(const std::string& path, std::uint64_t offset) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    std::string prefix;
    if (f) {
        char buf[65536];
        std::size_t got;
        while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) {
            prefix.append(buf, got);
            if (prefix.size() > offset && prefix.find('\n', offset) != std::string::npos) break;
        }
        std::fclose(f);
    }
    refuse_unreadable_text(prefix, path);
    throw InputError(unit, path, "holds a NUL byte (character 0) at byte " + std::to_string(offset) +
                                     ", which would cut the text short; remove it");
}

// The chunk size of the CSV reader: HOTSPOT_CSV_CHUNK_BYTES (for tests, which put a chunk
// edge inside every record with a few bytes), else CsvReader's default.
std::size_t csv_chunk_bytes() {
    if (const char* e = std::getenv("HOTSPOT_CSV_CHUNK_BYTES"); e && *e) {
        const unsigned long long v = std::strtoull(e, nullptr, 10);
        if (v > 0) return std::size_t(v);
    }
    return CsvReader::default_chunk_bytes;
}

// A piece of a CSV file (issue 20: a file is parsed on several threads): whole records, cut
// where the reader takes one to end, parsed and its rows checked (check_row) on a worker, then
// applied in file order on the reading thread. A cut inside a quoted field is found when the
// piece is parsed (it does not end between records) and the file is cut again there.
struct Piece {
    std::string text;
    std::uint64_t offset = 0;  // of text[0] in the file
    bool last = false;         // runs to the end of the file
    // What parse_piece found:
    std::deque<std::string> owned;         // unquoted and recoded values
    std::vector<std::string_view> fields;  // every row's fields, one row after another
    struct Row {
        std::size_t first = 0, count = 0;  // in `fields`
        std::uint64_t line = 0;            // counted from 1 at the piece's start
        RowCheck check;
    };
    std::vector<Row> rows;
    bool complete = false;     // ended between records: the cut was right
    std::size_t consumed = 0;  // bytes of whole records (all of them when complete)
    std::uint64_t end_line = 1;  // the line after them, counted from 1 at the piece's start
    std::exception_ptr error;  // a malformed record: raised again, with its line, in file order

    void reset() {  // for reuse: empty, its buffers kept
        text.clear();
        owned.clear();
        fields.clear();
        rows.clear();
        complete = false;
        consumed = 0;
        end_line = 1;
        error = nullptr;
    }
};

void parse_piece(Piece& p, const RowRules& rules, const std::string& path, char delim, char eol, std::size_t xi,
                 std::size_t yi) {
    try {
        CsvReader reader = CsvReader::piece(p.text, path, delim, eol, 1, p.last);
        std::vector<std::string_view> f, scratch;
        const char* lo = p.text.data();
        const char* hi = lo + p.text.size();
        while (reader.next(f)) {
            for (auto& v : f) {  // unquoted values live in the reader until its next record
                if (v.empty()) v = {};
                else if (v.data() < lo || v.data() >= hi) v = p.owned.emplace_back(v);
            }
            std::span<const std::string_view> fs(f);
            const std::string_view rx = xi < f.size() ? f[xi] : std::string_view();
            const std::string_view ry = yi < f.size() ? f[yi] : std::string_view();
            Piece::Row row{p.fields.size(), 0, reader.record_line(),
                           check_row(rules, fs, reader.record_text(), rx, ry, scratch, p.owned)};
            row.count = fs.size();
            p.fields.insert(p.fields.end(), fs.begin(), fs.end());
            p.rows.push_back(std::move(row));
        }
        p.complete = reader.complete();
        p.consumed = reader.consumed();
        p.end_line = reader.line();
    } catch (...) {
        p.error = std::current_exception();
    }
}

// Where to cut `buf` (which starts at a record's start): after its last line end outside
// quotes, by the parity of the quotes before it (a quote inside an unquoted field can mislead
// it; parse_piece finds that out), and past `min_end`. npos: no cut yet, read on.
std::size_t find_cut(std::string_view buf, char eol, std::size_t min_end) {
    std::size_t e = buf.rfind(eol);
    if (e == std::string_view::npos || e + 1 <= min_end) return std::string_view::npos;
    auto quotes = [&](std::size_t from, std::size_t to) {  // '"' in [from, to)
        std::size_t n = 0;
        const char* q = buf.data() + from;
        const char* end = buf.data() + to;
        while (q < end && (q = static_cast<const char*>(std::memchr(q, '"', std::size_t(end - q)))) != nullptr) {
            ++n;
            ++q;
        }
        return n;
    };
    std::size_t odd = quotes(0, e) % 2;
    while (odd) {
        const std::size_t before = e == 0 ? std::string_view::npos : buf.rfind(eol, e - 1);
        if (before == std::string_view::npos || before + 1 <= min_end) return std::string_view::npos;
        odd ^= quotes(before, e) % 2;
        e = before;
    }
    return e + 1;
}

// The records after the header, in pieces parsed on `threads` threads (one: on this thread,
// the same code), applied in file order.
// `hash` is fed the file's bytes from `start`, once each, in order (a piece's whole records as it
// is applied: a piece cut again is fed only what was applied of it).
void read_pieces(std::FILE* file, const std::string& path, std::uint64_t file_bytes, std::uint64_t start,
                 std::uint64_t line, char delim, char eol, std::uint32_t file_index, Collector& col,
                 const Progress& progress, Sha256& hash) {
    const FieldRoles& r = col.result.incidents.roles;
    const std::size_t xi = std::size_t(r.x), yi = std::size_t(r.y);
    const std::size_t chunk = csv_chunk_bytes();
    const unsigned threads = resolve_threads(col.options.threads);
    // Pieces read ahead: one per thread and the one being applied (at most 9: ~10 MB each).
    const std::size_t max_flight = std::size_t(std::min(threads, 8u)) + 1;
    struct Flight {
        std::unique_ptr<Piece> piece;
        std::future<void> parsed;  // declared last: destroyed (waited for) first
    };
    std::deque<Flight> flight;
    std::string carry;              // bytes read from `carry_at` and not yet in a piece
    std::uint64_t carry_at = start;
    std::uint64_t no_cut_before = 0;  // a record runs past this offset (a wrong cut)
    bool eof = false;
    auto seek = [&](std::uint64_t at) {
        if (std::fseek(file, long(at), SEEK_SET) != 0) throw InputError(unit, path, "cannot be read completely");
    };
    seek(start);
    const std::string name = fs::path(path).filename().string();
    std::vector<std::unique_ptr<Piece>> spare;  // merged pieces, reused: their buffers are paged in already
    while (true) {
        if (!eof) {
            const std::size_t had = carry.size();
            carry.resize(had + chunk);
            const std::size_t got = std::fread(carry.data() + had, 1, chunk, file);
            carry.resize(had + got);
            if (got < chunk && std::ferror(file))
                throw InputError("csv", path, "cannot be read after byte " + std::to_string(carry_at + had) +
                                                  "; check the disk or copy the file again");
            if (const void* nul = std::memchr(carry.data() + had, 0, got))
                refuse_nul_at(path, carry_at + std::uint64_t(static_cast<const char*>(nul) - carry.data()));
            eof = got == 0;
        }
        const std::size_t cut = eof ? carry.size()
                                    : find_cut(carry, eol, no_cut_before > carry_at ? std::size_t(no_cut_before - carry_at) : 0);
        if (cut != std::string_view::npos && cut > 0) {
            std::unique_ptr<Piece> p;
            if (spare.empty()) {
                p = std::make_unique<Piece>();
            } else {
                p = std::move(spare.back());
                spare.pop_back();
                p->reset();
            }
            std::swap(p->text, carry);  // the piece takes the bytes; what follows the cut is carried
            carry.assign(p->text, cut);
            p->text.resize(cut);
            p->offset = carry_at;
            p->last = eof;
            carry_at += cut;
            Piece* raw = p.get();
            auto job = [raw, &col, &path, delim, eol, xi, yi] { parse_piece(*raw, col.rules, path, delim, eol, xi, yi); };
            flight.push_back({std::move(p), std::async(threads > 1 ? std::launch::async : std::launch::deferred, job)});
        }
        bool restarted = false;
        while (!flight.empty() && (eof || flight.size() >= max_flight)) {
            Flight f = std::move(flight.front());
            flight.pop_front();
            f.parsed.get();
            Piece& p = *f.piece;
            if (p.error) {  // raised again with the file's line numbers
                CsvReader again = CsvReader::piece(p.text, path, delim, eol, line, p.last);
                std::vector<std::string_view> fields;
                while (again.next(fields)) {}
                std::rethrow_exception(p.error);
            }
            for (const Piece::Row& row : p.rows)
                col.apply(row.check, std::span(p.fields).subspan(row.first, row.count), file_index, line + row.line - 1);
            hash.update(std::string_view(p.text).substr(0, p.consumed));
            line += p.end_line - 1;
            if (!progress(double(p.offset + p.consumed) / double(std::max<std::uint64_t>(file_bytes, 1)), "read " + name))
                throw Cancelled(unit);
            spare.push_back(std::move(f.piece));  // p stays valid: the piece itself is not moved
            if (!p.complete) {
                // The cut fell inside a record (a quoted field across lines): read again from
                // that record's start, and cut after the old cut, which the record runs past.
                no_cut_before = p.offset + p.text.size();
                carry_at = p.offset + p.consumed;
                carry.clear();
                flight.clear();
                seek(carry_at);
                eof = false;
                restarted = true;
                break;
            }
        }
        if (!restarted && eof && flight.empty()) break;
    }
}

void read_csv(const std::string& path, std::uint32_t file_index, Collector& col,
              std::unique_ptr<CrsTransform>& transform, const Progress& progress) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) throw InputError(unit, path, "cannot be opened; check the path and its permissions");
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, &std::fclose);
    std::error_code ec;
    const std::uint64_t file_bytes = fs::file_size(path, ec);
    if (ec) throw InputError(unit, path, "cannot be read completely");
    const std::string head = read_head(file);
    refuse_unreadable_text(head, path);
    if (trim(head).empty() || trim(head) == "\xEF\xBB\xBF")
        throw InputError(unit, path, 1, "", "the file is empty; a header line is expected");
    std::string_view header_text = head;
    if (header_text.substr(0, 3) == "\xEF\xBB\xBF") header_text.remove_prefix(3);
    const char delim = col.options.delimiter ? col.options.delimiter : sniff_delimiter(header_text);
    if (std::fseek(file, 0, SEEK_SET) != 0) throw InputError(unit, path, "cannot be read completely");
    CsvReader reader(file, path, delim, csv_chunk_bytes());
    reader.on_chunk([&path](std::string_view bytes, std::uint64_t offset) {
        if (const void* nul = std::memchr(bytes.data(), 0, bytes.size()))
            refuse_nul_at(path, offset + std::uint64_t(static_cast<const char*>(nul) - bytes.data()));
    });
    std::vector<std::string_view> fields;
    reader.next(fields);
    std::vector<std::string> names;
    for (auto f : fields) names.emplace_back(is_utf8(f) ? std::string(trim(f)) : cp1252_to_utf8(trim(f)));
    refuse_bad_header(names, path);
    const std::size_t source_columns = names.size();
    int postcode_col = -1;
    if (col.postcodes) {
        postcode_col = required_field(names, col.options.postcode_field, "--postcode", path);
        add_postcode_fields(names);
    }
    const bool first = !col.have_schema;
    col.set_schema(names, path);
    if (first) {
        const bool puk = is_police_uk(names);
        col.result.police_uk = puk;
        col.result.incidents.roles = detect_roles(names, col.options, path, puk);
        std::string crs = col.options.crs;
        if (col.postcodes) {
            crs = "EPSG:27700";  // postcode lookups give British National Grid metres
            col.result.incidents.roles.precision = int(source_columns);
        }
        if (crs.empty()) crs = puk ? "EPSG:4326" : guess_crs(names, col.result.incidents.roles);
        if (col.options.crs.empty() && !puk && crs == "EPSG:27700" && !col.postcodes)
            col.result.warnings.push_back("read: no --crs given; coordinates in '" +
                                          names[std::size_t(col.result.incidents.roles.x)] +
                                          "' are taken as EPSG:27700 metres");
        transform = std::make_unique<CrsTransform>(crs, col.options.working_crs);
        col.source_crs = crs;
        col.set_rules(*transform);
    }
    col.reserve(std::size_t(file_bytes), header_text.find('\n'));
    if (!col.postcodes) {
        // The file's checksum for the manifest, from the bytes as they are parsed: the header's
        // here, the records' as their pieces are applied (sha256.hpp).
        Sha256 hash;
        const std::uint64_t start = reader.offset();
        if (std::fseek(file, 0, SEEK_SET) != 0) throw InputError(unit, path, "cannot be read completely");
        std::string header_bytes(start, '\0');
        if (std::fread(header_bytes.data(), 1, start, file) != start) throw InputError(unit, path, "cannot be read completely");
        hash.update(header_bytes);
        read_pieces(file, path, file_bytes, start, reader.line(), delim, reader.eol(), file_index, col, progress, hash);
        if (std::uint64_t(std::ftell(file)) == file_bytes) note_file_sha256(path, hash.hex());
        return;
    }
    std::size_t since = 0;
    while (reader.next(fields)) {
        col.postcode_row(fields, source_columns, std::size_t(postcode_col), reader.record_text(), file_index,
                         reader.record_line());
        if (++since == 100000) {
            since = 0;
            if (!progress(double(reader.offset()) / double(file_bytes), "read " + fs::path(path).filename().string()))
                throw Cancelled(unit);
        }
    }
}

std::string layer_crs_string(OGRSpatialReferenceH srs) {
    if (!srs) return "";
    const char* auth = OSRGetAuthorityName(srs, nullptr);
    const char* code = OSRGetAuthorityCode(srs, nullptr);
    if (auth && code) return std::string(auth) + ":" + code;
    char* wkt = nullptr;
    const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
    OSRExportToWktEx(srs, &wkt, opts);
    std::string s = wkt ? wkt : "";
    CPLFree(wkt);
    return s;
}

void read_ogr(const std::string& path, std::uint32_t file_index, Collector& col,
              std::unique_ptr<CrsTransform>& transform) {
    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    const auto [source, layer_name] = detail::split_layer_name(path);
    GDALDatasetH ds = GDALOpenEx(source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!ds)
        throw InputError(unit, path, "cannot be opened as a vector source (" + errors.last_error() +
                                         "); give a CSV, GeoPackage, Shapefile, GeoJSON, "
                                         "FlatGeobuf or PG: connection");
    struct Closer { GDALDatasetH d; ~Closer() { GDALClose(d); } } closer{ds};
    OGRLayerH layer = detail::pick_layer(ds, path, layer_name, unit, "--incidents ");
    detail::apply_where(layer, col.options.where, path, unit, "--where");  // postgis_in.cpp
    if (col.postcodes)
        throw UsageError(unit, path + ": --postcode places rows of CSV files only; export the layer as CSV "
                               "(ogr2ogr -f CSV) or give its coordinates");
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    std::vector<std::string> names;
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
        names.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    const bool first = !col.have_schema;
    col.set_schema(names, path);
    if (first) {
        ReadOptions o = col.options;
        FieldRoles r;
        auto pick = [&](const std::string& given, const char* option, std::initializer_list<std::string_view> c) {
            return given.empty() ? find_any(names, c) : required_field(names, given, option, path);
        };
        r.id = pick(o.id_field, "--id", {"incident_id", "crime_id", "crime_ref", "crime_reference", "urn"});
        r.category = pick(o.category_field, "--category", {"category", "crime_type", "crime type", "offence_category"});
        r.offence_code = pick(o.offence_code_field, "--offence-code", {"offence_code", "ho_code"});
        r.date = pick(o.date_field, "--date", {"date", "date_time", "datetime", "occurred"});
        r.time = pick(o.time_field, "--time", {"time"});
        r.location_type = pick(o.location_type_field, "--location-type", {"location_type", "location type"});
        r.mo_text = pick(o.mo_field, "--mo", {"mo_text", "mo", "modus_operandi"});
        r.lsoa_code = find_any(names, {"lsoa_code", "lsoa code", "lsoa11cd"});
        r.month = find_any(names, {"month"});
        r.street = pick(o.street_field, "--street", {"street", "street_name", "street name", "location", "address"});
        col.result.incidents.roles = r;
        std::string crs = layer_crs_string(OGR_L_GetSpatialRef(layer));
        if (crs.empty()) crs = o.crs;
        if (crs.empty())
            throw InputError(unit, path, "the layer has no CRS; give it with --crs (e.g. --crs EPSG:27700)");
        transform = std::make_unique<CrsTransform>(crs, o.working_crs);
        col.source_crs = crs;
        col.set_rules(*transform);
    }
    OGR_L_ResetReading(layer);
    std::vector<std::string> values(names.size());
    std::vector<std::string_view> views(names.size());
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            values[i] = OGR_F_IsFieldSetAndNotNull(f, int(i)) ? OGR_F_GetFieldAsString(f, int(i)) : "";
            views[i] = values[i];
        }
        const std::uint64_t fid = std::uint64_t(OGR_F_GetFID(f));
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        // A single-part MultiPoint (a PostGIS geometry(MultiPoint) column, ogr2ogr
        // -nlt PROMOTE_TO_MULTI) is a point; a MultiPoint of several points is not one place.
        if (g && !OGR_G_IsEmpty(g) && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPoint &&
            OGR_G_GetGeometryCount(g) == 1)
            g = OGR_G_GetGeometryRef(g, 0);
        if (!g || OGR_G_IsEmpty(g) || wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint) {
            ++col.result.rows_in;
            RejectReason why = RejectReason::bad_geometry;
            std::string detail;
            if (!g) {
                why = RejectReason::missing_coordinate;
                detail = "no geometry (null)";
            } else if (OGR_G_IsEmpty(g)) {
                why = RejectReason::missing_coordinate;
                detail = std::string("empty ") + OGR_G_GetGeometryName(g);
            } else if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPoint) {
                why = RejectReason::multipart_point;
                detail = "MULTIPOINT of " + std::to_string(OGR_G_GetGeometryCount(g)) + " points";
            } else {
                detail = std::string(OGR_G_GetGeometryName(g)) + ", not a point";
            }
            col.reject(views, why, detail, file_index, fid);
        } else {
            char bx[32], by[32];
            auto rx = std::to_chars(bx, bx + sizeof bx, OGR_G_GetX(g, 0));
            auto ry = std::to_chars(by, by + sizeof by, OGR_G_GetY(g, 0));
            std::string joined;
            for (auto& v : values) joined.append(v).push_back('\x1f');
            col.row(views, joined, std::string_view(bx, std::size_t(rx.ptr - bx)),
                    std::string_view(by, std::size_t(ry.ptr - by)), file_index, fid);
        }
        OGR_F_Destroy(f);
    }
}

// Moves the rows flagged in `bad` from the kept table to rejects, with `why` and a detail each.
// Moves the rows flagged in `bad` to the rejects, in order; details[k] is the k-th bad row's
// detail (blank past its end). The numeric columns are compacted in place; the text columns,
// which only grow, are copied without the bad rows.
void move_to_rejects(ReadResult& res, const std::vector<std::uint8_t>& bad, RejectReason why,
                     const std::vector<std::string>& details) {
    auto& inc = res.incidents;
    auto& rej = res.rejects;
    const std::size_t n = inc.size();
    std::size_t k = 0, out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (bad[i]) {
            for (std::size_t c = 0; c < inc.fields.size(); ++c) rej.fields[c].push_back(inc.fields[c][i]);
            rej.reason.push_back(why);
            rej.detail.push_back(k < details.size() ? details[k] : std::string());
            rej.source_file.push_back(inc.source_file[i]);
            rej.source_line.push_back(inc.source_line[i]);
            ++k;
            continue;
        }
        inc.x[out] = inc.x[i];
        inc.y[out] = inc.y[i];
        inc.date_days[out] = inc.date_days[i];
        inc.minute_of_day[out] = inc.minute_of_day[i];
        inc.category[out] = inc.category[i];
        inc.source_file[out] = inc.source_file[i];
        inc.source_line[out] = inc.source_line[i];
        ++out;
    }
    for (auto& col : inc.fields) {
        StringColumn kept;
        kept.reserve(out);
        for (std::size_t i = 0; i < n; ++i)
            if (!bad[i]) kept.push_back(col[i]);
        col = std::move(kept);
    }
    inc.x.resize(out);
    inc.y.resize(out);
    inc.date_days.resize(out);
    inc.minute_of_day.resize(out);
    inc.category.resize(out);
    inc.source_file.resize(out);
    inc.source_line.resize(out);
}

// Moves the rows whose transformed coordinate is not finite from the kept table to rejects.
void reject_failed_transforms(ReadResult& res) {
    auto& inc = res.incidents;
    std::vector<std::uint8_t> bad(inc.size(), 0);
    bool any = false;
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (!std::isfinite(inc.x[i]) || !std::isfinite(inc.y[i])) bad[i] = 1, any = true;
    if (any) move_to_rejects(res, bad, RejectReason::transform_failed, {});
}

std::string metres_text(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
}

// Beyond the fences and not linked to the bulk: a point beyond the fences stays when a chain of
// incidents, each within link_m of the next, joins it to the points inside the fences (towns
// and villages of a force area around a dominant city are linked; a record 290 km away is not).
// Per location (x[i], y[i]): 1 when it lies outside the fences and more than 5 km from every
// chain of locations reaching inside them.
std::vector<std::uint8_t> far_and_isolated_locations(std::span<const double> x, std::span<const double> y,
                                                     const OutlierFences& f) {
    constexpr double link_m = 5000.0;
    std::vector<std::uint8_t> out(x.size(), 0);
    auto key = [](std::int64_t cx, std::int64_t cy) { return (std::uint64_t(cx) << 32) ^ std::uint64_t(std::uint32_t(cy)); };
    auto cell = [](double v) { return std::int64_t(std::floor(v / link_m)); };
    std::vector<std::size_t> pending;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!f.contains(x[i], y[i])) pending.push_back(i);
    if (pending.empty()) return out;
    // A location links only to locations in its own or a neighbouring cell of link_m: those
    // inside the fences that matter lie in the cells around the pending ones (a pending
    // location that links is added as it links).
    std::unordered_set<std::uint64_t> near_pending;
    for (std::size_t i : pending)
        for (std::int64_t dx = -1; dx <= 1; ++dx)
            for (std::int64_t dy = -1; dy <= 1; ++dy) near_pending.insert(key(cell(x[i]) + dx, cell(y[i]) + dy));
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> linked;  // cells of link_m
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!f.contains(x[i], y[i])) continue;
        const std::uint64_t k = key(cell(x[i]), cell(y[i]));
        if (near_pending.count(k)) linked[k].push_back(i);
    }
    bool grew = true;
    while (grew && !pending.empty()) {
        grew = false;
        std::vector<std::size_t> still;
        for (std::size_t i : pending) {
            const std::int64_t cx = cell(x[i]), cy = cell(y[i]);
            bool near = false;
            for (std::int64_t dx = -1; dx <= 1 && !near; ++dx)
                for (std::int64_t dy = -1; dy <= 1 && !near; ++dy) {
                    const auto it = linked.find(key(cx + dx, cy + dy));
                    if (it == linked.end()) continue;
                    for (std::size_t j : it->second)
                        if (std::hypot(x[i] - x[j], y[i] - y[j]) <= link_m) {
                            near = true;
                            break;
                        }
                }
            if (near) {
                linked[key(cx, cy)].push_back(i);
                grew = true;
            } else {
                still.push_back(i);
            }
        }
        pending.swap(still);
    }
    for (std::size_t i : pending) out[i] = 1;
    return out;
}

// The same per point, worked out once per distinct location (distinct_points.hpp): whether a
// point is far and isolated depends on its coordinates alone.
std::vector<std::uint8_t> far_and_isolated(const std::vector<double>& x, const std::vector<double>& y,
                                           const OutlierFences& f) {
    if (mostly_distinct(x, y)) return far_and_isolated_locations(x, y, f);
    const DistinctPoints at = distinct_points(x, y, true);
    const std::vector<std::uint8_t> far = far_and_isolated_locations(at.x, at.y, f);
    std::vector<std::uint8_t> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = far[at.of[i]];
    return out;
}

// Locational outliers (see OutlierFences in incidents_io.hpp) are rejected before any grid or
// automatic bandwidth is sized from the incidents' extent.
void reject_location_outliers(ReadResult& res) {
    auto& inc = res.incidents;
    const OutlierFences f = outlier_fences(inc.x, inc.y);
    if (!f.applied) return;
    std::vector<std::uint8_t> bad = far_and_isolated(inc.x, inc.y, f);
    std::vector<std::string> details;  // one per bad row, in order
    std::uint64_t n = 0;
    std::string listed;
    for (std::size_t i = 0; i < inc.size(); ++i) {
        if (!bad[i]) continue;
        const double km = std::hypot(inc.x[i] - f.median_x, inc.y[i] - f.median_y) / 1000.0;
        details.push_back("x " + metres_text(inc.x[i]) + " y " + metres_text(inc.y[i]) + ", " +
                          metres_text(km) + " km from the median location");
        if (n++ < 5)
            listed += (listed.empty() ? "" : "; ") + inc.source_files[inc.source_file[i]] + ":" +
                      std::to_string(inc.source_line[i]) + " at (" + metres_text(inc.x[i]) + ", " +
                      metres_text(inc.y[i]) + "), " + metres_text(km) + " km away";
    }
    if (n == 0) return;
    res.warnings.push_back(
        "read: " + std::to_string(n) + (n == 1 ? " incident lies" : " incidents lie") +
        " far outside the bulk of the others and " + (n == 1 ? "was" : "were") +
        " rejected as location_outlier (" + listed + (n > 5 ? "; ..." : "") +
        "): beyond x " + metres_text(f.x_lo) + " to " + metres_text(f.x_hi) + ", y " +
        metres_text(f.y_lo) + " to " + metres_text(f.y_hi) +
        " (3 interquartile ranges beyond the quartiles) and more than 5 km from any chain of "
        "incidents reaching those; grids and automatic bandwidths are sized without them. Correct the coordinates, or give --keep-outliers to keep these rows");
    move_to_rejects(res, bad, RejectReason::location_outlier, details);
}

// Nothing kept from rows that were read: no analysis can follow, and "kept 0" with exit 0
// would read as success. The rejects are summarised by reason with the first row.
void refuse_when_nothing_kept(const ReadResult& res) {
    if (res.rows_in == 0 || res.incidents.size() > 0) return;
    std::map<std::string_view, std::uint64_t> by;
    for (auto r : res.rejects.reason) ++by[reason_name(r)];
    std::string reasons;
    for (auto& [k, v] : by) reasons += (reasons.empty() ? "" : ", ") + std::string(k) + " " + std::to_string(v);
    const auto& rej = res.rejects;
    std::string first;
    if (rej.size() > 0)
        first = " First: " + rej.source_files[rej.source_file[0]] + ":" + std::to_string(rej.source_line[0]) +
                " (" + std::string(reason_name(rej.reason[0])) + ": " + std::string(rej.detail[0]) + ") " +
                std::string(reason_text(rej.reason[0]));
    throw InputError(unit, rej.size() > 0 ? rej.source_files[rej.source_file[0]] : std::string(),
                     "all " + std::to_string(res.rows_in) + " rows were rejected (" + reasons +
                         "); no incident is left to analyse." + first);
}

} // namespace

std::vector<std::string> expand_input_paths(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        if (p.rfind("PG:", 0) == 0) {
            out.push_back(p);
            continue;
        }
        const std::string plain = p.substr(0, p.find("|layername="));
        std::error_code ec;
        if (fs::is_directory(plain, ec)) {
            std::vector<std::string> found;
            for (const auto& e : fs::directory_iterator(plain))
                if (e.is_regular_file() && is_csv_path(e.path().string())) found.push_back(e.path().string());
            if (found.empty())
                throw InputError(unit, p, "is a folder with no .csv files in it");
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else if (plain.find_first_of("*?[") != std::string::npos && !fs::exists(plain, ec)) {
            glob_t g{};
            const int rc = glob(plain.c_str(), 0, nullptr, &g);
            std::vector<std::string> found;
            if (rc == 0)
                for (std::size_t i = 0; i < g.gl_pathc; ++i) found.emplace_back(g.gl_pathv[i]);
            globfree(&g);
            if (found.empty()) throw InputError(unit, p, "matches no file");
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else {
            if (!fs::exists(plain, ec))
                throw InputError(unit, plain, "does not exist; check the path");
            out.push_back(p);
        }
    }
    if (out.empty()) throw UsageError(unit, "no incident file given; use --incidents FILE");
    return out;
}

namespace {
// The columns were reserved from the file's size; what was not used is given back.
void shrink_to_fit(IncidentTable& t) {
    for (auto& c : t.fields) c.shrink_to_fit();
    t.x.shrink_to_fit(); t.y.shrink_to_fit(); t.date_days.shrink_to_fit(); t.minute_of_day.shrink_to_fit();
    t.category.shrink_to_fit(); t.source_file.shrink_to_fit(); t.source_line.shrink_to_fit();
}
void shrink_to_fit(RejectTable& t) {
    for (auto& c : t.fields) c.shrink_to_fit();
    t.detail.shrink_to_fit();
}
} // namespace

ReadResult read_incidents(const ReadOptions& options, const Progress& progress) {
    if (!crs_is_valid(options.working_crs))
        throw UsageError(unit, "unknown working CRS '" + options.working_crs + "'");
    ReadResult res;
    const auto files = expand_input_paths(options.paths);
    Collector col{options, res};
    detail::refuse_where_for_csv(options.where, files, unit, is_csv_path);  // postgis_in.cpp
    PostcodeLookup lookup;
    if (!options.postcode_field.empty()) {
        lookup = PostcodeLookup::read(options.postcode_files, options.postcode_previous_files);
        col.postcodes = &lookup;
        auto& c = res.postcodes;
        c.used = true;
        c.field = options.postcode_field;
        c.files = lookup.files();
        c.formats = lookup.formats();
        c.lookup_postcodes = lookup.size();
    } else if (!options.postcode_files.empty()) {
        throw UsageError(unit, "--postcodes gives a lookup but no --postcode FIELD names the column to look up");
    }
    std::unique_ptr<CrsTransform> transform;
    for (std::uint32_t i = 0; i < files.size(); ++i) {
        res.incidents.source_files.push_back(files[i]);
        res.rejects.source_files.push_back(files[i]);
        const bool csv = is_csv_path(files[i]);
        if (!progress(double(i) / double(files.size()), "read")) throw Cancelled(unit);
        if (csv)
            read_csv(files[i], i, col, transform, progress);
        else
            read_ogr(files[i], i, col, transform);
    }
    {
        // Sorted in two halves on two threads, then merged: the same order either way.
        auto& h = col.row_hashes;
        const auto mid = h.begin() + std::ptrdiff_t(h.size() / 2);
        if (resolve_threads(options.threads) > 1 && h.size() > 100000) {
            std::thread half([&] { std::sort(h.begin(), mid); });
            std::sort(mid, h.end());
            half.join();
            std::inplace_merge(h.begin(), mid, h.end());
        } else {
            std::sort(h.begin(), h.end());
        }
    }
    res.exact_duplicates = std::uint64_t(col.row_hashes.size()) -
                           std::uint64_t(std::unique(col.row_hashes.begin(), col.row_hashes.end()) - col.row_hashes.begin());
    // What reading needed and the table does not: released before the transform and the stages.
    std::vector<std::uint64_t>().swap(col.row_hashes);
    col.ids.clear();
    shrink_to_fit(res.incidents);
    shrink_to_fit(res.rejects);
    col.dates.warn(res.warnings);
    col.postcode_warnings(res.warnings);
    if (col.recoded_rows > 0)
        res.warnings.push_back("read: " + std::to_string(col.recoded_rows) +
                               " rows have text that is not UTF-8 (first: " + col.first_recoded +
                               "); it was read as Windows-1252 (Latin-1) and converted to UTF-8. "
                               "Save the file as UTF-8 if that is not its encoding");
    res.source_crs = col.source_crs;
    if (transform) {
        transform->transform(res.incidents.x, res.incidents.y);
        res.crs_operation = transform->operation_name();
        res.crs_accuracy_m = transform->accuracy_m();
        if (!transform->identity() && res.crs_operation.find("OSTN") == std::string::npos &&
            transform->source_geographic())
            res.warnings.push_back(
                "read: coordinates were transformed with '" + res.crs_operation + "' (stated accuracy " +
                std::to_string(int(std::lround(res.crs_accuracy_m))) +
                " m) because the OSTN15 grid is not installed; install it (PROJ grid "
                "uk_os_OSTN15_NTv2_OSGBtoETRS.tif) for centimetre accuracy");
    }
    reject_failed_transforms(res);
    if (options.screen_outliers && options.sizes_grid_from_extent) reject_location_outliers(res);
    refuse_when_nothing_kept(res);
    progress(1.0, "read");
    return res;
}

namespace {
// Quantile by linear interpolation between order statistics (Hyndman and Fan's type 7, R's
// default), on a copy.
// `v` is reordered (its values are kept), so the quantiles of one axis share a copy.
double quantile(std::vector<double>& v, double p) {
    const double h = (double(v.size()) - 1) * p;
    const std::size_t lo = std::size_t(std::floor(h));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(lo), v.end());
    const double a = v[lo];
    if (lo + 1 >= v.size()) return a;
    const double b = *std::min_element(v.begin() + std::ptrdiff_t(lo) + 1, v.end());
    return a + (h - double(lo)) * (b - a);
}
} // namespace

OutlierFences outlier_fences(std::span<const double> x, std::span<const double> y) {
    OutlierFences f;
    if (x.size() < OutlierFences::min_points || x.size() != y.size()) return f;
    auto axis = [](std::span<const double> v, double& lo, double& hi, double& med) {
        std::vector<double> c(v.begin(), v.end());
        const double q1 = quantile(c, 0.25), q3 = quantile(c, 0.75);
        med = quantile(c, 0.5);
        const double spread = std::max(q3 - q1, OutlierFences::min_iqr_m);
        lo = q1 - OutlierFences::k * spread;
        hi = q3 + OutlierFences::k * spread;
    };
    axis(x, f.x_lo, f.x_hi, f.median_x);
    axis(y, f.y_lo, f.y_hi, f.median_y);
    f.applied = true;
    return f;
}

} // namespace hotspot
