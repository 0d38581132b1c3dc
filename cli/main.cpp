// hotspot: parse the command line, run one command, map the outcome to an exit code.
// The exit codes are hotspot::ExitCode (error.hpp) and README.md's table.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <map>
#include <memory>

#include "command.hpp"
#include "pg_out.hpp"
#include "signals.hpp"
#include "usage.hpp"
#include "hotspot/error.hpp"
#include "hotspot/version.hpp"

int main(int argc, char** argv) {
    using namespace hotspot;
    cli::install_signal_handling();  // before any thread: SIGINT/SIGTERM cancel (exit 5)
    cli::GlobalOptions global;
    for (int i = 0; i < argc; ++i) global.command_line += (i ? " " : "") + std::string(argv[i]);

    CLI::App app{"hotspot: crime hot spot maps from police incident records"};
    app.set_version_flag("--version", std::string("hotspot ") + hotspot::version);
    app.require_subcommand(1);
    app.add_flag("-v,--verbose", global.verbose, "Print each stage with elapsed time on stderr");
    app.add_flag("-q,--quiet", global.quiet, "Print nothing but errors");
    app.add_option("--threads", global.threads, "Threads to use (default: all cores)");
    app.add_flag("--progress-json", global.progress_json,
                 "Report progress as {\"progress\":0.42,\"stage\":\"kde\"} lines on stderr (for the QGIS plugin)");

    std::map<CLI::App*, cli::RunFn> runners;
    for (const auto& c : cli::commands()) {
        CLI::App* sub = app.add_subcommand(c.name, c.description);
        sub->fallthrough();
        runners[sub] = c.setup(*sub, global);
        cli::add_json_usage(*sub);
    }
    cli::add_json_usage(app);

    // --out PG:... : the command writes to a temporary folder, copied to PostGIS after it.
    std::vector<std::string> args(argv, argv + argc);
    std::unique_ptr<cli::PgOut> pg_out;
    try {
        pg_out = std::make_unique<cli::PgOut>(args);
    } catch (const Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return int(e.exit_code());
    }
    std::vector<char*> args_c;
    for (auto& a : args) args_c.push_back(a.data());

    try {
        app.parse(argc, args_c.data());
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : int(ExitCode::usage);
    }

    try {
        for (auto& [sub, run] : runners)
            if (sub->parsed()) {
                const int rc = run();
                return rc == 0 ? pg_out->publish(global) : rc;
            }
        return int(ExitCode::usage);
    } catch (const InputError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return int(e.exit_code());
    } catch (const OutputError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return int(e.exit_code());
    } catch (const Cancelled& e) {
        std::cerr << "error: " << e.what() << " (" << (*cli::cancel_signal_name() ? cli::cancel_signal_name() : "by request")
                  << "); temporaries removed, no output written\n";
        return int(e.exit_code());
    } catch (const Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return int(e.exit_code());
    } catch (const std::bad_alloc&) {
        std::cerr << "error: out of memory; use a larger cell size, a smaller extent or fewer "
                     "incidents\n";
        return int(ExitCode::internal);
    } catch (const std::exception& e) {
        std::cerr << "error: internal: " << e.what()
                  << "\n(this is a bug in hotspot; please report it with the command line)\n";
        return int(ExitCode::internal);
    }
}
