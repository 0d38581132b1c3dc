// End-to-end: `hotspot profiles` lists, shows, writes and prints the built-in profiles as JSON.

#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "hotspot/profile.hpp"

namespace fs = std::filesystem;
using namespace hotspot::test;

TEST_CASE("profiles: lists every built-in with its terms and proxy notes", "[cli-profiles]") {
    const auto r = run_cli("profiles");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    for (const auto& p : hotspot::builtin_profiles()) {
        INFO(p.name);
        CHECK(r.out.find(p.name + "  " + p.title) != std::string::npos);
        for (const auto& t : hotspot::describe_terms(p.filter))
            CHECK(r.out.find("    " + t + "\n") != std::string::npos);
        if (!p.proxy_note.empty())
            CHECK(r.out.find("note: " + p.proxy_note) != std::string::npos);
    }
    CHECK(r.out.find("hours 21:00-04:00") != std::string::npos);
    CHECK(r.out.find("category in [Violence and sexual offences]") != std::string::npos);
}

TEST_CASE("profiles: --show prints TOML that reads back as the profile", "[cli-profiles]") {
    const auto& ckb = *hotspot::find_builtin("car-key-burglary");
    const auto full = run_cli("profiles --show car-key-burglary");
    REQUIRE(full.exit_code == 0);
    CHECK(full.err.empty());
    CHECK(hotspot::parse_profile_toml(full.out, "stdout") == ckb);

    const auto uk = run_cli("profiles --show car-key-burglary --police-uk");
    REQUIRE(uk.exit_code == 0);
    const auto p = hotspot::parse_profile_toml(uk.out, "stdout");
    CHECK(p.filter.categories == std::vector<std::string>{"Burglary"});
    CHECK_FALSE(p.police_uk_filter);
    CHECK(p.proxy_note == ckb.proxy_note);

    const auto bad = run_cli("profiles --show burglary");
    CHECK(bad.exit_code == 2);
    CHECK(bad.out.empty());
    CHECK(bad.err.find("profiles: no built-in profile 'burglary'; the built-ins are: "
                       "car-key-burglary") != std::string::npos);
}

TEST_CASE("profiles: --write writes a file to edit, refusing to replace one", "[cli-profiles]") {
    const fs::path dir = fresh_dir("profiles-write");
    const fs::path out = dir / "ppv.toml";
    const auto r = run_cli("profiles --write public-place-violence --out '" + out.string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("wrote 'public-place-violence'") != std::string::npos);
    const std::string text = read_file(out);
    CHECK(hotspot::parse_profile_toml(text, out.string()) ==
          *hotspot::find_builtin("public-place-violence"));

    write_file(out, "edited\n");
    const auto again = run_cli("profiles --write drug-possession --out '" + out.string() + "'");
    CHECK(again.exit_code == 4);
    CHECK(again.err.find("profiles: " + out.string() + ": exists; use --overwrite") !=
          std::string::npos);
    CHECK(read_file(out) == "edited\n");

    const auto forced = run_cli("profiles --write drug-possession --police-uk --overwrite --out '" +
                                out.string() + "'");
    CHECK(forced.exit_code == 0);
    const auto p = hotspot::parse_profile_toml(read_file(out), out.string());
    CHECK(p.filter.categories == std::vector<std::string>{"Drugs"});
    for (const auto& e : fs::directory_iterator(dir))
        CHECK(e.path().extension() != ".tmp");

    CHECK(run_cli("profiles --write drug-possession").exit_code == 2);
    CHECK(run_cli("profiles --out '" + out.string() + "'").exit_code == 2);
    CHECK(run_cli("profiles --police-uk").exit_code == 2);
    CHECK(run_cli("profiles --show all-crime --json").exit_code == 2);
}

TEST_CASE("profiles: --json describes every profile for the QGIS plugin", "[cli-profiles]") {
    const auto r = run_cli("profiles --json");
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.is_array());
    REQUIRE(j.size() == hotspot::builtin_profiles().size());
    for (std::size_t i = 0; i < j.size(); ++i) {
        const auto& p = hotspot::builtin_profiles()[i];
        INFO(p.name);
        CHECK(j[i]["name"] == p.name);
        CHECK(j[i]["proxy_note"] == p.proxy_note);
        CHECK(j[i]["filter"]["terms"] == hotspot::describe_terms(p.filter));
        CHECK(j[i]["police_uk_filter"]["terms"] == hotspot::describe_terms(*p.police_uk_filter));
        CHECK(hotspot::parse_profile_toml(j[i]["toml"].get<std::string>(), "json") == p);
    }
    CHECK(j[2]["filter"]["hours"] == "21:00-04:00");
    CHECK(j[2]["police_uk_filter"]["hours"].is_null());
    CHECK(run_cli("profiles --help").exit_code == 0);
}
