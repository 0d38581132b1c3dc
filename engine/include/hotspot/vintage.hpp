#pragma once
/// @file vintage.hpp
/// Boundary vintages of area codes: 2011 against 2021 LSOAs (and ward code generations), found
/// in area layers and population tables, a mix refused, and values (populations, counts)
/// carried from one LSOA vintage to the other through the ONS lookup.
///
/// Evidence, strongest first:
///  - the ONS lookup when given (`--lookup`): a code only in its LSOA11CD column is a 2011 code
///    that 2021 replaced (split, merged or redrawn), one only in LSOA21CD is a new 2021 code;
///  - the code field's published name: LSOA11CD / LSOA21CD (any case, also LSOA11 / LSOA21 as a
///    prefix, e.g. "lsoa11code");
///  - the code itself: England's 2011 LSOAs are E01000001 to E01033768 and the codes ONS gave
///    the 2021 LSOAs that replaced changed ones follow from E01033769 (source: ONS "LSOA (2011)
///    to LSOA (2021) to LAD (2022) Lookup", CHGIND U/S/M/X; 31,810 unchanged, 834 split, 194
///    merged, 6 redrawn). Codes E01033769 to E01035999 are read as 2021-only; codes beyond,
///    and Welsh W01 codes, give no evidence (made-up test codes such as E01090001 stay neutral).
/// Ward codes (E05) carry no generation in the code itself; the field names do (WD22CD,
/// WD23CD). A layer and a population table naming different generations are refused when some
/// of the layer's wards are missing from the table (a review redrew them: new codes), and only
/// noted when every ward of the layer is in the table (the review left them unchanged).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/areas_io.hpp"
#include "hotspot/population.hpp"

namespace hotspot {

enum class LsoaVintage { unknown, y2011, y2021 };

/// "2011" / "2021" / "unknown".
std::string_view vintage_name(LsoaVintage v) noexcept;

/// The ONS LSOA (2011) to LSOA (2021) lookup as published: columns LSOA11CD and LSOA21CD
/// (any case; the names, CHGIND and LAD columns are read when present, not needed). Either the
/// best-fit lookup (one row per 2011 LSOA) or the exact-fit one (one row per pair, CHGIND S/M/X
/// rows repeating a code).
struct VintageLookup {
    std::string path;
    std::vector<std::string> lsoa11, lsoa21, chgind;  ///< one entry per row
    std::unordered_set<std::string> codes11, codes21;

    std::size_t size() const noexcept { return lsoa11.size(); }
    /// Code only in 2011 (replaced in 2021) / only in 2021 (new).
    bool only_2011(const std::string& code) const { return codes11.count(code) && !codes21.count(code); }
    bool only_2021(const std::string& code) const { return codes21.count(code) && !codes11.count(code); }
};

/// @throws InputError (file, line, field) when unreadable, without LSOA11CD / LSOA21CD, or
///         a row without a code.
VintageLookup read_vintage_lookup(const std::string& path);

/// The vintage the field name states (LSOA11... / LSOA21...), else unknown.
LsoaVintage vintage_of_field(std::string_view field) noexcept;

/// A ward code generation named by the field (WD22CD -> 2022), else -1.
int ward_generation(std::string_view field) noexcept;

/// What the codes of one field say.
struct CodeVintage {
    LsoaVintage vintage = LsoaVintage::unknown;  ///< after field name and codes
    LsoaVintage named = LsoaVintage::unknown;    ///< from the field name alone
    std::vector<std::string> only_2011;          ///< codes of 2011 only (lookup evidence)
    std::vector<std::string> only_2021;          ///< codes of 2021 only (range or lookup)
    std::vector<std::string> either;             ///< codes valid in 2011 (and 2021 if unchanged)
    std::string evidence;                        ///< how the vintage was found, for messages
};

/// Classifies `codes` of `field` in `file`.
/// @throws InputError (exit 3) naming the file, the field, a few codes of each vintage and what
///         to do when they mix: a 2011-named field with 2021-only codes, a 2021-named field with
///         2011-only codes, or 2011-only beside 2021-only codes.
CodeVintage classify_vintage(std::string_view unit, const std::string& file, const std::string& field,
                             std::span<const std::string> codes, const VintageLookup* lookup);

/// The method carry_vintage applies, as said in manifests and the README.
extern const char* const vintage_carry_method;

/// Values carried from the codes of one vintage to the other through `lookup`: each code's value
/// goes to the codes the lookup pairs it with, shared equally where it names several (a best-fit
/// lookup names one: the whole value goes to the best-fit LSOA; the exact-fit lookup's split
/// rows share a 2011 LSOA's value among its 2021 parts, and merged rows carried back share the
/// 2021 LSOA's among its 2011 parts). Codes the lookup lacks keep their value under their own
/// code (`passed` counts them). The total is kept: sum(out) == sum(values) up to rounding
/// (NaN values stay NaN in their targets).
struct CarriedValues {
    std::vector<std::string> codes;  ///< target codes, in first-seen order
    std::vector<double> values;
    std::size_t passed = 0;          ///< source codes not in the lookup, kept as they were
    std::size_t shared = 0;          ///< source codes whose value was shared among several
};
CarriedValues carry_vintage(const VintageLookup& lookup, LsoaVintage from, std::span<const std::string> codes,
                            std::span<const double> values);

/// What align_population_vintage did, for the manifest.
struct VintageNote {
    LsoaVintage layer = LsoaVintage::unknown, table = LsoaVintage::unknown;
    bool carried = false;
    double total_before = 0, total_after = 0;
    std::string text;  ///< one line for the console and the manifest; empty when nothing to say
};

/// Checks an area layer's codes (classify_vintage) and returns their vintage.
/// @throws InputError (exit 3) on a mix.
CodeVintage check_area_vintage(std::string_view unit, const AreaLayer& layer, const VintageLookup* lookup);

/// Checks a population table against its area layer. Same vintage (or one unknown): the table
/// as it is. Different vintages: refused without a lookup (InputError naming both files, fields,
/// example codes, and --lookup); with one, the populations carried to the layer's vintage.
/// Different ward generations: refused (InputError naming both fields and the missing wards)
/// when some of the layer's wards are not in the table, else a note. Mixed codes: refused.
PopulationTable align_population_vintage(std::string_view unit, const AreaLayer& layer, const PopulationTable& table,
                                         const VintageLookup* lookup, VintageNote* note = nullptr);

/// What align_population_vintage found for one area level, for a manifest: the vintages of the
/// layer and of its population, whether the population was carried (totals before and after),
/// the note, and the lookup with its method when one was given.
nlohmann::ordered_json vintage_note_json(const VintageNote& note, const VintageLookup* lookup);

/// The manifest node of one rates layer when --lookup is given: the lookup, the method, the
/// vintages found, the population carried (totals before and after) and the layer's incident
/// counts carried to the other vintage (total kept), so a partner can join them to tables there.
nlohmann::ordered_json vintage_manifest(const VintageLookup& lookup, const AreaLayer& layer, const VintageNote& note,
                                        std::span<const std::uint64_t> counts);

} // namespace hotspot
