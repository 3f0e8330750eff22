#!/usr/bin/env python3
"""A test-only interpreter of Argo Workflows manifests: it reads a Workflow (and the
WorkflowTemplate it references through workflowTemplateRef) and runs its DAG on this
machine, each container's command as a local process (its image ignored), as Argo's
controller would schedule the pods. It exists to test generated manifests without a
cluster; it is not a workflow engine.

    argo_run.py FILE.yaml... [-p NAME=VALUE]... [--map-path CONTAINER=LOCAL]...
                [--secret NAME/KEY=VALUE]... [--workdir DIR] [--jobs N] [--quiet]
                [--configmaps DIR]

Exit status: 0 the workflow succeeded, 1 it failed, 2 bad usage or a manifest it cannot
interpret (the message names the field). A field that would change what runs and that
this interpreter does not implement is an error, never ignored; fields with no meaning
on one machine (images, resources, scheduling, pod metadata) are ignored.

Semantics follow Argo's documentation: `dependencies` and enhanced `depends` (a bare task
name means `(T.Succeeded || T.Skipped || T.Daemoned)`, plus `T.Failed`/`T.Errored` when
T has continueOn), `when` (govaluate: quoted strings, numbers, booleans, == != < > <= >=
=~ !~ && || !; an unquoted word is refused), withItems/withParam/withSequence,
parallelism, failFast, retryStrategy, activeDeadlineSeconds, templateDefaults, onExit,
memoize (a ConfigMap per cache, within one run or kept in --configmaps across runs), the
DAG phase from its leaf tasks (an omitted leaf inherits the
failure of its branch).

Paths: each volumeMount's mountPath is rewritten to a local folder (one per volume: a
persistentVolumeClaim's folder is shared by every pod, an emptyDir's is per pod), and
each --map-path CONTAINER=LOCAL rewrites that container path prefix, in command, args,
env values, workingDir, script source and output parameter paths. Each pod's /tmp is a
folder of its own (--shared-tmp: this machine's), so a path under /tmp given as an input
does not reach a pod: keep such inputs elsewhere. A --map-path that
equals a PVC's mountPath makes LOCAL that claim's folder.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import yaml


class Unsupported(Exception):
    """A manifest this interpreter cannot run (exit 2)."""


class NodeFailure(Exception):
    """A node that errored while being prepared (Argo's Error phase)."""


# --- fields: what is interpreted, what has no local meaning, the rest is refused ------

IGNORED_META = {"metadata", "serviceAccountName", "automountServiceAccountToken", "nodeSelector",
                "tolerations", "affinity", "priorityClassName", "priority", "schedulerName",
                "securityContext", "podSpecPatch", "imagePullSecrets", "hostAliases", "podGC",
                "ttlStrategy", "archiveLogs", "archiveLocation", "executor", "podMetadata",
                "podPriorityClassName", "podDisruptionBudget", "workflowMetadata", "dnsPolicy",
                "dnsConfig", "synchronization", "metrics", "artifactGC", "artifactRepositoryRef",
                "shutdown", "hostNetwork", "volumeClaimGC", "pdb", "retention"}
SPEC_FIELDS = {"entrypoint", "arguments", "templates", "volumes", "volumeClaimTemplates",
               "templateDefaults", "parallelism", "activeDeadlineSeconds", "workflowTemplateRef",
               "onExit", "retryStrategy", "suspend"} | IGNORED_META
TEMPLATE_FIELDS = {"name", "inputs", "outputs", "dag", "container", "script", "retryStrategy",
                   "activeDeadlineSeconds", "timeout", "initContainers", "volumes", "parallelism",
                   "failFast", "memoize", "tolerations", "affinity", "nodeSelector", "metadata",
                   "serviceAccountName", "securityContext", "podSpecPatch", "priorityClassName",
                   "schedulerName", "synchronization", "metrics", "archiveLocation",
                   "automountServiceAccountToken", "executor", "hostAliases", "priority",
                   "annotations", "labels"}
CONTAINER_FIELDS = {"name", "image", "command", "args", "env", "envFrom", "workingDir",
                    "volumeMounts", "resources", "imagePullPolicy", "securityContext", "ports",
                    "source", "livenessProbe", "readinessProbe", "startupProbe",
                    "terminationMessagePath", "terminationMessagePolicy", "stdin", "tty",
                    "lifecycle", "resizePolicy", "restartPolicy"}
TASK_FIELDS = {"name", "template", "templateRef", "arguments", "dependencies", "depends", "when",
               "withItems", "withParam", "withSequence", "continueOn", "onExit"}
RESULTS = {"Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded",
           "AllFailed"}


def check_fields(obj, allowed, where):
    if not isinstance(obj, dict):
        raise Unsupported(f"{where}: expected a mapping, got {type(obj).__name__}")
    for k in obj:
        if k not in allowed:
            raise Unsupported(f"{where}.{k}: field not supported by this interpreter")


# --- template variables ---------------------------------------------------------------

TAG = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def fmt(value):
    """A value as Argo puts it into a string: strings raw, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, separators=(",", ":"))


def substitute(obj, scope, strict, where):
    """Replaces {{name}} in every string of obj from scope; an unknown name is an error
    when strict, and is left as it is otherwise (resolved later, as Argo does for DAG
    templates)."""
    if isinstance(obj, str):
        def repl(m):
            key = m.group(1)
            if key.startswith("="):
                raise Unsupported(f"{where}: expression tag {{{{{key}}}}} is not supported")
            if key in scope:
                return fmt(scope[key])
            if strict:
                raise NodeFailure(f"{where}: failed to resolve {{{{{key}}}}}")
            return m.group(0)
        return TAG.sub(repl, obj)
    if isinstance(obj, list):
        return [substitute(v, scope, strict, where) for v in obj]
    if isinstance(obj, dict):
        return {k: substitute(v, scope, strict, where) for k, v in obj.items()}
    return obj


# --- govaluate-style `when` expressions and `depends` expressions ----------------------

WHEN_TOKEN = re.compile(r"""\s*(?:(?P<num>-?\d+(?:\.\d+)?(?![\w.]))|(?P<str>'[^']*'|"[^"]*")|"""
                        r"""(?P<op>==|!=|<=|>=|=~|!~|&&|\|\||[<>!()])|(?P<word>[^\s()'"<>=!&|]+))""")


def when_tokens(text):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = WHEN_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"when {text!r}: cannot parse at {text[pos:]!r}")
        pos = m.end()
        if m.group("num") is not None:
            out.append(("val", float(m.group("num"))))
        elif m.group("str") is not None:
            out.append(("val", m.group("str")[1:-1]))
        elif m.group("op") is not None:
            out.append(("op", m.group("op")))
        else:
            w = m.group("word")
            if w in ("true", "false"):
                out.append(("val", w == "true"))
            else:
                raise Unsupported(f"when {text!r}: unquoted word {w!r} (govaluate reads it as an "
                                  f"undefined variable; quote strings)")
    return out


class Parser:
    """Precedence climbing over tokens: || < && < comparison < unary !."""

    def __init__(self, tokens, atom, text):
        self.t, self.i, self.atom, self.text = tokens, 0, atom, text

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse(self):
        v = self.or_()
        if self.i != len(self.t):
            raise Unsupported(f"{self.text!r}: unexpected {self.peek()[1]!r}")
        return v

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            r = self.and_()
            v = bool(v) or bool(r)
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            r = self.cmp()
            v = bool(v) and bool(r)
        return v

    def cmp(self):
        a = self.unary()
        kind, op = self.peek()
        if kind == "op" and op in ("==", "!=", "<", ">", "<=", ">=", "=~", "!~"):
            self.take()
            b = self.unary()
            if op == "==":
                return type(a) is type(b) and a == b
            if op == "!=":
                return not (type(a) is type(b) and a == b)
            if op in ("=~", "!~"):
                if not isinstance(a, str) or not isinstance(b, str):
                    raise Unsupported(f"{self.text!r}: {op} needs strings")
                return (re.search(b, a) is not None) == (op == "=~")
            if type(a) is not type(b) or isinstance(a, bool):
                raise Unsupported(f"{self.text!r}: cannot compare {a!r} {op} {b!r}")
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return a

    def unary(self):
        kind, tok = self.take()
        if (kind, tok) == ("op", "!"):
            return not self.unary()
        if (kind, tok) == ("op", "("):
            v = self.or_()
            if self.take() != ("op", ")"):
                raise Unsupported(f"{self.text!r}: missing )")
            return v
        if kind is None:
            raise Unsupported(f"{self.text!r}: unexpected end")
        return self.atom(kind, tok)


def eval_when(text):
    def atom(kind, tok):
        if kind != "val":
            raise Unsupported(f"when {text!r}: unexpected {tok!r}")
        return tok
    return Parser(when_tokens(text), atom, text).parse()


DEP_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||[!()])|(?P<dep>[A-Za-z0-9_-]+(?:\.[A-Za-z]+)?))")


def depends_tasks(text):
    return {m.group("dep").split(".")[0] for m in DEP_TOKEN.finditer(text) if m.group("dep")}


def eval_depends(text, result_of):
    """result_of(task, result) -> bool."""
    toks, pos = [], 0
    while pos < len(text.strip()):
        m = DEP_TOKEN.match(text.strip(), pos)
        if not m:
            raise Unsupported(f"depends {text!r}: cannot parse at {text.strip()[pos:]!r}")
        pos = m.end()
        toks.append(("op", m.group("op")) if m.group("op") else ("dep", m.group("dep")))

    def atom(kind, tok):
        if kind != "dep":
            raise Unsupported(f"depends {text!r}: unexpected {tok!r}")
        return result_of(*tok.split(".")) if "." in tok else result_of(tok, None)
    return Parser(toks, atom, text).parse()


EXPR_TOKEN = re.compile(r"""\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|"""
                        r"""(?P<op>==|!=|<=|>=|&&|\|\||[<>!(),+-])|(?P<word>[A-Za-z_][\w.]*))""")
EXPR_FUNCS = {"asInt": lambda v: int(float(v)), "asFloat": float, "int": lambda v: int(float(v)),
              "float": float, "string": fmt, "len": len}


def eval_expr(text, env):
    """A subset of expr-lang, as Argo evaluates retryStrategy.expression: strings, numbers,
    variables from env, asInt/asFloat/string/len, == != < > <= >=, matches, contains,
    startsWith, endsWith, + -, and/&&, or/||, not/!, parentheses."""
    toks, pos, body = [], 0, text.strip()
    while pos < len(body):
        m = EXPR_TOKEN.match(body, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"expression {text!r}: cannot parse at {body[pos:]!r}")
        pos = m.end()
        if m.group("num") is not None:
            toks.append(("val", float(m.group("num"))))
        elif m.group("str") is not None:
            toks.append(("val", json.loads('"' + m.group("str")[1:-1].replace('"', '\\"') + '"')))
        elif m.group("op") is not None:
            toks.append(("op", m.group("op")))
        else:
            w = m.group("word")
            alias = {"and": "&&", "or": "||", "not": "!"}
            if w in alias:
                toks.append(("op", alias[w]))
            elif w in ("matches", "contains", "startsWith", "endsWith", "in"):
                toks.append(("op", w))
            elif w in ("true", "false"):
                toks.append(("val", w == "true"))
            else:
                toks.append(("word", w))
    i = 0

    def peek():
        return toks[i] if i < len(toks) else (None, None)

    def take():
        nonlocal i
        i += 1
        return toks[i - 1] if i <= len(toks) else (None, None)

    def or_():
        v = and_()
        while peek() == ("op", "||"):
            take()
            r = and_()
            v = bool(v) or bool(r)
        return v

    def and_():
        v = cmp()
        while peek() == ("op", "&&"):
            take()
            r = cmp()
            v = bool(v) and bool(r)
        return v

    def cmp():
        a = add()
        kind, op = peek()
        if kind == "op" and op in ("==", "!=", "<", ">", "<=", ">=", "matches", "contains",
                                   "startsWith", "endsWith"):
            take()
            b = add()
            if op == "==":
                return a == b
            if op == "!=":
                return a != b
            if op in ("<", ">", "<=", ">="):
                if isinstance(a, str) != isinstance(b, str):
                    raise Unsupported(f"expression {text!r}: cannot compare {a!r} {op} {b!r}")
                return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
            if not isinstance(a, str) or not isinstance(b, str):
                raise Unsupported(f"expression {text!r}: {op} needs strings")
            return {"matches": lambda: re.search(b, a) is not None, "contains": lambda: b in a,
                    "startsWith": lambda: a.startswith(b), "endsWith": lambda: a.endswith(b)}[op]()
        return a

    def add():
        v = unary()
        while peek() in (("op", "+"), ("op", "-")):
            op = take()[1]
            r = unary()
            v = v + r if op == "+" else v - r
        return v

    def unary():
        kind, tok = take()
        if (kind, tok) == ("op", "!"):
            return not unary()
        if (kind, tok) == ("op", "-"):
            return -unary()
        if (kind, tok) == ("op", "("):
            v = or_()
            if take() != ("op", ")"):
                raise Unsupported(f"expression {text!r}: missing )")
            return v
        if kind == "val":
            return tok
        if kind == "word":
            if peek() == ("op", "("):
                take()
                if tok not in EXPR_FUNCS:
                    raise Unsupported(f"expression {text!r}: function {tok} not supported")
                arg = or_()
                if take() != ("op", ")"):
                    raise Unsupported(f"expression {text!r}: {tok}( takes one argument")
                return EXPR_FUNCS[tok](arg)
            if tok not in env:
                raise Unsupported(f"expression {text!r}: unknown variable {tok}")
            return env[tok]
        raise Unsupported(f"expression {text!r}: unexpected {tok!r}")

    v = or_()
    if i != len(toks):
        raise Unsupported(f"expression {text!r}: unexpected {peek()[1]!r}")
    return v


# --- nodes ----------------------------------------------------------------------------

class Node:
    def __init__(self, name, phase="Pending", outputs=None, message=""):
        self.name, self.phase, self.message = name, phase, message
        self.outputs = outputs or {"parameters": {}, "result": None, "exitCode": None}
        self.children = []  # expanded children, for a task group
        self.seconds = 0.0

    def failed(self):
        return self.phase in ("Failed", "Error")


def as_int(v, where):
    try:
        return int(str(v))
    except ValueError:
        raise Unsupported(f"{where}: {v!r} is not an integer") from None


def merge_defaults(defaults, tmpl):
    """templateDefaults under a template: the template's own fields win (maps merge); a
    template type's defaults (container, script, ...) apply to templates of that type."""
    out = {k: v for k, v in defaults.items()
           if k not in ("container", "script", "dag", "steps", "resource") or k in tmpl}
    for k, v in tmpl.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_defaults(out[k], v)
        else:
            out[k] = v
    return out


class Workflow:
    def __init__(self, docs, args):
        self.args = args
        wfs = [d for d in docs if d.get("kind") == "Workflow"]
        if len(wfs) != 1:
            raise Unsupported(f"expected exactly one Workflow document, found {len(wfs)}")
        self.wf = wfs[0]
        self.wtemplates = {d["metadata"]["name"]: d for d in docs
                           if d.get("kind") == "WorkflowTemplate" and d.get("metadata", {}).get("name")}
        self.configmaps = {d["metadata"]["name"]: d.get("data", {}) or {} for d in docs
                           if d.get("kind") == "ConfigMap" and d.get("metadata", {}).get("name")}
        self.secrets = args.secrets
        spec = dict(self.wf.get("spec") or {})
        check_fields(spec, SPEC_FIELDS, "Workflow.spec")
        ref = spec.pop("workflowTemplateRef", None)
        if ref is not None:
            check_fields(ref, {"name"}, "spec.workflowTemplateRef")
            base = self.wtemplates.get(ref.get("name"))
            if base is None:
                raise Unsupported(f"spec.workflowTemplateRef: WorkflowTemplate {ref.get('name')!r} "
                                  f"is not in the files given")
            bspec = dict(base.get("spec") or {})
            check_fields(bspec, SPEC_FIELDS - {"workflowTemplateRef"}, "WorkflowTemplate.spec")
            params = {p["name"]: p for p in (bspec.get("arguments") or {}).get("parameters", [])}
            for p in (spec.get("arguments") or {}).get("parameters", []):
                params[p["name"]] = p
            merged = dict(bspec)
            merged.update({k: v for k, v in spec.items() if k not in ("arguments", "templates")})
            tmpls = {t["name"]: t for t in bspec.get("templates", [])}
            tmpls.update({t["name"]: t for t in spec.get("templates", [])})
            merged["templates"] = list(tmpls.values())
            merged["arguments"] = {"parameters": list(params.values())}
            spec = merged
        if spec.get("suspend"):
            raise Unsupported("spec.suspend: a suspended workflow does not run")
        self.spec = spec
        meta = self.wf.get("metadata") or {}
        self.name = meta.get("name") or (meta.get("generateName", "wf-") + "".join(
            random.choice(string.ascii_lowercase + string.digits) for _ in range(5)))
        self.uid = str(uuid.uuid4())
        self.templates = {t["name"]: t for t in spec.get("templates", [])}
        self.defaults = spec.get("templateDefaults") or {}
        self.workdir = args.workdir
        self.lock = threading.Lock()
        self.pods = threading.Semaphore(min(as_int(spec.get("parallelism"), "spec.parallelism")
                                            if spec.get("parallelism") else 10**6, args.jobs))
        deadline = spec.get("activeDeadlineSeconds")
        self.deadline = time.time() + as_int(deadline, "spec.activeDeadlineSeconds") if deadline else None
        self.memo = {}
        self.counter = 0
        self.procs = set()
        self.maps = sorted(args.map_path, key=lambda kv: -len(kv[0]))
        self.volumes = self.local_volumes()
        self.params = self.workflow_params()
        self.global_outputs = {}

    # -- setup

    def local_volumes(self):
        """volume name -> ('shared', dir) or ('pod', None) for emptyDir."""
        out = {}
        for v in self.spec.get("volumes") or []:
            name = v.get("name")
            kinds = [k for k in v if k != "name"]
            if kinds == ["persistentVolumeClaim"]:
                out[name] = ("shared", None)
            elif kinds == ["emptyDir"]:
                out[name] = ("pod", None)
            else:
                raise Unsupported(f"spec.volumes[{name}]: only persistentVolumeClaim and emptyDir "
                                  f"volumes are supported, not {kinds}")
        for v in self.spec.get("volumeClaimTemplates") or []:
            out[(v.get("metadata") or {}).get("name")] = ("shared", None)
        return out

    def workflow_params(self):
        params = {}
        declared = (self.spec.get("arguments") or {}).get("parameters") or []
        check_fields(self.spec.get("arguments") or {}, {"parameters"}, "spec.arguments")
        for p in declared:
            check_fields(p, {"name", "value", "default", "enum", "description"},
                         f"spec.arguments.parameters[{p.get('name')}]")
            v = p.get("value", p.get("default"))
            params[p["name"]] = None if v is None else fmt(v)
        for name, value in self.args.params:
            if name not in params:
                raise Unsupported(f"-p {name}: the workflow declares no parameter {name!r} "
                                  f"(declared: {', '.join(params) or 'none'})")
            params[name] = value
        for p in declared:
            if params[p["name"]] is None:
                raise Unsupported(f"spec.arguments.parameters[{p['name']}] has no value; give -p {p['name']}=VALUE")
            if p.get("enum") and params[p["name"]] not in [fmt(e) for e in p["enum"]]:
                raise Unsupported(f"parameter {p['name']}={params[p['name']]!r} is not one of {p['enum']}")
        return params

    def global_scope(self):
        scope = {"workflow.name": self.name, "workflow.uid": self.uid, "workflow.namespace": "default",
                 "workflow.mainEntrypoint": self.spec.get("entrypoint"),
                 "workflow.serviceAccountName": self.spec.get("serviceAccountName", "default"),
                 "workflow.parameters": json.dumps([{"name": k, "value": v} for k, v in self.params.items()])}
        for k, v in self.params.items():
            scope[f"workflow.parameters.{k}"] = v
        for k, v in self.global_outputs.items():
            scope[f"workflow.outputs.parameters.{k}"] = v
        return scope

    def report(self, node, seconds=None, extra=""):
        if self.args.quiet:
            return
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        msg = f": {node.message}" if node.message else ""
        with self.lock:
            print(f"{node.phase:<10} {node.name}{extra}{took}{msg}", flush=True)

    # -- templates

    def template(self, ref, where, templates):
        if isinstance(ref, dict):  # templateRef
            check_fields(ref, {"name", "template"}, f"{where}.templateRef")
            wt = self.wtemplates.get(ref.get("name"))
            if wt is None:
                raise Unsupported(f"{where}.templateRef: WorkflowTemplate {ref.get('name')!r} not given")
            templates = {t["name"]: t for t in (wt.get("spec") or {}).get("templates", [])}
            ref = ref.get("template")
        t = templates.get(ref)
        if t is None:
            raise Unsupported(f"{where}: no template named {ref!r}")
        t = merge_defaults(self.defaults, t) if self.defaults else t
        if self.spec.get("retryStrategy") and "retryStrategy" not in t and "dag" not in t:
            t = dict(t, retryStrategy=self.spec["retryStrategy"])
        check_fields(t, TEMPLATE_FIELDS, f"template {ref}")
        kinds = [k for k in ("dag", "container", "script") if k in t]
        if len(kinds) != 1:
            raise Unsupported(f"template {ref}: needs exactly one of dag, container, script "
                              f"(steps, resource, suspend, data, http, plugin are not supported)")
        return t, templates

    def bind_inputs(self, tmpl, args):
        inputs = tmpl.get("inputs") or {}
        check_fields(inputs, {"parameters"}, f"template {tmpl['name']}.inputs")
        scope = self.global_scope()
        for p in inputs.get("parameters") or []:
            check_fields(p, {"name", "value", "default", "enum", "description"},
                         f"template {tmpl['name']}.inputs.parameters[{p.get('name')}]")
            v = p.get("value", p.get("default"))
            if p["name"] in args:
                v = args[p["name"]]
            if v is None:
                raise NodeFailure(f"inputs.parameters.{p['name']} was not supplied")
            v = substitute(fmt(v), scope, True, f"inputs.parameters.{p['name']}")
            if p.get("enum") and v not in [fmt(e) for e in p["enum"]]:
                raise NodeFailure(f"inputs.parameters.{p['name']}={v!r} is not one of {p['enum']}")
            scope[f"inputs.parameters.{p['name']}"] = v
        scope["inputs.parameters"] = json.dumps(
            [{"name": p["name"], "value": scope[f"inputs.parameters.{p['name']}"]}
             for p in inputs.get("parameters") or []])
        return scope

    def execute(self, ref, args, node_name, templates, where):
        """Runs a template; returns its node."""
        try:
            tmpl, templates = self.template(ref, where, templates)
            scope = self.bind_inputs(tmpl, args)
        except NodeFailure as e:
            node = Node(node_name, "Error", message=str(e))
            self.report(node)
            return node
        if "dag" in tmpl:
            start = time.time()
            node = self.run_dag(tmpl, scope, node_name, templates)
            self.report(node, time.time() - start, " (dag)")
            return node
        return self.run_leaf(tmpl, scope, node_name)

    # -- DAG

    def run_dag(self, tmpl, scope, node_name, templates):
        dag = substitute(tmpl["dag"], scope, False, f"template {tmpl['name']}")
        check_fields(dag, {"tasks", "failFast", "target"}, f"template {tmpl['name']}.dag")
        tasks = {}
        for t in dag.get("tasks") or []:
            check_fields(t, TASK_FIELDS, f"template {tmpl['name']}.dag.tasks[{t.get('name')}]")
            if t.get("onExit"):
                raise Unsupported(f"dag task {t['name']}.onExit: not supported")
            if "template" not in t and "templateRef" not in t:
                raise Unsupported(f"dag task {t['name']}: needs template or templateRef")
            tasks[t["name"]] = t
        logic, deps = {}, {}
        for name, t in tasks.items():
            if t.get("depends"):
                if t.get("dependencies"):
                    raise Unsupported(f"dag task {name}: both depends and dependencies")
                text = t["depends"]
            else:
                text = " && ".join(t.get("dependencies") or [])
            deps[name] = depends_tasks(text) if text else set()
            for d in deps[name]:
                if d not in tasks:
                    raise Unsupported(f"dag task {name}: depends on unknown task {d!r}")
            logic[name] = text
            if text:  # parse once, so that a syntax error is reported before anything runs
                eval_depends(text, lambda *_: True)
        if dag.get("target"):
            raise Unsupported(f"template {tmpl['name']}.dag.target: not supported")
        limit = tmpl.get("parallelism")
        sem = threading.Semaphore(as_int(limit, "parallelism")) if limit else None
        nodes = {}
        cond = threading.Condition()
        running = set()

        def result_of(task, result):
            n = nodes[task]
            cont = tasks[task].get("continueOn") or {}
            if result is None:
                ok = n.phase in ("Succeeded", "Skipped")
                ok = ok or (cont.get("failed") and n.phase == "Failed") or (cont.get("error") and n.phase == "Error")
                return bool(ok)
            if result not in RESULTS:
                raise Unsupported(f"depends: {task}.{result} is not an Argo task result ({', '.join(sorted(RESULTS))})")
            phase = {"Errored": "Error"}.get(result, result)
            if result == "AnySucceeded":
                return any(c.phase == "Succeeded" for c in n.children)
            if result == "AllFailed":
                return bool(n.children) and all(c.failed() for c in n.children)
            if result == "Daemoned":
                return False
            return n.phase == phase

        def run_task(name):
            t = tasks[name]
            task_scope = dict(scope)
            for other, n in nodes.items():
                if n.phase in ("Running", "Pending"):
                    continue
                add_task_scope(task_scope, other, n)
            node = Node(f"{node_name}.{name}")
            start = time.time()
            try:
                items = self.expand(t, task_scope, name)
            except NodeFailure as e:
                node.phase, node.message = "Error", str(e)
                finish(name, node, start)
                return
            if items is None:
                child = self.run_one(t, task_scope, node.name, templates, sem)
                node.phase, node.outputs, node.message = child.phase, child.outputs, child.message
                finish(name, node, None)
                return
            threads, children = [], [None] * len(items)

            def one(i, item):
                s = dict(task_scope)
                s["item"] = item
                if isinstance(item, dict):
                    for k, v in item.items():
                        s[f"item.{k}"] = v
                children[i] = self.run_one(t, s, f"{node.name}({i}:{fmt(item)})", templates, sem)
            for i, item in enumerate(items):
                th = threading.Thread(target=one, args=(i, item), daemon=True)
                th.start()
                threads.append(th)
            for th in threads:
                th.join()
            node.children = children
            bad = [c for c in children if c.failed()]
            node.phase = bad[-1].phase if bad else "Succeeded"
            node.outputs = aggregate(children)
            finish(name, node, start)

        def finish(name, node, start):
            if start is not None:
                self.report(node, time.time() - start, " (task group)")
            with cond:
                nodes[name] = node
                running.discard(name)
                cond.notify_all()

        stop = False
        with cond:
            while True:
                pending = [n for n in tasks if n not in nodes and n not in running]
                # Argo creates every task whose dependencies are fulfilled before it assesses
                # the DAG, so failFast cuts nothing here; past the workflow's deadline no new
                # task starts.
                if self.deadline and time.time() > self.deadline:
                    stop = True
                progressed = False
                for name in pending:
                    if not all(d in nodes for d in deps[name]):
                        continue
                    if stop:
                        continue
                    try:
                        go = eval_depends(logic[name], result_of) if logic[name] else True
                    except Unsupported:
                        raise
                    if not go:
                        nodes[name] = Node(f"{node_name}.{name}", "Omitted", message="depends condition not met")
                        self.report(nodes[name])
                        progressed = True
                        continue
                    running.add(name)
                    threading.Thread(target=self.guard, args=(run_task, name), daemon=True).start()
                    progressed = True
                if progressed:
                    continue
                if not running:
                    break
                cond.wait(timeout=1.0)
        # The DAG's phase from its leaf tasks (tasks no other task depends on).
        leaves = [n for n in tasks if not any(n in deps[o] for o in tasks)]
        memo = {}

        def branch(name):
            if name in memo:
                return memo[name]
            n = nodes.get(name)
            if n is None:  # never scheduled (fail fast or deadline)
                phase = "Failed"
            elif n.phase in ("Succeeded", "Failed", "Error"):
                phase = n.phase
            else:
                phase = "Succeeded"
                for d in deps[name]:
                    b = branch(d)
                    if b in ("Failed", "Error"):
                        phase = b
            memo[name] = phase
            return phase
        result = "Succeeded"
        for leaf in leaves:
            b = branch(leaf)
            cont = tasks[leaf].get("continueOn") or {}
            if b in ("Failed", "Error") and not cont.get("failed" if b == "Failed" else "error"):
                result = b
        node = Node(node_name, result)
        if self.deadline and time.time() > self.deadline and result == "Succeeded" and len(nodes) < len(tasks):
            node.phase = "Failed"
        if stop and len(nodes) < len(tasks) and node.phase == "Succeeded":
            node.phase = "Failed"
        if node.phase == "Succeeded":
            out_scope = dict(scope)
            for other, n in nodes.items():
                add_task_scope(out_scope, other, n)
            try:
                node.outputs = self.dag_outputs(tmpl, out_scope)
            except NodeFailure as e:
                node.phase, node.message = "Error", str(e)
        elif self.deadline and time.time() > self.deadline:
            node.message = "workflow deadline exceeded"
        return node

    def guard(self, fn, *a):
        try:
            fn(*a)
        except BaseException as e:  # noqa: BLE001 - an interpreter bug or Unsupported: stop all
            self.fatal = e
            what = "cannot interpret the manifest" if isinstance(e, Unsupported) else type(e).__name__
            with self.lock:
                print(f"argo_run: {what}: {e}", file=sys.stderr, flush=True)
            os._exit(2 if isinstance(e, Unsupported) else 3)

    def expand(self, t, scope, name):
        n = sum(1 for k in ("withItems", "withParam", "withSequence") if k in t)
        if n == 0:
            return None
        if n > 1:
            raise Unsupported(f"dag task {name}: more than one of withItems, withParam, withSequence")
        if "withItems" in t:
            return substitute(t["withItems"], scope, True, f"task {name}.withItems")
        if "withParam" in t:
            text = substitute(t["withParam"], scope, True, f"task {name}.withParam")
            try:
                items = json.loads(text)
            except json.JSONDecodeError as e:
                raise NodeFailure(f"task {name}.withParam: not a JSON list: {text[:200]!r} ({e})") from None
            if not isinstance(items, list):
                raise NodeFailure(f"task {name}.withParam: not a JSON list: {text[:200]!r}")
            return items
        seq = substitute(t["withSequence"], scope, True, f"task {name}.withSequence")
        check_fields(seq, {"count", "start", "end", "format"}, f"task {name}.withSequence")
        start = as_int(seq.get("start", 0), "withSequence.start")
        if "count" in seq:
            values = list(range(start, start + as_int(seq["count"], "withSequence.count")))
        else:
            end = as_int(seq.get("end", 0), "withSequence.end")
            values = list(range(start, end + 1)) if end >= start else list(range(start, end - 1, -1))
        f = seq.get("format")
        return [(f % v) if f else str(v) for v in values]

    def run_one(self, t, scope, node_name, templates, sem):
        """One (expanded) task: its when, its arguments, then its template."""
        if "when" in t:
            try:
                text = substitute(t["when"], scope, True, f"task {t['name']}.when")
            except NodeFailure as e:
                node = Node(node_name, "Error", message=str(e))
                self.report(node)
                return node
            if not eval_when(text):
                node = Node(node_name, "Skipped", message=f"when '{text}' evaluated false")
                self.report(node)
                return node
        arguments = t.get("arguments") or {}
        check_fields(arguments, {"parameters"}, f"task {t['name']}.arguments")
        args = {}
        try:
            for p in arguments.get("parameters") or []:
                check_fields(p, {"name", "value"}, f"task {t['name']}.arguments.parameters[{p.get('name')}]")
                args[p["name"]] = substitute(fmt(p.get("value", "")), scope, True,
                                             f"task {t['name']}.arguments.parameters.{p['name']}")
        except NodeFailure as e:
            node = Node(node_name, "Error", message=str(e))
            self.report(node)
            return node
        ref = t.get("templateRef") or t.get("template")
        if sem:
            sem.acquire()
        try:
            return self.execute(ref, args, node_name, templates, f"task {t['name']}")
        finally:
            if sem:
                sem.release()

    def dag_outputs(self, tmpl, scope):
        outputs = {"parameters": {}, "result": None, "exitCode": None}
        spec = tmpl.get("outputs") or {}
        check_fields(spec, {"parameters"}, f"template {tmpl['name']}.outputs")
        for p in spec.get("parameters") or []:
            check_fields(p, {"name", "valueFrom", "globalName", "description"},
                         f"template {tmpl['name']}.outputs.parameters[{p.get('name')}]")
            vf = p.get("valueFrom") or {}
            check_fields(vf, {"parameter", "default"}, f"template {tmpl['name']}.outputs.parameters[{p['name']}].valueFrom")
            try:
                v = substitute(vf.get("parameter", ""), scope, True, f"outputs.parameters.{p['name']}")
            except NodeFailure:
                if "default" not in vf:
                    raise
                v = fmt(vf["default"])
            outputs["parameters"][p["name"]] = v
            if p.get("globalName"):
                self.global_outputs[p["globalName"]] = v
        return outputs

    # -- pods

    def map_path(self, text, maps):
        """Rewrites every container path prefix of maps in text, in one pass (a local path
        that a rewrite produced is never rewritten again); the longest prefix wins."""
        if not maps:
            return text
        table = {c.rstrip("/") or "/": l.rstrip("/") for c, l in maps}
        alt = "|".join(re.escape(c) for c in sorted(table, key=len, reverse=True))
        pat = re.compile(r"(?<![\w.\-/])(" + alt + r")(?=/|$|[^\w.\-])")
        return pat.sub(lambda m: table[m.group(1)], text)

    def pod_maps(self, tmpl, pod_dir):
        """The container path -> local path rewrites of one pod, longest first."""
        maps = list(self.maps)
        vols = dict(self.volumes)
        for v in tmpl.get("volumes") or []:
            kinds = [k for k in v if k != "name"]
            if kinds != ["emptyDir"]:
                raise Unsupported(f"template {tmpl['name']}.volumes[{v.get('name')}]: only emptyDir")
            vols[v["name"]] = ("pod", None)
        if not self.args.shared_tmp and not any(c.rstrip("/") == "/tmp" for c, _ in maps):
            # Each pod has its own /tmp, as in a cluster.
            os.makedirs(os.path.join(pod_dir, "tmp"), exist_ok=True)
            maps.append(("/tmp", os.path.join(pod_dir, "tmp")))
        containers = [tmpl.get("container") or tmpl.get("script")] + list(tmpl.get("initContainers") or [])
        for c in containers:
            for m in c.get("volumeMounts") or []:
                check_fields(m, {"name", "mountPath", "subPath", "readOnly", "mountPropagation"},
                             f"template {tmpl['name']}.volumeMounts[{m.get('name')}]")
                if m["name"] not in vols:
                    raise Unsupported(f"template {tmpl['name']}: volumeMount of undeclared volume {m['name']!r}")
                kind, _ = vols[m["name"]]
                if kind == "pod":
                    base = os.path.join(pod_dir, "volumes", m["name"])
                else:
                    base = self.shared_volume(m["name"], m["mountPath"] if not m.get("subPath") else None)
                local = os.path.join(base, m["subPath"]) if m.get("subPath") else base
                os.makedirs(local, exist_ok=True)
                if not any(cp.rstrip("/") == m["mountPath"].rstrip("/") for cp, _ in maps):
                    maps.append((m["mountPath"], local))
        return sorted(set(maps), key=lambda kv: -len(kv[0]))

    def shared_volume(self, name, mount_path):
        with self.lock:
            key = ("shared-dir", name)
            if key not in self.memo:
                local = None
                for cpath, lpath in self.maps:
                    if mount_path and cpath.rstrip("/") == mount_path.rstrip("/"):
                        local = lpath
                self.memo[key] = local or os.path.join(self.workdir, "volumes", name)
            return self.memo[key]

    def env_of(self, c, where, pod_name):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
               "LANG": "C.UTF-8", "HOSTNAME": pod_name}
        for name in self.args.pass_env:
            if name in os.environ:
                env[name] = os.environ[name]
        for ef in c.get("envFrom") or []:
            check_fields(ef, {"configMapRef", "secretRef", "prefix"}, f"{where}.envFrom")
            prefix = ef.get("prefix", "")
            if "configMapRef" in ef:
                data = self.configmaps.get(ef["configMapRef"]["name"])
                if data is None:
                    raise Unsupported(f"{where}.envFrom: ConfigMap {ef['configMapRef']['name']!r} not given")
            else:
                data = self.secrets.get(ef["secretRef"]["name"])
                if data is None:
                    raise Unsupported(f"{where}.envFrom: Secret {ef['secretRef']['name']!r} not given "
                                      f"(--secret {ef['secretRef']['name']}/KEY=VALUE)")
            for k, v in data.items():
                env[prefix + k] = fmt(v)
        for e in c.get("env") or []:
            check_fields(e, {"name", "value", "valueFrom"}, f"{where}.env[{e.get('name')}]")
            if "valueFrom" in e:
                vf = e["valueFrom"]
                check_fields(vf, {"secretKeyRef", "configMapKeyRef", "fieldRef"}, f"{where}.env[{e['name']}].valueFrom")
                if "secretKeyRef" in vf:
                    ref = vf["secretKeyRef"]
                    v = self.secrets.get(ref.get("name"), {}).get(ref.get("key"))
                    if v is None:
                        if ref.get("optional"):
                            continue
                        raise Unsupported(f"{where}.env[{e['name']}]: secret {ref.get('name')!r} key "
                                          f"{ref.get('key')!r} not given (--secret {ref.get('name')}/{ref.get('key')}=VALUE)")
                    env[e["name"]] = v
                elif "configMapKeyRef" in vf:
                    ref = vf["configMapKeyRef"]
                    v = self.configmaps.get(ref.get("name"), {}).get(ref.get("key"))
                    if v is None:
                        if ref.get("optional"):
                            continue
                        raise Unsupported(f"{where}.env[{e['name']}]: ConfigMap {ref.get('name')!r} key "
                                          f"{ref.get('key')!r} not in the files given")
                    env[e["name"]] = fmt(v)
                else:
                    path = vf["fieldRef"].get("fieldPath")
                    values = {"metadata.name": pod_name, "metadata.namespace": "default",
                              "spec.nodeName": "localhost", "status.podIP": "127.0.0.1"}
                    if path not in values:
                        raise Unsupported(f"{where}.env[{e['name']}]: fieldRef {path!r} not supported")
                    env[e["name"]] = values[path]
            else:
                env[e["name"]] = fmt(e.get("value", ""))
        return env

    def run_container(self, c, tmpl, maps, pod_dir, pod_name, where, timeout, log):
        """Runs one container; returns (exit code or None on timeout, stdout)."""
        check_fields(c, CONTAINER_FIELDS, where)
        if "source" in c and c is not tmpl.get("script"):
            raise Unsupported(f"{where}.source: only script templates have a source")
        command = list(c.get("command") or [])
        args = list(c.get("args") or [])
        if not command:
            raise Unsupported(f"{where}: no command (the image's entrypoint is unknown here)")
        env = {k: self.map_path(v, maps) for k, v in self.env_of(c, where, pod_name).items()}
        argv = [self.map_path(fmt(a), maps) for a in command]
        if c is tmpl.get("script"):
            src = os.path.join(pod_dir, "script")
            with open(src, "w") as f:
                f.write(self.map_path(c.get("source", ""), maps))
            argv.append(src)
        argv += [self.map_path(fmt(a), maps) for a in args]
        cwd = pod_dir
        if c.get("workingDir"):
            cwd = self.map_path(c["workingDir"], maps)
            if not os.path.isdir(cwd):
                raise Unsupported(f"{where}.workingDir {c['workingDir']!r} is {cwd!r} here, which is "
                                  f"not a folder (map it with --map-path)")
        with open(os.path.join(pod_dir, "stdout"), "w+b") as out:
            try:
                p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=log, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
            except OSError as e:
                log.write(f"cannot start {argv[0]}: {e}\n".encode())
                return 127, ""
            with self.lock:
                self.procs.add(p)
            try:
                rc = p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                rc = None
            finally:
                with self.lock:
                    self.procs.discard(p)
            out.seek(0)
            stdout = out.read().decode(errors="replace")
        log.write(stdout.encode())
        return rc, stdout

    def run_leaf(self, tmpl, scope, node_name):
        where = f"template {tmpl['name']}"
        body = substitute({k: v for k, v in tmpl.items() if k not in ("inputs", "outputs")},
                          scope, False, where)
        memo = tmpl.get("memoize")
        if memo:
            check_fields(memo, {"key", "cache", "maxAge"}, f"{where}.memoize")
            cm = ((memo.get("cache") or {}).get("configMap") or {}).get("name")
            if not cm or not re.fullmatch(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?", cm):
                raise Unsupported(f"{where}.memoize.cache.configMap.name {cm!r} is not a ConfigMap name")
            if not re.fullmatch(r"\d+(s|m|h)", str(memo.get("maxAge", ""))):
                raise Unsupported(f"{where}.memoize.maxAge {memo.get('maxAge')!r}: use a number of s, m or h")
            mkey = substitute(memo.get("key", ""), scope, True, f"{where}.memoize.key")
            # A ConfigMap key: at most 253 of [-._a-zA-Z0-9] (Argo refuses others).
            if not re.fullmatch(r"[-._a-zA-Z0-9]{1,253}", mkey):
                raise Unsupported(f"{where}.memoize.key {mkey!r} is not a ConfigMap key")
            key = ("memo", cm, mkey)
            with self.lock:
                hit = self.memo_load(cm).get(mkey)
            if hit:
                node = Node(node_name, "Succeeded", outputs=hit, message="memoized")
                self.report(node)
                return node
        rs = body.get("retryStrategy") or {}
        check_fields(rs, {"limit", "retryPolicy", "backoff", "affinity", "expression"}, f"{where}.retryStrategy")
        limit = as_int(rs.get("limit", 0), f"{where}.retryStrategy.limit") if rs else 0
        policy = rs.get("retryPolicy", "OnFailure")
        if policy not in ("Always", "OnFailure", "OnError", "OnTransientError"):
            raise Unsupported(f"{where}.retryStrategy.retryPolicy {policy!r}")
        deadline = body.get("activeDeadlineSeconds")
        tmo = None
        if deadline is not None:
            tmo = as_int(deadline, f"{where}.activeDeadlineSeconds")
        if body.get("timeout"):
            m = re.fullmatch(r"(\d+)(s|m|h)?", str(body["timeout"]))
            if not m:
                raise Unsupported(f"{where}.timeout {body['timeout']!r}: use a number of s, m or h")
            t = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
            tmo = t if tmo is None else min(tmo, t)
        node = None
        for attempt in range(limit + 1):
            name = node_name if limit == 0 else f"{node_name}({attempt})"
            s = dict(scope)
            s["retries"] = str(attempt)
            s["pod.name"] = f"{self.name}-{abs(hash(name)) % 10**10}"
            s["node.name"] = node_name
            attempt_body = substitute(body, s, False, where)
            attempt_tmpl = dict(tmpl, **{k: attempt_body[k] for k in attempt_body})
            node = self.run_pod(attempt_tmpl, s, name, tmo)
            if node.phase == "Succeeded":
                break
            retry = {"Always": True, "OnFailure": node.phase == "Failed", "OnError": node.phase == "Error",
                     "OnTransientError": False}[policy]
            if retry and rs.get("expression"):
                # Both the policy and the expression must allow the retry (Argo's rule).
                env = {"retries": str(attempt), "lastRetry.status": node.phase,
                       "lastRetry.exitCode": node.outputs.get("exitCode") or "-1",
                       "lastRetry.message": node.message, "lastRetry.duration": str(int(node.seconds))}
                retry = bool(eval_expr(rs["expression"], env))
            if not retry or (self.deadline and time.time() > self.deadline):
                break
        if limit:
            node = Node(node_name, node.phase, node.outputs, node.message)
        if memo and node.phase == "Succeeded":
            with self.lock:
                self.memo_load(cm)[mkey] = node.outputs
                self.memo_save(cm)
        return node

    def memo_load(self, cm):
        """The memoization ConfigMap `cm` (with --configmaps, as kept from earlier runs)."""
        key = ("configmap", cm)
        if key not in self.memo:
            data = {}
            if self.args.configmaps:
                try:
                    with open(os.path.join(self.args.configmaps, cm + ".json")) as f:
                        data = json.load(f)
                except FileNotFoundError:
                    pass
            self.memo[key] = data
        return self.memo[key]

    def memo_save(self, cm):
        if self.args.configmaps:
            os.makedirs(self.args.configmaps, exist_ok=True)
            path = os.path.join(self.args.configmaps, cm + ".json")
            with open(path + ".tmp", "w") as f:
                json.dump(self.memo[("configmap", cm)], f, sort_keys=True)
            os.replace(path + ".tmp", path)

    def run_pod(self, tmpl, scope, node_name, timeout):
        where = f"template {tmpl['name']}"
        with self.lock:
            self.counter += 1
            pod_dir = os.path.join(self.workdir, "pods", f"{self.counter:04d}")
        os.makedirs(pod_dir)
        node = Node(node_name, "Running")
        self.pods.acquire()
        start = time.time()
        try:
            # Every {{...}} of a pod's template must resolve (Argo fails the node otherwise).
            try:
                c = substitute(tmpl.get("container") or tmpl["script"], scope, True, where)
                inits = substitute(tmpl.get("initContainers") or [], scope, True, where)
                outputs_spec = substitute(tmpl.get("outputs") or {}, scope, True, where)
            except NodeFailure as e:
                node.phase, node.message = "Error", str(e)
                return node
            t = dict(tmpl, initContainers=inits)
            t["container" if "container" in tmpl else "script"] = c
            maps = self.pod_maps(t, pod_dir)
            log_path = os.path.join(pod_dir, "log")
            with open(log_path, "wb") as log:
                rc = 0
                for i, ic in enumerate(inits):
                    rc, _ = self.run_container(ic, t, maps, pod_dir, scope["pod.name"],
                                               f"{where}.initContainers[{i}]", self.remaining(timeout, start), log)
                    if rc != 0:
                        break
                stdout = ""
                if rc == 0:
                    rc, stdout = self.run_container(c, t, maps, pod_dir, scope["pod.name"], where,
                                                    self.remaining(timeout, start), log)
                elif rc is not None:
                    # A failed init container is an error of the pod, not of its program.
                    node.phase, node.message = "Error", f"init container {i} failed (exit code {rc})"
            if node.phase == "Error":
                pass
            elif rc is None:
                node.phase, node.message = "Failed", "Pod was active on the node longer than the specified deadline"
            elif rc != 0:
                node.phase, node.message = "Failed", f"Error (exit code {rc})"
            else:
                node.phase = "Succeeded"
            node.outputs["exitCode"] = None if rc is None else str(rc)
            node.outputs["result"] = stdout.rstrip("\n") if rc is not None else None
            if node.phase == "Succeeded":
                self.read_outputs(t, outputs_spec, maps, node, where)
            if node.failed() and not self.args.quiet:
                with open(log_path, errors="replace") as f:
                    tail = f.read()[-3000:]
                with self.lock:
                    print(f"--- {node_name} log ({log_path}):\n{tail.rstrip()}\n---", flush=True)
            return node
        finally:
            self.pods.release()
            node.seconds = time.time() - start
            if node.phase != "Running":
                self.report(node, time.time() - start)

    def remaining(self, timeout, start):
        ends = []
        if timeout is not None:
            ends.append(start + timeout)
        if self.deadline:
            ends.append(self.deadline)
        if not ends:
            return None
        return max(0.01, min(ends) - time.time())

    def read_outputs(self, tmpl, spec, maps, node, where):
        check_fields(spec, {"parameters", "result"}, f"{where}.outputs")
        for p in spec.get("parameters") or []:
            check_fields(p, {"name", "valueFrom", "globalName", "description"}, f"{where}.outputs.parameters[{p.get('name')}]")
            vf = p.get("valueFrom") or {}
            check_fields(vf, {"path", "default"}, f"{where}.outputs.parameters[{p['name']}].valueFrom")
            if "path" not in vf:
                raise Unsupported(f"{where}.outputs.parameters[{p['name']}]: a container's output needs valueFrom.path")
            local = self.map_path(vf["path"], maps)
            try:
                with open(local, errors="replace") as f:
                    value = f.read().strip()
            except OSError as e:
                if "default" in vf:
                    value = fmt(vf["default"])
                else:
                    node.phase, node.message = "Error", f"output parameter {p['name']}: {vf['path']} ({local}): {e.strerror}"
                    return
            node.outputs["parameters"][p["name"]] = value
            if p.get("globalName"):
                self.global_outputs[p["globalName"]] = value

    # -- the whole run

    def run(self):
        entry = self.spec.get("entrypoint")
        if not entry:
            raise Unsupported("spec.entrypoint: missing")
        os.makedirs(self.workdir, exist_ok=True)
        start = time.time()
        print(f"workflow {self.name} (uid {self.uid}) entrypoint {entry}", flush=True)
        root = self.execute(entry, {}, self.name, self.templates, "spec.entrypoint")
        phase = root.phase
        if self.spec.get("onExit"):
            self.status = phase
            saved = self.global_scope

            def with_status():
                s = saved()
                s["workflow.status"] = phase
                s["workflow.failures"] = "[]" if phase == "Succeeded" else json.dumps([{"phase": phase}])
                return s
            self.global_scope = with_status
            exit_node = self.execute(self.spec["onExit"], {}, f"{self.name}.onExit", self.templates, "spec.onExit")
            if exit_node.failed() and phase == "Succeeded":
                phase = exit_node.phase
        print(f"workflow {self.name} {phase} in {time.time() - start:.1f} s", flush=True)
        return phase


def add_task_scope(scope, task, node):
    scope[f"tasks.{task}.status"] = node.phase
    scope[f"tasks.{task}.id"] = node.name
    if node.outputs.get("result") is not None:
        scope[f"tasks.{task}.outputs.result"] = node.outputs["result"]
    if node.outputs.get("exitCode") is not None:
        scope[f"tasks.{task}.exitCode"] = node.outputs["exitCode"]
    for k, v in (node.outputs.get("parameters") or {}).items():
        scope[f"tasks.{task}.outputs.parameters.{k}"] = v
    if node.outputs.get("parameters"):
        scope[f"tasks.{task}.outputs.parameters"] = json.dumps(node.outputs["parameters"])


def aggregate(children):
    """An expanded task's outputs: JSON lists of its children's (Argo's aggregation: a
    result that is a JSON object is embedded as one)."""
    done = [c for c in children if c.phase == "Succeeded"]
    out = {"parameters": {}, "result": None, "exitCode": None}
    names = set()
    for c in done:
        names |= set(c.outputs["parameters"])
    for n in sorted(names):
        out["parameters"][n] = json.dumps([c.outputs["parameters"].get(n) for c in done], separators=(",", ":"))
    results = []
    for c in done:
        r = c.outputs.get("result")
        if r is None:
            continue
        try:
            v = json.loads(r)
            results.append(v if isinstance(v, dict) else r)
        except json.JSONDecodeError:
            results.append(r)
    if any(c.outputs.get("result") is not None for c in done):
        out["result"] = json.dumps(results, separators=(",", ":"))
    return out


def parse_kv(text, sep, what):
    if sep not in text:
        raise argparse.ArgumentTypeError(f"{what}: expected {sep} in {text!r}")
    k, v = text.split(sep, 1)
    return k, v


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", help="YAML files with the Workflow and what it references")
    ap.add_argument("-p", dest="params", action="append", default=[],
                    type=lambda s: parse_kv(s, "=", "-p"), help="NAME=VALUE: a workflow parameter")
    ap.add_argument("--map-path", action="append", default=[], type=lambda s: parse_kv(s, "=", "--map-path"),
                    help="CONTAINER_PATH=LOCAL_PATH")
    ap.add_argument("--secret", action="append", default=[], type=lambda s: parse_kv(s, "=", "--secret"),
                    help="NAME/KEY=VALUE: a key of a Secret")
    ap.add_argument("--pass-env", action="append", default=[], help="an environment variable to pass to every container")
    ap.add_argument("--workdir", help="where pods' folders and unmapped volumes go (default: a temporary folder)")
    ap.add_argument("--shared-tmp", action="store_true",
                    help="pods use this machine's /tmp (default: each pod's /tmp is a folder of its own)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="pods at once (default: CPUs)")
    ap.add_argument("--quiet", action="store_true", help="only the first and last lines")
    ap.add_argument("--configmaps", help="keep memoization ConfigMaps in this folder, across runs "
                    "(default: within one run)")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    secrets = {}
    for k, v in args.secret:
        if "/" not in k:
            print(f"argo_run: --secret {k}: expected NAME/KEY=VALUE", file=sys.stderr)
            return 2
        name, key = k.split("/", 1)
        secrets.setdefault(name, {})[key] = v
    args.secrets = secrets
    if args.jobs < 1:
        print("argo_run: --jobs must be at least 1", file=sys.stderr)
        return 2
    for cpath, _ in args.map_path:
        if not cpath.startswith("/"):
            print(f"argo_run: --map-path {cpath}: the container path must be absolute", file=sys.stderr)
            return 2
    args.map_path = [(c, os.path.abspath(l)) for c, l in args.map_path]
    docs = []
    for path in args.files:
        try:
            with open(path) as f:
                docs += [d for d in yaml.safe_load_all(f) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            print(f"argo_run: {path}: {e}", file=sys.stderr)
            return 2
    tmp = None
    if not args.workdir:
        tmp = args.workdir = tempfile.mkdtemp(prefix="argo-run-")
    try:
        wf = Workflow(docs, args)
        phase = wf.run()
    except Unsupported as e:
        print(f"argo_run: cannot interpret the manifest: {e}", file=sys.stderr)
        return 2
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if phase == "Succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
