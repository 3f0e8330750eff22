// The store's volume (see Storage.h).
#include "backends/k8s/Storage.h"

#include "backends/k8s/Names.h"

namespace flyte::k8s {

bool parse_storage(const std::string& text, Storage& out, std::string& error) {
  if (text.empty() || text == "pvc") return true;
  if (text == "artifacts") {
    out.kind = Storage::Kind::Artifacts;
    return true;
  }
  if (text.rfind("pvc:", 0) == 0) {
    std::string name = text.substr(4);
    if (name.empty() || name != dns_name(name, 253)) {
      error =
          "--storage pvc:NAME needs a claim name of lowercase letters, digits and '-' "
          "(found '" +
          name + "')";
      return false;
    }
    out.claim = name;
    out.default_claim = false;
    return true;
  }
  error = "--storage is 'pvc', 'pvc:NAME' or 'artifacts' (found '" + text + "')";
  return false;
}

Yaml store_volumes(const Storage& s) {
  Yaml vols = Yaml::seq();
  Yaml v = Yaml::map();
  v["name"] = kStoreVolume;
  if (s.kind == Storage::Kind::Pvc) {
    v["persistentVolumeClaim"]["claimName"] = s.claim;
  } else {
    v["emptyDir"] = Yaml::map();
  }
  vols.push(std::move(v));
  return vols;
}

std::string pvc_manifest(const Storage& s) {
  Yaml d = Yaml::map();
  d["apiVersion"] = "v1";
  d["kind"] = "PersistentVolumeClaim";
  d["metadata"]["name"] = s.claim;
  d["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "flytec";
  Yaml& spec = d["spec"];
  spec["accessModes"].push("ReadWriteMany");
  spec["resources"]["requests"]["storage"] = s.size;
  return "# The store every pod of the workflow mounts at /flyte/store (ReadWriteMany).\n" +
         d.emit();
}

}  // namespace flyte::k8s
