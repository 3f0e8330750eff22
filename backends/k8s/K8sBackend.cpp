// The `k8s` backend: a build folder that hands a workflow to Argo Workflows. The DAG
// lives in Argo; every pod runs one node of the plan through the executable's node mode
// against the store.
#include "backends/k8s/K8sBackend.h"

#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "backends/k8s/Dockerfile.h"
#include "backends/k8s/Limits.h"
#include "backends/k8s/Manifests.h"
#include "backends/k8s/Options.h"
#include "driver/Backend.h"
#include "support/AtomicFile.h"
#include "support/OutputDir.h"

namespace flyte::k8s {
namespace {

namespace fs = std::filesystem;

bool write(const fs::path& path, const std::string& text, bool executable, std::string& error) {
  if (!write_file_atomically(path.string(), text, error)) {
    error = "cannot write '" + path.string() + "': " + error;
    return false;
  }
  ::chmod(path.c_str(), executable ? 0755 : 0644);
  return true;
}

std::string readme(const ir::Workflow& w, const K8sOptions& o, bool pvc_file) {
  std::string s = "Workflow " + w.name + " for Kubernetes with Argo Workflows.\n\n";
  s += "1. Build and push the image the pods run (bin/wf and its libraries):\n"
       "     docker build -t " +
       o.image_name + " . && docker push " + o.image_name + "\n";
  if (pvc_file) {
    s += "2. Create the store every pod mounts (once): kubectl apply -f pvc.yaml\n";
  } else if (o.storage.kind == Storage::Kind::Pvc) {
    s += "2. The store is the existing ReadWriteMany claim '" + o.storage.claim + "'.\n";
  } else {
    s += "2. The store travels as artifacts: the namespace needs an artifact repository.\n";
  }
  s += "3. Register the template: kubectl apply -f workflow-template.yaml\n"
       "   (and any cron-*.yaml for the scheduled launches)\n"
       "4. Run it: argo submit workflow.yaml [-p INPUT=VALUE]...\n";
  if (o.storage.kind == Storage::Kind::Pvc) {
    s += "The run's store is /flyte/store/<workflow name> on the claim; its outputs:\n"
         "     /opt/flytec/bin/wf --store /flyte/store/<workflow name> \\\n"
         "       --cache-dir /flyte/store/.flytec-cache --collect\n"
         "@cache tasks are memoized in ConfigMaps flytec-memo-*: the Workflow's service\n"
         "account needs create, get and update on configmaps.\n";
  } else {
    s += "Its outputs are the output parameter 'outputs' of its last step, collect:\n"
         "     argo get <workflow name> -o json\n";
  }
  return s;
}

class K8sBackend final : public driver::Backend {
 public:
  std::string_view name() const override { return "k8s"; }
  std::string_view summary() const override {
    return "Argo WorkflowTemplate, Workflow and CronWorkflows, and the image's Dockerfile";
  }

  bool build(const ir::Module& m, const driver::BackendRequest& request,
             std::string& error) const override {
    const ir::Workflow* w = nullptr;
    uint32_t wi = 0;
    for (uint32_t i = 0; i < m.workflows.size(); ++i) {
      if (m.workflows[i].name == request.workflow) {
        w = &m.workflows[i];
        wi = i;
      }
    }
    if (w == nullptr) {
      error = "no workflow '" + request.workflow + "'";
      return false;
    }
    K8sOptions o;
    if (!parse_options(request.target_options, w->name, o, error)) return false;
    if (o.storage.kind == Storage::Kind::Artifacts) {
      // A map's gather reads every item's record: artifacts of a fan-out cannot reach it.
      for (ir::NodeId id : w->top) {
        if (id.index < w->nodes.size() && w->nodes[id.index].kind == ir::Node::Kind::Map) {
          error = "--storage artifacts cannot run the map node n" + std::to_string(id.index) +
                  " of workflow '" + w->name +
                  "' (its gather reads every item's record); use "
                  "--storage pvc";
          return false;
        }
      }
    }
    // Argo's retry limit and deadline are 32-bit; pods laid out either way must fit.
    if (!check_argo_limits(m, wi, true, error) || !check_argo_limits(m, wi, false, error))
      return false;
    ManifestOptions mo;
    mo.source = request.source;
    mo.templates.image = o.image_name;
    mo.templates.cluster = o.cluster;
    mo.templates.storage = o.storage;
    std::vector<Manifest> manifests;
    if (!build_manifests(m, wi, mo, manifests, error)) return false;
    for (const Manifest& mf : manifests) {
      std::string verdict = size_verdict(mf.file, static_cast<int64_t>(mf.text.size()), o.budget);
      if (verdict.rfind("error: ", 0) == 0) {
        error = verdict.substr(7);
        return false;
      }
      if (!verdict.empty()) std::cerr << "flytec: " << verdict << "\n";
    }

    // Everything goes into a staging folder that replaces `-o` only when complete.
    StagedOutputDir staged;
    if (!staged.begin(request.output, "k8s", {}, error)) return false;
    if (!write_folder(m, *w, o, manifests, request, staged.path(), error)) {
      error = staged.in_output_terms(error);
      return false;
    }
    return staged.commit(error);
  }

 private:
  // Writes the whole build folder into `out` (the staging folder).
  static bool write_folder(const ir::Module& m, const ir::Workflow& w, const K8sOptions& o,
                           const std::vector<Manifest>& manifests,
                           const driver::BackendRequest& request, const fs::path& out,
                           std::string& error) {
    for (const char* sub : {"bin", "image"}) {
      std::error_code ec;
      if (!fs::create_directories(out / sub, ec) && ec) {
        error = "cannot create '" + (out / sub).string() + "': " + ec.message();
        return false;
      }
    }
    for (const Manifest& mf : manifests) {
      if (!write(out / mf.file, mf.text, false, error)) return false;
    }
    bool pvc_file = o.storage.kind == Storage::Kind::Pvc && o.storage.default_claim;
    if (pvc_file && !write(out / "pvc.yaml", pvc_manifest(o.storage), false, error)) return false;
    if (!write(out / "Dockerfile", dockerfile(o.base_image, w.name), false, error) ||
        !write(out / "image" / "wf", launcher_script(), true, error) ||
        !write(out / "README", readme(w, o, pvc_file), false, error)) {
      return false;
    }
    if (request.target_options.count("no-executable") == 0 &&
        !build_executable(m, request, out, error)) {
      return false;
    }
    return true;
  }

  // bin/wf, the executable every pod runs (built by the local target), and lib/.
  static bool build_executable(const ir::Module& m, const driver::BackendRequest& request,
                               const fs::path& out, std::string& error) {
    const driver::Backend* local = driver::find_backend("local");
    if (local == nullptr) {
      error = "the k8s target needs the local target to build bin/wf";
      return false;
    }
    driver::BackendRequest exe = request;
    exe.output = (out / "bin" / "wf").string();
    if (!local->build(m, exe, error)) return false;
    std::string why;
    if (!bundle_libraries(exe.output, (out / "lib").string(), why)) {
      std::cerr << "flytec: warning: " << why
                << "; the image gets no bundled libraries (lib/ is empty)\n";
      std::error_code ec;
      fs::create_directories(out / "lib", ec);
    }
    return true;
  }
};

}  // namespace

void register_backend() { driver::register_backend(std::make_unique<K8sBackend>()); }

}  // namespace flyte::k8s
