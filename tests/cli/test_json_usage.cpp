// --json-usage (issue 13): every command describes its options as JSON, from the same table
// that parses the command line, so the QGIS plugin needs no --help scraping. The --help text is
// parsed here on its own (not with the CLI's code) and must agree, flag for flag and default
// for default.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support.hpp"

using namespace hotspot;

namespace {

struct HelpOption {
    std::vector<std::string> names;
    std::string def;  ///< the bracketed default, "" when none
};

// Option lines of a CLI11 help text: "  -v,--verbose   text", "  --kernel TEXT=quartic  text",
// "  --incidents TEXT ... REQUIRED". A default holds no blank (CLI11 may leave one space before
// the description).
std::vector<HelpOption> help_options(const std::string& help) {
    std::vector<HelpOption> r;
    std::istringstream in(help);
    std::string line;
    const std::regex opt(
        R"(^\s+((?:-{1,2}[A-Za-z0-9][A-Za-z0-9_\-]*,?)+)(?:\{[^}]*\})?(?: [A-Z]+(?:=(\S+))?(?: \.\.\.)?(?: REQUIRED)?)?(?:\s|$))");
    while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, opt)) continue;
        HelpOption o;
        std::stringstream names(m[1].str());
        std::string n;
        while (std::getline(names, n, ',')) if (!n.empty()) o.names.push_back(n);
        o.def = m[2].matched ? m[2].str() : "";
        r.push_back(o);
    }
    return r;
}

const nlohmann::json* find_flag(const nlohmann::json& usage, const std::string& name) {
    for (const auto& o : usage["options"])
        for (const auto& n : o["names"])
            if (n == name) return &o;
    return nullptr;
}

} // namespace

TEST_CASE("--json-usage: every flag of every command's --help, with the same default", "[cli-json-usage]") {
    const auto root = test::run_cli("--json-usage");
    REQUIRE(root.exit_code == 0);
    const auto top = nlohmann::json::parse(root.out);
    REQUIRE(top["commands"].size() >= 12);
    std::vector<std::string> commands{""};
    for (const auto& c : top["commands"]) commands.push_back(c["command"]);
    int checked = 0;
    for (const auto& cmd : commands) {
        INFO("command: " << (cmd.empty() ? "(root)" : cmd));
        // No required option is needed to ask for the description.
        const auto u = test::run_cli(cmd + " --json-usage");
        REQUIRE(u.exit_code == 0);
        const auto usage = nlohmann::json::parse(u.out);
        CHECK(usage["command"] == cmd);
        const auto h = test::run_cli(cmd + " --help");
        REQUIRE(h.exit_code == 0);
        const auto opts = help_options(h.out);
        CHECK(opts.size() >= 2);
        for (const auto& o : opts) {
            INFO("flag: " << o.names.front());
            const nlohmann::json* j = find_flag(usage, o.names.back());
            REQUIRE(j != nullptr);
            CHECK((*j)["names"].size() == o.names.size());
            if (o.def.empty())
                CHECK((*j)["default"].is_null());
            else
                CHECK((*j)["default"] == o.def);
            ++checked;
        }
        // ... and nothing --help does not list.
        for (const auto& j : usage["options"])
            if (!j["positional"].get<bool>()) {
                INFO("json option: " << j["flag"]);
                CHECK(h.out.find(j["flag"].get<std::string>()) != std::string::npos);
            }
    }
    CHECK(checked > 100);
}

TEST_CASE("--json-usage: kde's choices are the engine's and its flags have types, units and TOML keys",
          "[cli-json-usage]") {
    const auto u = test::run_cli("kde --json-usage");
    REQUIRE(u.exit_code == 0);
    const auto usage = nlohmann::json::parse(u.out);
    const auto* kernel = find_flag(usage, "--kernel");
    REQUIRE(kernel);
    CHECK((*kernel)["default"] == "quartic");
    CHECK((*kernel)["type"] == "string");
    CHECK((*kernel)["choices"] ==
          nlohmann::json::array({"quartic", "triweight", "epanechnikov", "triangular", "uniform", "gaussian"}));
    // Every choice listed is one the parser accepts: kde with a bad kernel names the same list.
    const auto bad = test::run_cli("kde --incidents nowhere.csv --bandwidth 250 --out x.tif --kernel nope");
    CHECK(bad.exit_code == 2);
    for (const auto& k : (*kernel)["choices"]) CHECK(bad.err.find(k.get<std::string>()) != std::string::npos);
    const auto* bw = find_flag(usage, "--bandwidth");
    REQUIRE(bw);
    CHECK((*bw)["required"] == true);
    CHECK((*bw)["units"] == "m");
    CHECK((*bw)["default"].is_null());
    const auto* weight = find_flag(usage, "--weight");
    REQUIRE(weight);
    CHECK((*weight)["type"] == "string");
    const auto* png = find_flag(usage, "--png");
    REQUIRE(png);
    CHECK((*png)["type"] == "bool");
    const auto* cell = find_flag(usage, "--cell");
    REQUIRE(cell);
    CHECK((*cell)["type"] == "number");
    const auto* crs = find_flag(usage, "--working-crs");
    REQUIRE(crs);
    CHECK((*crs)["toml_key"] == "working_crs");
    CHECK((*crs)["default"] == "EPSG:27700");
    const auto* inc = find_flag(usage, "--incidents");
    REQUIRE(inc);
    CHECK((*inc)["repeatable"] == true);
    CHECK((*inc)["toml_key"] == "incidents.paths");
}
