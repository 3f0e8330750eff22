// Offsets to lines and columns, including UTF-8 and CRLF, and loading files from disk.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "ir/diag/SourceManager.h"

namespace flyte {
namespace {

// Compares a LineColumn with an expected (line, column) pair in one readable assertion.
::testing::AssertionResult At(const LineColumn& lc, uint32_t line, uint32_t column) {
  if (lc.line == line && lc.column == column) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "got " << lc.line << ":" << lc.column << ", want " << line << ":" << column;
}

TEST(SourceManager, MapsOffsetsToLinesAndColumns) {
  SourceManager sm;
  FileId f = sm.add_buffer("a.flyte", "ab\ncd\n\nef");
  EXPECT_TRUE(At(sm.line_column(f, 0), 1, 1));
  EXPECT_TRUE(At(sm.line_column(f, 1), 1, 2));
  EXPECT_TRUE(At(sm.line_column(f, 2), 1, 3));  // the newline itself ends line 1
  EXPECT_TRUE(At(sm.line_column(f, 3), 2, 1));
  EXPECT_TRUE(At(sm.line_column(f, 6), 3, 1));
  EXPECT_TRUE(At(sm.line_column(f, 7), 4, 1));
  EXPECT_TRUE(At(sm.line_column(f, 8), 4, 2));
  EXPECT_EQ(sm.line_count(f), 4u);
  EXPECT_EQ(sm.line_text(f, 1), "ab");
  EXPECT_EQ(sm.line_text(f, 2), "cd");
  EXPECT_EQ(sm.line_text(f, 3), "");
  EXPECT_EQ(sm.line_text(f, 4), "ef");
}

TEST(SourceManager, LineStarts) {
  SourceManager sm;
  FileId f = sm.add_buffer("a.flyte", "ab\ncd\n\nef");
  EXPECT_EQ(sm.line_start(f, 1), 0u);
  EXPECT_EQ(sm.line_start(f, 2), 3u);
  EXPECT_EQ(sm.line_start(f, 3), 6u);
  EXPECT_EQ(sm.line_start(f, 4), 7u);
}

TEST(SourceManager, KeepsNameAndText) {
  SourceManager sm;
  FileId a = sm.add_buffer("a.flyte", "x");
  FileId b = sm.add_buffer("b.flyte", "yz");
  EXPECT_TRUE(a.valid());
  EXPECT_TRUE(b.valid());
  EXPECT_FALSE(a == b);
  EXPECT_EQ(sm.name(a), "a.flyte");
  EXPECT_EQ(sm.name(b), "b.flyte");
  EXPECT_EQ(sm.text(a), "x");
  EXPECT_EQ(sm.text(b), "yz");
  EXPECT_FALSE(FileId{}.valid());
}

TEST(SourceManager, ColumnsCountCodePointsNotBytes) {
  SourceManager sm;
  // "é" is 2 bytes, "→" is 3 bytes, "😀" is 4 bytes.
  std::string text = "é→😀x\n";
  FileId f = sm.add_buffer("u.flyte", text);
  EXPECT_TRUE(At(sm.line_column(f, 0), 1, 1));
  EXPECT_TRUE(At(sm.line_column(f, 2), 1, 2));   // after é
  EXPECT_TRUE(At(sm.line_column(f, 5), 1, 3));   // after →
  EXPECT_TRUE(At(sm.line_column(f, 9), 1, 4));   // after 😀, at x
  EXPECT_TRUE(At(sm.line_column(f, 10), 1, 5));  // the newline
}

TEST(SourceManager, ColumnsOnLaterLinesCountCodePoints) {
  SourceManager sm;
  FileId f = sm.add_buffer("u.flyte", "a\n  \"ünï\" = 1\n");
  // Line 2 starts at offset 2; `=` follows `  "ünï" ` (2 + 5 + 1 code points).
  std::string_view text = sm.text(f);
  auto eq = static_cast<uint32_t>(text.find('='));
  EXPECT_TRUE(At(sm.line_column(f, eq), 2, 9));
}

TEST(SourceManager, CrlfLineText) {
  SourceManager sm;
  FileId f = sm.add_buffer("w.flyte", "let a = 1\r\nlet b = 2\r\n\r\nend");
  EXPECT_EQ(sm.line_count(f), 4u);
  EXPECT_EQ(sm.line_text(f, 1), "let a = 1");
  EXPECT_EQ(sm.line_text(f, 2), "let b = 2");
  EXPECT_EQ(sm.line_text(f, 3), "");
  EXPECT_EQ(sm.line_text(f, 4), "end");
  EXPECT_TRUE(At(sm.line_column(f, 11), 2, 1));
  EXPECT_TRUE(At(sm.line_column(f, 15), 2, 5));
}

TEST(SourceManager, LastLineWithoutNewline) {
  SourceManager sm;
  FileId f = sm.add_buffer("a.flyte", "first\nlast");
  EXPECT_EQ(sm.line_count(f), 2u);
  EXPECT_EQ(sm.line_text(f, 2), "last");
  EXPECT_TRUE(At(sm.line_column(f, 9), 2, 4));
  // The end-of-file offset is on the last line, one past its last character.
  EXPECT_TRUE(At(sm.line_column(f, 10), 2, 5));
}

TEST(SourceManager, TrailingNewlineStartsAnEmptyLastLine) {
  SourceManager sm;
  FileId f = sm.add_buffer("a.flyte", "only\n");
  EXPECT_EQ(sm.line_count(f), 2u);
  EXPECT_EQ(sm.line_text(f, 1), "only");
  EXPECT_EQ(sm.line_text(f, 2), "");
  EXPECT_TRUE(At(sm.line_column(f, 5), 2, 1));
}

TEST(SourceManager, LastLineWithCrButNoNewline) {
  SourceManager sm;
  FileId f = sm.add_buffer("a.flyte", "a\r\nb\r");
  EXPECT_EQ(sm.line_text(f, 2), "b");
}

TEST(SourceManager, EmptyFile) {
  SourceManager sm;
  FileId f = sm.add_buffer("empty.flyte", "");
  EXPECT_EQ(sm.text(f), "");
  EXPECT_EQ(sm.line_count(f), 1u);
  EXPECT_EQ(sm.line_text(f, 1), "");
  EXPECT_EQ(sm.line_start(f, 1), 0u);
  EXPECT_TRUE(At(sm.line_column(f, 0), 1, 1));
}

TEST(SourceManager, OffsetsPastTheEndClampToTheEnd) {
  SourceManager sm;
  FileId f = sm.add_buffer("a.flyte", "ab\ncd");
  EXPECT_TRUE(At(sm.line_column(f, 1000), 2, 3));
}

// A scratch directory for the load_file tests, removed afterwards.
class SourceManagerFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "flytec_sm_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string& p : created_) std::remove(p.c_str());
    ::rmdir((dir_ + "/sub").c_str());
    ::rmdir(dir_.c_str());
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    created_.push_back(path);
    return path;
  }
  std::string dir_;
  std::vector<std::string> created_;
};

TEST_F(SourceManagerFiles, LoadsAFile) {
  std::string path = write("ok.flyte", "module a;\r\nstruct S {}\n");
  SourceManager sm;
  std::string error;
  auto id = sm.load_file(path, error);
  ASSERT_TRUE(id.has_value()) << error;
  EXPECT_EQ(sm.name(*id), path);
  EXPECT_EQ(sm.text(*id), "module a;\r\nstruct S {}\n");
  EXPECT_EQ(sm.line_text(*id, 1), "module a;");
}

TEST_F(SourceManagerFiles, LoadsAnEmptyFile) {
  std::string path = write("empty.flyte", "");
  SourceManager sm;
  std::string error;
  auto id = sm.load_file(path, error);
  ASSERT_TRUE(id.has_value()) << error;
  EXPECT_EQ(sm.text(*id), "");
  EXPECT_EQ(sm.line_count(*id), 1u);
}

TEST_F(SourceManagerFiles, KeepsBinaryBytes) {
  std::string bytes("a\0b\xff\n", 5);
  std::string path = write("bin.flyte", bytes);
  SourceManager sm;
  std::string error;
  auto id = sm.load_file(path, error);
  ASSERT_TRUE(id.has_value()) << error;
  EXPECT_EQ(sm.text(*id), bytes);
}

TEST_F(SourceManagerFiles, MissingFileIsAnError) {
  SourceManager sm;
  std::string error;
  auto id = sm.load_file(dir_ + "/does-not-exist.flyte", error);
  EXPECT_FALSE(id.has_value());
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST_F(SourceManagerFiles, DirectoryIsAnError) {
  ASSERT_EQ(::mkdir((dir_ + "/sub").c_str(), 0700), 0);
  SourceManager sm;
  std::string error;
  auto id = sm.load_file(dir_ + "/sub", error);
  EXPECT_FALSE(id.has_value());
  EXPECT_EQ(error, "is a directory");
}

TEST_F(SourceManagerFiles, FailedLoadAddsNoFile) {
  SourceManager sm;
  std::string error;
  EXPECT_FALSE(sm.load_file(dir_ + "/missing", error).has_value());
  FileId f = sm.add_buffer("next", "x");
  EXPECT_EQ(f.index, 0u);
}

TEST_F(SourceManagerFiles, FifoIsRefusedWithoutWaiting) {
  std::string path = dir_ + "/pipe.flyte";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  created_.push_back(path);
  SourceManager sm;
  std::string error;
  EXPECT_FALSE(sm.load_file(path, error).has_value());  // no writer: must not block
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
}

TEST_F(SourceManagerFiles, DeviceIsRefused) {
  SourceManager sm;
  std::string error;
  EXPECT_FALSE(sm.load_file("/dev/zero", error).has_value());
  EXPECT_EQ(error, "is a device, not a regular file");
}

TEST_F(SourceManagerFiles, FileOverTheLimitIsRefused) {
  std::string path = write("big.flyte", "");  // grown sparse: nothing is written
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(kMaxSourceBytes) + 1), 0);
  SourceManager sm;
  std::string error;
  EXPECT_FALSE(sm.load_file(path, error).has_value());
  EXPECT_NE(error.find("too large"), std::string::npos) << error;
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(kMaxSourceBytes)), 0);
  auto id = sm.load_file(path, error);
  ASSERT_TRUE(id.has_value()) << error;
  EXPECT_EQ(sm.text(*id).size(), kMaxSourceBytes);
}

// Columns are remembered between questions; asking forwards, backwards and on other
// lines in any order gives the same answers as asking each afresh.
TEST(SourceManager, ColumnsInAnyOrder) {
  SourceManager sm;
  std::string line =
      "a\xc3\xa9"
      "b\xe2\x86\x92"
      "c";  // a é b → c
  FileId f = sm.add_buffer("x", line + "\n" + line + "\n");
  // Byte offsets of a, é, b, →, c on each line and the columns they start.
  const uint32_t offsets[] = {0, 1, 3, 4, 7};
  for (int round = 0; round < 2; ++round) {
    for (int k : {4, 0, 2, 3, 1, 4, 4, 2}) {
      for (uint32_t l = 0; l < 2; ++l) {
        uint32_t at = l * static_cast<uint32_t>(line.size() + 1) + offsets[k];
        EXPECT_TRUE(At(sm.line_column(f, at), l + 1, static_cast<uint32_t>(k) + 1)) << at;
      }
    }
  }
}

}  // namespace
}  // namespace flyte
