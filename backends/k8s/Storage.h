// Where a run's store lives: a PersistentVolumeClaim mounted in every pod (`pvc:NAME`;
// by default a ReadWriteMany claim named `flytec-store` that the build folder's pvc.yaml
// creates), or Argo's artifact repository (`artifacts`): each pod gets the records of
// the nodes it reads as input artifacts and hands its own back as an output artifact
// (and a scalar value as an output parameter).
#pragma once

#include <string>

#include "backends/k8s/Yaml.h"

namespace flyte::k8s {

struct Storage {
  enum class Kind : uint8_t { Pvc, Artifacts } kind = Kind::Pvc;
  std::string claim = "flytec-store";  // Pvc: the claim's name
  bool default_claim = true;           // Pvc: the build writes pvc.yaml for it
  std::string size = "10Gi";           // the default claim's size
};

/// Reads `--storage`: `pvc`, `pvc:NAME` or `artifacts`. False with `error`.
bool parse_storage(const std::string& text, Storage& out, std::string& error);

/// The volume name and mount path of the store in every pod.
inline constexpr const char* kStoreVolume = "store";
inline constexpr const char* kStoreMount = "/flyte/store";

/// The workflow's `volumes` (the claim for Pvc; an emptyDir for Artifacts).
Yaml store_volumes(const Storage& s);

/// pvc.yaml: the default ReadWriteMany claim.
std::string pvc_manifest(const Storage& s);

}  // namespace flyte::k8s
