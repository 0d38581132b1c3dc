#pragma once
// SIGINT and SIGTERM (Ctrl-C, `kill`, the QGIS plugin's Cancel): the command stops at the
// engine's next progress call (the callback returns false, the engine throws Cancelled),
// unwinding removes every temporary, and main() exits 5. A watchdog thread waits for the
// signals (they are blocked in every other thread); if the engine does not reach a progress
// call within a few seconds, or a second signal comes, it removes the registered temporaries
// itself and exits 5.

namespace hotspot::cli {

/// Blocks SIGINT/SIGTERM/SIGHUP in this thread (and so in every thread started later) and
/// starts the watchdog. Call first thing in main(), before any thread exists.
void install_signal_handling();

/// Whether a cancelling signal has arrived.
bool cancel_requested() noexcept;

/// The name of the signal received ("SIGINT"), or "" when none.
const char* cancel_signal_name() noexcept;

} // namespace hotspot::cli
