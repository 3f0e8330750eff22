#!/usr/bin/env python3
"""Reliability soak for the local runtime: kill -9 at random moments, resume, repeat.

Builds soak.flyte (two maps of small shell tasks over N items and a fan-in, the first
map @cache) and then, with a fixed seed:

- rounds of a run that is killed with SIGKILL again and again (some kills within the
  first 10 ms, while the run is being created), each time continued with --resume (or
  started again when the kill came before the run existed), and finally resumed to the
  end. Checked: the right output; no task whose journal record existed at a kill ran
  again after it; no process of a killed run survives it; no temporary file is left in
  the run directory or the cache;
- SIGINT and SIGTERM in the middle of the maps: exit 130, `interrupted` in status.json,
  and --resume finishes the run;
- when root: a full disk (a tmpfs filled mid-run) fails the run with exit 1 and an error
  that names the path and says the disk is full; --resume finishes it once there is space.

Prints a summary; exits 1 on any violation.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.work = tempfile.mkdtemp(prefix="flytec-soak-")
        self.exe = os.path.join(self.work, "soak")
        self.cache = os.path.join(self.work, "cache")
        self.violations = []
        self.stats = {"kills": 0, "early kills": 0, "finished before the kill": 0,
                      "runs started": 0, "task executions": 0, "journaled at kills": 0}
        self.runs = 0

    # --- helpers ------------------------------------------------------------------------

    def violation(self, text):
        print("VIOLATION: " + text, flush=True)
        self.violations.append(text)

    def command(self, run_dir, items=None, log=None, resume=None):
        cmd = [self.exe, "--run-dir", run_dir, "--cache-dir", self.cache, "-j",
               str(self.args.jobs), "--retry-backoff", "0.01"]
        if resume is not None:
            cmd += ["--resume", resume]
        else:
            cmd += ["--items", json.dumps(items), "--log", log]
        return cmd

    def start(self, cmd, name):
        self.runs += 1
        out = open(os.path.join(self.work, "%s-%d.out" % (name, self.runs)), "w")
        err = open(os.path.join(self.work, "%s-%d.err" % (name, self.runs)), "w")
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        p.out_path, p.err_path = out.name, err.name
        out.close()
        err.close()
        return p

    @staticmethod
    def read(path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def finish(self, p, timeout=120):
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            self.violation("%s did not finish within %ds" % (" ".join(p.args[:1]), timeout))
            rc = -1
        return rc, self.read(p.out_path), self.read(p.err_path)

    @staticmethod
    def latest(run_dir):
        try:
            with open(os.path.join(run_dir, "latest")) as f:
                return f.read().strip() or None
        except OSError:
            return None

    @staticmethod
    def journaled(run_path):
        """Node keys with a `done` record in the run's journal."""
        keys = set()
        try:
            with open(os.path.join(run_path, "journal"), "rb") as f:
                data = f.read()
        except OSError:
            return keys
        for line in data.split(b"\n"):
            try:
                record = json.loads(line[9:])
            except ValueError:
                continue  # torn or damaged: the runtime skips it too
            if isinstance(record, dict) and record.get("type") == "done":
                keys.add(record.get("node"))
        return keys

    @staticmethod
    def log_lines(log):
        try:
            with open(log) as f:
                return f.read().splitlines()
        except OSError:
            return []

    def survivors(self):
        """Processes (not this one) whose command line or environment holds the work
        directory: the executables, their guardians, task shells and their children."""
        token = self.work.encode()
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            for part in ("cmdline", "environ"):
                try:
                    with open("/proc/%s/%s" % (pid, part), "rb") as f:
                        if token in f.read():
                            found.append(int(pid))
                            break
                except OSError:
                    pass
        return found

    def check_no_survivors(self, what):
        deadline = time.monotonic() + 3
        while True:
            left = self.survivors()
            if not left:
                return
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        names = []
        for pid in left:
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    names.append("%d %s" % (pid, f.read().replace(b"\0", b" ")[:120].decode(errors="replace")))
            except OSError:
                pass
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.violation("%s: processes of the killed run survive it: %s" % (what, "; ".join(names)))

    def check_no_temporaries(self, *dirs):
        pattern = re.compile(r"\.tmp\.|^\.tmp-")
        for top in dirs:
            for d, subdirs, files in os.walk(top):
                for name in subdirs + files:
                    # A task's own work/ may hold whatever it likes.
                    if pattern.search(name) and "/work/" not in os.path.join(d, name) + "/":
                        self.violation("temporary file left: " + os.path.join(d, name))

    # --- parts --------------------------------------------------------------------------

    def build(self):
        subprocess.run([self.args.flytec, "build", os.path.join(HERE, "soak.flyte"), "-o",
                        self.exe], check=True)

    def kill_round(self, r, kills):
        """One run, killed up to `kills` times at random moments and resumed each time,
        until it finishes before a kill. Returns how many kills there were."""
        items = list(range(r * 100, r * 100 + self.args.items))
        expected = sum(i * i + 1 for i in items)
        log = os.path.join(self.work, "log-%d" % r)
        run_dir = os.path.join(self.work, "runs")
        before = self.latest(run_dir)
        run_id = None
        marks = []  # (log length, journaled keys) at each kill
        done = 0
        for k in range(kills):
            if run_id is None:
                cmd = self.command(run_dir, items, log)
                self.stats["runs started"] += 1
            else:
                cmd = self.command(run_dir, resume=run_id)
            early = self.rng.random() < 0.3
            delay = self.rng.uniform(0, 0.01) if early else self.rng.uniform(0.02, 0.6)
            p = self.start(cmd, "round%d" % r)
            time.sleep(delay)
            finished = p.poll() is not None
            if not finished:
                p.send_signal(signal.SIGKILL)
                done += 1
                self.stats["kills"] += 1
                self.stats["early kills"] += early
            else:
                self.stats["finished before the kill"] += 1
            rc, out, err = self.finish(p)
            if rc not in (0, -signal.SIGKILL):
                self.violation("round %d: a run exited %s before its kill: %s" % (r, rc, err[-2000:]))
            self.check_no_survivors("round %d kill %d" % (r, k))
            if run_id is None:
                now = self.latest(run_dir)
                if now != before:
                    run_id = now  # latest moves only to a complete run: this one
            if run_id is not None:
                keys = self.journaled(os.path.join(run_dir, run_id))
                marks.append((len(self.log_lines(log)), keys))
                self.stats["journaled at kills"] += len(keys)
            if finished and rc == 0:
                break
        # The last resume runs to the end.
        if run_id is None:
            cmd = self.command(run_dir, items, log)
            self.stats["runs started"] += 1
        else:
            cmd = self.command(run_dir, resume=run_id)
        rc, out, err = self.finish(self.start(cmd, "round%d-final" % r))
        if rc != 0 or out.strip() != json.dumps({"o": expected}, separators=(",", ":")):
            self.violation("round %d: the final run exited %d with %r, expected %d: %s"
                           % (r, rc, out.strip(), expected, err[-2000:]))
        lines = self.log_lines(log)
        orphans = [line for line in lines if line.startswith("orphan ")]
        if orphans:
            self.violation("round %d: %d tasks of killed runs ran on after the kill: %s"
                           % (r, len(orphans), ", ".join(orphans[:5])))
        lines = [line for line in lines if not line.startswith("orphan ")]
        self.stats["task executions"] += len(lines)
        for n, keys in marks:
            again = sorted(set(lines[n:]) & keys)
            if again:
                self.violation("round %d: %d journaled tasks ran again after a kill: %s"
                               % (r, len(again), ", ".join(again[:5])))
        self.check_no_survivors("round %d end" % r)
        self.check_no_temporaries(run_dir, self.cache)
        return done

    def signal_case(self, sig):
        """SIGINT or SIGTERM while the maps run: exit 130, interrupted, and resume."""
        name = signal.Signals(sig).name
        items = list(range(1000, 1000 + self.args.items))
        expected = sum(i * i + 1 for i in items)
        log = os.path.join(self.work, "log-" + name)
        run_dir = os.path.join(self.work, "runs-" + name)
        p = self.start(self.command(run_dir, items, log), name)
        deadline = time.monotonic() + 30
        while len(self.log_lines(log)) < 40 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        p.send_signal(sig)
        rc, out, err = self.finish(p)
        if rc != 130:
            self.violation("%s during the maps: exit %d, expected 130: %s" % (name, rc, err[-1000:]))
        run_id = self.latest(run_dir)
        status = self.read(os.path.join(run_dir, run_id or "-", "status.json"))
        if '"interrupted"' not in status:
            self.violation("%s during the maps: status.json says %r, expected interrupted"
                           % (name, status.strip()[:200]))
        self.check_no_survivors(name)
        rc, out, err = self.finish(self.start(self.command(run_dir, resume=run_id or ""), name + "-resume"))
        if rc != 0 or out.strip() != json.dumps({"o": expected}, separators=(",", ":")):
            self.violation("%s: the resumed run exited %d with %r: %s" % (name, rc, out.strip(), err[-1000:]))
        self.check_no_temporaries(run_dir)

    def disk_full_case(self):
        """A tmpfs filled in the middle of a run (root only)."""
        if os.geteuid() != 0:
            print("disk full: skipped (needs root)")
            return False
        mnt = os.path.join(self.work, "mnt")
        os.mkdir(mnt)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt],
                          stderr=subprocess.DEVNULL).returncode != 0:
            print("disk full: skipped (cannot mount a tmpfs)")
            return False
        try:
            items = list(range(2000, 2000 + self.args.items))
            expected = sum(i * i + 1 for i in items)
            log = os.path.join(self.work, "log-disk")
            run_dir = os.path.join(mnt, "runs")
            p = self.start(self.command(run_dir, items, log), "disk")
            deadline = time.monotonic() + 30
            while len(self.log_lines(log)) < 40 and p.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            ballast = os.path.join(mnt, "ballast")
            fd = os.open(ballast, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                while True:
                    os.write(fd, b"\0" * 65536)
            except OSError:
                pass
            finally:
                os.close(fd)
            rc, out, err = self.finish(p)
            if rc != 1 or not re.search(r"'[^']+'[^\n]*: the disk is full|the disk holding '[^']+' is full", err):
                self.violation("full disk: exit %d, expected 1 with the path and 'the disk is full': %s"
                               % (rc, err[-1500:]))
            os.remove(ballast)
            run_id = self.latest(run_dir)
            rc, out, err = self.finish(self.start(self.command(run_dir, resume=run_id or ""), "disk-resume"))
            if rc != 0 or out.strip() != json.dumps({"o": expected}, separators=(",", ":")):
                self.violation("full disk: the resumed run exited %d with %r: %s" % (rc, out.strip(), err[-1500:]))
            self.check_no_temporaries(run_dir)
        finally:
            subprocess.run(["umount", "-l", mnt])
        return True

    def run(self):
        t0 = time.monotonic()
        self.build()
        # Rounds of up to --kills-per-round kills each, until there were --kills.
        kills, r = 0, 0
        while kills < self.args.kills and r < 20:
            kills += self.kill_round(r, min(self.args.kills_per_round, self.args.kills - kills))
            r += 1
        self.stats["rounds"] = r
        self.signal_case(signal.SIGINT)
        self.signal_case(signal.SIGTERM)
        disk = self.disk_full_case()
        seconds = time.monotonic() - t0
        print("soak: seed %d, %d items, %.1fs: %s; signals SIGINT and SIGTERM; full disk %s"
              % (self.args.seed, self.args.items, seconds,
                 ", ".join("%s %d" % kv for kv in self.stats.items()),
                 "checked" if disk else "skipped"))
        if self.violations:
            print("soak: %d violations (work directory kept: %s)" % (len(self.violations), self.work))
            return 1
        shutil.rmtree(self.work, ignore_errors=True)
        print("soak: no violations")
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flytec", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kills", type=int, default=24)
    ap.add_argument("--kills-per-round", type=int, default=8)
    ap.add_argument("--items", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=4)
    sys.exit(Soak(ap.parse_args()).run())


if __name__ == "__main__":
    main()
