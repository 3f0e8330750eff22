// A build folder the user named with `-o` (`flytec build --target k8s` or `slurm`): built
// whole in a temporary sibling folder and moved into place only when complete, so that a
// failed build leaves nothing behind and a rebuild leaves no stale file of the last one.
//
// The folder gets a marker file, kBuildMarker, naming the target and listing what the
// build wrote. An existing folder is replaced only when it is empty or holds nothing but
// what its marker lists and the target's run data (such as Slurm's store/ and logs/,
// which move into the new folder); anything else is a user's own and the build is
// refused, so a build never deletes a file flytec did not write.
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

  /// Writes the marker into the staging folder, moves the run data of the folder it
  /// replaces into it and moves it into place; the old folder is removed. False with
  /// `error` (the staging folder is then removed and the old folder left as it was).
  bool commit(std::string& error);

 private:
  std::string given_;   // `out` as the user wrote it, for messages
  std::string target_;  // the target, for the marker
  std::set<std::string> run_data_;
  std::filesystem::path out_;  // `out` made absolute, through symlinks
  std::filesystem::path stage_;
};

}  // namespace flyte
