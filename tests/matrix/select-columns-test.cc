// Tests of select-feats' column lists and column selection (matrix/select-columns.h).
#include "matrix/select-columns.h"

#include <gtest/gtest.h>

namespace tdnas {
namespace {

TEST(SelectColumns, ParsesListsAndRanges) {
  EXPECT_EQ(ParseColumnList("1-3"), (std::vector<int32>{1, 2, 3}));
  EXPECT_EQ(ParseColumnList("0,5,2-3"), (std::vector<int32>{0, 5, 2, 3}));
  EXPECT_EQ(ParseColumnList("7"), (std::vector<int32>{7}));
  EXPECT_THROW(ParseColumnList(""), FatalError);
  EXPECT_THROW(ParseColumnList("3-1"), FatalError);
  EXPECT_THROW(ParseColumnList("1,,2"), FatalError);
  EXPECT_THROW(ParseColumnList("a-b"), FatalError);
}

TEST(SelectColumns, SelectsInOrderAndChecksRange) {
  Matrix<float> m(2, 4);
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 4; c++) m(r, c) = 10 * r + c;
  Matrix<float> out;
  SelectColumns(m, {3, 1, 1}, &out);
  ASSERT_EQ(out.NumRows(), 2);
  ASSERT_EQ(out.NumCols(), 3);
  EXPECT_EQ(out(0, 0), 3);
  EXPECT_EQ(out(1, 1), 11);
  EXPECT_EQ(out(1, 2), 11);
  EXPECT_THROW(SelectColumns(m, {4}, &out), FatalError);
}

}  // namespace
}  // namespace tdnas
