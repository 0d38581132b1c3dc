// `hotspot run` stopped at several points by SIGINT, SIGTERM (the QGIS plugin's Cancel) and
// SIGKILL (issue 14): nothing ever appears under the final name, SIGINT and SIGTERM exit 5 and
// remove their temporaries, the next run sweeps what a SIGKILL left and succeeds without
// --overwrite. The points are timed by the run's own --progress-json lines.

#include <catch2/catch.hpp>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.hpp"

extern char** environ;

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

struct Stopped {
    bool interrupted = false;  ///< the signal came before the run ended
    int exit_code = -1;        ///< when it exited
    int signal = 0;            ///< when a signal ended it
    std::string err;
};

/// Runs the CLI with --progress-json and sends `sig` once `lines` progress lines have come.
/// The pipe is drained to the end, so the run never blocks on it.
Stopped stop_after(const std::vector<std::string>& args, int lines, int sig) {
    std::vector<std::string> argv_s{HOTSPOT_CLI, "--progress-json"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, HOTSPOT_CLI, &fa, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    Stopped s;
    int seen = 0;
    bool sent = false;
    char buf[4096];
    ssize_t got;
    while ((got = read(fds[0], buf, sizeof buf)) > 0) {
        s.err.append(buf, std::size_t(got));
        if (sent) continue;
        for (ssize_t i = 0; i < got; ++i) seen += buf[i] == '\n';
        if (seen >= lines) {
            kill(pid, sig);
            sent = true;
        }
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) s.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
    s.interrupted = sent && !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return s;
}

std::vector<std::string> hidden(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().rfind(".", 0) == 0) out.push_back(e.path().filename().string());
    return out;
}

/// One planned stop: the signal and after how many progress lines it is sent.
struct StopPlan {
    int sig;
    int point;
};

/// Stops the run as each plan says and checks what it leaves. After a SIGKILL (the only signal
/// that leaves temporaries behind) the same run is started again: it needs no --overwrite and
/// sweeps what was left. SIGINT and SIGTERM clean up themselves (checked), so a re-run after them
/// would test nothing new; dropping those re-runs took this test from 9 to 2 full runs (CI time).
/// Returns how many runs were interrupted (the others ended before the signal came).
int stop_and_rerun(const std::vector<std::string>& run_args, const fs::path& dir, const fs::path& out,
                   const std::vector<StopPlan>& plans) {
    int interrupted = 0;
    for (const auto& [sig, point] : plans) {
        INFO("signal " << sig << " after " << point << " progress lines");
        const Stopped s = stop_after(run_args, point, sig);
        INFO(s.err);
        if (!s.interrupted) {
            // It finished first: then the pack is whole.
            REQUIRE(s.exit_code == 0);
            CHECK(fs::exists(out / "manifest.json"));
            fs::remove_all(out);
            continue;
        }
        ++interrupted;
        CHECK_FALSE(fs::exists(out));  // nothing under the final name
        if (sig != SIGKILL) {
            CHECK(s.exit_code == 5);
            CHECK(s.err.find("cancelled") != std::string::npos);
            CHECK(hidden(dir).empty());  // temporaries and lock removed
            continue;
        }
        CHECK(s.signal == SIGKILL);
        // The corrected (here: the same) run needs no --overwrite and sweeps what was left.
        std::string cmd;
        for (const auto& a : run_args) cmd += "'" + a + "' ";
        const auto again = test::run_cli(cmd);
        INFO(again.err);
        REQUIRE(again.exit_code == 0);
        CHECK(fs::exists(out / "manifest.json"));
        CHECK(hidden(dir).empty());
        fs::remove_all(out);
    }
    return interrupted;
}

} // namespace

TEST_CASE("faults: hotspot run stopped by SIGINT, SIGTERM or SIGKILL leaves no pack and no temporaries",
          "[faults-run]") {
    const auto dir = test::fresh_dir("faults-run");
    const auto out = dir / "pack";
    const std::vector<std::string> args{"run", (test::source_dir() / "examples" / "demo.toml").string(), "--out",
                                        out.string()};
    // 1: while reading; 3 and 5: as the first and second profiles start (the demo run reports
    // read, geocode, each of its four profiles, finish). Each point meets SIGKILL once, and
    // SIGINT or SIGTERM once.
    const int interrupted = stop_and_rerun(
        args, dir, out, {{SIGINT, 1}, {SIGTERM, 3}, {SIGINT, 5}, {SIGKILL, 1}, {SIGKILL, 3}, {SIGKILL, 5}});
    CHECK(interrupted >= 4);
}

TEST_CASE("faults: a single command stopped by SIGTERM exits 5 and leaves no output and no temporary",
          "[faults-run]") {
    const auto dir = test::fresh_dir("faults-kde-term");
    const auto out = dir / "heat.tif";
    const auto demo = test::source_dir() / "shapes" / "demo";
    // a 2 m grid: long enough to be stopped while it computes or writes
    const Stopped s = stop_after({"kde", "--incidents", (demo / "incidents.csv").string(), "--crs", "EPSG:27700",
                                  "--areas", "study=" + (demo / "wards.geojson").string(), "--bandwidth", "20", "--cell",
                                  "2", "--png", "--out", out.string()},
                                 2, SIGTERM);
    INFO(s.err);
    REQUIRE(s.interrupted);
    CHECK(s.exit_code == 5);
    CHECK(fs::is_empty(dir));
}

TEST_CASE("faults: the Leicestershire run stopped by signals leaves no pack", "[data-leics-faults]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const auto dir = test::fresh_dir("faults-leics");
    const auto out = dir / "pack";
    // The acceptance config with the backtests off: they are most of the run's time (about 40 s
    // a profile on this machine) and none of what this test checks (signals, staging, sweeping).
    // The copy sits in its own folder, so its data paths are made absolute.
    std::string config = test::read_file(test::source_dir() / "examples" / "leicestershire.toml");
    const std::string rel = "../../shared/data";
    for (auto at = config.find(rel); at != std::string::npos; at = config.find(rel, at))
        config.replace(at, rel.size(), test::shared_data().string());
    const auto analysis = config.find("[analysis]\n");
    REQUIRE(analysis != std::string::npos);
    config.insert(analysis + 11, "backtest = false\n");
    const auto config_path = test::fresh_dir("faults-leics-config") / "leicestershire.toml";
    test::write_file(config_path, config);
    const std::vector<std::string> args{"run", config_path.string(), "--out", out.string()};
    // 2: while the 29 months are read; 33: as the second profile starts (of 35 lines). One full
    // re-run, after the SIGKILL (the demo test covers every signal at every point).
    const int interrupted = stop_and_rerun(args, dir, out, {{SIGINT, 2}, {SIGTERM, 33}, {SIGKILL, 33}});
    CHECK(interrupted >= 2);
}
