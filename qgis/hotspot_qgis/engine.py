"""Running the hotspot CLI: finding it, asking it what it supports, and turning its output
into Processing feedback.

What it supports comes from `hotspot [COMMAND] --json-usage`: each option's flag, type, default,
choices, units and help, printed from the same table the CLI parses its command line with, so
the plugin's parameters cannot drift from the CLI (a CLI without --json-usage falls back to the
flags its --help lists).

This module does not import QGIS, so its parsing can be tested without QGIS. `feedback` is
anything with the methods of QgsProcessingFeedback that are used here.

What the CLI prints (README.md, cli/terminal.cpp):
  stdout  the summary of the command (shown in the log as it is)
  stderr  "[mm:ss] stage: text" with -v, "warning: ...", "error: ...",
          and, once the CLI has it, {"progress":0.42,"stage":"kde"} lines with --progress-json.
The CLI draws its own progress bar only on a terminal, so the stage lines are all there is to
estimate progress from until --progress-json exists; `STAGE_PROGRESS` places each stage.
"""

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time

try:
    from .progress import OverallProgress
except ImportError:  # imported as a plain module (no package), as some tests do
    from progress import OverallProgress

EXIT_CODES = {
    0: 'success',
    1: 'internal error (a bug: please report it with the command line)',
    2: 'usage: a bad option or value',
    3: 'input: a file missing, unreadable or malformed',
    4: 'output: an output exists or cannot be written',
    5: 'cancelled',
}

EXIT_CANCELLED = 5

# Rough position (percent) reached when a stage line is seen, per stage name. Only used while the
# CLI has no --progress-json; progress never goes backwards.
STAGE_PROGRESS = {
    'read': 15,
    'select': 20,
    'areas': 25,
    'geocode': 45,
    'kde': 55,
    'gistar': 60,
    'rates': 60,
    'lisa': 70,
    'hotspots': 75,
    'raster': 85,
    'write': 85,
    'vector': 85,
    'styles': 90,
    'project': 92,
    'report': 95,
    'manifest': 97,
}

STAGE_LINE = re.compile(r'^\[(\d+):(\d\d)\]\s+([A-Za-z0-9_\-\.]+):\s?(.*)$')
FLAG = re.compile(r'(?<![\w-])(--[a-z0-9][a-z0-9\-]*)')


class EngineNotFound(Exception):
    pass


def find_executable(configured=''):
    """The hotspot executable: the configured path, else $HOTSPOT_PATH, else `hotspot` on PATH.
    Raises EngineNotFound with what to do."""
    for candidate, origin in ((configured, 'the plugin setting'),
                              (os.environ.get('HOTSPOT_PATH', ''), '$HOTSPOT_PATH')):
        if candidate:
            if os.path.isdir(candidate):
                candidate = os.path.join(candidate, 'hotspot')
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
            raise EngineNotFound('hotspot: {} names {}, which is not an executable file; '
                                 'fix the path in Settings > Options > Processing > Providers > '
                                 'hotspot'.format(origin, candidate))
    found = shutil.which('hotspot')
    if found:
        return found
    raise EngineNotFound('hotspot: the hotspot executable was not found on PATH; install it or set '
                         'its path in Settings > Options > Processing > Providers > hotspot')


def parse_commands(help_text):
    """Subcommand names listed under "Subcommands:" in `hotspot --help`."""
    commands = []
    in_section = False
    for line in help_text.splitlines():
        if line.strip().lower().startswith('subcommands'):
            in_section = True
            continue
        if in_section:
            m = re.match(r'^\s{1,8}([a-z][a-z0-9\-]*)(\s|$)', line)
            if m:
                commands.append(m.group(1))
            elif line.strip() and not line.startswith(' '):
                in_section = False
    return commands


def parse_flags(help_text):
    """Every --flag named in a --help text (for a CLI without --json-usage)."""
    return set(FLAG.findall(help_text))


def parse_usage(json_text):
    """`--json-usage` output -> {'command', 'description', 'options': {flag: option}, 'commands': [...]}
    where each option is the CLI's dict (flag, names, toml_key, type, default, choices, units, help,
    required, repeatable). None when the text is not that JSON (a CLI without --json-usage)."""
    try:
        doc = json.loads(json_text)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get('options'), list):
        return None
    options = {}
    for o in doc['options']:
        for name in o.get('names', [o.get('flag')]):
            options[name] = o
    return {'command': doc.get('command', ''), 'description': doc.get('description', ''), 'options': options,
            'commands': [c.get('command') for c in doc.get('commands', [])]}


def typed_default(option):
    """An option's CLI default as a Python value of its type: None when the CLI has none (the
    value is chosen from the data, or the option is required); False for a flag."""
    if option is None:
        return None
    kind, value = option.get('type'), option.get('default')
    if kind == 'bool':
        return False if value is None else value.lower() in ('1', 'true', 'on', 'yes')
    if value is None:
        return None
    try:
        if kind == 'integer':
            return int(value)
        if kind == 'number':
            return float(value)
    except ValueError:
        return None
    return value


class Engine:
    """One hotspot executable and what its --help says it supports (asked once per path and
    modification time, as the plugin may outlive an upgrade of the CLI)."""

    _cache = {}

    def __init__(self, path):
        self.path = path

    def _ask(self, *args):
        try:
            mtime = os.path.getmtime(self.path)
        except OSError:
            mtime = 0
        key = (self.path, mtime, args)
        if key not in Engine._cache:
            p = subprocess.run([self.path] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
            Engine._cache[key] = (p.returncode, p.stdout, p.stderr)
        return Engine._cache[key]

    def _help(self, *args):
        rc, out, err = self._ask(*(args + ('--help',)))
        return rc, out + err

    def usage(self, command=''):
        """parse_usage() of `hotspot [COMMAND] --json-usage`, or None (no such command, or a CLI
        older than --json-usage)."""
        rc, out, _ = self._ask(*((command,) if command else ()) + ('--json-usage',))
        return parse_usage(out) if rc == 0 else None

    def option(self, command, flag):
        """The CLI's description of one option of a command (a dict, see parse_usage), or None."""
        usage = self.usage(command)
        return usage['options'].get(flag) if usage else None

    def version(self):
        p = subprocess.run([self.path, '--version'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=60)
        return (p.stdout or p.stderr).strip()

    def commands(self):
        usage = self.usage()
        return usage['commands'] if usage else parse_commands(self._help()[1])

    def has_command(self, command):
        return command in self.commands()

    def global_flags(self):
        usage = self.usage()
        return set(usage['options']) if usage else parse_flags(self._help()[1])

    def flags(self, command):
        """The flags of `hotspot COMMAND` (empty when the command is unknown)."""
        if not self.has_command(command):
            return set()
        usage = self.usage(command)
        return set(usage['options']) if usage else parse_flags(self._help(command)[1])

    def require(self, command):
        if not self.has_command(command):
            raise EngineNotFound(
                "hotspot: this hotspot ({}, {}) has no '{}' command; install a newer hotspot".format(
                    self.path, self.version() or 'unknown version', command))


class OutputParser:
    """Turns the CLI's stdout/stderr lines into feedback calls and a progress estimate."""

    def __init__(self, feedback, stage_progress=None):
        self.feedback = feedback
        self.stage_progress = dict(STAGE_PROGRESS)
        if stage_progress:
            self.stage_progress.update(stage_progress)
        self.percent = 0.0
        self.stage = ''
        self.errors = []
        self.warnings = []
        self.json_progress = False
        self.overall = OverallProgress()  # per-stage fractions -> one bar (progress.py)

    def _set_progress(self, percent):
        if percent > self.percent:
            self.percent = min(percent, 100.0)
            self.feedback.setProgress(self.percent)

    def _set_stage(self, stage):
        if stage and stage != self.stage:
            self.stage = stage
            self.feedback.setProgressText(stage)

    def stdout_line(self, line):
        line = line.rstrip('\r\n')
        if line.strip():
            self.feedback.pushInfo(line)

    def stderr_line(self, line):
        line = line.rstrip('\r\n')
        if not line.strip():
            return
        if line.startswith('{'):
            try:
                msg = json.loads(line)
            except ValueError:
                msg = None
            if isinstance(msg, dict) and 'progress' in msg:
                self.json_progress = True
                self._set_stage(str(msg.get('stage', '')))
                try:
                    self._set_progress(self.overall.update(str(msg.get('stage', '')), float(msg['progress'])))
                except (TypeError, ValueError):
                    pass
                return
        m = STAGE_LINE.match(line)
        if m:
            stage = m.group(3)
            self._set_stage(stage)
            if not self.json_progress and stage in self.stage_progress:
                self._set_progress(float(self.stage_progress[stage]))
            self.feedback.pushInfo(line)
            return
        if line.startswith('warning:'):
            self.warnings.append(line)
            if hasattr(self.feedback, 'pushWarning'):
                self.feedback.pushWarning(line)
            else:
                self.feedback.reportError(line, False)
            return
        if line.startswith('error:'):
            self.errors.append(line)
            self.feedback.reportError(line, False)
            return
        # Anything else (CLI11's usage errors, a bar drawn anyway) goes to the log as it is.
        self.feedback.pushInfo(line)


class Cancelled(Exception):
    pass


class EngineFailed(Exception):
    def __init__(self, message, returncode, errors):
        super().__init__(message)
        self.returncode = returncode
        self.errors = errors


def _pump(stream, name, q):
    for line in iter(stream.readline, ''):
        q.put((name, line))
    stream.close()
    q.put((name, None))


def run(argv, feedback, stage_progress=None, poll_s=0.1, kill_after_s=5.0):
    """Runs the CLI; streams its lines into `feedback`; stops it when feedback.isCanceled().
    Returns the OutputParser. Raises Cancelled, or EngineFailed with the CLI's error lines."""
    parser = OutputParser(feedback, stage_progress)
    feedback.pushCommandInfo(' '.join(_quote(a) for a in argv)) if hasattr(
        feedback, 'pushCommandInfo') else feedback.pushInfo(' '.join(argv))
    env = dict(os.environ)
    env.setdefault('LC_ALL', 'C.UTF-8')
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            universal_newlines=True, encoding='utf-8', errors='replace', bufsize=1, env=env,
                            # its own process group, so cancelling stops anything it started too
                            start_new_session=(os.name == 'posix'))
    q = queue.Queue()
    threads = [threading.Thread(target=_pump, args=(proc.stdout, 'out', q), daemon=True),
               threading.Thread(target=_pump, args=(proc.stderr, 'err', q), daemon=True)]
    for t in threads:
        t.start()
    open_streams = 2
    cancelled = False
    while open_streams:
        if not cancelled and feedback.isCanceled():
            cancelled = True
            _stop(proc, kill_after_s)
        if cancelled:
            break  # what is left in the pipes no longer matters
        try:
            name, line = q.get(timeout=poll_s)
        except queue.Empty:
            continue
        if line is None:
            open_streams -= 1
        elif name == 'out':
            parser.stdout_line(line)
        else:
            parser.stderr_line(line)
    while proc.poll() is None:
        if not cancelled and feedback.isCanceled():
            cancelled = True
            _stop(proc, kill_after_s)
        time.sleep(poll_s)
    rc = proc.returncode
    if cancelled or rc == EXIT_CANCELLED:
        raise Cancelled('hotspot: cancelled')
    if rc != 0:
        meaning = EXIT_CODES.get(rc, 'killed by signal {}'.format(-rc) if rc < 0 else 'unknown exit code')
        detail = '\n'.join(parser.errors) or 'see the log above'
        raise EngineFailed('hotspot {} failed with exit code {} ({}):\n{}'.format(
            argv[1] if len(argv) > 1 else '', rc, meaning, detail), rc, parser.errors)
    feedback.setProgress(100)
    return parser


def _stop(proc, kill_after_s):
    def signal_all(sig):
        try:
            if os.name == 'posix':
                os.killpg(proc.pid, sig)
            elif sig == signal.SIGTERM:
                proc.terminate()
            else:
                proc.kill()
        except (ProcessLookupError, PermissionError):
            pass

    signal_all(signal.SIGTERM)
    try:
        proc.wait(kill_after_s)
    except subprocess.TimeoutExpired:
        signal_all(signal.SIGKILL if os.name == 'posix' else signal.SIGTERM)
        proc.wait()


def _quote(arg):
    return arg if re.match(r'^[\w@%+=:,./\-|]+$', arg) else "'" + arg.replace("'", "'\\''") + "'"
