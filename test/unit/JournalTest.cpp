// The run journal: the line format, reading back through torn, damaged and foreign
// lines, and many threads appending durably at once.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backends/local/runtime/Journal.h"

namespace flyte::rt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A bitwise CRC-32, written independently of the journal's table-driven one.
uint32_t reference_crc32(const std::string& s) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : s) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

void append_raw(const fs::path& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::app) << data;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(text.substr(start, nl - start));
  }
  return lines;
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "journal-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "journal.jsonl").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Journal> open_journal() {
    std::string error;
    std::unique_ptr<Journal> journal = Journal::open(path_, error);
    EXPECT_NE(journal, nullptr) << error;
    return journal;
  }

  // Writes records {"i": 0} .. {"i": n-1} and closes the journal.
  void write_records(int n) {
    std::unique_ptr<Journal> journal = open_journal();
    for (int i = 0; i < n; ++i) journal->append({{"i", i}});
  }

  std::vector<json> read_back(size_t& skipped) { return Journal::read(path_, skipped); }

  fs::path dir_;
  std::string path_;
};

TEST(Crc32Reference, MatchesTheStandardCheckValue) {
  EXPECT_EQ(reference_crc32("123456789"), 0xCBF43926u);
}

TEST_F(JournalTest, RoundTripsRecordsInOrder) {
  std::vector<json> written = {
      {{"event", "start"}, {"task", "a"}},
      {{"event", "done"}, {"outputs", {{"x", 1.5}, {"y", {1, 2, 3}}}}},
      {{"unicode", "h\u00e9llo \u2603"}, {"nested", {{"deep", {{"er", nullptr}}}}}},
  };
  {
    std::unique_ptr<Journal> journal = open_journal();
    ASSERT_NE(journal, nullptr);
    journal->append(written[0]);
    journal->append(written[1], /*durable=*/false);
    journal->append(written[2]);
  }
  size_t skipped = 99;
  EXPECT_EQ(read_back(skipped), written);
  EXPECT_EQ(skipped, 0u);
}

TEST_F(JournalTest, LinesAreCrcSpaceCompactJson) {
  write_records(3);
  std::string text = read_file(path_);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::vector<std::string> lines = split_lines(text);
  ASSERT_EQ(lines.size(), 3u);
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_GT(lines[i].size(), 9u);
    EXPECT_EQ(lines[i][8], ' ');
    std::string body = lines[i].substr(9);
    EXPECT_EQ(body, json({{"i", i}}).dump());  // compact: no spaces
    char expected[9];
    std::snprintf(expected, sizeof expected, "%08x", reference_crc32(body));
    EXPECT_EQ(lines[i].substr(0, 8), expected);
  }
}

TEST_F(JournalTest, MissingFileReadsAsEmpty) {
  size_t skipped = 99;
  EXPECT_TRUE(Journal::read((dir_ / "absent").string(), skipped).empty());
  EXPECT_EQ(skipped, 0u);
}

TEST_F(JournalTest, OpenFailsWithAnErrorForAnUnwritablePath) {
  std::string error;
  EXPECT_EQ(Journal::open((dir_ / "no" / "such" / "dir" / "j").string(), error), nullptr);
  EXPECT_FALSE(error.empty());
}

TEST_F(JournalTest, TornLastLineIsSkippedAndLaterAppendsReadBack) {
  write_records(3);
  uintmax_t size = fs::file_size(path_);
  fs::resize_file(path_, size - 5);  // cut the last line in the middle

  size_t skipped = 0;
  std::vector<json> records = read_back(skipped);
  EXPECT_EQ(records, (std::vector<json>{{{"i", 0}}, {{"i", 1}}}));
  EXPECT_EQ(skipped, 1u);

  {
    std::unique_ptr<Journal> journal = open_journal();
    ASSERT_NE(journal, nullptr);
    journal->append({{"i", 3}});
  }
  records = read_back(skipped);
  EXPECT_EQ(records, (std::vector<json>{{{"i", 0}}, {{"i", 1}}, {{"i", 3}}}));
  EXPECT_EQ(skipped, 1u);  // the torn line, now ended by a newline, fails its checksum
}

TEST_F(JournalTest, ReopeningAnIntactJournalAddsNothing) {
  write_records(2);
  std::string before = read_file(path_);
  { open_journal(); }
  EXPECT_EQ(read_file(path_), before);
}

TEST_F(JournalTest, FlippedByteSkipsOnlyThatLine) {
  write_records(3);
  std::string text = read_file(path_);
  size_t second = text.find('\n') + 1;
  size_t target = text.find("1", second + 9);  // the value inside {"i":1}
  ASSERT_NE(target, std::string::npos);
  text[target] = '7';
  write_file(path_, text);

  size_t skipped = 0;
  EXPECT_EQ(read_back(skipped), (std::vector<json>{{{"i", 0}}, {{"i", 2}}}));
  EXPECT_EQ(skipped, 1u);
}

TEST_F(JournalTest, DamagedChecksumFieldIsSkipped) {
  write_records(2);
  std::string text = read_file(path_);
  std::string upper = text;
  for (size_t i = 0; i < 8; ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  upper[0] = upper[0] == 'X' ? 'Y' : 'X';  // not a hex digit at all
  write_file(path_, upper);
  size_t skipped = 0;
  EXPECT_EQ(read_back(skipped), (std::vector<json>{{{"i", 1}}}));
  EXPECT_EQ(skipped, 1u);
}

TEST_F(JournalTest, GarbageAndForeignLinesAreSkippedAndCounted) {
  auto line_for = [](const std::string& body) {
    char crc[9];
    std::snprintf(crc, sizeof crc, "%08x", reference_crc32(body));
    return std::string(crc) + " " + body + "\n";
  };
  write_records(1);
  append_raw(path_, line_for("[1,2,3]"));  // right checksum, not an object
  append_raw(path_, line_for("{\"a\":"));  // right checksum, not JSON
  append_raw(path_, line_for("42"));       // right checksum, a scalar
  append_raw(path_, "\n");                 // an empty line
  append_raw(path_, "short\n");            // too short to hold a checksum
  append_raw(path_, "0000000 {}\n");       // seven hex digits
  append_raw(path_, "00000000{}\n");       // no space
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int line = 0; line < 50; ++line) {
    std::string junk;
    for (int i = 0; i < 40; ++i) {
      char c = static_cast<char>(byte(rng));
      junk += c == '\n' ? ' ' : c;
    }
    append_raw(path_, junk + "\n");
  }
  {
    std::unique_ptr<Journal> journal = open_journal();
    ASSERT_NE(journal, nullptr);
    journal->append({{"i", 1}});
  }
  size_t skipped = 0;
  EXPECT_EQ(read_back(skipped), (std::vector<json>{{{"i", 0}}, {{"i", 1}}}));
  EXPECT_EQ(skipped, 57u);
}

TEST_F(JournalTest, NonDurableAppendsAreReadableAfterFlush) {
  std::unique_ptr<Journal> journal = open_journal();
  ASSERT_NE(journal, nullptr);
  for (int i = 0; i < 100; ++i) journal->append({{"i", i}}, /*durable=*/false);
  journal->flush();
  size_t skipped = 0;
  std::vector<json> records = read_back(skipped);  // while the journal is still open
  ASSERT_EQ(records.size(), 100u);
  EXPECT_EQ(records[99], json({{"i", 99}}));
  EXPECT_EQ(skipped, 0u);
}

// A full disk is reported to the caller of each append, naming the journal and saying
// the disk is full; it does not throw, nor flood stderr (at most one warning, for sync).
TEST_F(JournalTest, WriteErrorsAreReturnedNamingTheFullDisk) {
  std::string error;
  std::unique_ptr<Journal> journal = Journal::open("/dev/full", error);
  if (!journal) GTEST_SKIP() << "/dev/full: " << error;
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 5; ++i) {
    std::string why;
    EXPECT_FALSE(journal->append({{"i", i}}, /*durable=*/i % 2 == 0, &why));
    EXPECT_EQ(why, "cannot write '/dev/full': the disk is full (No space left on device)");
  }
  journal->flush();
  journal.reset();
  std::string err = ::testing::internal::GetCapturedStderr();
  size_t count = 0;
  for (size_t at = 0; (at = err.find("flytec: warning: journal: ", at)) != std::string::npos;
       ++at) {
    ++count;
  }
  EXPECT_LE(count, 1u) << err;
}

// A record that fits only in part when the disk fills is cut off again, so that the next
// record, once there is space, starts on a line of its own and is not lost with it.
// Needs root, for a small tmpfs.
TEST_F(JournalTest, APartlyWrittenRecordIsCutOffOnAFullDisk) {
  fs::path mnt = dir_ / "mnt";
  fs::create_directory(mnt);
  std::string mount = "mount -t tmpfs -o size=64k tmpfs " + mnt.string() + " 2>/dev/null";
  if (::geteuid() != 0 || std::system(mount.c_str()) != 0)
    GTEST_SKIP() << "needs root to mount a tmpfs";
  struct Unmount {
    std::string dir;
    ~Unmount() { std::system(("umount " + dir).c_str()); }
  } unmount{mnt.string()};
  std::string path = (mnt / "journal").string();
  write_file(mnt / "ballast", std::string(16 * 1024, 'x'));
  std::string error;
  std::unique_ptr<Journal> journal = Journal::open(path, error);
  ASSERT_NE(journal, nullptr) << error;
  // Records of 1000 bytes, so that the one that does not fit is written in part.
  const std::string pad(1000, 'p');
  int written = 0;
  std::string why;
  while (written < 1000 && journal->append({{"i", written}, {"pad", pad}}, false, &why)) ++written;
  EXPECT_GT(written, 10);
  EXPECT_NE(why.find("the disk is full"), std::string::npos) << why;
  fs::remove(mnt / "ballast");
  EXPECT_TRUE(journal->append({{"i", written}, {"pad", pad}}, true, &why)) << why;
  journal.reset();
  size_t skipped = 0;
  std::vector<json> records = Journal::read(path, skipped);
  EXPECT_EQ(skipped, 0u);
  ASSERT_EQ(records.size(), static_cast<size_t>(written) + 1);
  EXPECT_EQ(records.back()["i"], written);
}

TEST_F(JournalTest, ConcurrentDurableAppendsAllReadBackIntact) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  {
    std::unique_ptr<Journal> journal = open_journal();
    ASSERT_NE(journal, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&journal, t] {
        for (int i = 0; i < kPerThread; ++i) {
          journal->append({{"thread", t}, {"i", i}, {"pad", std::string(size_t(i % 97), 'x')}});
        }
      });
    }
    for (std::thread& th : threads) th.join();
  }
  size_t skipped = 99;
  std::vector<json> records = read_back(skipped);
  EXPECT_EQ(skipped, 0u);
  ASSERT_EQ(records.size(), size_t{kThreads * kPerThread});
  // Each thread's records appear exactly once and in the order that thread wrote them.
  std::map<int, int> next;
  for (const json& r : records) {
    int t = r.at("thread").get<int>();
    int i = r.at("i").get<int>();
    EXPECT_EQ(i, next[t]) << "thread " << t;
    next[t] = i + 1;
    EXPECT_EQ(r.at("pad").get<std::string>(), std::string(size_t(i % 97), 'x'));
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kPerThread);
}

}  // namespace
}  // namespace flyte::rt
