// Builds the templates of a build (see Templates.h).
#include "backends/k8s/Templates.h"

#include <fmt/format.h>

#include "backends/k8s/Names.h"

namespace flyte::k8s {
namespace {

Yaml param(const std::string& name) {
  Yaml p = Yaml::map();
  p["name"] = name;
  return p;
}

Yaml param(const std::string& name, const std::string& value) {
  Yaml p = param(name);
  p["value"] = value;
  return p;
}

Yaml store_mount() {
  Yaml v = Yaml::map();
  v["name"] = kStoreVolume;
  v["mountPath"] = kStoreMount;
  return v;
}

Yaml security_context() {
  Yaml s = Yaml::map();
  s["runAsNonRoot"] = true;
  s["allowPrivilegeEscalation"] = false;
  s["capabilities"]["drop"].push("ALL");
  s["seccompProfile"]["type"] = "RuntimeDefault";
  return s;
}

// A signature of everything a pod template's text depends on.
std::string signature(const std::string& base, const PodResources& r, const PodRunner& run,
                      bool item) {
  std::string s = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", base, r.cpu, r.mem_bytes,
                              r.disk_bytes, r.gpus, r.gpu_model, r.retries,
                              r.timeout_s ? *r.timeout_s : -1.0, r.interruptible, run.image, item);
  for (const std::string& x : r.secrets) s += "|" + x;
  return s;
}

// The `depends` expression of a DAG task on `names`: each must have succeeded (or been
// skipped); under `@failure_policy(continue)` a failed one is enough too.
std::string depends_on(const std::vector<std::string>& names, ir::FailurePolicy policy) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += " && ";
    out += policy == ir::FailurePolicy::Continue
               ? fmt::format("({0}.Succeeded || {0}.Skipped || {0}.Failed)", n)
               : n;
  }
  return out;
}

}  // namespace

TemplateBuilder::TemplateBuilder(const ir::Module& m, uint32_t workflow, TemplateOptions o)
    : m_(m), workflow_(workflow), o_(std::move(o)) {}

std::string TemplateBuilder::add(std::string name, Yaml t) {
  int& uses = names_[name];
  ++uses;
  if (uses > 1) name = fmt::format("{}-{}", name, uses);
  Yaml full = Yaml::map();
  full["name"] = name;
  for (const auto& [k, v] : t.entries()) full[k] = v;
  list_.push_back(std::move(full));
  return name;
}

Yaml TemplateBuilder::defaults() const {
  Yaml d = Yaml::map();
  Yaml& c = d["container"];
  c["name"] = "main";
  c["image"] = o_.image;
  c["imagePullPolicy"] = "IfNotPresent";
  c["volumeMounts"].push(store_mount());
  c["securityContext"] = security_context();
  return d;
}

Yaml TemplateBuilder::container(const PodRunner& run, const Yaml& args) const {
  Yaml c = Yaml::map();
  c["name"] = "main";  // what Argo calls a template's container
  c["image"] = run.image.empty() ? o_.image : run.image;
  c["command"].push(kExecutable);
  c["args"] = args;
  if (!run.image.empty()) {
    // The executable, copied in by the init container, where the flytec image has it.
    c["volumeMounts"].push(store_mount());
    Yaml tools = Yaml::map();
    tools["name"] = "flytec";
    tools["mountPath"] = kInstallDir;
    tools["readOnly"] = true;
    c["volumeMounts"].push(std::move(tools));
  }
  return c;
}

std::string TemplateBuilder::pod_template(const std::string& base, const PodResources& r,
                                          const PodRunner& run, bool item) {
  std::string sig = signature(base, r, run, item);
  if (auto it = by_signature_.find(sig); it != by_signature_.end()) return it->second;

  Yaml t = Yaml::map();
  t["metadata"]["labels"]["flytec.io/task"] = label_value(base);
  t["inputs"]["parameters"].push(param("node"));
  if (item) t["inputs"]["parameters"].push(param("item"));
  Yaml args = Yaml::seq();
  for (const char* a : {"--store", kStoreDir, "--cache-dir", kCacheDir, "--run-node",
                        "{{inputs.parameters.node}}"}) {
    args.push(a);
  }
  if (item) {
    args.push("--item");
    args.push("{{inputs.parameters.item}}");
  }
  Yaml c = container(run, args);
  if (Yaml env = secret_env_entries(r); !env.empty()) c["env"] = env;
  c["resources"] = container_resources(r);
  t["container"] = std::move(c);
  if (!run.image.empty()) {
    Yaml init = Yaml::map();
    init["name"] = "install-flytec";
    init["image"] = o_.image;
    init["command"].push("cp");
    init["command"].push("-a");
    init["command"].push(std::string(kInstallDir) + "/.");
    init["command"].push("/flyte/install/");
    Yaml mount = Yaml::map();
    mount["name"] = "flytec";
    mount["mountPath"] = "/flyte/install";
    init["volumeMounts"].push(std::move(mount));
    init["securityContext"] = security_context();
    t["initContainers"].push(std::move(init));
    Yaml vol = Yaml::map();
    vol["name"] = "flytec";
    vol["emptyDir"] = Yaml::map();
    t["volumes"].push(std::move(vol));
  }
  add_scheduling(r, o_.cluster, t);
  std::string name = add(template_name((item ? "item-" : "run-") + base), std::move(t));
  by_signature_[sig] = name;
  return name;
}

std::string TemplateBuilder::init_template() {
  const ir::Workflow& w = m_.workflows[workflow_];
  Yaml t = Yaml::map();
  t["metadata"]["labels"]["flytec.io/task"] = "init";
  Yaml args = Yaml::seq();
  for (const char* a : {"--store", kStoreDir, "--init"}) args.push(a);
  for (const ir::Param& p : w.inputs) {
    args.push(fmt::format("--{}={{{{workflow.parameters.{}}}}}", p.name, p.name));
  }
  Yaml c = container({}, args);
  c["resources"]["requests"]["cpu"] = "100m";
  t["container"] = std::move(c);
  return add("init", std::move(t));
}

std::string TemplateBuilder::launch_template() {
  if (auto it = by_signature_.find("launch"); it != by_signature_.end()) return it->second;
  Yaml t = Yaml::map();
  t["metadata"]["labels"]["flytec.io/task"] = "map-launch";
  t["inputs"]["parameters"].push(param("node"));
  Yaml c = Yaml::map();
  c["name"] = "main";
  c["image"] = o_.image;
  c["command"].push("/bin/sh");
  c["command"].push("-c");
  // The item list [0, 1, ..., n-1] for withParam, from the map's length; the store and
  // the key come in as positional parameters, never inside the script's text.
  c["args"].push(Yaml::block(
      "set -e\n"
      "n=$(" +
      std::string(kExecutable) +
      " --store \"$1\" --map-length \"$2\")\n"
      "i=0; sep=''\n"
      "{ printf '['; while [ \"$i\" -lt \"$n\" ]; do printf '%s%d' \"$sep\" \"$i\"; sep=,; "
      "i=$((i + 1)); done; printf ']'; } > /tmp/items.json\n"));
  c["args"].push("launch");
  c["args"].push(kStoreDir);
  c["args"].push("{{inputs.parameters.node}}");
  c["resources"]["requests"]["cpu"] = "100m";
  t["container"] = std::move(c);
  Yaml out = param("items");
  out["valueFrom"]["path"] = "/tmp/items.json";
  t["outputs"]["parameters"].push(std::move(out));
  std::string name = add("map-launch", std::move(t));
  by_signature_["launch"] = name;
  return name;
}

std::string TemplateBuilder::gather_template() {
  PodResources small;
  small.cpu = 0.1;
  return pod_template("gather", small, {}, false);
}

std::string TemplateBuilder::fanout_template(const std::string& item, const Job& job) {
  std::string sig = fmt::format("fanout|{}|{}|{}", item, job.concurrency.value_or(0),
                                job.min_success.has_value());
  if (auto it = by_signature_.find(sig); it != by_signature_.end()) return it->second;
  Yaml t = Yaml::map();
  t["inputs"]["parameters"].push(param("node"));
  t["inputs"]["parameters"].push(param("items"));
  if (job.concurrency) t["parallelism"] = *job.concurrency;
  Yaml task = Yaml::map();
  task["name"] = "item";
  task["template"] = item;
  task["withParam"] = "{{inputs.parameters.items}}";
  task["arguments"]["parameters"].push(param("node", "{{inputs.parameters.node}}"));
  task["arguments"]["parameters"].push(param("item", "{{item}}"));
  // With @min_success the gather decides whether enough items succeeded.
  if (job.min_success) task["continueOn"]["failed"] = true;
  t["dag"]["tasks"].push(std::move(task));
  std::string name = add("fanout-" + item, std::move(t));
  by_signature_[sig] = name;
  return name;
}

std::string TemplateBuilder::dag_template(uint32_t wi, bool entry) {
  std::string sig = fmt::format("dag|{}", wi);
  if (!entry) {
    if (auto it = by_signature_.find(sig); it != by_signature_.end()) return it->second;
  }
  const ir::Workflow& w = m_.workflows[wi];
  Dag g = build_dag(m_, wi, o_.storage.kind == Storage::Kind::Pvc);
  // The key of a node of this DAG: plain at the top, under the caller's prefix nested.
  auto key = [&](const std::string& node) {
    return entry ? node : "{{inputs.parameters.prefix}}" + node;
  };
  Yaml tasks = Yaml::seq();
  if (entry) {
    Yaml init = Yaml::map();
    init["name"] = "init";
    init["template"] = init_template();
    tasks.push(std::move(init));
  }
  std::vector<std::string> finals;  // the DAG task that completes each job
  for (const Job& job : g.jobs) {
    std::vector<std::string> deps;
    for (uint32_t a : job.after) deps.push_back(finals[a]);
    std::string depends = depends_on(deps, g.failure_policy);
    // Every top-level task waits for the store to be made (a failed init stops all).
    if (entry && deps.empty()) depends = "init";
    auto dag_task = [&](const std::string& name, const std::string& tmpl) {
      Yaml t = Yaml::map();
      t["name"] = name;
      t["template"] = tmpl;
      if (!depends.empty()) t["depends"] = depends;
      return t;
    };
    switch (job.kind) {
      case Job::Kind::Task:
      case Job::Kind::InProcess: {
        std::string base = job.kind == Job::Kind::Task ? job.label : "inprocess";
        Yaml t = dag_task(job.name, pod_template(base, job.resources, job.runner, false));
        t["arguments"]["parameters"].push(param("node", key(job.node)));
        tasks.push(std::move(t));
        finals.push_back(job.name);
        break;
      }
      case Job::Kind::Subworkflow: {
        Yaml t = dag_task(job.name, dag_template(*job.callee, false));
        t["arguments"]["parameters"].push(param("prefix", key(job.node) + "."));
        tasks.push(std::move(t));
        finals.push_back(job.name);
        break;
      }
      case Job::Kind::Map: {
        std::string launch = job.name + "launch";
        std::string items = job.name + "items";
        Yaml l = dag_task(launch, launch_template());
        l["arguments"]["parameters"].push(param("node", key(job.node)));
        tasks.push(std::move(l));
        std::string base = job.task != nullptr ? job.task->name : "inprocess";
        std::string item = pod_template(base, job.resources, job.runner, true);
        Yaml f = Yaml::map();
        f["name"] = items;
        f["template"] = fanout_template(item, job);
        f["depends"] = launch;
        f["arguments"]["parameters"].push(param("node", key(job.node)));
        f["arguments"]["parameters"].push(
            param("items", fmt::format("{{{{tasks.{}.outputs.parameters.items}}}}", launch)));
        tasks.push(std::move(f));
        Yaml gather = Yaml::map();
        gather["name"] = job.name;
        gather["template"] = gather_template();
        gather["depends"] =
            job.min_success ? fmt::format("({0}.Succeeded || {0}.Failed)", items) : items;
        gather["arguments"]["parameters"].push(param("node", key(job.node)));
        tasks.push(std::move(gather));
        finals.push_back(job.name);
        break;
      }
    }
  }
  Yaml t = Yaml::map();
  if (!entry) {
    t["metadata"]["labels"]["flytec.io/workflow"] = label_value(w.name);
    t["inputs"]["parameters"].push(param("prefix"));
  }
  if (g.failure_policy == ir::FailurePolicy::Continue) t["dag"]["failFast"] = false;
  t["dag"]["tasks"] = std::move(tasks);
  // The entry DAG is first in the list; nested ones land where they were first used.
  if (entry) {
    std::vector<Yaml> rest = std::move(list_);
    list_.clear();
    std::string name = add(kEntry, std::move(t));
    for (Yaml& y : rest) list_.push_back(std::move(y));
    return name;
  }
  std::string name = add(template_name("wf-" + w.name), std::move(t));
  by_signature_[sig] = name;
  return name;
}

Yaml TemplateBuilder::templates() {
  list_.clear();
  by_signature_.clear();
  names_.clear();
  dag_template(workflow_, true);
  Yaml out = Yaml::seq();
  for (Yaml& y : list_) out.push(std::move(y));
  return out;
}

}  // namespace flyte::k8s
