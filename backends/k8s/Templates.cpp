// Builds the templates of a build (see Templates.h).
#include "backends/k8s/Templates.h"

#include <fmt/format.h>

#include "backends/k8s/Names.h"
#include "ir/Serialize.h"
#include "support/Hash.h"

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

// The output parameter `digest`, from what the node mode wrote at kDigestFile.
Yaml digest_output() {
  Yaml p = param("digest");
  p["valueFrom"]["path"] = kDigestFile;
  p["valueFrom"]["default"] = "none";
  return p;
}

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
// skipped); under `@failure_policy(continue)` a failed one is enough too. One of
// `lenient` (a branch arm's task, seen by the branch's join) may also have been omitted.
std::string depends_on(const std::vector<std::string>& names, ir::FailurePolicy policy,
                       const std::set<std::string>& lenient = {}) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += " && ";
    bool cont = policy == ir::FailurePolicy::Continue;
    if (lenient.count(n) != 0) {
      out += fmt::format("({0}.Succeeded || {0}.Skipped || {0}.Omitted{1})", n,
                         cont ? fmt::format(" || {}.Failed", n) : "");
    } else {
      out += cont ? fmt::format("({0}.Succeeded || {0}.Skipped || {0}.Failed)", n) : n;
    }
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
  name = template_name(name);
  // A name taken (by another task that sanitizes alike, or a generated one) gets the
  // first free `-N`, the base shortened so that the whole stays within Argo's limit.
  std::string base = name;
  for (int n = 2; taken_.count(name) != 0; ++n) {
    std::string suffix = fmt::format("-{}", n);
    name = template_name(base.substr(0, 128 - suffix.size())) + suffix;
  }
  taken_.insert(name);
  t.prepend("name", name);
  list_.push_back(std::move(t));
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

bool TemplateBuilder::scalar_outputs(const ir::Task* t) const {
  if (t == nullptr || t->outputs.empty()) return false;
  for (const ir::Output& o : t->outputs) {
    switch (m_.types.kind(o.type)) {
      case TypeKind::Int:
      case TypeKind::Float:
      case TypeKind::Bool:
      case TypeKind::String:
      case TypeKind::Duration:
      case TypeKind::Size: break;
      default: return false;
    }
  }
  return true;
}

std::string TemplateBuilder::pod_template(const std::string& base, const PodResources& r,
                                          const PodRunner& run, bool item, size_t upstream,
                                          bool scalar_outputs, const std::string& memo) {
  std::string sig =
      signature(base, r, run, item) + fmt::format("|up{}|{}|{}", upstream, scalar_outputs, memo);
  if (auto it = by_signature_.find(sig); it != by_signature_.end()) return it->second;

  Yaml t = Yaml::map();
  t["metadata"]["labels"]["flytec.io/task"] = label_value(base);
  t["inputs"]["parameters"].push(param("node"));
  if (item) t["inputs"]["parameters"].push(param("item"));
  if (!memo.empty()) {
    t["inputs"]["parameters"].push(param("memo-key"));
    t["memoize"]["key"] = "{{inputs.parameters.memo-key}}";
    t["memoize"]["maxAge"] = kMemoMaxAge;
    t["memoize"]["cache"]["configMap"]["name"] = memo;
  }
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
    if (scalar_outputs) {
      // Scalars are parameters too, as the task's outputs.json: {"o": 3}.
      Yaml p = param("outputs");
      p["valueFrom"]["path"] = store_path("nodes/{{inputs.parameters.node}}/outputs.json");
      p["valueFrom"]["default"] = "{}";
      t["outputs"]["parameters"].push(std::move(p));
    }
  }
  Yaml args = Yaml::seq();
  for (const char* a : {"--store", kStoreDir, "--cache-dir", kCacheDir, "--run-node",
                        "{{inputs.parameters.node}}"}) {
    args.push(a);
  }
  if (item) {
    args.push("--item");
    args.push("{{inputs.parameters.item}}");
  } else if (!artifacts()) {
    args.push("--digest-out");
    args.push(kDigestFile);
    t["outputs"]["parameters"].push(digest_output());
  }
  Yaml c = container(run, args);
  if (std::string bad = check_secrets(r); !bad.empty() && error_.empty())
    error_ = fmt::format("the pod of '{}': {}", base, bad);
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
  if (!artifacts()) {
    args.push("--digest-out");
    args.push(kDigestFile);
    t["outputs"]["parameters"].push(digest_output());
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
      " --store \"$1\" --cache-dir \"$3\" --map-length \"$2\")\n"
      "i=0; sep=''\n"
      "{ printf '['; while [ \"$i\" -lt \"$n\" ]; do printf '%s%d' \"$sep\" \"$i\"; sep=,; "
      "i=$((i + 1)); done; printf ']'; } > /tmp/items.json\n"));
  c["args"].push("launch");
  c["args"].push(kStoreDir);
  c["args"].push("{{inputs.parameters.node}}");
  c["args"].push(kCacheDir);
  c["resources"]["requests"]["cpu"] = "100m";
  t["container"] = std::move(c);
  Yaml out = param("items");
  out["valueFrom"]["path"] = "/tmp/items.json";
  t["outputs"]["parameters"].push(std::move(out));
  std::string name = add("map-launch", std::move(t));
  by_signature_["launch"] = name;
  return name;
}

std::string TemplateBuilder::decide_template() {
  if (auto it = by_signature_.find("decide"); it != by_signature_.end()) return it->second;
  Yaml t = Yaml::map();
  t["metadata"]["labels"]["flytec.io/task"] = "branch-decide";
  t["inputs"]["parameters"].push(param("node"));
  // Its stdout, the arm's index or `none`, is the task's `outputs.result`.
  Yaml args = Yaml::seq();
  for (const char* a : {"--store", kStoreDir, "--cache-dir", kCacheDir, "--branch-arm",
                        "{{inputs.parameters.node}}"}) {
    args.push(a);
  }
  Yaml c = container({}, args);
  c["resources"]["requests"]["cpu"] = "100m";
  t["container"] = std::move(c);
  std::string name = add("branch-decide", std::move(t));
  by_signature_["decide"] = name;
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

std::optional<std::string> TemplateBuilder::memo_key(const Dag& g, size_t j,
                                                     const std::vector<std::string>& finals) const {
  const Job& job = g.jobs[j];
  if (artifacts() || job.kind != Job::Kind::Task || job.task == nullptr || !job.task->cache ||
      g.failure_policy != ir::FailurePolicy::FailFast)
    return std::nullopt;
  // What the task's outputs depend on that the store does not say: its definition, the
  // image it runs in and its resources and secrets.
  // The plan and the node too: another call of the task, or a call whose arguments are
  // other constants or expressions, has other inputs with the same upstream digests.
  if (plan_hash_.empty()) {
    Hasher p;
    p.add(ir::to_protobuf(m_));
    plan_hash_ = p.hex();
  }
  Hasher h;
  h.add(job.task->fingerprint);
  h.add(job.task->cache_version);
  h.add(job.runner.image.empty() ? o_.image : job.runner.image);
  h.add(signature(job.label, job.resources, job.runner, false));
  h.add(plan_hash_);
  h.add(job.node);
  std::string key = h.hex().substr(0, 16) + "-{{tasks.init.outputs.parameters.digest}}";
  size_t parts = 2;
  for (uint32_t a : job.after) {
    const Job& up = g.jobs[a];
    // A task of a branch arm may be skipped, leaving no digest; one of the same arm as
    // this task ran if this one runs.
    if (up.guard && !(job.guard == up.guard && job.arm == up.arm)) return std::nullopt;
    switch (up.kind) {
      case Job::Kind::Decide:
        key += fmt::format("-{{{{tasks.{}.outputs.result}}}}", up.name);
        break;
      case Job::Kind::Task:
      case Job::Kind::InProcess:
      case Job::Kind::Map:
        key += fmt::format("-{{{{tasks.{}.outputs.parameters.digest}}}}", finals[a]);
        break;
      case Job::Kind::Subworkflow: return std::nullopt;  // a nested DAG has no digest
    }
    ++parts;
  }
  // A key is at most 253 characters: 16 hex digits and a dash for each part.
  if (parts * 17 > 253) return std::nullopt;
  return key;
}

Yaml TemplateBuilder::dag_body(std::vector<DagEntry>& tasks, size_t begin, size_t end,
                               const std::set<std::string>& local, ir::FailurePolicy policy,
                               const std::string& init) {
  Yaml dag = Yaml::map();
  if (policy == ir::FailurePolicy::Continue) dag["failFast"] = false;
  Yaml& list = dag["tasks"];
  if (!init.empty()) {
    Yaml t = Yaml::map();
    t["name"] = "init";
    t["template"] = init;
    list.push(std::move(t));
  }
  for (size_t i = begin; i < end; ++i) {
    DagEntry& e = tasks[i];
    if (!e.inner) {
      std::vector<std::string> in;
      for (const std::string& d : e.deps) {
        if (local.count(d) != 0) in.push_back(d);
      }
      std::string depends = depends_on(in, policy, e.lenient);
      // Every task of the entry DAG waits for the store to be made.
      if (in.empty() && !init.empty()) depends = "init";
      if (!depends.empty()) {
        Yaml t = Yaml::map();
        for (const auto& [k, v] : e.task.entries()) {
          t[k] = v;
          if (k == "template") t["depends"] = depends;
        }
        e.task = std::move(t);
      }
    }
    list.push(std::move(e.task));
  }
  return dag;
}

Yaml TemplateBuilder::lay_out(std::vector<DagEntry> tasks, const std::string& init,
                              ir::FailurePolicy policy, bool entry, const std::string& base) {
  size_t room = kMaxDagTasks - (init.empty() ? 0 : 1);
  if (tasks.size() <= room) {
    std::set<std::string> local;
    for (const DagEntry& e : tasks) local.insert(e.task.entries().front().second.str());
    return dag_body(tasks, 0, tasks.size(), local, policy, init);
  }
  if (artifacts() && error_.empty()) {
    error_ = fmt::format(
        "--storage artifacts holds at most {} tasks in one DAG ({} here); use "
        "--storage pvc",
        room, tasks.size());
  }
  // Too many tasks for one DAG: parts of at most kMaxDagTasks tasks (a job's tasks stay
  // together), each a nested DAG that waits for the parts holding its tasks' upstream.
  std::vector<std::pair<size_t, size_t>> parts;
  size_t begin = 0;
  for (size_t i = 0; i <= tasks.size(); ++i) {
    bool boundary = i == tasks.size() || (i > begin && tasks[i].group != tasks[i - 1].group);
    if (!boundary) continue;
    size_t group_begin = i;
    while (group_begin > begin && tasks[group_begin - 1].group == tasks[i - 1].group) --group_begin;
    if (i - begin > kMaxDagTasks) {
      parts.emplace_back(begin, group_begin);
      begin = group_begin;
    }
    if (i == tasks.size()) parts.emplace_back(begin, i);
  }
  std::map<std::string, size_t> part_of;
  for (size_t p = 0; p < parts.size(); ++p) {
    for (size_t i = parts[p].first; i < parts[p].second; ++i) {
      part_of[tasks[i].task.entries().front().second.str()] = p;
    }
  }
  Yaml outer = Yaml::map();
  if (policy == ir::FailurePolicy::Continue) outer["failFast"] = false;
  Yaml& list = outer["tasks"];
  if (!init.empty()) {
    Yaml t = Yaml::map();
    t["name"] = "init";
    t["template"] = init;
    list.push(std::move(t));
  }
  for (size_t p = 0; p < parts.size(); ++p) {
    std::set<std::string> local;
    std::set<size_t> after;
    for (size_t i = parts[p].first; i < parts[p].second; ++i) {
      local.insert(tasks[i].task.entries().front().second.str());
      for (const std::string& d : tasks[i].deps) {
        if (auto it = part_of.find(d); it != part_of.end() && it->second != p)
          after.insert(it->second);
      }
    }
    Yaml pt = Yaml::map();
    if (!entry) pt["inputs"]["parameters"].push(param("prefix"));
    pt["dag"] = dag_body(tasks, parts[p].first, parts[p].second, local, policy, "");
    std::string name = add(template_name(fmt::format("{}-part{}", base, p + 1)), std::move(pt));
    Yaml t = Yaml::map();
    t["name"] = fmt::format("part{}", p + 1);
    t["template"] = name;
    std::vector<std::string> names;
    names.reserve(after.size());
    for (size_t a : after) names.push_back(fmt::format("part{}", a + 1));
    std::string depends = depends_on(names, policy);
    if (!init.empty()) depends = depends.empty() ? "init" : fmt::format("init && {}", depends);
    if (!depends.empty()) t["depends"] = depends;
    if (!entry) t["arguments"]["parameters"].push(param("prefix", "{{inputs.parameters.prefix}}"));
    list.push(std::move(t));
  }
  return outer;
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
  std::vector<DagEntry> tasks;
  std::string init = entry ? init_template() : "";
  // A DAG split into parts (lay_out) has no memoized tasks: a key names tasks that a part
  // of its own cannot see.
  size_t entries = init.empty() ? 0 : 1;
  for (const Job& job : g.jobs) entries += job.kind == Job::Kind::Map ? 3 : 1;
  bool split = entries > kMaxDagTasks;
  std::vector<std::string> finals;  // the DAG task that completes each job
  for (const Job& job : g.jobs) {
    std::vector<std::string> deps;
    for (uint32_t a : job.after) deps.push_back(finals[a]);
    // A branch's decide task, its arms' tasks and its join stay in one part of a split DAG
    // where they are laid out together.
    size_t group = &job - g.jobs.data();
    if (job.guard) group = *job.guard;
    if (job.join) {
      for (uint32_t a : job.after) {
        if (g.jobs[a].kind == Job::Kind::Decide && g.jobs[a].node == job.node) group = a;
      }
    }
    auto dag_task = [&](const std::string& name, const std::string& tmpl) {
      Yaml t = Yaml::map();
      t["name"] = name;
      t["template"] = tmpl;
      return t;
    };
    // A branch's join may find its arms' tasks omitted or skipped.
    std::set<std::string> lenient;
    if (job.join) {
      for (uint32_t a : job.after) {
        const Job& up = g.jobs[a];
        if (up.guard && g.jobs[*up.guard].node == job.node) lenient.insert(finals[a]);
      }
    }
    // The job's first task: its `depends` is set once the DAG is laid out; an arm's task
    // runs only when the branch's decide task printed its arm.
    auto push_first = [&](Yaml t) {
      if (job.guard) {
        Yaml guarded = Yaml::map();
        for (const auto& [k, v] : t.entries()) {
          guarded[k] = v;
          if (k == "template") {
            guarded["when"] = fmt::format("'{{{{tasks.{}.outputs.result}}}}' == '{}'",
                                          g.jobs[*job.guard].name, job.arm);
          }
        }
        t = std::move(guarded);
      }
      tasks.push_back({std::move(t), deps, group, false, lenient});
    };
    auto push_inner = [&](Yaml t) { tasks.push_back({std::move(t), {}, group, true, {}}); };
    switch (job.kind) {
      case Job::Kind::Decide: {
        Yaml t = dag_task(job.name, decide_template());
        t["arguments"]["parameters"].push(param("node", key(job.node)));
        push_first(std::move(t));
        finals.push_back(job.name);
        break;
      }
      case Job::Kind::Task:
      case Job::Kind::InProcess: {
        std::string base = job.kind == Job::Kind::Task ? job.label
                           : job.join                  ? "branch"
                                                       : "inprocess";
        // The node mode reads the records of every node upstream, not only the nearest.
        std::vector<uint32_t> ancestors =
            artifacts() ? upstream_closure(g, &job - g.jobs.data()) : std::vector<uint32_t>{};
        std::optional<std::string> memo =
            entry && !split ? memo_key(g, &job - g.jobs.data(), finals) : std::nullopt;
        std::string cm;
        if (memo) {
          // One ConfigMap per task, its name unique to the task's exact name.
          Hasher h;
          h.add(job.task->name);
          cm = dns_name(fmt::format("flytec-memo-{}-{}", w.name, job.task->name), 244) + "-" +
               h.hex().substr(0, 8);
        }
        Yaml t = dag_task(job.name,
                          pod_template(base, job.resources, job.runner, false, ancestors.size(),
                                       artifacts() && scalar_outputs(job.task), cm));
        t["arguments"]["parameters"].push(param("node", key(job.node)));
        if (memo) t["arguments"]["parameters"].push(param("memo-key", *memo));
        if (artifacts()) pass_records(t, ancestors, g);
        push_first(std::move(t));
        finals.push_back(job.name);
        break;
      }
      case Job::Kind::Subworkflow: {
        Yaml t = dag_task(job.name, dag_template(*job.callee, false));
        t["arguments"]["parameters"].push(param("prefix", key(job.node) + "."));
        push_first(std::move(t));
        finals.push_back(job.name);
        break;
      }
      case Job::Kind::Map: {
        std::string launch = job.name + "launch";
        std::string items = job.name + "items";
        Yaml l = dag_task(launch, launch_template());
        l["arguments"]["parameters"].push(param("node", key(job.node)));
        push_first(std::move(l));
        std::string base = job.task != nullptr ? job.task->name : "inprocess";
        std::string item = pod_template(base, job.resources, job.runner, true);
        Yaml f = Yaml::map();
        f["name"] = items;
        f["template"] = fanout_template(item, job);
        f["depends"] = launch;
        f["arguments"]["parameters"].push(param("node", key(job.node)));
        f["arguments"]["parameters"].push(
            param("items", fmt::format("{{{{tasks.{}.outputs.parameters.items}}}}", launch)));
        push_inner(std::move(f));
        Yaml gather = Yaml::map();
        gather["name"] = job.name;
        gather["template"] = gather_template();
        gather["depends"] =
            job.min_success ? fmt::format("({0}.Succeeded || {0}.Failed)", items) : items;
        gather["arguments"]["parameters"].push(param("node", key(job.node)));
        push_inner(std::move(gather));
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
    pass_records(c, all, g);
    tasks.push_back({std::move(c), finals, g.jobs.size(), false, {}});
  }
  std::string base = entry ? std::string(kEntry) : template_name("wf-" + w.name);
  Yaml dag = lay_out(std::move(tasks), init, g.failure_policy, entry, base);
  Yaml t = Yaml::map();
  if (!entry) {
    t["metadata"]["labels"]["flytec.io/workflow"] = label_value(w.name);
    t["inputs"]["parameters"].push(param("prefix"));
  }
  t["dag"] = std::move(dag);
  // The entry DAG is first in the list; nested ones land where they were first used.
  if (entry) {
    // kEntry was kept free for it (templates()).
    std::vector<Yaml> rest = std::move(list_);
    list_.clear();
    t.prepend("name", kEntry);
    list_.push_back(std::move(t));
    for (Yaml& y : rest) list_.push_back(std::move(y));
    return kEntry;
  }
  std::string name = add(template_name("wf-" + w.name), std::move(t));
  by_signature_[sig] = name;
  return name;
}

Yaml TemplateBuilder::templates() {
  list_.clear();
  by_signature_.clear();
  taken_ = {kEntry};
  dag_template(workflow_, true);
  Yaml out = Yaml::seq();
  for (Yaml& y : list_) out.push(std::move(y));
  return out;
}

}  // namespace flyte::k8s
