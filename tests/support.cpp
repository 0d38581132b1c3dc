#include "support.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace hotspot::test {

fs::path source_dir() { return HOTSPOT_SOURCE_DIR; }

fs::path shared_data() {
    if (const char* env = std::getenv("HOTSPOT_SHARED_DATA")) return env;
    fs::path p = source_dir().parent_path() / "shared" / "data";
    return fs::exists(p / "boundaries") ? p : fs::path();
}

fs::path fresh_dir(const std::string& name) {
    fs::path p = fs::path(HOTSPOT_TEST_TMP) / name;
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

void write_file(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream f(path, std::ios::binary);
    f << text;
}

std::string read_file(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

CliResult run_cli(const std::string& args) {
    static int counter = 0;
    const fs::path dir = fs::path(HOTSPOT_TEST_TMP) / "cli-capture";
    fs::create_directories(dir);
    // ctest -j runs several test processes at once, each with its own counter: the pid keeps
    // their capture files apart
    const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(++counter);
    const fs::path out = dir / ("out" + tag + ".txt");
    const fs::path err = dir / ("err" + tag + ".txt");
    const std::string cmd = std::string("'") + HOTSPOT_CLI + "' " + args + " >'" + out.string() +
                            "' 2>'" + err.string() + "' </dev/null";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    std::error_code ec;  // pid-named files would pile up run after run
    fs::remove(out, ec);
    fs::remove(err, ec);
    return r;
}

} // namespace hotspot::test
