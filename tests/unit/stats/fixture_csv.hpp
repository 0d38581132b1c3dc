#pragma once
// Reads the R fixtures of tests/fixtures/stats (plain CSV, one header line, "NA" for missing,
// double-quoted fields without embedded quotes).

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../../support.hpp"

namespace hotspot::test {

class FixtureCsv {
public:
    explicit FixtureCsv(const std::string& name) : m_name(name) {
        const auto path = source_dir() / "tests" / "fixtures" / "stats" / name;
        std::ifstream f(path);
        if (!f) FAIL("fixture missing: " << path);
        std::string line;
        std::getline(f, line);
        const auto head = split(line);
        for (std::size_t k = 0; k < head.size(); ++k) m_col[head[k]] = k;
        while (std::getline(f, line))
            if (!line.empty()) m_rows.push_back(split(line));
    }
    std::size_t rows() const { return m_rows.size(); }
    const std::string& text(std::size_t row, const std::string& col) const {
        const auto it = m_col.find(col);
        if (it == m_col.end()) FAIL(m_name << ": no column " << col);
        return m_rows.at(row).at(it->second);
    }
    double num(std::size_t row, const std::string& col) const {
        const auto& t = text(row, col);
        return t == "NA" ? std::numeric_limits<double>::quiet_NaN() : std::stod(t);
    }
    std::vector<double> column(const std::string& col) const {
        std::vector<double> v;
        for (std::size_t r = 0; r < rows(); ++r) v.push_back(num(r, col));
        return v;
    }
    const std::string& name() const { return m_name; }

private:
    static std::vector<std::string> split(const std::string& line) {
        std::vector<std::string> out;
        std::string cur;
        bool quoted = false;
        for (char c : line) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { out.push_back(cur); cur.clear(); }
            else if (c != '\r') cur += c;
        }
        out.push_back(cur);
        return out;
    }
    std::string m_name;
    std::map<std::string, std::size_t> m_col;
    std::vector<std::vector<std::string>> m_rows;
};

/// |a − b| ≤ tol · max(1, |b|), both NaN counts as equal.
inline bool close(double a, double b, double tol = 1e-9) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

} // namespace hotspot::test
