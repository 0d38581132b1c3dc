#pragma once
// Terminal output of the CLI: a progress bar on stderr (only when stderr is a terminal, and
// only redrawn when the percentage changes) and opt-in verbose lines "[mm:ss] stage: text".

#include <chrono>
#include <string>
#include <string_view>

#include "hotspot/progress.hpp"

namespace hotspot::cli {

class Terminal {
public:
    Terminal(bool verbose, bool quiet, bool progress_json = false);
    /// A progress callback for the engine; draws "stage  42%" on a TTY.
    Progress progress();
    /// Verbose line on stderr, prefixed with the elapsed time.
    void verbose(std::string_view stage, std::string_view text) const;
    /// Warning on stderr (unless quiet).
    void warn(std::string_view text) const;
    /// Summary text on stdout (unless quiet).
    void print(std::string_view text) const;
    double elapsed_s() const;

private:
    void clear_bar();
    bool m_verbose, m_quiet, m_tty, m_json;
    int m_last_percent = -1;
    std::string m_last_stage;
    std::chrono::steady_clock::time_point m_start;
};

/// The end of a single command: its job's warnings on stderr, then its summary on stdout.
/// @returns the exit code of a command that succeeded (0).
template <class JobResult>
int report_done(const Terminal& term, const JobResult& r) {
    for (const auto& w : r.warnings) term.warn(w);
    term.print(r.summary());
    return 0;
}

} // namespace hotspot::cli
