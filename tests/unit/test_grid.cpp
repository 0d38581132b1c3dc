#include <catch2/catch.hpp>
#include <cmath>

#include "hotspot/error.hpp"
#include "hotspot/grid.hpp"

using namespace hotspot;

TEST_CASE("grid origin snaps to a multiple of the cell size", "[grid]") {
    const Bounds b{421003.7, 302991.2, 431017.0, 311004.9};
    const Grid g = Grid::aligned(b, 10);
    CHECK(g.origin_x == 421000.0);
    CHECK(g.origin_y == 311010.0);
    CHECK(std::fmod(g.origin_x, 10.0) == 0.0);
    CHECK(std::fmod(g.origin_y, 10.0) == 0.0);
    // covers the bounds
    CHECK(g.bounds().xmax >= b.xmax);
    CHECK(g.bounds().ymin <= b.ymin);
    CHECK(g.cols == 1002);
    CHECK(g.rows == 802);
}

TEST_CASE("two grids of the same cell size overlay exactly", "[grid]") {
    const Grid a = Grid::aligned({0.3, 0.3, 1000.1, 1000.1}, 25);
    const Grid b = Grid::aligned({333.3, 444.4, 2000, 2000}, 25);
    // the centre of some cell of b falls on the centre of a cell of a
    const double xb = b.x_of_col(3), yb = b.y_of_row(5);
    const auto ca = a.col_of(xb), ra = a.row_of(yb);
    CHECK(a.x_of_col(ca) == Approx(xb).margin(1e-9));
    CHECK(a.y_of_row(ra) == Approx(yb).margin(1e-9));
}

TEST_CASE("cells on edges go east and south", "[grid]") {
    const Grid g = Grid::aligned({0, 0, 100, 100}, 10);
    CHECK(g.col_of(10.0) == 1);
    CHECK(g.row_of(90.0) == 1);  // y = 90 is the edge between row 0 (90..100) and row 1
    CHECK(g.col_of(-0.001) == -1);
}

TEST_CASE("a point on the east or south edge of the extent falls in a cell", "[grid]") {
    // Coordinates rounded to 100 m (grid references) put the extent's edges on cell edges; a
    // point there goes east/south by the half-open rule, so the grid needs that column/row.
    const Bounds b{440000, 300000, 441000, 301000};
    const Grid g = Grid::aligned(b, 100);
    CHECK(g.cols == 11);
    CHECK(g.rows == 11);
    for (double x : {b.xmin, b.xmax})
        for (double y : {b.ymin, b.ymax}) CHECK(g.in_grid(g.col_of(x), g.row_of(y)));
    // Not on an edge: no extra column.
    CHECK(Grid::aligned({440000, 300000, 440950, 300950}, 100).cols == 10);
}

TEST_CASE("absurd grids are refused before allocation", "[grid]") {
    // 10^12 cells: 1,000 km square at 1 m
    CHECK_THROWS_AS(Grid::aligned({0, 0, 1e6, 1e6}, 1.0), UsageError);
    CHECK_THROWS_WITH(Grid::aligned({0, 0, 1e6, 1e6}, 1.0), Catch::Contains("larger cell size"));
    CHECK_THROWS_AS(Grid::aligned({0, 0, 10, 10}, 0.0), UsageError);
    CHECK_THROWS_AS(Grid::aligned({0, 0, 10, 10}, -5.0), UsageError);
    CHECK_THROWS_AS(Grid::aligned({0, 0, 10, 10}, std::nan("")), UsageError);
    CHECK_THROWS_AS(Grid::aligned(Bounds{}, 10.0), UsageError);
}
