// The task cache: content hashes of files and trees, store/lookup round trips, damaged
// and hostile entries (always a miss, never an error), and racing stores.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backends/local/runtime/Cache.h"

namespace flyte::rt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& data) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

std::string hash_of(std::initializer_list<std::string_view> parts) {
  Hasher h;
  for (std::string_view p : parts) h.add(p);
  return h.hex();
}

// A distinct, valid cache key for `n`.
std::string key_for(int n) { return hash_of({"key", std::to_string(n)}); }

bool is_lower_hex32(const std::string& s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "cache-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    cache_dir_ = root_ / "cache";
    src_ = root_ / "src";
    dest_ = root_ / "dest";
    fs::create_directories(src_);
    fs::create_directories(dest_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  fs::path entry_dir(const std::string& key) const { return cache_dir_ / key.substr(0, 2) / key; }

  // A task's outputs: a file `f`, a directory `d` (with a nested directory and a
  // symlink) and two scalars.
  json make_outputs() {
    write_file(src_ / "result.txt", "the result\n");
    write_file(src_ / "tree" / "a.txt", "alpha");
    write_file(src_ / "tree" / "sub" / "b.bin", std::string("\0\1\2\3", 4));
    fs::create_directory(src_ / "tree" / "empty");
    fs::create_symlink("a.txt", src_ / "tree" / "link");
    return {{"f", (src_ / "result.txt").string()},
            {"d", (src_ / "tree").string()},
            {"n", 42},
            {"s", "hello"}};
  }

  // Stores make_outputs() under `key`, asserting success.
  void store_sample(const std::string& key) {
    Cache cache(cache_dir_.string());
    std::string error;
    ASSERT_TRUE(cache.store(key, make_outputs(), {"f", "d"}, error)) << error;
  }

  bool hits(const std::string& key) {
    return Cache(cache_dir_.string()).lookup(key, dest_.string()).has_value();
  }

  json manifest(const std::string& key) {
    return json::parse(read_file(entry_dir(key) / "manifest.json"));
  }
  void set_manifest(const std::string& key, const std::string& text) {
    write_file(entry_dir(key) / "manifest.json", text);
  }

  // Names in the shard directories other than entries: leftovers of temp or trash dirs.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> found;
    if (!fs::exists(cache_dir_)) return found;
    for (const auto& shard : fs::directory_iterator(cache_dir_)) {
      for (const auto& e : fs::directory_iterator(shard.path())) {
        std::string name = e.path().filename().string();
        if (name[0] == '.') found.push_back(name);
      }
    }
    return found;
  }

  fs::path root_, cache_dir_, src_, dest_;
};

// --- Hasher and hash_path ----------------------------------------------------------

TEST(HasherTest, LengthPrefixSeparatesItems) {
  EXPECT_NE(hash_of({"ab", "c"}), hash_of({"a", "bc"}));
  EXPECT_NE(hash_of({"abc"}), hash_of({"ab", "c"}));
  EXPECT_NE(hash_of({""}), hash_of({}));
  EXPECT_EQ(hash_of({"ab", "c"}), hash_of({"ab", "c"}));
}

TEST(HasherTest, HexIs32LowercaseDigits) {
  EXPECT_TRUE(is_lower_hex32(hash_of({})));
  EXPECT_TRUE(is_lower_hex32(hash_of({"x"})));
}

TEST_F(CacheTest, FileHashIsStableAndContentSensitive) {
  fs::path file = root_ / "file.txt";
  write_file(file, "some bytes");
  std::optional<std::string> h1 = hash_path(file.string());
  ASSERT_TRUE(h1.has_value());
  EXPECT_TRUE(is_lower_hex32(*h1));
  EXPECT_EQ(hash_path(file.string()), h1);

  write_file(root_ / "elsewhere" / "other-name", "some bytes");
  EXPECT_EQ(hash_path((root_ / "elsewhere" / "other-name").string()), h1);  // names don't count

  write_file(file, "some bytez");
  EXPECT_NE(hash_path(file.string()), h1);
  write_file(file, "");
  std::optional<std::string> empty = hash_path(file.string());
  ASSERT_TRUE(empty.has_value());
  EXPECT_NE(empty, h1);
}

TEST_F(CacheTest, LargeFileHashCoversEveryChunk) {
  std::string big(3 * (1 << 20) + 17, 'q');  // several 1 MiB chunks and a partial one
  fs::path file = root_ / "big";
  write_file(file, big);
  std::optional<std::string> h1 = hash_path(file.string());
  big[big.size() - 1] = 'r';
  write_file(file, big);
  std::optional<std::string> h2 = hash_path(file.string());
  big[big.size() - 1] = 'q';
  big[(1 << 20) + 5] = 'r';
  write_file(file, big);
  std::optional<std::string> h3 = hash_path(file.string());
  ASSERT_TRUE(h1 && h2 && h3);
  EXPECT_NE(*h1, *h2);
  EXPECT_NE(*h1, *h3);
  EXPECT_NE(*h2, *h3);
}

TEST_F(CacheTest, DirectoryHashIsStableAndContentSensitive) {
  make_outputs();
  std::string tree = (src_ / "tree").string();
  std::optional<std::string> h1 = hash_path(tree);
  ASSERT_TRUE(h1.has_value());
  EXPECT_EQ(hash_path(tree), h1);

  // A copy elsewhere hashes the same.
  fs::copy(tree, root_ / "copy", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  EXPECT_EQ(hash_path((root_ / "copy").string()), h1);

  // Contents, names, empty directories and symlink targets all count.
  write_file(root_ / "copy" / "sub" / "b.bin", "changed");
  EXPECT_NE(hash_path((root_ / "copy").string()), h1);
  fs::remove_all(root_ / "copy");

  auto changed = [&](auto mutate) {
    fs::remove_all(root_ / "copy");
    fs::copy(tree, root_ / "copy", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    mutate(root_ / "copy");
    return hash_path((root_ / "copy").string()) != h1;
  };
  EXPECT_TRUE(changed([](const fs::path& d) { fs::rename(d / "a.txt", d / "A.txt"); }));
  EXPECT_TRUE(changed([](const fs::path& d) { fs::remove(d / "empty"); }));
  EXPECT_TRUE(changed([](const fs::path& d) { fs::create_directory(d / "sub" / "new"); }));
  EXPECT_TRUE(changed([](const fs::path& d) {
    fs::remove(d / "link");
    fs::create_symlink("sub/b.bin", d / "link");
  }));
  EXPECT_FALSE(changed([](const fs::path&) {}));
}

TEST_F(CacheTest, FileAndDirectoryWithTheSameBytesDiffer) {
  write_file(root_ / "x", "");
  fs::create_directory(root_ / "y");
  EXPECT_NE(hash_path((root_ / "x").string()), hash_path((root_ / "y").string()));
}

TEST_F(CacheTest, UnreadablePathHasNoHash) {
  EXPECT_EQ(hash_path((root_ / "missing").string()), std::nullopt);
  Hasher h;
  std::string error;
  EXPECT_FALSE(add_path(h, (root_ / "missing").string(), error));
  EXPECT_FALSE(error.empty());
}

// --- store and lookup ----------------------------------------------------------------

TEST_F(CacheTest, StoreThenLookupRestoresFilesDirsAndScalars) {
  std::string key = key_for(1);
  store_sample(key);
  EXPECT_TRUE(leftovers().empty());

  json m = manifest(key);
  EXPECT_EQ(m.at("version"), 2);
  EXPECT_EQ(m.at("outputs").at("n"), 42);
  EXPECT_EQ(m.at("files").at("f").at("path"), "files/f");
  EXPECT_EQ(m.at("files").at("d").at("path"), "files/d");
  EXPECT_EQ(m.at("files").at("f").at("hash"), *hash_path((src_ / "result.txt").string()));
  EXPECT_EQ(m.at("files").at("d").at("hash"), *hash_path((src_ / "tree").string()));
  EXPECT_FALSE(m.at("files").contains("n"));

  // The sources may go away once stored.
  std::string tree_hash = *hash_path((src_ / "tree").string());
  fs::remove_all(src_);

  std::optional<json> out = Cache(cache_dir_.string()).lookup(key, dest_.string());
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->at("n"), 42);
  EXPECT_EQ(out->at("s"), "hello");
  fs::path f = out->at("f").get<std::string>();
  fs::path d = out->at("d").get<std::string>();
  EXPECT_TRUE(f.is_absolute());
  EXPECT_EQ(f, fs::absolute(dest_ / "f"));
  EXPECT_EQ(d, fs::absolute(dest_ / "d"));
  EXPECT_EQ(read_file(f), "the result\n");
  EXPECT_EQ(read_file(d / "sub" / "b.bin"), std::string("\0\1\2\3", 4));
  EXPECT_TRUE(fs::is_symlink(d / "link"));
  EXPECT_EQ(hash_path(d.string()), tree_hash);
}

TEST_F(CacheTest, LookupReplacesExistingDestinations) {
  std::string key = key_for(2);
  store_sample(key);
  write_file(dest_ / "f", "stale");
  write_file(dest_ / "d" / "stale.txt", "stale");
  ASSERT_TRUE(hits(key));
  EXPECT_EQ(read_file(dest_ / "f"), "the result\n");
  EXPECT_FALSE(fs::exists(dest_ / "d" / "stale.txt"));
}

TEST_F(CacheTest, MissingEntryAndBadKeysMiss) {
  EXPECT_FALSE(hits(key_for(3)));
  EXPECT_FALSE(hits("not-a-key"));
  EXPECT_FALSE(hits("../../../../../../../../etc/passwd"));
  Cache cache(cache_dir_.string());
  std::string error;
  EXPECT_FALSE(cache.store("ABCDEF", json::object(), {}, error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(cache.store(std::string(32, 'G'), json::object(), {}, error));
}

TEST_F(CacheTest, StoreRejectsBadOutputsWithAnError) {
  Cache cache(cache_dir_.string());
  std::string error;
  EXPECT_FALSE(cache.store(key_for(4), json::array(), {}, error));
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_FALSE(cache.store(key_for(4), {{"f", (root_ / "missing").string()}}, {"f"}, error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(cache.store(key_for(4), {{"f", 3}}, {"f"}, error));
  EXPECT_FALSE(cache.store(key_for(4), {{"../f", "/etc/hostname"}}, {"../f"}, error));
  EXPECT_FALSE(hits(key_for(4)));
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(CacheTest, ScalarOnlyEntryRoundTrips) {
  Cache cache(cache_dir_.string());
  std::string error;
  json outputs = {{"x", 1.25}, {"list", {1, 2}}};
  ASSERT_TRUE(cache.store(key_for(5), outputs, {}, error)) << error;
  EXPECT_EQ(cache.lookup(key_for(5), dest_.string()), outputs);
}

TEST_F(CacheTest, DamagedOrMissingFilesMiss) {
  std::string key = key_for(6);
  store_sample(key);
  ASSERT_TRUE(hits(key));
  fs::path files = entry_dir(key) / "files";

  std::string original = read_file(files / "f");
  std::string damaged = original;
  damaged[0] ^= 0x20;
  write_file(files / "f", damaged);
  EXPECT_FALSE(hits(key));
  write_file(files / "f", original);
  EXPECT_TRUE(hits(key));

  write_file(files / "d" / "sub" / "b.bin", "other");
  EXPECT_FALSE(hits(key));
  fs::remove_all(files / "d");
  EXPECT_FALSE(hits(key));
}

TEST_F(CacheTest, DeletedFileMisses) {
  std::string key = key_for(7);
  store_sample(key);
  fs::remove(entry_dir(key) / "files" / "f");
  EXPECT_FALSE(hits(key));
}

TEST_F(CacheTest, CorruptManifestsMiss) {
  std::string key = key_for(8);
  store_sample(key);
  json good = manifest(key);

  std::string random_bytes;
  for (int i = 0; i < 256; ++i) random_bytes += static_cast<char>((i * 73 + 11) & 0xFF);
  std::vector<std::string> corrupt = {
      random_bytes, "", "[1,2,3]", "null", good.dump().substr(0, good.dump().size() / 2),
  };
  auto with = [&](auto edit) {
    json m = good;
    edit(m);
    return m.dump();
  };
  corrupt.push_back(with([](json& m) { m["version"] = 1; }));
  corrupt.push_back(with([](json& m) { m.erase("version"); }));
  corrupt.push_back(with([](json& m) { m["outputs"] = "x"; }));
  corrupt.push_back(with([](json& m) { m["files"] = json::array(); }));
  corrupt.push_back(with([](json& m) { m["files"]["f"] = "files/f"; }));
  corrupt.push_back(with([](json& m) { m["files"]["f"]["hash"] = 7; }));
  corrupt.push_back(with([](json& m) { m["files"]["f"]["hash"] = std::string(32, '0'); }));
  corrupt.push_back(with([](json& m) { m["files"]["f"].erase("path"); }));
  corrupt.push_back(with([](json& m) { m["files"]["f"]["path"] = "files/nothing"; }));
  corrupt.push_back(with([](json& m) { m["outputs"].erase("f"); }));
  for (const std::string& text : corrupt) {
    set_manifest(key, text);
    EXPECT_FALSE(hits(key)) << text;
  }
  set_manifest(key, good.dump());
  EXPECT_TRUE(hits(key));
  fs::remove(entry_dir(key) / "manifest.json");
  EXPECT_FALSE(hits(key));
}

TEST_F(CacheTest, PathTraversalInManifestMisses) {
  std::string key = key_for(9);
  store_sample(key);
  json good = manifest(key);
  // A file outside the entry whose contents match the recorded hash exactly, so that
  // only the path check stands between the manifest and it.
  write_file(cache_dir_ / "secret", "the result\n");
  fs::path secret_abs = fs::absolute(cache_dir_ / "secret");
  const std::string& hash = good["files"]["f"]["hash"].get_ref<const std::string&>();
  ASSERT_EQ(hash_path(secret_abs.string()), hash);

  for (const std::string& path : {std::string("../../secret"), std::string("files/../../../secret"),
                                  secret_abs.string(), std::string("./files/f"), std::string("")}) {
    json m = good;
    m["files"]["f"]["path"] = path;
    set_manifest(key, m.dump());
    EXPECT_FALSE(hits(key)) << path;
  }

  // An output name that would escape the destination directory.
  json m = good;
  m["files"]["../escaped"] = m["files"]["f"];
  m["outputs"]["../escaped"] = "x";
  set_manifest(key, m.dump());
  EXPECT_FALSE(hits(key));
  EXPECT_FALSE(fs::exists(root_ / "escaped"));

  // The entry's file replaced by a symlink to the outside.
  set_manifest(key, good.dump());
  fs::remove(entry_dir(key) / "files" / "f");
  fs::create_symlink(secret_abs, entry_dir(key) / "files" / "f");
  EXPECT_FALSE(hits(key));
}

TEST_F(CacheTest, StoringAgainKeepsOrRepairsTheEntry) {
  std::string key = key_for(10);
  store_sample(key);
  fs::remove_all(src_);
  fs::create_directories(src_);
  store_sample(key);  // intact entry: kept
  EXPECT_TRUE(hits(key));

  write_file(entry_dir(key) / "files" / "f", "damaged");
  ASSERT_FALSE(hits(key));
  fs::remove_all(src_);
  fs::create_directories(src_);
  store_sample(key);  // damaged entry: replaced
  EXPECT_TRUE(hits(key));

  set_manifest(key, "garbage");
  fs::remove_all(src_);
  fs::create_directories(src_);
  store_sample(key);
  EXPECT_TRUE(hits(key));
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(CacheTest, ConcurrentStoresOfTheSameKeysFromTwoProcesses) {
  constexpr int kKeys = 50;
  json outputs = make_outputs();
  Cache cache(cache_dir_.string());
  int ready[2], go[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(go), 0);

  auto store_all = [&] {
    int failures = 0;
    for (int i = 0; i < kKeys; ++i) {
      std::string error;
      if (!cache.store(key_for(100 + i), outputs, {"f", "d"}, error)) {
        std::fprintf(stderr, "store failed: %s\n", error.c_str());
        ++failures;
      }
    }
    return failures;
  };

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Start together with the parent, so that the two really race on each key.
    char c = 'r';
    if (::write(ready[1], &c, 1) != 1 || ::read(go[0], &c, 1) != 1) ::_exit(2);
    ::_exit(store_all() == 0 ? 0 : 1);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  int parent_failures = store_all();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  for (int fd : {ready[0], ready[1], go[0], go[1]}) ::close(fd);

  EXPECT_EQ(parent_failures, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  for (int i = 0; i < kKeys; ++i) EXPECT_TRUE(hits(key_for(100 + i))) << i;
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(CacheTest, ConcurrentStoresFromThreads) {
  json outputs = make_outputs();
  Cache cache(cache_dir_.string());
  std::string key = key_for(200);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        std::string error;
        if (!cache.store(key, outputs, {"f", "d"}, error)) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(hits(key));
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(CacheTest, FilesNestedInOutputsAreStoredAndRestored) {
  write_file(src_ / "p0.txt", "zero");
  write_file(src_ / "p1.txt", "one");
  json outputs = {{"parts", {(src_ / "p0.txt").string(), (src_ / "p1.txt").string()}}, {"n", 2}};
  Cache cache(cache_dir_.string());
  std::string error;
  std::string key = key_for(900);
  ASSERT_TRUE(cache.store(key, outputs, {"/parts/0", "/parts/1"}, error)) << error;
  fs::remove_all(src_);  // the entry holds copies
  std::optional<json> hit = cache.lookup(key, dest_.string());
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->at("n"), 2);
  // Nested files keep their own names (tools go by extensions) in a directory per path.
  EXPECT_EQ(hit->at("parts").at(0), (dest_ / "parts.0" / "p0.txt").string());
  EXPECT_EQ(read_file(hit->at("parts").at(1).get<std::string>()), "one");
  // A pointer that names nothing, or something that is not a path, is refused.
  EXPECT_FALSE(cache.store(key_for(901), outputs, {"/parts/7"}, error));
  EXPECT_FALSE(cache.store(key_for(901), outputs, {"/n"}, error));
}

TEST_F(CacheTest, SweepRemovesWhatDeadStoresLeftAndKeepsLiveOnes) {
  fs::path shard = cache_dir_ / "ab";
  fs::create_directories(shard / (".tmp-" + std::string(32, 'a') + "-dead01") / "files");
  fs::create_directories(shard / (".trash-" + std::string(32, 'a') + "-dead02"));
  fs::path live = shard / (".tmp-" + std::string(32, 'b') + "-live01");
  fs::create_directories(live);
  int fd = ::open(live.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  // flock locks belong to the open file, so the sweep must run in another process to
  // see this one as a live builder.
  pid_t pid = ::fork();
  if (pid == 0) _exit(Cache(cache_dir_.string()).sweep() == 2 ? 0 : 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(fd);
  EXPECT_TRUE(fs::exists(live));
  EXPECT_EQ(std::distance(fs::directory_iterator(shard), fs::directory_iterator()), 1);
  EXPECT_EQ(Cache(cache_dir_.string()).sweep(), 1u);  // its builder has gone too
}

}  // namespace
}  // namespace flyte::rt
