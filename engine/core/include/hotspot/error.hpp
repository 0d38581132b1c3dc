#pragma once
/// @file error.hpp
/// Typed errors of the engine. The engine throws; the CLI's main() is the one place that
/// turns them into text and an exit code (see exit_code()). Every message starts with the
/// unit that raised it ("kde: bandwidth must be > 0 m (got 0)").

#include <cstdint>
#include <stdexcept>
#include <string>

namespace hotspot {

/// Exit codes of the `hotspot` CLI (documented in README.md).
enum class ExitCode : int {
    ok = 0,        ///< success
    internal = 1,  ///< a bug or an unexpected failure
    usage = 2,     ///< bad command line or option value
    input = 3,     ///< an input file is missing, unreadable or malformed
    output = 4,    ///< an output cannot be written (exists, unwritable, disk full)
    cancelled = 5, ///< the progress callback asked to stop
};

/// Base of every engine error: "unit: message".
class Error : public std::runtime_error {
public:
    Error(std::string unit, const std::string& message)
        : std::runtime_error(unit + ": " + message), m_unit(std::move(unit)) {}
    const std::string& unit() const noexcept { return m_unit; }
    virtual ExitCode exit_code() const noexcept { return ExitCode::internal; }

private:
    std::string m_unit;
};

/// An option value that cannot be used (bad bandwidth, grid too large, unknown kernel...).
class UsageError : public Error {
public:
    using Error::Error;
    ExitCode exit_code() const noexcept override { return ExitCode::usage; }
};

/// A problem in an input file. Carries the file, the 1-based line (0 when not known) and the
/// field (empty when not known); the message reads "unit: FILE:LINE: field 'F': what".
class InputError : public Error {
public:
    InputError(std::string unit, std::string file, std::uint64_t line, std::string field,
               const std::string& what)
        : Error(std::move(unit), locate(file, line, field) + what), m_file(std::move(file)),
          m_line(line), m_field(std::move(field)) {}
    InputError(std::string unit, std::string file, const std::string& what)
        : InputError(std::move(unit), std::move(file), 0, "", what) {}
    const std::string& file() const noexcept { return m_file; }
    std::uint64_t line() const noexcept { return m_line; }
    const std::string& field() const noexcept { return m_field; }
    ExitCode exit_code() const noexcept override { return ExitCode::input; }

private:
    static std::string locate(const std::string& file, std::uint64_t line, const std::string& field) {
        std::string s;
        if (!file.empty()) {
            s.append(file);
            if (line) s.append(":").append(std::to_string(line));
            s.append(": ");
        }
        if (!field.empty()) s.append("field '").append(field).append("': ");
        return s;
    }
    std::string m_file;
    std::uint64_t m_line;
    std::string m_field;
};

/// An output that cannot be written. `path` is the final name the user asked for.
class OutputError : public Error {
public:
    OutputError(std::string unit, std::string path, const std::string& what)
        : Error(std::move(unit), path + ": " + what), m_path(std::move(path)) {}
    const std::string& path() const noexcept { return m_path; }
    ExitCode exit_code() const noexcept override { return ExitCode::output; }

private:
    std::string m_path;
};

/// The progress callback returned false.
class Cancelled : public Error {
public:
    explicit Cancelled(std::string unit) : Error(std::move(unit), "cancelled") {}
    ExitCode exit_code() const noexcept override { return ExitCode::cancelled; }
};

} // namespace hotspot
