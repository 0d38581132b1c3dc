#pragma once
/// @file population.hpp
/// Population denominators for area rates: a CSV of area code and residents, or a field of the
/// area layer, joined to an area layer by code. Blank, NA and ".." mean unknown (the area gets
/// no rate); a code of the layer missing from the table is an error that lists the codes.

#include <span>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"

namespace hotspot {

/// One `--population [AREA=]PATH[:CODE_COL[:POP_COL]]` argument.
struct PopulationSpec {
    std::string area;      ///< the area layer it belongs to; empty: the next layer without one
    std::string path;      ///< CSV file
    std::string code_col;  ///< empty: the area layer's code field name, else a column ending in CD/code
    std::string pop_col;   ///< empty: "population" (any case), else the one column containing "pop"

    /// @throws UsageError when malformed.
    static PopulationSpec parse(const std::string& text);
};

/// A population table: code → residents (NaN where the file leaves it blank or "NA").
struct PopulationTable {
    std::string path, code_col, pop_col;
    std::vector<std::string> codes;
    std::vector<double> population;
};

/// Which `--population` file belongs to each `--areas` layer (index i: areas[i]; nullptr: none):
/// a file naming its layer (AREA=..., case-blind) goes to it, and the unnamed ones go in order
/// to the layers still without one. Shared by `rates` and `change`.
/// @throws UsageError (prefixed `unit`) when there are more files than layers, a file names no
///         layer, or two layers have the same name (case-blind).
std::vector<const PopulationSpec*> match_populations(const std::vector<AreaSpec>& areas,
                                                     const std::vector<PopulationSpec>& populations,
                                                     const std::string& unit);

/// Reads a population CSV. @param default_code_col tried first when spec.code_col is empty.
/// @throws InputError (file, line, field) for a missing column, a value that is not a
///         number, or a code given twice.
PopulationTable read_population_csv(const PopulationSpec& spec, const std::string& default_code_col = {});

/// A population field of the area layer itself, by its code field.
/// @throws InputError when the field is missing or holds a value that is not a number.
PopulationTable read_population_field(const AreaLayer& layer, const std::string& field);

/// Residents of each area of `layer` (NaN where the table leaves it unknown), by code. A code
/// is matched exactly first, then ignoring case and spaces anywhere in it ("e01090002",
/// "E01 090002 " match "E01090002") when that match is unique; each such match is counted in
/// a note added to `notes` (when given).
/// @throws InputError naming the table, its code column and the layer's codes it lacks.
std::vector<double> join_population(const AreaLayer& layer, const PopulationTable& table,
                                    std::vector<std::string>* notes = nullptr);

/// Notes on populations, for the console. Areas with more incidents than residents: under 100
/// residents this points at the column (a population written with a thousands dot, "11.621" for
/// 11,621, or in thousands), and the line says to check it; otherwise it is what a busy centre
/// gives (Leicester LSOA 041A: 9,048 incidents, 4,291 residents), and the line says a rate per
/// resident overstates the risk to residents there. Populations with a fractional part are
/// flagged too. `counts[a]`: incidents placed in area a. Returns no line when nothing is odd.
std::vector<std::string> check_population(const AreaLayer& layer, std::span<const double> population,
                                          std::span<const std::uint64_t> counts);

} // namespace hotspot
