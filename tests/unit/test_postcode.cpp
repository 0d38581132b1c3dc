// Postcode geocoding (postcode.hpp): normalisation, the ONSPD/NSPL lookup on a small synthetic
// file with the published column names, every typed form ending in its documented state, the
// reconciliation rows in = placed + rejected, and the CLI (geocode) end to end.

#include <algorithm>
#include <catch2/catch.hpp>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "hotspot/csv.hpp"
#include "hotspot/error.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/postcode.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

// A cut of the ONSPD layout: the published names (lower case) of the columns the lookup reads,
// among others it must ignore. LE1 1LD is terminated (doterm set), LE1 9XX has no grid reference
// (osgrdind 9, blank eastings), as ONSPD publishes such postcodes.
const char* onspd =
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,usertype,oseast1m,osnrth1m,osgrdind\n"
    "\"LE1 5WW\",\"LE1  5WW\",\"LE1 5WW\",\"199806\",\"\",\"E99999999\",\"E99999999\",\"E06000016\",\"E05010463\",\"0\",\"458583\",\"303575\",\"1\"\n"
    "\"LE1 1LD\",\"LE1  1LD\",\"LE1 1LD\",\"198001\",\"201806\",\"E99999999\",\"E99999999\",\"E06000016\",\"E05010463\",\"0\",\"459106\",\"304320\",\"1\"\n"
    "\"LE100AA\",\"LE10 0AA\",\"LE10 0AA\",\"198001\",\"\",\"E10000018\",\"E58000834\",\"E07000132\",\"E05005542\",\"0\",\"444800\",\"294200\",\"1\"\n"
    "\"LE1 1AA\",\"LE1  1AA\",\"LE1 1AA\",\"198001\",\"\",\"E99999999\",\"E99999999\",\"E06000016\",\"E05010463\",\"0\",\"459318\",\"304176\",\"1\"\n"
    "\"LE1 9XX\",\"LE1  9XX\",\"LE1 9XX\",\"201001\",\"\",\"E99999999\",\"E99999999\",\"E06000016\",\"\",\"1\",\"\",\"\",\"9\"\n";

// Each typed form, the state it must end in, and the centroid where it is placed.
struct Form {
    const char* typed;
    const char* matched;  // postcode_matched, or "" for a reject
    const char* status;   // live / terminated, or the reject detail's telling words
    double x, y;
};
const Form forms[] = {
    {"le15ww", "LE1 5WW", "live", 458583, 303575},
    {"LE1  5WW", "LE1 5WW", "live", 458583, 303575},
    {"LE1 5WW", "LE1 5WW", "live", 458583, 303575},
    {" le1 5ww ", "LE1 5WW", "live", 458583, 303575},
    {"LE1 1LD", "LE1 1LD", "terminated", 459106, 304320},
    {"LE10 OAA", "LE10 0AA", "live", 444800, 294200},  // O for 0 in the inward digit
    {"LE1 IAA", "LE1 1AA", "live", 459318, 304176},    // I for 1
    {"LE1 8ZZ", "", "is not in the lookup", 0, 0},
    {"CF10 1AA", "", "postcode area CF is not covered", 0, 0},  // Welsh
    {"EH1 1YZ", "", "postcode area EH is not covered", 0, 0},   // Scottish
    {"LE1 9XX", "", "no grid reference", 0, 0},
    {"", "", "blank postcode", 0, 0},
    {"not known", "", "is not a postcode", 0, 0},
    {"LE1 5W0", "", "is not a postcode", 0, 0},  // a 0 in a letter position is not corrected
};

std::string partner_csv() {
    std::string s = "ref,postcode,category,date\n";
    int n = 0;
    for (const auto& f : forms) s += "ASB" + std::to_string(++n) + ",\"" + f.typed + "\",Anti-social behaviour,2025-03-01\n";
    return s;
}

} // namespace

TEST_CASE("postcode: normalisation of the typed forms", "[postcode]") {
    CHECK(normalise_postcode("le15ww").key == "LE15WW");
    CHECK(normalise_postcode("LE1  5WW").key == "LE15WW");
    CHECK(normalise_postcode("LE1 5WW").key == "LE15WW");
    CHECK(normalise_postcode("\tle10 0aa ").key == "LE100AA");
    CHECK(normalise_postcode("EC1A 1BB").key == "EC1A1BB");  // AA9A outward
    CHECK(normalise_postcode("W1A 0AX").key == "W1A0AX");    // A9A
    CHECK(normalise_postcode("M1 1AE").key == "M11AE");      // A9
    const auto o = normalise_postcode("LE10 OAA");
    CHECK(o.key == "LE100AA");
    CHECK(o.corrected);
    const auto i = normalise_postcode("le1 iaa");
    CHECK(i.key == "LE11AA");
    CHECK(i.corrected);
    CHECK_FALSE(normalise_postcode("LE1 5WW").corrected);
    // Not postcodes: too short, letters where the inward digit is, digits where its letters are,
    // an outward code that does not start with a letter.
    CHECK(normalise_postcode("LE1").key.empty());
    CHECK(normalise_postcode("LE1 AWW").key.empty());
    CHECK(normalise_postcode("LE1 50W").key.empty());
    CHECK(normalise_postcode("1E1 5WW").key.empty());
    CHECK(normalise_postcode("LE1 5WW X").key.empty());
    CHECK(format_postcode("LE100AA") == "LE10 0AA");
    CHECK(format_postcode("M11AE") == "M1 1AE");
}

TEST_CASE("postcode: an ONSPD file is recognised by its column names; every form ends in its state",
          "[postcode]") {
    const auto dir = test::fresh_dir("postcode-onspd");
    test::write_file(dir / "onspd.csv", onspd);
    test::write_file(dir / "asb.csv", partner_csv());
    const PostcodeLookup l = PostcodeLookup::read({(dir / "onspd.csv").string()});
    CHECK(l.size() == 5);
    CHECK(l.formats() == std::vector<std::string>{"ONSPD/NSPL"});

    ReadOptions o;
    o.paths = {(dir / "asb.csv").string()};
    o.postcode_field = "postcode";
    o.postcode_files = {(dir / "onspd.csv").string()};
    const ReadResult r = read_incidents(o);
    const std::size_t n = std::size(forms);
    // Nothing lost: rows in = placed + rejected.
    CHECK(r.rows_in == n);
    CHECK(r.incidents.size() + r.rejects.size() == n);
    CHECK(r.postcodes.placed == r.incidents.size());
    CHECK(r.postcodes.unknown == r.rejects.size());
    CHECK(r.postcodes.placed == 7);
    CHECK(r.postcodes.terminated == 1);
    CHECK(r.postcodes.corrected == 2);

    const auto& inc = r.incidents;
    const auto col = [&](const std::vector<std::string>& names, const char* f) {
        const auto it = std::find(names.begin(), names.end(), f);
        REQUIRE(it != names.end());
        return std::size_t(it - names.begin());
    };
    const std::size_t ref = col(inc.field_names, "ref"), prec = col(inc.field_names, "location_precision"),
                      match = col(inc.field_names, "postcode_matched"), stat = col(inc.field_names, "postcode_status");
    CHECK(inc.roles.precision == int(prec));
    std::map<std::string, std::size_t> kept, rejected;
    for (std::size_t i = 0; i < inc.size(); ++i) kept[std::string(inc.fields[ref][i])] = i;
    const std::size_t rref = col(r.rejects.field_names, "ref");
    for (std::size_t i = 0; i < r.rejects.size(); ++i) rejected[std::string(r.rejects.fields[rref][i])] = i;
    int k = 0;
    for (const auto& f : forms) {
        const std::string id = "ASB" + std::to_string(++k);
        INFO(id << " typed '" << f.typed << "'");
        if (*f.matched) {
            REQUIRE(kept.count(id));
            const std::size_t i = kept[id];
            CHECK(inc.fields[match][i] == f.matched);
            CHECK(inc.fields[stat][i] == f.status);
            CHECK(inc.fields[prec][i] == "postcode_centroid");
            CHECK(inc.x[i] == Approx(f.x).margin(1e-6));  // EPSG:27700 in and out: no transform
            CHECK(inc.y[i] == Approx(f.y).margin(1e-6));
        } else {
            REQUIRE(rejected.count(id));
            const std::size_t i = rejected[id];
            CHECK(r.rejects.reason[i] == RejectReason::unknown_postcode);
            const std::string detail(r.rejects.detail[i]);
            CHECK(detail.find(f.status) != std::string::npos);
            if (*f.typed) CHECK(detail.find(std::string("'") + f.typed + "'") != std::string::npos);
        }
    }
    // The terminated and corrected rows are warned about, naming the first.
    const auto warned = [&](const char* words) {
        return std::any_of(r.warnings.begin(), r.warnings.end(),
                           [&](const std::string& w) { return w.find(words) != std::string::npos; });
    };
    CHECK(warned("terminated postcodes (first: "));
    CHECK(warned("'LE1 1LD' -> LE1 1LD"));
    CHECK(warned("letter O or I"));
    CHECK(reason_name(RejectReason::unknown_postcode) == "unknown_postcode");
}

TEST_CASE("postcode: Code-Point Open (no header) with a previous release marks terminated postcodes",
          "[postcode]") {
    const auto dir = test::fresh_dir("postcode-codepoint");
    // The 2025 and 2014 formats: one space / fixed seven characters, LF / CRLF.
    test::write_file(dir / "cp2025.csv",
                     "\"LE1 5WW\",10,458583,303575,\"E92000001\",\"E19000001\",\"E18000004\",\"\",\"E06000016\",\"E05010463\"\n"
                     "\"LE10 0AA\",50,444800,294200,\"E92000001\",\"E19000001\",\"E18000004\",\"E10000018\",\"E07000132\",\"E05005542\"\n"
                     "\"LE1 9XX\",90,0,0,\"E92000001\",\"E19000001\",\"E18000004\",\"\",\"E06000016\",\"E05010463\"\n");
    test::write_file(dir / "cp2014.csv",
                     "\"LE1 5WW\",10,458660,303691,\"E92000001\",\"E19000001\",\"E18000004\",\"\",\"E06000016\",\"E05001789\"\r\n"
                     "\"LE1 1LD\",10,459106,304320,\"E92000001\",\"E19000001\",\"E18000004\",\"\",\"E06000016\",\"E05001789\"\r\n"
                     "\"LE100AA\",10,444801,294201,\"E92000001\",\"E19000001\",\"E18000004\",\"E10000018\",\"E07000132\",\"E05005542\"\r\n");
    const PostcodeLookup l = PostcodeLookup::read({(dir / "cp2025.csv").string()}, {(dir / "cp2014.csv").string()});
    CHECK(l.size() == 4);
    CHECK(l.formats()[0] == "Code-Point Open");
    const auto live = l.find("LE15WW");
    CHECK(live.outcome == PostcodeLookup::Outcome::live);
    CHECK(live.x == 458583);  // the current release's centroid, not the older one's
    const auto old = l.find("le1 1ld");
    CHECK(old.outcome == PostcodeLookup::Outcome::terminated);
    CHECK(old.x == 459106);
    CHECK(l.find("LE10 0AA").outcome == PostcodeLookup::Outcome::live);
    CHECK(l.find("LE10 0AA").x == 444800);
    CHECK(l.find("LE1 9XX").outcome == PostcodeLookup::Outcome::no_coordinates);  // quality 90
}

TEST_CASE("postcode: lookup and option errors say what to do", "[postcode]") {
    const auto dir = test::fresh_dir("postcode-errors");
    test::write_file(dir / "bad.csv", "name,value\na,1\n");
    test::write_file(dir / "nsplnoxy.csv", "pcds,doterm\nLE1 5WW,\n");
    test::write_file(dir / "asb.csv", "ref,postcode\n1,LE1 5WW\n");
    test::write_file(dir / "onspd.csv", onspd);
    CHECK_THROWS_AS(PostcodeLookup::read({(dir / "bad.csv").string()}), InputError);
    CHECK_THROWS_WITH(PostcodeLookup::read({(dir / "nsplnoxy.csv").string()}), Catch::Contains("oseast1m"));
    ReadOptions o;
    o.paths = {(dir / "asb.csv").string()};
    o.postcode_field = "postcode";
    CHECK_THROWS_AS(read_incidents(o), UsageError);  // no lookup
    o.postcode_field = "post_code";
    o.postcode_files = {(dir / "onspd.csv").string()};
    CHECK_THROWS_WITH(read_incidents(o), Catch::Contains("post_code"));  // no such column
    o.postcode_field.clear();
    CHECK_THROWS_AS(read_incidents(o), UsageError);  // a lookup without --postcode
}

TEST_CASE("postcode: the share warning fires above a fifth of the rows on centroids", "[postcode]") {
    IncidentTable t;
    t.field_names = {"location_precision"};
    t.fields.resize(1);
    for (int i = 0; i < 10; ++i) {
        t.fields[0].push_back(i < 2 ? "postcode_centroid" : "");
        t.x.push_back(0);
        t.y.push_back(0);
    }
    t.roles.precision = 0;
    CHECK(postcode_share_warning(t, nullptr, "kde").empty());  // 2 of 10 = 20%: not above
    const std::vector<std::uint32_t> rows{0, 1, 2, 3};
    const std::string w = postcode_share_warning(t, &rows, "kde");  // 2 of 4
    CHECK(w.find("50% of the incidents (2 of 4)") != std::string::npos);
    t.roles.precision = -1;
    CHECK(postcode_share_warning(t, &rows, "kde").empty());
}

TEST_CASE("postcode CLI: geocode places partner rows by postcode and reconciles", "[postcode-cli]") {
    const auto dir = test::fresh_dir("postcode-cli");
    // A lookup whose centroids are demo-town incidents' coordinates, so the ward is known.
    test::write_file(dir / "nspl.csv",
                     "pcd,pcds,doterm,oseast1m,osnrth1m\n"
                     "\"DM1 1AA\",\"DM1 1AA\",\"\",421269,304278\n"
                     "\"DM1 2AB\",\"DM1 2AB\",\"202001\",420760,305190\n");
    test::write_file(dir / "asb.csv", "ref,postcode,category,date\n"
                                      "1,dm11aa,Anti-social behaviour,2025-01-02\n"
                                      "2,DM1  2AB,Anti-social behaviour,2025-01-03\n"
                                      "3,DM9 9ZZ,Anti-social behaviour,2025-01-04\n");
    const std::string wards = (test::source_dir() / "shapes" / "demo" / "wards.geojson").string();
    const auto r = test::run_cli("geocode --incidents '" + (dir / "asb.csv").string() + "' --postcode postcode --postcodes '" +
                                 (dir / "nspl.csv").string() + "' --areas 'ward=" + wards + ":ward_code:ward_name' --out '" +
                                 (dir / "out.gpkg").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    std::map<std::string, std::string> precision, status;
    std::size_t placed = 0, rejected = 0;
    test::for_each_feature(dir / "out.gpkg", "incidents", [&](OGRFeatureH f, const test::FieldIndex& fi) {
        ++placed;
        const std::string ref = OGR_F_GetFieldAsString(f, fi("ref"));
        precision[ref] = OGR_F_GetFieldAsString(f, fi("location_precision"));
        status[ref] = OGR_F_GetFieldAsString(f, fi("postcode_status"));
        CHECK(std::string(OGR_F_GetFieldAsString(f, fi("ward_code"))) != "");
    });
    test::for_each_feature(dir / "out.gpkg", "rejects", [&](OGRFeatureH f, const test::FieldIndex& fi) {
        ++rejected;
        CHECK(std::string(OGR_F_GetFieldAsString(f, fi("reject_reason"))) == "unknown_postcode");
        CHECK(std::string(OGR_F_GetFieldAsString(f, fi("reject_detail"))).find("'DM9 9ZZ'") != std::string::npos);
    });
    CHECK(placed == 2);
    CHECK(rejected == 1);
    CHECK(precision["1"] == "postcode_centroid");
    CHECK(status["2"] == "terminated");
    const auto m = nlohmann::json::parse(test::read_file(dir / "out.manifest.json"));
    CHECK(m["postcodes"]["precision"] == "postcode_centroid");
    CHECK(m["postcodes"]["placed"] == 2);
    CHECK(m["postcodes"]["terminated"] == 1);
    CHECK(m["postcodes"]["unknown_postcode"] == 1);
    CHECK(m["counts"]["rows_in"] == 3);
}

TEST_CASE("postcode CLI: run places partner rows by postcode (config keys) and warns on centroids",
          "[postcode-cli]") {
    const auto dir = test::fresh_dir("postcode-run");
    // 40 postcodes at the first 40 demo-town incidents' coordinates; two rows each, one unknown.
    // Criminal damage: all-crime leaves anti-social behaviour out.
    const std::string demo = test::read_file(test::source_dir() / "shapes" / "demo" / "incidents.csv");
    std::string lookup = "pcds,oseast1m,osnrth1m,doterm\n", rows = "ref,postcode,category,date\n";
    CsvReader csv(demo, "incidents.csv");
    std::vector<std::string_view> f;
    csv.next(f);  // header: easting and northing are columns 7 and 8
    for (int i = 0; i < 40; ++i) {
        REQUIRE(csv.next(f));
        const std::string pc = "DM" + std::to_string(1 + i / 10) + " " + std::to_string(i % 10) + "AB";
        lookup += pc + "," + std::string(f[6]) + "," + std::string(f[7]) + ",\n";
        for (int k = 0; k < 2; ++k) rows += std::to_string(i * 2 + k) + "," + pc + ",Criminal damage and arson,2025-02-0" + std::to_string(1 + k) + "\n";
    }
    rows += "999,ZZ99 9ZZ,Criminal damage and arson,2025-02-01\n";
    test::write_file(dir / "nspl.csv", lookup);
    test::write_file(dir / "asb.csv", rows);
    const std::string wards = (test::source_dir() / "shapes" / "demo" / "wards.geojson").string();
    test::write_file(dir / "run.toml", "title = \"ASB\"\noutput = \"" + (dir / "pack").string() +
                                           "\"\nprofiles = [\"all-crime\"]\n[incidents]\npaths = [\"" +
                                           (dir / "asb.csv").string() + "\"]\npostcode = \"postcode\"\npostcodes = [\"" +
                                           (dir / "nspl.csv").string() + "\"]\n[[areas]]\nname = \"ward\"\npath = \"" +
                                           wards + "\"\ncode_field = \"ward_code\"\nname_field = \"ward_name\"\n");
    const auto r = test::run_cli("run '" + (dir / "run.toml").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto m = nlohmann::json::parse(test::read_file(dir / "pack" / "manifest.json"));
    CHECK(m["postcodes"]["precision"] == "postcode_centroid");
    CHECK(m["postcodes"]["placed"] == 80);
    CHECK(m["postcodes"]["unknown_postcode"] == 1);
    CHECK(m.dump().find("sit on postcode centroids") != std::string::npos);
    std::size_t n = 0;
    test::for_each_feature(dir / "pack" / "hotspot_run.gpkg", "rejects", [&](OGRFeatureH feat, const test::FieldIndex& fi) {
        ++n;
        CHECK(std::string(OGR_F_GetFieldAsString(feat, fi("reject_reason"))) == "unknown_postcode");
    });
    CHECK(n == 1);
}
