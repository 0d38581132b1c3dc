// Postcode geocoding on the real OS Code-Point Open releases (../shared/data/postcodes): the
// 2025 files as the lookup, the 2014 files (fixed seven-character postcodes, CRLF) as the
// previous release whose postcodes missing from 2025 are the real terminated cases. Skips when
// the shared data is absent.

#include <catch2/catch.hpp>

#include "hotspot/incidents_io.hpp"
#include "hotspot/postcode.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

TEST_CASE("postcodes (real Code-Point Open 2025 + 2014): every form ends in its documented state",
          "[data-postcodes]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const fs::path d = test::shared_data() / "postcodes";
    if (!fs::exists(d / "codepoint_2025_le.csv") || !fs::exists(d / "codepoint_2014_le.csv")) {
        WARN("skipped: ../shared/data/postcodes not found");
        return;
    }
    const std::vector<std::string> current = {(d / "codepoint_2025_le.csv").string(),
                                              (d / "codepoint_2025_tamworth_b77_b79.csv").string()};
    const std::vector<std::string> previous = {(d / "codepoint_2014_le.csv").string(),
                                               (d / "codepoint_2014_tamworth_b77_b79.csv").string()};
    const PostcodeLookup l = PostcodeLookup::read(current, previous);
    // README: LE 23,249 + B77-79 2,368 in 2025; 968 + 64 postcodes only in 2014.
    CHECK(l.size() == 23249 + 2368 + 968 + 64);

    const auto dir = test::fresh_dir("postcodes-real");
    // LE1 5WW: live (2025 line 459: 458583,303575). LE1 1LD: in 2014 (459106,304320), not in
    // 2025. LE10 0AA: a four-character outward code, written "LE101AA"-style in 2014.
    test::write_file(dir / "partner.csv",
                     "ref,postcode\n"
                     "1,le15ww\n"
                     "2,LE1  5WW\n"
                     "3,LE1 5WW\n"
                     "4,LE1 1LD\n"
                     "5,LE1 0ZZ\n"
                     "6,CF10 1AA\n"
                     "7,EH1 1YZ\n"
                     "8,LE10 OAA\n"
                     "9,B79 0PJ\n");
    ReadOptions o;
    o.paths = {(dir / "partner.csv").string()};
    o.postcode_field = "postcode";
    o.postcode_files = current;
    o.postcode_previous_files = previous;
    const ReadResult r = read_incidents(o);
    CHECK(r.rows_in == 9);
    CHECK(r.incidents.size() + r.rejects.size() == r.rows_in);
    CHECK(r.incidents.size() == 6);  // 3 x LE1 5WW, LE1 1LD, LE10 0AA, B79 0PJ
    CHECK(r.postcodes.terminated == 1);
    CHECK(r.postcodes.corrected == 1);
    const auto& inc = r.incidents;
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(inc.x[i] == Approx(458583).margin(1e-6));
        CHECK(inc.y[i] == Approx(303575).margin(1e-6));
    }
    CHECK(inc.x[3] == Approx(459106).margin(1e-6));  // the 2014 centroid of the terminated LE1 1LD
    CHECK(inc.y[3] == Approx(304320).margin(1e-6));
    const int status = inc.roles.precision + 2;
    CHECK(inc.fields[std::size_t(status)][3] == "terminated");
    CHECK(inc.fields[std::size_t(status)][0] == "live");
    REQUIRE(r.rejects.size() == 3);
    CHECK(std::string(r.rejects.detail[0]).find("not in the lookup") != std::string::npos);  // LE1 0ZZ
    CHECK(std::string(r.rejects.detail[1]).find("area CF is not covered") != std::string::npos);
    CHECK(std::string(r.rejects.detail[2]).find("area EH is not covered") != std::string::npos);
    for (auto why : r.rejects.reason) CHECK(why == RejectReason::unknown_postcode);
}
