// The rates step's one rule for LISA/Gi* permutations under a correction (issue 16): R is raised
// to the smallest count whose smallest folded two-sided p, 2/(R+1), can pass Benjamini-Hochberg
// at rank 1 (q/m). Checked against a brute-force search of that definition, and on a synthetic
// map of m = 400 areas with a planted 3 x 3 cluster that 999 permutations cannot flag after FDR
// (9 areas at p >= 2/1000 > 9q/m) and the rule's R does. `hotspot rates` and `hotspot run` call
// the same step (tests/cli/test_step_equivalence.cpp checks their layers field for field).

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "hotspot/lisa.hpp"
#include "hotspot/steps/rates_step.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/weights.hpp"

using namespace hotspot;

namespace {

// Brute force from the definition: the smallest R with 2/(R+1) <= q/m.
int smallest_r(std::size_t m, double q) {
    int r = 1;
    while (2.0 / double(r + 1) > q / double(m)) ++r;
    return r;
}

constexpr int side = 20;  // 20 x 20 unit squares, m = 400

MultiPolygon square(double x0, double y0) {
    return {Polygon{{Ring{{x0, y0}, {x0 + 1, y0}, {x0 + 1, y0 + 1}, {x0, y0 + 1}}}}};
}

// Queen neighbours on the grid, written here (not contiguity.cpp's).
std::vector<std::vector<std::int32_t>> queen() {
    std::vector<std::vector<std::int32_t>> nb(side * side);
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c)
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc)
                    if ((dr || dc) && r + dr >= 0 && r + dr < side && c + dc >= 0 && c + dc < side)
                        nb[std::size_t(r * side + c)].push_back((r + dr) * side + c + dc);
    return nb;
}

// Counts 5..15 at random (seeded), a 3 x 3 block at 40 centred on (10, 10).
std::vector<double> planted_counts() {
    std::mt19937 rng(16);
    std::uniform_int_distribution<int> u(5, 15);
    std::vector<double> x(side * side);
    for (auto& v : x) v = u(rng);
    for (int r = 9; r <= 11; ++r)
        for (int c = 9; c <= 11; ++c) x[std::size_t(r * side + c)] = 40;
    return x;
}

} // namespace

TEST_CASE("rates FDR rule: R is the smallest whose floor 2/(R+1) passes BH at rank 1", "[rates-fdr]") {
    for (std::size_t m : {10u, 171u, 400u, 611u, 2000u})
        for (double q : {0.05, 0.01}) {
            const int want = std::min(smallest_r(m, q), PermutationOptions::max_permutations);
            CHECK(lisa_permutations_for_fdr(999, m, q, PAdjust::fdr_bh) == std::max(999, want));
            CHECK(lisa_permutations_for_fdr(999, m, q, PAdjust::bonferroni) == std::max(999, want));
        }
    CHECK(lisa_permutations_for_fdr(999, 611, 0.05, PAdjust::fdr_bh) == 24439);
    CHECK(lisa_permutations_for_fdr(0, 611, 0.05, PAdjust::fdr_bh) == 0);        // analytic stays analytic
    CHECK(lisa_permutations_for_fdr(999, 611, 0.05, PAdjust::none) == 999);      // no correction: as asked
    CHECK(lisa_permutations_for_fdr(50000, 611, 0.05, PAdjust::fdr_bh) == 50000); // more is kept
    CHECK(lisa_permutations_for_fdr(999, 100000, 0.05, PAdjust::fdr_bh) == PermutationOptions::max_permutations);
}

TEST_CASE("rates FDR rule: a planted cluster on 400 areas is flagged after FDR; 999 permutations cannot", "[rates-fdr]") {
    const auto nb = queen();
    const std::vector<double> x = planted_counts();
    const std::size_t centre = 10 * side + 10;

    // Without the rule: 999 permutations, FDR. Every p_sim >= 2/1000, and BH needs
    // p_(k) <= k q / m = k * 1.25e-4, so fewer than 16 areas at the floor cannot pass.
    SpatialWeights w = weights_from_lists(nb);
    row_standardise(w);
    LocalMoranOptions lo;
    lo.permutations = 999;
    const LocalMoranResult coarse = local_moran(x, w, lo);
    CHECK(coarse.cluster[centre] == LisaClass::not_significant);

    AreaLayer layer;
    layer.name = "grid";
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c) {
            layer.codes.push_back("A" + std::to_string(r * side + c));
            layer.names.push_back(layer.codes.back());
            layer.polygons.push_back(square(c, r));
        }
    const auto dir = std::filesystem::temp_directory_path() / "hotspot_rates_fdr_rule";
    std::filesystem::create_directories(dir);
    RatesStepResult r;
    {
        VectorWriter writer((dir / "rates.gpkg").string(), "EPSG:27700", true);
        RatesStepInput in;
        in.layer = &layer;
        in.counts = &x;
        in.neighbours = &nb;
        RatesStepOptions o;
        o.perm.permutations = 999;  // asked; the step raises it
        RatesStepOutput out;
        out.writer = &writer;
        r = run_rates_step(in, o, out);
        writer.commit();
    }
    std::filesystem::remove_all(dir);
    CHECK(r.permutations_used == smallest_r(400, 0.05));
    CHECK(r.manifest.at("permutations_used") == r.permutations_used);
    CHECK(r.method.find("raised from 999") != std::string::npos);
    for (const auto& wmsg : r.warnings) CHECK(wmsg.find("too coarse") == std::string::npos);
    // With the rule's R the planted block's centre is high-high after FDR, and every high-high
    // area lies in the block or the ring around it (rows and columns 8-12); the step's count
    // equals this direct call's.
    lo.permutations = r.permutations_used;
    const LocalMoranResult fine = local_moran(x, w, lo);
    CHECK(fine.cluster[centre] == LisaClass::high_high);
    std::int64_t hh = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (fine.cluster[i] == LisaClass::high_high) {
            ++hh;
            const int row = int(i) / side, col = int(i) % side;
            INFO("area row " << row << " col " << col);
            CHECK((row >= 8 && row <= 12 && col >= 8 && col <= 12));
        }
    CHECK(r.lisa[int(LisaClass::high_high)] == hh);
}
