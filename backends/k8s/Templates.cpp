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

// An artifact at `path`, optional (a skipped or failed node may leave none).
Yaml artifact(const std::string& name, const std::string& path) {
  Yaml a = Yaml::map();
  a["name"] = name;
  a["path"] = path;
  return a;
}

std::string store_path(const std::string& rest) { return std::string(kStoreDir) + "/" + rest; }

// Every job upstream of job `j` of `g`, ascending.
std::vector<uint32_t> upstream_closure(const Dag& g, std::ptrdiff_t j) {
  std::vector<bool> seen(g.jobs.size(), false);
  std::vector<uint32_t> stack(g.jobs[j].after.begin(), g.jobs[j].after.end());
  while (!stack.empty()) {
    uint32_t u = stack.back();
    stack.pop_back();
    if (seen[u]) continue;
    seen[u] = true;
    for (uint32_t a : g.jobs[u].after) stack.push_back(a);
  }
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) out.push_back(i);
  }
  return out;
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

void TemplateBuilder::pass_records(Yaml& task, const std::vector<uint32_t>& jobs, const Dag& g) {
  Yaml run = Yaml::map();
  run["name"] = "run";
  run["from"] = "{{tasks.init.outputs.artifacts.run}}";
  task["arguments"]["artifacts"].push(std::move(run));
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Job& up = g.jobs[jobs[i]];
    task["arguments"]["parameters"].push(param(fmt::format("up{}", i), up.node));
    Yaml a = Yaml::map();
    a["name"] = fmt::format("up{}", i);
    a["from"] = fmt::format("{{{{tasks.{}.outputs.artifacts.node}}}}", up.name);
    task["arguments"]["artifacts"].push(std::move(a));
  }
}

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
                                          const PodRunner& run, bool item, size_t upstream) {
  std::string sig = signature(base, r, run, item) + fmt::format("|up{}", upstream);
  if (auto it = by_signature_.find(sig); it != by_signature_.end()) return it->second;

  Yaml t = Yaml::map();
  t["metadata"]["labels"]["flytec.io/task"] = label_value(base);
  t["inputs"]["parameters"].push(param("node"));
  if (item) t["inputs"]["parameters"].push(param("item"));
  if (artifacts()) {
    // The run's inputs and the records this node reads, where the node mode looks.
    for (size_t i = 0; i < upstream; ++i)
      t["inputs"]["parameters"].push(param(fmt::format("up{}", i)));
    t["inputs"]["artifacts"].push(artifact("run", store_path("run.json")));
    for (size_t i = 0; i < upstream; ++i) {
      t["inputs"]["artifacts"].push(
          artifact(fmt::format("up{}", i),
                   store_path(fmt::format("nodes/{{{{inputs.parameters.up{}}}}}", i))));
    }
    Yaml out = artifact("node", store_path("nodes/{{inputs.parameters.node}}"));
    out["optional"] = true;
    t["outputs"]["artifacts"].push(std::move(out));
  }
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
  if (artifacts()) t["outputs"]["artifacts"].push(artifact("run", store_path("run.json")));
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

std::string TemplateBuilder::collect_template(size_t jobs) {
  Yaml t = Yaml::map();
  t["metadata"]["labels"]["flytec.io/task"] = "collect";
  for (size_t i = 0; i < jobs; ++i) t["inputs"]["parameters"].push(param(fmt::format("up{}", i)));
  t["inputs"]["artifacts"].push(artifact("run", store_path("run.json")));
  for (size_t i = 0; i < jobs; ++i) {
    Yaml a = artifact(fmt::format("up{}", i),
                      store_path(fmt::format("nodes/{{{{inputs.parameters.up{}}}}}", i)));
    a["optional"] = true;
    t["inputs"]["artifacts"].push(std::move(a));
  }
  Yaml c = Yaml::map();
  c["name"] = "main";
  c["image"] = o_.image;
  c["command"].push("/bin/sh");
  c["command"].push("-c");
  c["args"].push(Yaml::block(std::string(kExecutable) +
                             " --store \"$1\" --collect > /tmp/outputs.json; rc=$?\n"
                             "cat /tmp/outputs.json\n"
                             "exit $rc\n"));
  c["args"].push("collect");
  c["args"].push(kStoreDir);
  c["resources"]["requests"]["cpu"] = "100m";
  t["container"] = std::move(c);
  Yaml out = param("outputs");
  out["valueFrom"]["path"] = "/tmp/outputs.json";
  t["outputs"]["parameters"].push(std::move(out));
  return add("collect", std::move(t));
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
        // The node mode reads the records of every node upstream, not only the nearest.
        std::vector<uint32_t> ancestors =
            artifacts() ? upstream_closure(g, &job - g.jobs.data()) : std::vector<uint32_t>{};
        Yaml t = dag_task(job.name,
                          pod_template(base, job.resources, job.runner, false, ancestors.size()));
        t["arguments"]["parameters"].push(param("node", key(job.node)));
        if (artifacts()) pass_records(t, ancestors, g);
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
  if (entry && artifacts()) {
    // The outputs, from every job's record: the Workflow's output parameter `outputs`.
    std::vector<uint32_t> all;
    for (uint32_t i = 0; i < g.jobs.size(); ++i) all.push_back(i);
    Yaml c = Yaml::map();
    c["name"] = "collect";
    c["template"] = collect_template(all.size());
    std::vector<std::string> names(finals.begin(), finals.end());
    if (names.empty()) names.emplace_back("init");
    c["depends"] = depends_on(names, g.failure_policy);
    pass_records(c, all, g);
    tasks.push(std::move(c));
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
