// The Kubernetes (Argo Workflows) target as a plug-in of the driver's backend registry.
#pragma once

namespace flyte::k8s {

/// Registers the `k8s` backend: `build` writes a folder with the WorkflowTemplate, a
/// Workflow, a CronWorkflow per scheduled launch, pvc.yaml for the default store, a
/// Dockerfile, and the compiled executable (bin/wf) whose node mode every pod runs.
void register_backend();

}  // namespace flyte::k8s
