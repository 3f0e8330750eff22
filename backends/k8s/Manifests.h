// The manifests of a build: the `WorkflowTemplate` (every template, the store's volume,
// the pods' security context, podGC, labels), the `Workflow` that runs it with the
// workflow's inputs as parameters, and one `CronWorkflow` per `@schedule` launch.
#pragma once

#include <string>
#include <vector>

#include "backends/k8s/Templates.h"
#include "ir/Ir.h"

namespace flyte::k8s {

struct ManifestOptions {
  TemplateOptions templates;
  std::string source;  // the .flyte file, for comments
};

struct Manifest {
  std::string file;  // such as `workflow-template.yaml`
  std::string text;
};

/// The WorkflowTemplate's name for workflow `w`: a DNS-1123 name.
std::string template_object_name(const ir::Workflow& w);

/// Every manifest for workflow `wi` of `m` into `out`. False with `error` when they
/// cannot run.
bool build_manifests(const ir::Module& m, uint32_t wi, const ManifestOptions& o,
                     std::vector<Manifest>& out, std::string& error);

}  // namespace flyte::k8s
