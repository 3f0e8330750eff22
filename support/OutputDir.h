// A build folder the user named with `-o` (`flytec build --target k8s` or `slurm`): built
// whole in a temporary sibling folder (inside it when it is a mount point) and moved into
// place only when complete, so that a failed build leaves nothing behind and a rebuild
// leaves no stale file of the last one.
//
// The folder gets a marker file, kBuildMarker, naming the target and listing what the
// build wrote. An existing folder's contents are replaced only when it holds nothing but
// what its marker lists and the target's run data (such as Slurm's store/ and logs/,
// which stay); anything else is a user's own and the build is refused, so a build never
// deletes a file flytec did not write.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace flyte {

/// The file that marks a folder written by flytec build.
inline constexpr const char* kBuildMarker = ".flytec-build";

class StagedOutputDir {
 public:
  StagedOutputDir() = default;
  StagedOutputDir(const StagedOutputDir&) = delete;
  StagedOutputDir& operator=(const StagedOutputDir&) = delete;
  /// Removes the staging folder unless it was committed.
  ~StagedOutputDir();

  /// Checks that `out` is new, empty, or a folder flytec build wrote for `target`, and
  /// creates the staging folder beside it (and `out`'s missing parents). `run_data`: the
  /// top-level entries that runs add to the folder, carried over into the new one. False
  /// with `error`, a sentence naming `out`.
  bool begin(const std::string& out, const std::string& target,
             const std::set<std::string>& run_data, std::string& error);

  /// The staging folder: where the build writes everything.
  const std::filesystem::path& path() const { return stage_; }

  /// `text` (an error) with the staging folder's path replaced by the output's, as given.
  std::string in_output_terms(std::string text) const;

  /// Writes the marker into the staging folder and moves it into place: renamed to `out`
  /// when that is new; else what the last build wrote moves out of `out` and what this
  /// one wrote moves in, so that `out` itself stays (a shell or a job inside it, its
  /// permissions) and so does its run data. False with `error` (the staging folder is then
  /// removed and `out` left as it was).
  bool commit(std::string& error);

 private:
  std::string given_;   // `out` as the user wrote it, for messages
  std::string target_;  // the target, for the marker
  std::set<std::string> run_data_;
  std::filesystem::path out_;  // `out` made absolute, through symlinks
  std::filesystem::path stage_;
  std::filesystem::path scratch_parent_;  // where the staging folder is: beside `out`, or in it
};

}  // namespace flyte
