#include "terminal.hpp"

#include "signals.hpp"

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace hotspot::cli {

Terminal::Terminal(bool verbose, bool quiet, bool progress_json)
    : m_verbose(verbose), m_quiet(quiet), m_tty(!quiet && !progress_json && isatty(STDERR_FILENO)), m_json(progress_json),
      m_start(std::chrono::steady_clock::now()) {}

double Terminal::elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

Progress Terminal::progress() {
    return [this](double fraction, std::string_view stage) {
        if (cancel_requested()) return false;  // SIGINT/SIGTERM: the engine throws Cancelled
        if (!m_tty && !m_json) return true;
        const int pct = int(fraction * 100.0);
        if (pct == m_last_percent && stage == m_last_stage) return true;
        m_last_percent = pct;
        m_last_stage = std::string(stage);
        if (m_json) {
            std::string st;
            for (char c : stage)
                if (c != '"' && c != '\\') st += c;
            std::fprintf(stderr, "{\"progress\":%.2f,\"stage\":\"%s\"}\n", fraction, st.c_str());
            std::fflush(stderr);
            return true;
        }
        std::fprintf(stderr, "\r%-24.*s %3d%%", int(stage.size()), stage.data(), pct);
        if (pct >= 100) clear_bar();
        return true;
    };
}

void Terminal::clear_bar() {
    if (m_tty) std::fprintf(stderr, "\r%40s\r", "");
}

void Terminal::verbose(std::string_view stage, std::string_view text) const {
    if (!m_verbose) return;
    const int s = int(elapsed_s());
    std::fprintf(stderr, "[%02d:%02d] %.*s: %.*s\n", s / 60, s % 60, int(stage.size()),
                 stage.data(), int(text.size()), text.data());
}

void Terminal::warn(std::string_view text) const {
    if (m_quiet) return;
    std::cerr << "warning: " << text << "\n";
}

void Terminal::print(std::string_view text) const {
    if (m_quiet) return;
    std::cout << text;
}

} // namespace hotspot::cli
