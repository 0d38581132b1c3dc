// The whole run config is validated when it is read, before any work (issue 14): every bad
// value is an InputError naming the file, the line and the key.

#include <catch2/catch.hpp>

#include "hotspot/config.hpp"
#include "hotspot/error.hpp"
#include "hotspot/population.hpp"
#include "support.hpp"

using namespace hotspot;

namespace {

// Four lines; the snippets below start on line 5.
const std::string base = "output = \"o\"\n[incidents]\npaths = [\"a.csv\"]\n[[areas]]\n";
const std::string area = "name = \"ward\"\npath = \"w.geojson\"\n";

struct Bad {
    std::string text, key;
    std::uint64_t line;
    std::string says;
};

} // namespace

TEST_CASE("config: bad values are refused with file, line and key before any work", "[config-validate]") {
    const std::vector<Bad> cases = {
        {"[analysis]\nreference_rate = -11.5\n", "analysis.reference_rate", 9, "> 0"},
        {"[analysis]\ncell_m = -25\n", "analysis.cell_m", 9, "> 0"},
        {"[analysis]\nsnap_m = -5\n", "analysis.snap_m", 9, ">= 0"},
        {"[analysis]\nbandwidth = -250\n", "analysis.bandwidth", 9, "> 0"},
        {"[analysis]\nhotspot_threshold = \"value:-3\"\n", "analysis.hotspot_threshold", 9, "negative"},
        {"[analysis]\nhotspot_threshold = \"top:-5\"\n", "analysis.hotspot_threshold", 9, "between 0 and 100"},
        {"[analysis]\ngistar_cell_m = -100\n", "analysis.gistar_cell_m", 9, "> 0"},
        {"[analysis]\ngistar_cell_m = 0\n", "analysis.gistar_cell_m", 9, "> 0"},
        {"[analysis]\ngistar_band_m = -300\n", "analysis.gistar_band_m", 9, "> 0"},
        {"[analysis]\nseed = -1\n", "analysis.seed", 9, "whole number"},
        {"[analysis]\npermutations = 1e12\n", "analysis.permutations", 9, "from 0 to 99999"},
        {"[analysis]\npermutations = 99.5\n", "analysis.permutations", 9, "whole number"},
        {"[analysis]\nci = \"wald\"\n", "analysis.ci", 9, "exact"},
        {"[publish]\nmin_count = 2.5\n", "publish.min_count", 9, "whole number"},
        {"[publish]\nmin_count = 0\n", "publish.min_count", 9, "from 1"},
        {"[[areas]]\nname = \"ward\"\npath = \"w2.geojson\"\n", "areas.name", 9, "two [[areas]]"},
        {"[[areas]]\nname = \"Ward\"\npath = \"w2.geojson\"\n", "areas.name", 9, "two [[areas]]"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        try {
            parse_run_config(base + area + "\n" + c.text, "/x/run.toml");
            FAIL("accepted");
        } catch (const InputError& e) {
            CHECK(e.file() == "/x/run.toml");
            CHECK(e.field() == c.key);
            CHECK(e.line() == c.line);
            CHECK(std::string(e.what()).find(c.says) != std::string::npos);
            CHECK(e.exit_code() == ExitCode::input);
        }
    }
    // and the good values pass, converted exactly
    const RunConfig ok = parse_run_config(base + area + "[analysis]\nseed = 9007199254740992\npermutations = 999.0\n"
                                                        "snap_m = 0\n[publish]\nmin_count = 10\n",
                                          "/x/run.toml");
    CHECK(ok.analysis.seed == 9007199254740992ULL);
    CHECK(ok.analysis.permutations == 999);
    CHECK(ok.publish_min_count == 10);
}

TEST_CASE("config: a folder or an empty file is a clear input error", "[config-validate]") {
    const auto dir = test::fresh_dir("config-validate");
    test::write_file(dir / "empty.toml", "\n  \n");
    for (const auto& [path, says] : {std::pair{dir.string(), "is a folder"}, std::pair{(dir / "empty.toml").string(), "is empty"}}) {
        INFO(path);
        try {
            read_run_config(path);
            FAIL("accepted");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find(says) != std::string::npos);
        }
        const auto r = test::run_cli("run '" + path + "'");
        CHECK(r.exit_code == 3);
        CHECK(r.err.find(says) != std::string::npos);
    }
}

TEST_CASE("fuzz corpus: run configs and population tables", "[config-validate]") {
    // What the fuzzers tests/fuzz/fuzz_config.cpp and fuzz_population.cpp check, on their corpora.
    const auto corpus = test::source_dir() / "tests" / "fuzz" / "corpus";
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(corpus / "config")) {
        INFO(e.path());
        try {
            const RunConfig c = parse_run_config(test::read_file(e.path()), e.path().string());
            CHECK(c.analysis.permutations >= 0);
            CHECK(c.publish_min_count >= 1);
        } catch (const InputError& err) {
            CHECK(err.file() == e.path().string());
            CHECK(err.line() > 0);
        }
        ++n;
    }
    for (const auto& e : std::filesystem::directory_iterator(corpus / "population")) {
        INFO(e.path());
        PopulationSpec spec;
        spec.area = "ward";
        spec.path = e.path().string();
        try {
            const PopulationTable t = read_population_csv(spec, "code");
            CHECK(t.codes.size() == t.population.size());
        } catch (const Error& err) {
            CHECK(std::string(err.what()).find(e.path().filename().string()) != std::string::npos);
        }
        ++n;
    }
    CHECK(n >= 6);
}

TEST_CASE("config: two area layers with one name given as flags are refused before any work", "[config-validate]") {
    RunConfig c = parse_run_config(base + area, "/x/run.toml");
    c.profiles.push_back(*find_builtin("all-crime"));
    CHECK_NOTHROW(c.validate());
    c.areas.push_back(c.areas.front());
    c.areas.back().spec.name = "WARD";
    CHECK_THROWS_AS(c.validate(), UsageError);
    CHECK_THROWS_WITH(c.validate(), Catch::Contains("two area layers are named 'WARD'"));
}
