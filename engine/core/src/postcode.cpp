// Postcode centroids (postcode.hpp): normalising a postcode as typed, and the ONSPD/NSPL and
// Code-Point Open lookups recognised by their published column names.

#include "hotspot/postcode.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "hotspot/csv.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "postcodes";

bool is_alpha(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Outward code shapes: A9, A99, AA9, AA99, A9A, AA9A.
bool outward_ok(std::string_view o) {
    if (o.size() < 2 || o.size() > 4 || !is_alpha(o[0])) return false;
    const std::size_t letters = is_alpha(o[1]) ? 2 : 1;
    if (o.size() <= letters || !is_digit(o[letters])) return false;
    const std::string_view rest = o.substr(letters + 1);
    if (rest.empty()) return true;
    return rest.size() == 1 && (is_digit(rest[0]) || is_alpha(rest[0]));
}

std::string area_of(std::string_view key) {
    std::string a;
    for (char c : key) {
        if (!is_alpha(c)) break;
        a.push_back(c);
    }
    return a;
}

bool parse_double(std::string_view t, double& v) {
    t = util::trim(t);
    if (t.empty()) return false;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    return r.ec == std::errc() && r.ptr == t.data() + t.size() && std::isfinite(v);
}

int find_name(const std::vector<std::string>& names, std::initializer_list<std::string_view> wanted) {
    for (auto w : wanted)
        for (std::size_t i = 0; i < names.size(); ++i)
            if (util::lower(names[i]) == w) return int(i);
    return -1;
}

} // namespace

NormalisedPostcode normalise_postcode(std::string_view text) {
    NormalisedPostcode n;
    std::string k;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        k.push_back(char(std::toupper(static_cast<unsigned char>(c))));
    }
    if (k.size() < 5 || k.size() > 7) return n;
    char& digit = k[k.size() - 3];
    bool corrected = false;
    if (digit == 'O') digit = '0', corrected = true;
    else if (digit == 'I') digit = '1', corrected = true;
    if (!is_digit(digit) || !is_alpha(k[k.size() - 2]) || !is_alpha(k[k.size() - 1])) return n;
    if (!outward_ok(std::string_view(k).substr(0, k.size() - 3))) return n;
    n.key = std::move(k);
    n.corrected = corrected;
    return n;
}

std::string format_postcode(std::string_view key) {
    if (key.size() < 5) return std::string(key);
    return std::string(key.substr(0, key.size() - 3)) + " " + std::string(key.substr(key.size() - 3));
}

namespace {
struct CentroidCount {
    std::uint64_t on = 0, all = 0;
    bool known = false;  ///< the incidents carry a precision field
};
CentroidCount count_centroids(const IncidentTable& inc, const std::vector<std::uint32_t>* rows) {
    CentroidCount c;
    const int p = inc.roles.precision;
    if (p < 0 || std::size_t(p) >= inc.fields.size()) return c;
    c.known = true;
    auto count = [&](std::size_t i) {
        ++c.all;
        if (inc.fields[std::size_t(p)][i] == postcode_centroid) ++c.on;
    };
    if (rows) for (auto i : *rows) count(i);
    else for (std::size_t i = 0; i < inc.size(); ++i) count(i);
    return c;
}
} // namespace

double postcode_centroid_share(const IncidentTable& inc, const std::vector<std::uint32_t>* rows) {
    const CentroidCount c = count_centroids(inc, rows);
    if (!c.known || c.all == 0) return std::numeric_limits<double>::quiet_NaN();
    return double(c.on) / double(c.all);
}

std::string postcode_share_warning(const IncidentTable& inc, const std::vector<std::uint32_t>* rows,
                                   std::string_view analysis) {
    const CentroidCount c = count_centroids(inc, rows);
    const std::uint64_t on = c.on, all = c.all;
    if (all == 0 || double(on) <= postcode_share_warn * double(all)) return {};
    const int pct = int(std::lround(100.0 * double(on) / double(all)));
    return std::string(analysis) + ": " + std::to_string(pct) + "% of the incidents (" + util::thousands(std::int64_t(on)) +
           " of " + util::thousands(std::int64_t(all)) +
           ") sit on postcode centroids, not at their own locations: a centroid stands for a postcode's "
           "addresses (often 100 m or more away) and stacks all its rows on one point, so the densest "
           "places partly show where postcodes are, not where incidents happened";
}

nlohmann::ordered_json PostcodeCounts::to_json() const {
    nlohmann::ordered_json j = {{"field", field},       {"precision", std::string(postcode_centroid)},
                                {"lookup_files", files}, {"lookup_formats", formats},
                                {"lookup_postcodes", lookup_postcodes},
                                {"placed", placed},     {"terminated", terminated},
                                {"corrected", corrected}, {"unknown_postcode", unknown}};
    return j;
}

PostcodeLookup PostcodeLookup::read(const std::vector<std::string>& current, const std::vector<std::string>& previous) {
    if (current.empty()) throw UsageError(unit, "--postcode needs a lookup: give --postcodes FILE (ONSPD, NSPL or Code-Point Open CSV)");
    PostcodeLookup l;
    for (const auto& f : current) l.read_file(f, false);
    for (const auto& f : previous) l.read_file(f, true);
    return l;
}

void PostcodeLookup::read_file(const std::string& path, bool previous) {
    CsvFile csv(path, unit, "check the --postcodes path");
    const std::string_view text = csv.text();
    if (util::trim(text).empty()) throw InputError(unit, path, 1, "", "the postcode lookup is empty");
    CsvReader& reader = csv.reader();
    std::vector<std::string_view> fields;
    reader.next(fields);
    std::vector<std::string> names;
    for (auto f : fields) names.emplace_back(util::trim(f));
    int pc = -1, ex = -1, ny = -1, term = -1, quality = -1;
    bool header = true;
    std::string format;
    if ((pc = find_name(names, {"pcds", "pcd", "pcd7", "pcd8", "pcd2"})) >= 0) {
        format = "ONSPD/NSPL";
        ex = find_name(names, {"oseast1m"});
        ny = find_name(names, {"osnrth1m"});
        term = find_name(names, {"doterm"});
        if (ex < 0 || ny < 0)
            throw InputError(unit, path, 1, names[std::size_t(pc)],
                             "an ONSPD/NSPL lookup needs the columns oseast1m and osnrth1m (grid "
                             "references in metres); keep them when you cut the file down");
    } else if ((pc = find_name(names, {"postcode", "pc"})) >= 0) {
        format = "Code-Point Open";
        ex = find_name(names, {"eastings", "ea"});
        ny = find_name(names, {"northings", "no"});
        quality = find_name(names, {"positional_quality_indicator", "pq"});
        if (ex < 0 || ny < 0)
            throw InputError(unit, path, 1, names[std::size_t(pc)],
                             "a Code-Point Open lookup with a header needs Eastings and Northings columns");
    } else if (fields.size() >= 4 && !normalise_postcode(fields[0]).key.empty()) {
        double a = 0, b = 0;
        if (!parse_double(fields[2], a) || !parse_double(fields[3], b))
            throw InputError(unit, path, 1, "",
                             "the first field is a postcode but the third and fourth are not numbers; "
                             "expected OS Code-Point Open (postcode, quality, eastings, northings, ...)");
        format = "Code-Point Open";
        header = false;
        pc = 0, quality = 1, ex = 2, ny = 3;
    } else {
        throw InputError(unit, path, 1, "",
                         "not a recognised postcode lookup: expected an ONSPD/NSPL header (pcds or "
                         "pcd, oseast1m, osnrth1m) or OS Code-Point Open rows. The header has: " +
                             std::string(text.substr(0, std::min<std::size_t>(text.find_first_of("\r\n"), 200))));
    }
    m_files.push_back(path);
    m_formats.push_back(format + (previous ? " (previous release)" : ""));
    auto add = [&](const std::vector<std::string_view>& f) {
        const std::size_t need = std::size_t(std::max({pc, ex, ny, term, quality})) + 1;
        if (f.size() < need)
            throw InputError(unit, path, reader.record_line(), "",
                             "has " + std::to_string(f.size()) + " fields, expected at least " + std::to_string(need));
        std::string key;
        for (char c : f[std::size_t(pc)])
            if (!std::isspace(static_cast<unsigned char>(c))) key.push_back(char(std::toupper(static_cast<unsigned char>(c))));
        if (key.empty()) return;
        Place p;
        p.has_xy = parse_double(f[std::size_t(ex)], p.x) && parse_double(f[std::size_t(ny)], p.y) &&
                   !(p.x == 0 && p.y == 0);
        if (quality >= 0 && util::trim(f[std::size_t(quality)]) == "90") p.has_xy = false;
        p.terminated = previous || (term >= 0 && !util::trim(f[std::size_t(term)]).empty());
        m_areas.insert(area_of(key));
        if (previous) m_places.emplace(std::move(key), p);  // only where the current release lacks it
        else m_places.insert_or_assign(std::move(key), p);
    };
    if (!header) add(fields);
    while (reader.next(fields)) add(fields);
}

PostcodeLookup::Match PostcodeLookup::find(std::string_view text) const {
    Match m;
    if (util::trim(text).empty()) return m;
    const NormalisedPostcode n = normalise_postcode(text);
    if (n.key.empty()) {
        m.outcome = Outcome::not_a_postcode;
        return m;
    }
    m.postcode = format_postcode(n.key);
    m.corrected = n.corrected;
    const auto it = m_places.find(n.key);
    if (it == m_places.end()) {
        m.outcome = Outcome::not_in_lookup;
        return m;
    }
    if (!it->second.has_xy) {
        m.outcome = Outcome::no_coordinates;
        return m;
    }
    m.outcome = it->second.terminated ? Outcome::terminated : Outcome::live;
    m.x = it->second.x;
    m.y = it->second.y;
    return m;
}

std::string PostcodeLookup::reject_detail(std::string_view text, const Match& m) const {
    const std::string value = "'" + std::string(text) + "'";
    switch (m.outcome) {
    case Outcome::blank: return "blank postcode";
    case Outcome::not_a_postcode: return value + " is not a postcode (expected e.g. LE1 5WW)";
    case Outcome::no_coordinates: return value + ": the lookup has no grid reference for " + m.postcode;
    case Outcome::not_in_lookup: {
        const std::string area = area_of(normalise_postcode(text).key);
        if (!m_areas.count(area))
            return value + ": postcode area " + area + " is not covered by the lookup (give a lookup that covers it)";
        return value + ": " + m.postcode + " is not in the lookup (mistyped, or newer than the lookup?)";
    }
    default: return value;
    }
}

} // namespace hotspot
