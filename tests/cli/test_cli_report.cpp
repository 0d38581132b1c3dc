// End-to-end: `hotspot run ... --report` and `hotspot report RUN_DIR` on the demo town. The pack
// is one file with every profile's page, its map image inline, the tables, and no reference to
// anything outside itself; publish mode shows suppressed counts as "<N".
// (tests/browser/check_report.py opens the same pack in headless Chromium.)

#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "../support.hpp"

namespace fs = std::filesystem;
using namespace hotspot::test;

namespace {

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size()))
        ++n;
    return n;
}

const std::string demo_run = "run " + (source_dir() / "examples/demo.toml").string() +
                             " --period-from 2025-07 --period-to 2025-12 --comparison-from 2025-01 "
                             "--comparison-to 2025-06 --overwrite -q";

} // namespace

TEST_CASE("report: run --report writes one self-contained pack with a page per profile",
          "[cli-report]") {
    const fs::path dir = fresh_dir("report_demo");
    const auto r = run_cli(demo_run + " --report --marking OFFICIAL-SENSITIVE --author \"Analysis team\" --out " +
                           dir.string());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    const fs::path html_path = dir / "report.html";
    REQUIRE(fs::exists(html_path));
    const std::string html = read_file(html_path);
    const auto manifest = nlohmann::json::parse(read_file(dir / "manifest.json"));

    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    // Two cover pages, one per profile, and the annex pages the body declares.
    std::smatch annex;
    REQUIRE(std::regex_search(html, annex, std::regex("data-annex-pages=\"(\\d+)\"")));
    const std::size_t pages = count(html, "<section class=\"page");
    CHECK(pages == manifest["profiles"].size() + 2 + std::stoul(annex[1].str()));
    CHECK(html.find("data-pages=\"" + std::to_string(pages) + "\"") != std::string::npos);
    for (const auto& p : manifest["profiles"]) {
        const std::string name = p["name"];
        INFO(name);
        CHECK(html.find("id=\"profile-" + name + "\"") != std::string::npos);
        CHECK(html.find("<h2>" + p["title"].get<std::string>() + "</h2>") != std::string::npos);
    }
    // The marking heads and foots every page; the author is on the cover and footers.
    CHECK(count(html, "<div class=\"marking\">OFFICIAL-SENSITIVE</div>") == pages);
    CHECK(count(html, "<span class=\"mk\">OFFICIAL-SENSITIVE</span>") == pages);
    CHECK(html.find("by Analysis team") != std::string::npos);
    // Key findings in words; plain-English definitions, not filter expressions.
    CHECK(html.find("<h3>Key findings</h3>") != std::string::npos);
    CHECK(std::regex_search(html, std::regex("Castle ward\u2019s rate of drug possession, [0-9.]+ per 1,000 residents, is "
                                             "significantly above the study area rate of [0-9.]+, the highest of 10 wards")));
    CHECK(html.find("matches regex") == std::string::npos);
    CHECK(html.find("Dwelling burglary in which vehicle keys were taken") != std::string::npos);
    // Public place violence has no residents' denominator: ranked counts, no rate wording.
    const auto ppv = html.substr(html.find("id=\"profile-public-place-violence\""));
    const auto ppv_page = ppv.substr(0, ppv.find("</section>"));
    CHECK(ppv_page.find("Wards: incidents, ranked of 10") != std::string::npos);
    CHECK(ppv_page.find("not computed") == std::string::npos);
    CHECK(ppv_page.find("rate per 1,000") == std::string::npos);
    CHECK(ppv_page.find("Reference rate") == std::string::npos);
    // Ward tables rank among all wards of the area.
    CHECK(html.find("Wards: rate per 1,000 residents, ranked of 10") != std::string::npos);
    // One density image per profile, inline as a PNG data: URI.
    CHECK(count(html, "href=\"data:image/png;base64,iVBORw0KGgo") == manifest["profiles"].size());
    CHECK(count(html, "<table class=\"hotspots\">") == manifest["profiles"].size());
    CHECK(count(html, "<table class=\"areas\">") >= manifest["profiles"].size());  // rows may continue in the annex
    // Hot spots: black outlines on a white casing, white numbered discs (legible in greyscale).
    CHECK(count(html, "class=\"hotspot-casing\"") == count(html, "class=\"hotspot\""));
    CHECK(html.find("class=\"hotspot\" d=") != std::string::npos);
    CHECK(html.find("stroke=\"#08306b\"") == std::string::npos);
    CHECK(count(html, "class=\"methods\"") == manifest["profiles"].size());
    CHECK(count(html, "class=\"north-arrow\"") == manifest["profiles"].size());
    CHECK(count(html, "class=\"scale-bar\"") == manifest["profiles"].size());
    // Ward names label the maps; significance classes are coloured.
    CHECK(html.find(">Castle</text>") != std::string::npos);
    CHECK(html.find("cls c-sig-above\">significantly above") != std::string::npos);
    // The comparison period and change columns.
    CHECK(html.find("Compared with</dt><dd>January 2025 to June 2025") != std::string::npos);
    CHECK(html.find("<th class=\"n\">Change</th>") != std::string::npos);
    // Attribution from the config, caveats, print stylesheet.
    CHECK(html.find("synthetic (hotspot demo town)") != std::string::npos);
    CHECK(html.find("@page{size:A4 landscape") != std::string::npos);
    CHECK(html.find("@media print") != std::string::npos);

    // Nothing outside the file: no http(s)/protocol-relative URL in src/href/url(), no scripts
    // or links to load, and a CSP that forbids everything but inline styles and data: images.
    const std::string no_ns =
        std::regex_replace(html, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
    CHECK(no_ns.find("http://") == std::string::npos);
    CHECK(no_ns.find("https://") == std::string::npos);
    CHECK_FALSE(
        std::regex_search(no_ns, std::regex(R"((src|href)\s*=\s*["']?(//|[a-z]+:(?!image/png)))")));
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.find("@import") == std::string::npos);
    CHECK(html.find("default-src 'none'") != std::string::npos);

    // `hotspot report` gives the same pack (same date), refuses to overwrite without --overwrite.
    const auto again = run_cli("report " + dir.string() + " --out " + (dir / "a.html").string() +
                               " --date \"1 July 2026\"");
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    const auto twice = run_cli("report " + dir.string() + " --out " + (dir / "a.html").string() +
                               " --date \"1 July 2026\"");
    CHECK(twice.exit_code == 4);
    const auto b = run_cli("report " + dir.string() + " --out " + (dir / "b.html").string() +
                           " --date \"1 July 2026\"");
    REQUIRE(b.exit_code == 0);
    CHECK(read_file(dir / "b.html").find("produced 1 July 2026") != std::string::npos);
    // The run's marking and author come from its manifest: a later `hotspot report` without
    // --marking still marks every page (it printed none before the run section kept them).
    CHECK(count(read_file(dir / "b.html"), "<div class=\"marking\">OFFICIAL-SENSITIVE</div>") == pages);
    CHECK(read_file(dir / "b.html").find("by Analysis team") != std::string::npos);
    const auto c = run_cli("report " + dir.string() + " --out " + (dir / "c.html").string() +
                           " --date \"1 July 2026\"");
    CHECK(read_file(dir / "b.html") == read_file(dir / "c.html")); // reproducible
}

TEST_CASE("report: publish mode shows small counts as <N and no points", "[cli-report]") {
    const fs::path dir = fresh_dir("report_publish");
    const auto r =
        run_cli(demo_run + " --report --publish --publish-min-count 10 --out " + dir.string());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string html = read_file(dir / "report.html");
    CHECK(html.find("&lt;10</td>") != std::string::npos);
    CHECK(html.find("Publication version") != std::string::npos);
    // the cover says the threshold was applied to the maps too, with the number
    const auto cover = html.substr(0, html.find("Key findings"));
    CHECK(cover.find("the maps apply the same threshold: density is shaded only where at least 10 incidents "
                     "reach a cell, and every hot spot holds at least 10 incidents") != std::string::npos);
    CHECK(count(html, "<circle") ==
          count(html, "<g class=\"rank\">")); // rank markers only, no points
    CHECK(html.find("class=\"incident") == std::string::npos);
}

TEST_CASE("report: a folder that is not a run is an input error", "[cli-report]") {
    const fs::path dir = fresh_dir("report_empty");
    const auto r = run_cli("report " + dir.string());
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("manifest.json") != std::string::npos);
    CHECK(run_cli("report " + (dir / "nope").string()).exit_code == 2);
}
