// PostGIS in and out against a real server (issue 19). Hidden from a plain hotspot_tests run:
// the CTest entry `postgis` (tests/postgis/run_postgis_tests.sh) starts a throwaway server,
// passes its connection in HOTSPOT_PG and runs "[postgis]"; without the Debian packages that
// entry reports skipped (exit 77).

#include <catch2/catch.hpp>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_api.h>

#include "hotspot/error.hpp"
#include "hotspot/postgis_out.hpp"
#include "hotspot/vector_out.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace hotspot;

namespace {

std::string server() {
    const char* c = std::getenv("HOTSPOT_PG");
    if (!c || !*c) FAIL("HOTSPOT_PG is not set: run these through ctest -R postgis (tests/postgis/run_postgis_tests.sh)");
    // Read back every table of a schema, with or without geometry (GDAL lists only spatial ones by default).
    CPLSetConfigOption("PG_LIST_ALL_TABLES", "YES");
    return c;
}

// One statement through GDAL; the first column of the first row ("" when none).
std::string sql(const std::string& conn, const std::string& statement) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(conn.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, statement.c_str(), nullptr, nullptr);
    INFO(statement << ": " << CPLGetLastErrorMsg());
    CHECK(CPLGetLastErrorType() < CE_Failure);
    std::string v;
    if (r) {
        if (OGRFeatureH f = OGR_L_GetNextFeature(r)) {
            v = OGR_F_GetFieldAsString(f, 0);
            OGR_F_Destroy(f);
        }
        GDALDatasetReleaseResultSet(ds, r);
    }
    GDALClose(ds);
    return v;
}

std::string literal(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += (c == '\'' ? std::string("''") : std::string(1, c));
    return q + "'";
}

// ogr2ogr as a library call: `src` (with open options) into `dst` (format `format`).
void translate(const std::string& dst, const std::string& src, std::vector<std::string> args,
               std::vector<std::string> open_options = {}) {
    GDALAllRegister();
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> oo;
    for (auto& o : open_options) oo.push_back(o.data());
    oo.push_back(nullptr);
    GDALDatasetH in = GDALOpenEx(src.c_str(), GDAL_OF_VECTOR, nullptr, oo.data(), nullptr);
    REQUIRE(in);
    GDALVectorTranslateOptions* o = GDALVectorTranslateOptionsNew(argv.data(), nullptr);
    REQUIRE(o);
    int usage_error = 0;
    GDALDatasetH out = GDALVectorTranslate(dst.c_str(), nullptr, 1, &in, o, &usage_error);
    INFO(src << " -> " << dst << ": " << CPLGetLastErrorMsg());
    REQUIRE(out);
    GDALClose(out);
    GDALClose(in);
    GDALVectorTranslateOptionsFree(o);
}

} // namespace

TEST_CASE("postgis: incidents from a table, every run layer to a schema, same as the file run", "[.][postgis]") {
    const std::string conn = server();
    const fs::path dir = test::fresh_dir("postgis_roundtrip");
    REQUIRE(test::run_cli("demo-data --out " + (dir / "demo").string() + " --incidents 1500").exit_code == 0);
    // The same rows in a GeoPackage (the file run's input) and in PostGIS tables.
    translate((dir / "inc.gpkg").string(), (dir / "demo/incidents.csv").string(),
              {"-f", "GPKG", "-nln", "incidents", "-a_srs", "EPSG:27700"},
              {"X_POSSIBLE_NAMES=easting", "Y_POSSIBLE_NAMES=northing", "KEEP_GEOM_COLUMNS=NO"});
    sql(conn, "CREATE SCHEMA IF NOT EXISTS src");
    translate(conn, (dir / "inc.gpkg").string(), {"-f", "PostgreSQL", "-nln", "incidents", "-lco", "SCHEMA=src"});
    REQUIRE(sql(conn, "SELECT count(*) FROM src.incidents") == "1508");

    const std::string common = " --crs EPSG:27700 --profiles all-crime --period-from 2025-07 --period-to 2025-12"
                               " --population ward=" + (dir / "demo/ward_population.csv").string() +
                               " --where \"category <> 'Drugs'\"";
    const auto file_run = test::run_cli("run --incidents " + (dir / "inc.gpkg").string() + " --areas ward=" +
                                        (dir / "demo/wards.geojson").string() + ":ward_code:ward_name --out " +
                                        (dir / "file").string() + common);
    INFO(file_run.err);
    REQUIRE(file_run.exit_code == 0);
    const auto pg_run = test::run_cli(
        "run --incidents " + test::quoted(conn + "|layername=src.incidents") +
        " --areas ward=" + (dir / "demo/wards.geojson").string() + ":ward_code:ward_name --out " +
        test::quoted(conn + " schema=run_out") + common);
    INFO(pg_run.err);
    REQUIRE(pg_run.exit_code == 0);
    CHECK(pg_run.err.find("in one transaction") != std::string::npos);

    auto from_file = test::read_all_layers(dir / "file/hotspot_run.gpkg");
    auto from_pg = test::read_all_layers(conn + " schemas=run_out");
    REQUIRE(from_file.size() >= 10);
    REQUIRE(from_pg.size() == from_file.size());
    for (auto& [name, rows] : from_file) {
        INFO("layer " << name);
        REQUIRE(from_pg.count(name) == 1);
        auto& pg_rows = from_pg[name];
        REQUIRE(pg_rows.size() == rows.size());
        // source_file names the source: the file's name, or the PG: connection and table.
        const auto& header = rows[0];
        for (std::size_t c = 0; c < header.size(); ++c) {
            if (header[c] != "source_file") continue;
            for (std::size_t r = 1; r < rows.size(); ++r) {
                CHECK(rows[r][c + 1] == "inc.gpkg");
                CHECK(pg_rows[r][c + 1].find("layername=src.incidents") != std::string::npos);
                rows[r][c + 1] = pg_rows[r][c + 1];
            }
        }
        CHECK(pg_rows == rows);  // every field of every feature, FID and geometry (full-precision WKT)
    }
    // --where ran: no Drugs row is in the incidents layer of either run.
    for (const auto& row : from_pg["all_crime_incidents"]) CHECK(row[3] != "Drugs");
    CHECK(from_pg["all_crime_incidents"].size() > 500);
}

TEST_CASE("postgis: areas from a table, chosen by |layername= with their fields, filtered by --areas-where on the server", "[.][postgis]") {
    const std::string conn = server();
    const fs::path dir = test::fresh_dir("postgis_areas");
    const fs::path cases = test::source_dir() / "tests" / "cases" / "15-mixed-vintages";
    sql(conn, "CREATE SCHEMA IF NOT EXISTS areas19");
    translate(conn, (cases / "lsoa11.geojson").string(),
              {"-f", "PostgreSQL", "-nln", "lsoa11", "-lco", "SCHEMA=areas19", "-overwrite"});
    REQUIRE(sql(conn, "SELECT count(*) FROM areas19.lsoa11") == "4");
    const std::string common =
        "rates --incidents " + (cases / "incidents.csv").string() + " --crs EPSG:27700 --areas " +
        test::quoted("lsoa=" + conn + "|layername=areas19.lsoa11:lsoa11cd:lsoa11nm") +
        " --population lsoa=" + (cases / "pop_messy.csv").string();
    const auto all = test::run_cli(common + " --out " + (dir / "all.gpkg").string());
    INFO(all.err);
    REQUIRE(all.exit_code == 0);
    const auto some = test::run_cli(common + " --areas-where \"lsoa=lsoa11cd <> 'E01090004'\" --out " + (dir / "some.gpkg").string());
    INFO(some.err);
    REQUIRE(some.exit_code == 0);
    std::vector<std::string> codes_all, codes_some;
    test::for_each_feature(dir / "all.gpkg", "lsoa_rates", [&](OGRFeatureH f, const test::FieldIndex& fi) {
        codes_all.push_back(OGR_F_GetFieldAsString(f, fi("code")));
    });
    test::for_each_feature(dir / "some.gpkg", "lsoa_rates", [&](OGRFeatureH f, const test::FieldIndex& fi) {
        codes_some.push_back(OGR_F_GetFieldAsString(f, fi("code")));
    });
    CHECK(codes_all == std::vector<std::string>{"E01090001", "E01090002", "E01090003", "E01090004"});
    CHECK(codes_some == std::vector<std::string>{"E01090001", "E01090002", "E01090003"});
    // A column the table lacks: the server's error, named, exit 3.
    const auto bad = test::run_cli(common + " --areas-where \"lsoa=nosuch = 1\" --out " + (dir / "bad.gpkg").string());
    CHECK(bad.exit_code == 3);
}

TEST_CASE("postgis: a run that fails midway leaves the previous tables as they were", "[.][postgis]") {
    const std::string conn = server();
    const fs::path dir = test::fresh_dir("postgis_rollback");
    REQUIRE(test::run_cli("demo-data --out " + (dir / "demo").string() + " --incidents 1200").exit_code == 0);
    auto run = [&](const std::string& from, const std::string& to, const std::string& extra = "") {
        return test::run_cli("run --incidents " + (dir / "demo/incidents.csv").string() +
                             " --crs EPSG:27700 --profiles all-crime --period-from " + from +
                             " --period-to " + to +
                             " --areas ward=" + (dir / "demo/wards.geojson").string() +
                             ":ward_code:ward_name --population ward=" +
                             (dir / "demo/ward_population.csv").string() + " --out " +
                             test::quoted(conn + " schema=kept") + extra);
    };
    REQUIRE(run("2025-07", "2025-12").exit_code == 0);
    const auto again = run("2025-07", "2025-12");  // tables exist: refused without --overwrite
    CHECK(again.exit_code == 4);
    CHECK(again.err.find("--overwrite") != std::string::npos);
    // Midway failure: the last layer's name is taken by a view, which a table cannot replace,
    // so the second run fails after it has already replaced the earlier tables in its transaction.
    sql(conn, "DROP TABLE kept.all_crime_hotspots_change");
    sql(conn, "CREATE VIEW kept.all_crime_hotspots_change AS SELECT 1 AS marker");
    const auto before = test::read_all_layers(conn + " schemas=kept");
    REQUIRE(before.count("all_crime_ward_rates") == 1);
    const auto second = run("2025-01", "2025-06", " --overwrite");  // other months: every table would change
    CHECK(second.exit_code == 4);
    CHECK(second.err.find("rolled back") != std::string::npos);
    CHECK(second.err.find("all_crime_hotspots_change") != std::string::npos);
    const auto after = test::read_all_layers(conn + " schemas=kept");
    CHECK(after == before);
    CHECK(sql(conn, "SELECT marker FROM kept.all_crime_hotspots_change") == "1");
}

TEST_CASE("postgis: a run stopped midway (SIGINT, or killed outright by SIGKILL) leaves the previous tables as they were",
          "[.][postgis]") {
    const std::string conn = server();
    const fs::path dir = test::fresh_dir("postgis_kill");
    REQUIRE(test::run_cli("demo-data --out " + (dir / "demo").string() + " --incidents 1200").exit_code == 0);
    const std::vector<std::string> args{
        "run", "--incidents", (dir / "demo/incidents.csv").string(), "--crs", "EPSG:27700", "--profiles", "all-crime",
        "--period-from", "2025-07", "--period-to", "2025-12", "--areas",
        "ward=" + (dir / "demo/wards.geojson").string() + ":ward_code:ward_name", "--population",
        "ward=" + (dir / "demo/ward_population.csv").string(), "--out", conn + " schema=killed"};
    std::string first;
    for (const auto& a : args) first += test::quoted(a) + " ";
    REQUIRE(test::run_cli(first).exit_code == 0);
    const auto before = test::read_all_layers(conn + " schemas=killed");
    REQUIRE(before.count("all_crime_ward_rates") == 1);
    REQUIRE(before.count("all_crime_hotspots_change") == 1);

    for (const int sig : {SIGINT, SIGKILL}) {
        INFO("signal " << sig);
        // Another session holds the last table: the run replaces the earlier tables inside its
        // transaction, then waits for that lock; the signal comes while it waits, mid-copy.
        GDALDatasetH locker = GDALOpenEx(conn.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr);
        REQUIRE(locker);
        REQUIRE(GDALDatasetStartTransaction(locker, FALSE) == OGRERR_NONE);
        OGRLayerH r = GDALDatasetExecuteSQL(locker, "LOCK TABLE killed.all_crime_hotspots_change IN ACCESS EXCLUSIVE MODE",
                                            nullptr, nullptr);
        if (r) GDALDatasetReleaseResultSet(locker, r);

        // Other months (every table would change), --overwrite.
        std::vector<std::string> argv_s{HOTSPOT_CLI, "--progress-json"};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        for (std::size_t i = 0; i + 1 < argv_s.size(); ++i) {
            if (argv_s[i] == "--period-from") argv_s[i + 1] = "2025-01";
            if (argv_s[i] == "--period-to") argv_s[i + 1] = "2025-06";
        }
        argv_s.push_back("--overwrite");
        std::vector<char*> argv;
        for (auto& a : argv_s) argv.push_back(a.data());
        argv.push_back(nullptr);
        const std::string err_path = (dir / ("stderr" + std::to_string(sig) + ".txt")).string();
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        pid_t pid = 0;
        REQUIRE(posix_spawn(&pid, HOTSPOT_CLI, &fa, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);

        // Wait until the run's session waits on the lock (at most 120 s).
        bool waiting = false;
        for (int i = 0; i < 1200 && !waiting; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            waiting = sql(conn, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") != "0";
            int st = 0;
            if (!waiting && waitpid(pid, &st, WNOHANG) == pid) FAIL("the run ended before it reached the locked table");
        }
        REQUIRE(waiting);
        kill(pid, sig);
        if (sig == SIGKILL) {
            int st = 0;
            REQUIRE(waitpid(pid, &st, 0) == pid);
            CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
        }
        // Release the lock: the run's session gets it; killed, its connection is gone and the
        // server rolls its transaction back; stopped by SIGINT, the run rolls back and exits 5.
        GDALDatasetRollbackTransaction(locker);
        GDALClose(locker);
        if (sig == SIGINT) {
            int st = 0;
            REQUIRE(waitpid(pid, &st, 0) == pid);
            std::ifstream ef(err_path);
            const std::string err((std::istreambuf_iterator<char>(ef)), std::istreambuf_iterator<char>());
            INFO(err);
            CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 5));
            CHECK(err.find("cancelled") != std::string::npos);
            CHECK(err.find("\"stage\":\"postgis\"") != std::string::npos);
        }
        // Wait for the server to finish the killed session (at most 60 s), then compare.
        for (int i = 0; i < 600; ++i) {
            if (sql(conn, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                          "AND pid <> pg_backend_pid()") == "0")
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        const auto after = test::read_all_layers(conn + " schemas=killed");
        CHECK(after == before);
    }
}

TEST_CASE("postgis: schema and table names with quotes and semicolons are names, not SQL", "[.][postgis]") {
    const std::string conn = server();
    const fs::path dir = test::fresh_dir("postgis_injection");
    sql(conn, "CREATE TABLE IF NOT EXISTS public.victim (id integer)");
    const std::string evil_table = "t\"; DROP TABLE victim; --";
    const std::string evil_schema = "s'; DROP TABLE public.victim; --\"x";
    {
        VectorWriter w((dir / "evil.gpkg").string(), "EPSG:27700", true);
        w.begin_layer(evil_table, GeomType::point, {{"n", FieldType::integer}});
        w.set_integer(0, 7);
        w.set_point(450000, 300000);
        w.write_feature();
        w.commit();
    }
    // The target as a user writes it on the command line: libpq quoting of the value.
    std::string quoted;
    for (char c : evil_schema) quoted += (c == '\'' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    const PgTarget target = parse_pg_target(conn + " schema='" + quoted + "'");
    REQUIRE(target.schema == evil_schema);
    REQUIRE(target.connection == conn);
    const auto tables = copy_layers_to_postgis({(dir / "evil.gpkg").string()}, target);
    REQUIRE(tables == std::vector<std::string>{evil_table});
    CHECK(sql(conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'victim'") == "1");
    CHECK(sql(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = " + literal(evil_schema) +
                        " AND tablename = " + literal(evil_table)) == "1");
    CHECK(sql(conn, "SELECT n FROM " + pg_quote_identifier(evil_schema) + "." + pg_quote_identifier(evil_table)) == "7");
}

TEST_CASE("postgis: a password never reaches the outputs or the manifest", "[postgis-names]") {
    CHECK(pg_redacted("PG:dbname=x password=s3cret host=h") == "PG:dbname=x password=*** host=h");
    CHECK(pg_redacted("PG:dbname=x password='a b\\' c'|layername=t") == "PG:dbname=x password=***|layername=t");
    CHECK(pg_redacted("x/password=1.csv") == "x/password=1.csv");
    CHECK(source_label("/data/in/incidents.csv") == "incidents.csv");
    CHECK(pg_quote_identifier("a\"b") == "\"a\"\"b\"");
    const auto t = parse_pg_target("PG:dbname=x schema=out host=h");
    CHECK(t.connection == "PG:dbname=x host=h");
    CHECK(t.schema == "out");
    CHECK(parse_pg_target("PG:dbname=x").schema == "public");
    CHECK_THROWS_AS(parse_pg_target("PG:dbname=x schema='open"), UsageError);
}
