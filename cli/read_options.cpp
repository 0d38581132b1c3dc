#include "read_options.hpp"

#include "usage.hpp"

namespace hotspot::cli {

void add_postcode_options(CLI::App& sub, ReadOptions& r) {
    note(sub.add_option("--postcode", r.postcode_field,
                        "Place each row at the centroid of the postcode in this column (partner data "
                        "without coordinates; needs --postcodes; see README, 'Postcodes')"), {"incidents.postcode", {}, ""});
    note(sub.add_option("--postcodes", r.postcode_files,
                        "Postcode lookup: ONSPD/NSPL CSV or OS Code-Point Open CSV (repeatable)"), {"incidents.postcodes", {}, ""});
    note(sub.add_option("--postcodes-previous", r.postcode_previous_files,
                        "An older lookup release: postcodes found only there are placed as terminated "
                        "(repeatable)"), {"incidents.postcodes_previous", {}, ""});
}

void add_where_option(CLI::App& sub, ReadOptions& r) {
    note(sub.add_option("--where", r.where,
                        "Attribute filter for GPKG/PG: incident sources (OGR SQL WHERE; run by the "
                        "PostGIS server for PG:)"), {"incidents.where", {}, ""});
}

void add_column_options(CLI::App& sub, ReadOptions& r) {
    note(sub.add_option("--x", r.x_field, "Column of eastings/longitudes (auto-detected)"), {"incidents.x", {}, ""});
    note(sub.add_option("--y", r.y_field, "Column of northings/latitudes (auto-detected)"), {"incidents.y", {}, ""});
    note(sub.add_option("--id", r.id_field, "Incident id column; a repeated id rejects the later row"), {"incidents.id", {}, ""});
    note(sub.add_option("--category", r.category_field, "Category / crime type column (auto-detected)"), {"incidents.category", {}, ""});
    note(sub.add_option("--date", r.date_field, "Date or date-time column (auto-detected)"), {"incidents.date", {}, ""});
    note(sub.add_option("--time", r.time_field, "Time-of-day column (auto-detected)"), {"incidents.time", {}, ""});
}

void add_read_options(CLI::App& sub, ReadOptions& r) {
    add_where_option(sub, r);
    note(sub.add_option("--incidents", r.paths,
                   "Incident files: CSV (police.uk recognised), GPKG, SHP, GeoJSON, FGB, PG:...; "
                   "a folder or a glob reads every file")
        ->required()
        ->take_all(), {"incidents.paths", {}, ""});
    note(sub.add_option("--crs", r.crs, "CRS of --x/--y, e.g. EPSG:27700 or EPSG:4326 (auto)"), {"incidents.crs", {}, ""});
    note(sub.add_option("--working-crs", r.working_crs, "CRS of all outputs")->capture_default_str(), {"working_crs", {}, ""});
    add_column_options(sub, r);
    add_postcode_options(sub, r);
    note(sub.add_flag("--keep-outliers{false}", r.screen_outliers,
                 "Keep incidents far outside the bulk of the others (by default, where the grid or band "
                 "is sized from the incidents' extent, i.e. kde and gistar without a study area, they are "
                 "rejected as location_outlier; see README, 'Reading incidents')"), {"incidents.keep_outliers", {}, ""});
}

void add_permutation_options(CLI::App& sub, PermutationOptions& perm, std::string& correction,
                             const std::string& permutations_help, const std::string& correction_help) {
    sub.add_option("--permutations", perm.permutations, permutations_help)->capture_default_str();
    sub.add_option("--seed", perm.seed, "Seed of the permutations")->capture_default_str();
    correction = std::string(to_string(perm.correction));
    sub.add_option("--correction", correction, correction_help)->capture_default_str();
}

void apply_permutation_flags(PermutationOptions& perm, const std::string& correction, unsigned threads) {
    perm.correction = parse_p_adjust(correction);
    perm.threads = threads;
}

} // namespace hotspot::cli

namespace hotspot::cli {

std::shared_ptr<PublishFlags> add_publish_options(CLI::App& sub, const std::string& what) {
    auto p = std::make_shared<PublishFlags>();
    sub.add_flag("--publish", p->on, "Publish mode (README, disclosure control), as hotspot run --publish: " + what);
    sub.add_option("--publish-min-count", p->min_count, "Publish mode: N (default 5)")->check(CLI::PositiveNumber);
    return p;
}

} // namespace hotspot::cli
