// Builds the manifest documents (see Manifests.h).
#include "backends/k8s/Manifests.h"

#include <set>

#include "backends/k8s/Inputs.h"
#include "backends/k8s/Names.h"

namespace flyte::k8s {
namespace {

constexpr const char* kApiVersion = "argoproj.io/v1alpha1";
/// The most templates the Argo schema allows in one spec.
constexpr size_t kMaxTemplates = 200;
/// The longest CronWorkflow name: Argo adds an 11-character suffix to its workflows'.
constexpr size_t kMaxCronName = 52;

Yaml labels(const ir::Workflow& w) {
  Yaml l = Yaml::map();
  l["app.kubernetes.io/managed-by"] = "flytec";
  l["flytec.io/workflow"] = label_value(w.name);
  return l;
}

// The workflow's inputs as parameters: a launch's value, else the default, else `none`
// for an optional input; a required input without one has no value (given at submit).
Yaml parameters(const ir::Module& m, const ir::Workflow& w, const ir::Launch* launch) {
  Yaml ps = Yaml::seq();
  for (const ir::Param& p : w.inputs) {
    Yaml e = Yaml::map();
    e["name"] = p.name;
    const ir::Value* value = nullptr;
    if (launch != nullptr) {
      for (const auto& [name, c] : launch->inputs) {
        if (name == p.name && c.index < m.constants.size()) value = &m.constants[c.index].value;
      }
    }
    if (value == nullptr && p.default_value && p.default_value->index < m.constants.size()) {
      value = &m.constants[p.default_value->index].value;
    }
    if (value != nullptr) {
      e["value"] = flag_text(*value);
    } else if (m.types.kind(p.type) == TypeKind::Optional) {
      e["value"] = "none";
    }
    ps.push(std::move(e));
  }
  return ps;
}

std::string header(const ManifestOptions& o, const ir::Workflow& w, const char* what) {
  return "# " + std::string(what) + " of workflow " + w.name + " (" + o.source +
         "), written by flytec build --target k8s.\n";
}

// The CronWorkflow name of launch `launch`, made unique among `used` (and added to it):
// launches whose names sanitize alike (`night_ly`, `Night_ly`) get `-2`, `-3`, ...
std::string unique_cron_name(const std::string& launch, std::set<std::string>& used) {
  std::string base = dns_name(launch, kMaxCronName);
  std::string name = base;
  for (int n = 2; used.count(name) != 0; ++n) {
    std::string suffix = "-" + std::to_string(n);
    name = dns_name(base.substr(0, kMaxCronName - suffix.size()), kMaxCronName) + suffix;
  }
  used.insert(name);
  return name;
}

}  // namespace

std::string template_object_name(const ir::Workflow& w) { return dns_name(w.name, 52); }

bool build_manifests(const ir::Module& m, uint32_t wi, const ManifestOptions& o,
                     std::vector<Manifest>& out, std::string& error) {
  const ir::Workflow& w = m.workflows[wi];
  std::string name = template_object_name(w);

  Yaml wt = Yaml::map();
  wt["apiVersion"] = kApiVersion;
  wt["kind"] = "WorkflowTemplate";
  wt["metadata"]["name"] = name;
  wt["metadata"]["labels"] = labels(w);
  Yaml& spec = wt["spec"];
  spec["entrypoint"] = kEntry;
  spec["arguments"]["parameters"] = parameters(m, w, nullptr);
  spec["volumes"] = store_volumes(o.templates.storage);
  Yaml& sc = spec["securityContext"];
  sc["runAsNonRoot"] = true;
  sc["runAsUser"] = 65532;
  sc["runAsGroup"] = 65532;
  sc["fsGroup"] = 65532;
  sc["seccompProfile"]["type"] = "RuntimeDefault";
  spec["podGC"]["strategy"] = "OnPodSuccess";
  spec["podGC"]["deleteDelayDuration"] = "10m";
  spec["podMetadata"]["labels"] = labels(w);
  TemplateBuilder b(m, wi, o.templates);
  spec["templateDefaults"] = b.defaults();
  spec["templates"] = b.templates();
  if (!b.error().empty()) {
    error = b.error();
    return false;
  }
  if (spec["templates"].items().size() > kMaxTemplates) {
    error = "workflow '" + w.name + "' needs " + std::to_string(spec["templates"].items().size()) +
            " templates; Argo allows " + std::to_string(kMaxTemplates);
    return false;
  }
  out.push_back({"workflow-template.yaml", header(o, w, "The WorkflowTemplate") + wt.emit()});

  Yaml wf = Yaml::map();
  wf["apiVersion"] = kApiVersion;
  wf["kind"] = "Workflow";
  wf["metadata"]["generateName"] = name + "-";
  wf["metadata"]["labels"] = labels(w);
  wf["spec"]["workflowTemplateRef"]["name"] = name;
  wf["spec"]["arguments"]["parameters"] = parameters(m, w, nullptr);
  out.push_back({"workflow.yaml", header(o, w, "A run") + wf.emit()});

  std::set<std::string> cron_names;
  for (const ir::Launch& l : m.launches) {
    if (l.workflow.index != wi || l.schedule.empty()) continue;
    std::string cron = unique_cron_name(l.name, cron_names);
    Yaml cw = Yaml::map();
    cw["apiVersion"] = kApiVersion;
    cw["kind"] = "CronWorkflow";
    cw["metadata"]["name"] = cron;
    cw["metadata"]["labels"] = labels(w);
    cw["metadata"]["labels"]["flytec.io/launch"] = label_value(l.name);
    Yaml& cs = cw["spec"];
    cs["schedules"].push(l.schedule);
    cs["concurrencyPolicy"] = "Forbid";
    cs["workflowSpec"]["workflowTemplateRef"]["name"] = name;
    cs["workflowSpec"]["arguments"]["parameters"] = parameters(m, w, &l);
    out.push_back(
        {"cron-" + cron + ".yaml", header(o, w, ("The schedule " + l.name).c_str()) + cw.emit()});
  }
  return true;
}

}  // namespace flyte::k8s
