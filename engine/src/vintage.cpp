// Boundary vintages: 2011 against 2021 LSOA codes, the ONS lookup, values carried across.
// See vintage.hpp for the evidence and the method.

#include "hotspot/vintage.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "hotspot/csv.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr long last_2011_england = 33768;    // E01033768: the last 2011 LSOA in England
constexpr long last_2021_england = 35999;    // new 2021 codes follow it; beyond: no evidence

// E01 code number, or -1 when the code is not E01 and nine characters.
long e01_number(std::string_view code) {
    code = util::trim(code);
    if (code.size() != 9 || util::lower(code.substr(0, 3)) != "e01") return -1;
    long n = 0;
    for (char c : code.substr(3)) {
        if (c < '0' || c > '9') return -1;
        n = n * 10 + (c - '0');
    }
    return n;
}

std::string some(const std::vector<std::string>& v, std::size_t max = 4) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > max) s += " and " + std::to_string(v.size() - max) + " more";
    return s;
}

} // namespace

const char* const vintage_carry_method =
    "ONS LSOA (2011) to LSOA (2021) lookup: each code's value goes to the code(s) the lookup pairs it with, "
    "shared equally where it names several (best-fit lookup: one row per 2011 LSOA, its whole value to its "
    "best-fit 2021 LSOA; exact-fit split rows share a 2011 LSOA among its 2021 parts, merged rows carried "
    "back share a 2021 LSOA among its 2011 parts); totals kept; codes the lookup lacks kept as they are";

std::string_view vintage_name(LsoaVintage v) noexcept {
    switch (v) {
    case LsoaVintage::y2011: return "2011";
    case LsoaVintage::y2021: return "2021";
    default: return "unknown";
    }
}

LsoaVintage vintage_of_field(std::string_view field) noexcept {
    const std::string u = util::lower(util::trim(field));
    if (u.starts_with("lsoa11") || u.starts_with("lsoa_11") || u.starts_with("lsoa2011")) return LsoaVintage::y2011;
    if (u.starts_with("lsoa21") || u.starts_with("lsoa_21") || u.starts_with("lsoa2021")) return LsoaVintage::y2021;
    return LsoaVintage::unknown;
}

int ward_generation(std::string_view field) noexcept {
    const std::string u = util::lower(util::trim(field));
    if (u.size() != 6 || !u.starts_with("wd") || u.substr(4) != "cd") return -1;
    if (!std::isdigit(static_cast<unsigned char>(u[2])) || !std::isdigit(static_cast<unsigned char>(u[3]))) return -1;
    return 2000 + (u[2] - '0') * 10 + (u[3] - '0');
}

VintageLookup read_vintage_lookup(const std::string& path) {
    constexpr const char* unit = "lookup";
    CsvFile csv(path, unit, "check the --lookup path (the ONS LSOA 2011 to 2021 lookup CSV)");
    CsvReader& reader = csv.reader();
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) throw InputError(unit, path, "is empty; it needs the header LSOA11CD,...,LSOA21CD,...");
    int c11 = -1, c21 = -1, cch = -1;
    std::string header;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string h = util::lower(util::trim(fields[i]));
        header += (i ? ", " : "") + std::string(util::trim(fields[i]));
        if (h == "lsoa11cd") c11 = int(i);
        if (h == "lsoa21cd") c21 = int(i);
        if (h == "chgind") cch = int(i);
    }
    if (c11 < 0 || c21 < 0)
        throw InputError(unit, path, 1, c11 < 0 ? "LSOA11CD" : "LSOA21CD",
                         "no such column (the header has " + header +
                             "); give the ONS LSOA (2011) to LSOA (2021) lookup with its published column names");
    VintageLookup l;
    l.path = path;
    while (reader.next(fields)) {
        const std::uint64_t line = reader.record_line();
        if (fields.size() <= std::size_t(std::max(c11, c21)))
            throw InputError(unit, path, line, "", "has " + std::to_string(fields.size()) + " fields; the header has more");
        std::string a(util::trim(fields[std::size_t(c11)])), b(util::trim(fields[std::size_t(c21)]));
        if (a.empty() && b.empty()) continue;
        if (a.empty() || b.empty())
            throw InputError(unit, path, line, a.empty() ? "LSOA11CD" : "LSOA21CD", "is blank; every row pairs a 2011 and a 2021 code");
        l.codes11.insert(a);
        l.codes21.insert(b);
        l.lsoa11.push_back(std::move(a));
        l.lsoa21.push_back(std::move(b));
        l.chgind.push_back(cch >= 0 && std::size_t(cch) < fields.size() ? std::string(util::trim(fields[std::size_t(cch)])) : "");
    }
    if (l.lsoa11.empty()) throw InputError(unit, path, "has no rows; it needs one row per 2011/2021 pair");
    return l;
}

CodeVintage classify_vintage(std::string_view unit, const std::string& file, const std::string& field,
                             std::span<const std::string> codes, const VintageLookup* lookup) {
    CodeVintage v;
    v.named = vintage_of_field(field);
    for (const auto& c : codes) {
        const std::string code(util::trim(c));
        const long n = e01_number(code);
        if (lookup && lookup->only_2011(code)) v.only_2011.push_back(code);
        else if ((lookup && lookup->only_2021(code)) || (n > last_2011_england && n <= last_2021_england))
            v.only_2021.push_back(code);
        else if ((n >= 1 && n <= last_2011_england) || (lookup && lookup->codes11.count(code)))
            v.either.push_back(code);
    }
    const bool mixed = (v.named == LsoaVintage::y2011 && !v.only_2021.empty()) ||
                       (v.named == LsoaVintage::y2021 && !v.only_2011.empty()) ||
                       (!v.only_2011.empty() && !v.only_2021.empty());
    if (mixed) {
        std::vector<std::string> old = v.only_2011;
        old.insert(old.end(), v.either.begin(), v.either.end());
        throw InputError(std::string(unit), file, 0, field,
                         "mixes 2011 and 2021 LSOA codes: " + std::to_string(v.only_2021.size()) + " 2021 code(s) (" +
                             some(v.only_2021) + ")" +
                             (v.named == LsoaVintage::y2011 ? " in a field named for 2011" : "") + " beside " +
                             std::to_string(old.size()) + " 2011 code(s) (" + some(old) + ")" +
                             (v.named == LsoaVintage::y2021 && v.only_2021.empty() ? " in a field named for 2021" : "") +
                             " (evidence: " +
                             (lookup ? "the lookup " + lookup->path + ", " : std::string()) +
                             "2011 LSOAs are E01000001 to E01033768, later codes are 2021 only). Rates would count the "
                             "residents of a replaced area twice; use one vintage: the 2021 layer (or the 2011 one) "
                             "alone, with --lookup FILE to carry a population table of the other vintage across");
    }
    if (!v.only_2011.empty()) v.vintage = LsoaVintage::y2011, v.evidence = "codes only in the lookup's LSOA11CD (" + some(v.only_2011, 2) + ")";
    else if (!v.only_2021.empty()) v.vintage = LsoaVintage::y2021, v.evidence = "2021-only codes (" + some(v.only_2021, 2) + ")";
    if (v.named != LsoaVintage::unknown) v.vintage = v.named, v.evidence = "field name " + field;
    return v;
}

CarriedValues carry_vintage(const VintageLookup& lookup, LsoaVintage from, std::span<const std::string> codes,
                            std::span<const double> values) {
    const bool fwd = from != LsoaVintage::y2021;  // 2011 -> 2021 (also when unknown)
    const auto& src = fwd ? lookup.lsoa11 : lookup.lsoa21;
    const auto& dst = fwd ? lookup.lsoa21 : lookup.lsoa11;
    std::unordered_map<std::string, std::vector<std::size_t>> targets;  // source code -> rows
    for (std::size_t r = 0; r < src.size(); ++r) {
        auto& rows = targets[src[r]];
        bool dup = false;
        for (auto k : rows) dup = dup || dst[k] == dst[r];
        if (!dup) rows.push_back(r);
    }
    CarriedValues out;
    std::unordered_map<std::string, std::size_t> at;
    auto add = [&](const std::string& code, double v) {
        auto [it, fresh] = at.emplace(code, out.codes.size());
        if (fresh) out.codes.push_back(code), out.values.push_back(0);
        out.values[it->second] += v;
    };
    for (std::size_t i = 0; i < codes.size(); ++i) {
        const std::string code(util::trim(codes[i]));
        const auto it = targets.find(code);
        if (it == targets.end()) {
            ++out.passed;
            add(code, values[i]);
            continue;
        }
        if (it->second.size() > 1) ++out.shared;
        for (auto r : it->second) add(dst[r], values[i] / double(it->second.size()));
    }
    return out;
}

CodeVintage check_area_vintage(std::string_view unit, const AreaLayer& layer, const VintageLookup* lookup) {
    return classify_vintage(unit, layer.path, layer.code_field, layer.codes, lookup);
}

PopulationTable align_population_vintage(std::string_view unit, const AreaLayer& layer, const PopulationTable& table,
                                         const VintageLookup* lookup, VintageNote* note) {
    VintageNote local;
    VintageNote& n = note ? *note : local;
    const CodeVintage lv = check_area_vintage(unit, layer, lookup);
    const CodeVintage tv = classify_vintage(unit, table.path, table.code_col, table.codes, lookup);
    n.layer = lv.vintage;
    n.table = tv.vintage;
    const int wl = ward_generation(layer.code_field), wt = ward_generation(table.code_col);
    if (wl > 0 && wt > 0 && wl != wt) {
        // Wards a review redrew get new codes: the layer's codes the table lacks are those wards.
        const std::unordered_set<std::string> in_table(table.codes.begin(), table.codes.end());
        std::vector<std::string> missing;
        for (const auto& c : layer.codes)
            if (!in_table.count(c)) missing.push_back(c);
        const std::string both = "area layer '" + layer.name + "' (" + layer.path + ") has " + std::to_string(wl) +
                                 " ward codes (" + layer.code_field + ") and " + table.path + " has " +
                                 std::to_string(wt) + " ward codes (" + table.code_col + ")";
        if (!missing.empty())
            throw InputError(std::string(unit), table.path, 0, table.code_col,
                             "mixes ward code generations: " + both + ", and " + std::to_string(missing.size()) +
                                 " of the layer's " + std::to_string(layer.size()) + " wards are not in the table (" +
                                 some(missing) + "): a boundary review redrew them, so their residents are unknown "
                                 "and the table's old wards count for no area. Use a population table of the " +
                                 std::to_string(wl) + " wards (ONS ward population estimates are published for each "
                                 "generation), or the " + std::to_string(wt) + " ward boundaries");
        n.text = both + "; every ward of the layer is in the table (the review left them unchanged), so they join";
    }
    if (lv.vintage == LsoaVintage::unknown || tv.vintage == LsoaVintage::unknown || lv.vintage == tv.vintage) return table;
    const std::string lyear(vintage_name(lv.vintage)), tyear(vintage_name(tv.vintage));
    if (!lookup)
        throw InputError(std::string(unit), table.path, 0, table.code_col,
                         "holds " + tyear + " LSOA codes (" + tv.evidence + ") but area layer '" + layer.name + "' (" +
                             layer.path + ", " + layer.code_field + ") holds " + lyear + " codes (" + lv.evidence +
                             "); areas split or merged between the two would get the wrong residents. Give --lookup "
                             "FILE (the ONS LSOA 2011 to LSOA 2021 lookup) to carry the populations to " + lyear +
                             " codes, or a population table of " + lyear + " LSOAs");
    const CarriedValues c = carry_vintage(*lookup, tv.vintage, table.codes, table.population);
    PopulationTable out = table;
    out.codes = c.codes;
    out.population = c.values;
    out.code_col = table.code_col + " carried to " + lyear + " by " + lookup->path;
    n.carried = true;
    for (double v : table.population)
        if (std::isfinite(v)) n.total_before += v;
    for (double v : c.values)
        if (std::isfinite(v)) n.total_after += v;
    n.text = (n.text.empty() ? "" : n.text + "; ") + std::string("population: ") + table.path + " (" + tyear +
             " LSOAs) carried to the " + lyear + " LSOAs of '" + layer.name + "' by " + lookup->path + " (" +
             std::to_string(c.shared) + " codes shared among several, " + std::to_string(c.passed) +
             " not in the lookup kept as they are; total " + util::num(n.total_before) + " before, " +
             util::num(n.total_after) + " after)";
    return out;
}

nlohmann::ordered_json vintage_note_json(const VintageNote& note, const VintageLookup* lookup) {
    nlohmann::ordered_json j;
    if (lookup) {
        j["lookup"] = lookup->path;
        j["lookup_rows"] = lookup->size();
        j["method"] = vintage_carry_method;
    }
    j["layer_vintage"] = vintage_name(note.layer);
    j["population_vintage"] = vintage_name(note.table);
    j["population_carried"] = note.carried;
    if (note.carried) j["population_total"] = {{"before", note.total_before}, {"after", note.total_after}};
    if (!note.text.empty()) j["note"] = note.text;
    return j;
}

nlohmann::ordered_json vintage_manifest(const VintageLookup& lookup, const AreaLayer& layer, const VintageNote& note,
                                        std::span<const std::uint64_t> counts) {
    nlohmann::ordered_json j = vintage_note_json(note, &lookup);
    if (note.layer != LsoaVintage::unknown) {
        std::vector<double> v(counts.begin(), counts.end());
        const CarriedValues c = carry_vintage(lookup, note.layer, layer.codes, v);
        double before = 0, after = 0;
        for (double x : v) before += x;
        nlohmann::ordered_json by_code = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < c.codes.size(); ++i) by_code[c.codes[i]] = c.values[i], after += c.values[i];
        j["counts_carried"] = {{"to", note.layer == LsoaVintage::y2011 ? "2021" : "2011"},
                               {"total_before", before},
                               {"total_after", after},
                               {"shared", c.shared},
                               {"not_in_lookup", c.passed},
                               {"by_code", by_code}};
    }
    return j;
}

} // namespace hotspot
