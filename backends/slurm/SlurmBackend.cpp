// The `slurm` backend: a build folder that hands a workflow to Slurm, with no
// controller process of ours; the dependency graph lives in Slurm itself.
#include "backends/slurm/SlurmBackend.h"

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <tuple>

#include "backends/slurm/Jobs.h"
#include "backends/slurm/Resources.h"
#include "backends/slurm/Sbatch.h"
#include "backends/slurm/Submit.h"
#include "driver/Backend.h"
#include "support/AtomicFile.h"
#include "support/OutputDir.h"

namespace flyte::slurm {
namespace {

namespace fs = std::filesystem;

// Partition and account names go into #SBATCH lines as given: only [A-Za-z0-9._,-].
// Why `s` is no Slurm partition list (`list`: names separated by ',') or account name:
// each name of letters, digits, '.', '_' and '-', not starting with '-' (empty: it is).
std::string slurm_name_problem(const std::string& s, bool list) {
  std::string name;
  std::string rest = s + ",";
  for (char c : rest) {
    if (c != ',') {
      name += c;
      continue;
    }
    if (name.empty()) return list ? "it has an empty name between commas" : "it is empty";
    if (name.front() == '-') return "'" + name + "' starts with '-'";
    for (char x : name) {
      bool ok = (x >= 'A' && x <= 'Z') || (x >= 'a' && x <= 'z') || (x >= '0' && x <= '9') ||
                x == '.' || x == '_' || x == '-';
      if (!ok) return "'" + name + "' has a character other than letters, digits, '.', '_' and '-'";
    }
    name.clear();
  }
  if (!list && s.find(',') != std::string::npos) return "an account is one name, without ','";
  return {};
}

bool write_script(const fs::path& path, const std::string& text, bool executable,
                  std::string& error) {
  if (!write_file_atomically(path.string(), text, error)) {
    error = "cannot write '" + path.string() + "': " + error;
    return false;
  }
  ::chmod(path.c_str(), executable ? 0755 : 0644);
  return true;
}

class SlurmBackend final : public driver::Backend {
 public:
  std::string_view name() const override { return "slurm"; }
  std::string_view summary() const override {
    return "sbatch scripts with dependencies, job arrays and requeue, and submit.sh";
  }

  bool build(const ir::Module& m, const driver::BackendRequest& request,
             std::string& error) const override {
    const ir::Workflow* w = nullptr;
    for (const ir::Workflow& candidate : m.workflows) {
      if (candidate.name == request.workflow) w = &candidate;
    }
    if (w == nullptr) {
      error = "no workflow '" + request.workflow + "'";
      return false;
    }
    ScriptContext c;
    c.source = request.source;
    c.workflow = w->name;
    auto option = [&](const char* name) {
      auto it = request.target_options.find(name);
      return it == request.target_options.end() ? std::string() : it->second;
    };
    c.cluster.partition = option("partition");
    c.cluster.account = option("account");
    c.cluster.mem_per_cpu = !option("mem-per-cpu").empty();
    for (const auto& [flag, value, list] : {std::tuple{"--partition", c.cluster.partition, true},
                                            std::tuple{"--account", c.cluster.account, false}}) {
      if (value.empty()) continue;
      if (std::string why = slurm_name_problem(value, list); !why.empty()) {
        error = flag;
        error.append(" '").append(value).append("': ").append(why);
        return false;
      }
    }

    JobGraph g = build_job_graph(m, *w);
    if (!check_time_limits(g, error)) return false;
    // Everything goes into a staging folder that replaces `-o` only when complete.
    StagedOutputDir staged;
    if (!staged.begin(request.output, "slurm", {"store", "logs"}, error)) return false;
    if (!write_folder(m, g, c, request, staged.path(), error)) {
      error = staged.in_output_terms(error);
      return false;
    }
    return staged.commit(error);
  }

 private:
  // Writes the whole build folder into `out` (the staging folder).
  static bool write_folder(const ir::Module& m, const JobGraph& g, const ScriptContext& c,
                           const driver::BackendRequest& request, const fs::path& out,
                           std::string& error) {
    for (const char* sub : {"jobs", "bin", "logs"}) {
      std::error_code ec;
      if (!fs::create_directories(out / sub, ec) && ec) {
        error = "cannot create '" + (out / sub).string() + "': " + ec.message();
        return false;
      }
    }
    for (const Job& j : g.jobs) {
      fs::path jobs = out / "jobs";
      if (!write_script(jobs / (j.name + ".sbatch"), node_script(j, c), true, error)) return false;
      if (j.kind == Job::Kind::Map &&
          (!write_script(jobs / (j.name + ".launch.sbatch"), launcher_script(j, c), true, error) ||
           !write_script(jobs / (j.name + ".items.sbatch"), items_script(j, c), true, error))) {
        return false;
      }
    }
    if (!write_script(out / "submit.sh", submit_script(g, c), true, error) ||
        !write_script(out / "status.sh", status_script(g, c), true, error) ||
        !write_script(out / "cancel.sh", cancel_script(g, c), true, error) ||
        !write_script(out / "README", readme(g, c), false, error)) {
      return false;
    }
    // The executable every job runs, built by the local target.
    const driver::Backend* local = driver::find_backend("local");
    if (local == nullptr) {
      error = "the slurm target needs the local target to build bin/wf";
      return false;
    }
    driver::BackendRequest exe = request;
    exe.output = (out / "bin" / "wf").string();
    return local->build(m, exe, error);
  }
};

}  // namespace

void register_backend() { driver::register_backend(std::make_unique<SlurmBackend>()); }

}  // namespace flyte::slurm
