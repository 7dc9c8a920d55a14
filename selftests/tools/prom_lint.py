#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""prom_lint.py - a strict checker of the Prometheus text exposition format.

  prom_lint.py [FILE...]    (no FILE or "-": standard input)

Checks what a scraper and the node_exporter textfile collector need of a
file, after the text format 0.0.4 (prometheus.io/docs/instrumenting/
exposition_formats), more strictly than the parsers where they are lenient:

- UTF-8, lines end with '\\n' (no '\\r'), the file ends with a newline, no
  blank lines;
- "# HELP name text" and "# TYPE name type" name valid metric names; HELP
  escapes only '\\\\' and '\\n'; the type is counter, gauge, histogram,
  summary or untyped; at most one HELP and one TYPE per family, both
  before its first sample; every family has both;
- a sample is NAME[{LABELS}] VALUE [TIMESTAMP]: the name matches
  [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* and do not
  start with "__", label values are double-quoted with only \\\\, \\" and \\n
  escaped, no label twice, a trailing comma allowed; the value is a float
  (decimal, as Go's ParseFloat reads it, or NaN, +Inf, -Inf; no hex
  floats nor '_', which the text parser refuses), the timestamp an integer;
- a sample belongs to the family of its TYPE: the same name for counter,
  gauge and untyped, NAME, NAME_sum, NAME_count for a summary (with a
  "quantile" label that is a float on NAME only), NAME_bucket (with "le"),
  NAME_sum, NAME_count for a histogram, whose buckets end with le="+Inf";
- a family's samples are contiguous, and no series (name and label set)
  appears twice.

Prints one line per error as FILE:LINE: message, and "prom_lint: FILE: ok
(N families, M samples)"; exits 1 when anything is wrong.  Importable:
lint(text) returns the list of (line, message).
"""
import re
import sys

METRIC_RE = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*\Z')
LABEL_RE = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*\Z')
TYPES = ('counter', 'gauge', 'histogram', 'summary', 'untyped')
# The text parser's floats: Go's strconv.ParseFloat without what the parser
# refuses before it ('p', 'P' and '_': no hex floats, no digit separators),
# so decimal floats and the Inf and NaN spellings.
FLOAT_RE = re.compile(
    r'[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?'
    r'|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])\Z')
INT_RE = re.compile(r'-?\d+\Z')


def parse_float(s):
    """The value of a sample, or None when it is not a float."""
    if not FLOAT_RE.match(s):
        return None
    return float(s)


def bad_help_escape(s):
    """Whether a HELP text escapes anything but a backslash and a newline."""
    i = 0
    while i < len(s):
        if s[i] == '\\':
            if i + 1 >= len(s) or s[i + 1] not in '\\n':
                return True
            i += 2
        else:
            i += 1
    return False


def parse_labels(s, pos):
    """Parse '{...}' from s[pos] == '{'.  Return (labels, end) or raise."""
    labels = []
    i = pos + 1
    while True:
        if i < len(s) and s[i] == '}':
            return labels, i + 1
        m = re.compile(r'[^=,{}" ]*').match(s, i)
        name = m.group(0)
        i = m.end()
        if not LABEL_RE.match(name):
            raise ValueError('invalid label name %r' % name)
        if name.startswith('__'):
            raise ValueError('label name %r is reserved (starts with "__")' % name)
        if i >= len(s) or s[i] != '=':
            raise ValueError('label %s: "=" expected' % name)
        i += 1
        if i >= len(s) or s[i] != '"':
            raise ValueError('label %s: its value must be double-quoted' % name)
        i += 1
        val = []
        while True:
            if i >= len(s):
                raise ValueError('label %s: unterminated value' % name)
            c = s[i]
            if c == '\\':
                if i + 1 >= len(s) or s[i + 1] not in '\\"n':
                    raise ValueError('label %s: invalid escape %r' % (name, s[i:i + 2]))
                val.append({'\\': '\\', '"': '"', 'n': '\n'}[s[i + 1]])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == '\n':
                raise ValueError('label %s: raw newline in value' % name)
            else:
                val.append(c)
                i += 1
        if any(n == name for n, _ in labels):
            raise ValueError('label %s given twice' % name)
        labels.append((name, ''.join(val)))
        if i < len(s) and s[i] == ',':
            i += 1
            continue
        if i < len(s) and s[i] == '}':
            return labels, i + 1
        raise ValueError('"," or "}" expected after label %s' % name)


def family_of(name, types):
    """The family a sample name belongs to, and its role in it."""
    if name in types and types[name] in ('counter', 'gauge', 'untyped'):
        return name, 'value'
    for suffix in ('_sum', '_count', '_bucket'):
        if name.endswith(suffix):
            base = name[:-len(suffix)]
            t = types.get(base)
            if t == 'summary' and suffix != '_bucket':
                return base, suffix
            if t == 'histogram':
                return base, suffix
    if types.get(name) in ('summary', 'histogram'):
        return name, 'value'
    return name, None


def lint(text):
    """Return [(line number, message)] of every error of @text."""
    errs = []

    def err(n, msg):
        errs.append((n, msg))

    if not text:
        err(0, 'empty file')
        return errs
    if not text.endswith('\n'):
        err(text.count('\n') + 1, 'the file does not end with a newline')
    if '\r' in text:
        err(text[:text.index('\r')].count('\n') + 1, 'carriage return in the file')
    helps, types = {}, {}
    seen_samples = set()      # families with samples
    closed = set()            # families whose samples ended
    series = set()
    buckets = {}              # histogram: labels without le -> has +Inf
    current = None
    nsamples = 0
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    for n, line in enumerate(lines, 1):
        if line == '':
            err(n, 'blank line')
            continue
        if line.startswith('#'):
            parts = line.split(' ', 3)
            if len(parts) >= 2 and parts[0] == '#' and parts[1] in ('HELP', 'TYPE'):
                if len(parts) < 3 or not METRIC_RE.match(parts[2]):
                    err(n, '%s: invalid or missing metric name' % parts[1])
                    continue
                name = parts[2]
                rest = parts[3] if len(parts) == 4 else ''
                if name in seen_samples:
                    err(n, '%s of %s after its samples' % (parts[1], name))
                if parts[1] == 'HELP':
                    if name in helps:
                        err(n, 'second HELP of %s' % name)
                    helps[name] = rest
                    if bad_help_escape(rest):
                        err(n, 'HELP of %s: invalid escape (only \\\\ and \\n)' % name)
                else:
                    if name in types:
                        err(n, 'second TYPE of %s' % name)
                    if rest not in TYPES:
                        err(n, 'TYPE of %s: unknown type %r' % (name, rest))
                    types[name] = rest
            # Other comments are allowed and ignored.
            continue

        m = re.compile(r'[^{ ]*').match(line)
        name = m.group(0)
        i = m.end()
        if not METRIC_RE.match(name):
            err(n, 'invalid metric name %r' % name)
            continue
        labels = []
        if i < len(line) and line[i] == '{':
            try:
                labels, i = parse_labels(line, i)
            except ValueError as e:
                err(n, '%s: %s' % (name, e))
                continue
        if i >= len(line) or line[i] != ' ':
            err(n, '%s: a space and a value expected' % name)
            continue
        fields = line[i:].split(' ')
        fields = [f for f in fields if f != ''] if line[i:].strip() else []
        if len(fields) not in (1, 2):
            err(n, '%s: VALUE [TIMESTAMP] expected, got %r' % (name, line[i:]))
            continue
        if parse_float(fields[0]) is None:
            err(n, '%s: value %r is not a float' % (name, fields[0]))
        if len(fields) == 2 and not INT_RE.match(fields[1]):
            err(n, '%s: timestamp %r is not an integer' % (name, fields[1]))

        fam, role = family_of(name, types)
        if role is None:
            err(n, '%s: no TYPE line for it (or its family) before it' % name)
            fam = name
        if fam not in helps:
            err(n, '%s: no HELP line for %s before it' % (name, fam))
        t = types.get(fam)
        lnames = [k for k, _ in labels]
        if t == 'summary':
            if role == 'value':
                if 'quantile' not in lnames:
                    err(n, '%s: a summary quantile sample needs a "quantile" label' % name)
                else:
                    q = parse_float(dict(labels)['quantile'])
                    if q is None:
                        err(n, '%s: quantile %r is not a float' % (name, dict(labels)['quantile']))
            elif 'quantile' in lnames:
                err(n, '%s: only %s samples carry "quantile"' % (name, fam))
        if t == 'histogram':
            if role == 'value':
                err(n, '%s: a histogram has only _bucket, _sum and _count samples' % name)
            elif role == '_bucket':
                if 'le' not in lnames:
                    err(n, '%s: a bucket needs an "le" label' % name)
                else:
                    le = dict(labels)['le']
                    if parse_float(le) is None:
                        err(n, '%s: le %r is not a float' % (name, le))
                    key = (fam, tuple(sorted((k, v) for k, v in labels if k != 'le')))
                    buckets[key] = buckets.get(key, False) or le == '+Inf'
            elif 'le' in lnames:
                err(n, '%s: only buckets carry "le"' % name)
        if t in ('counter', 'gauge', 'untyped') and role != 'value':
            err(n, '%s: not a sample name of %s family %s' % (name, t, fam))

        if fam != current:
            if fam in closed or fam in seen_samples:
                err(n, '%s: the samples of %s are not contiguous' % (name, fam))
            if current is not None:
                closed.add(current)
            current = fam
        seen_samples.add(fam)
        key = (name, tuple(sorted(labels)))
        if key in series:
            err(n, '%s%s: the same series twice' % (name, '{...}' if labels else ''))
        series.add(key)
        nsamples += 1
    for fam in sorted(set(helps) ^ set(types)):
        err(0, '%s: a %s line but no %s line' % (fam, 'HELP' if fam in helps else 'TYPE',
                                                 'TYPE' if fam in helps else 'HELP'))
    for (fam, lab), inf in sorted(buckets.items()):
        if not inf:
            err(0, '%s%s: the buckets do not end with le="+Inf"' % (fam, dict(lab)))
    lint.families = len(set(helps) | set(types))
    lint.samples = nsamples
    return errs


def main(argv):
    files = argv[1:] or ['-']
    bad = 0
    for path in files:
        try:
            if path == '-':
                data = sys.stdin.buffer.read()
            else:
                with open(path, 'rb') as f:
                    data = f.read()
            text = data.decode('utf-8')
        except (OSError, UnicodeDecodeError) as e:
            print('%s: %s' % (path, e))
            bad += 1
            continue
        errs = lint(text)
        for n, msg in errs:
            print('%s:%d: %s' % (path, n, msg))
        if errs:
            bad += 1
            print('prom_lint: %s: %d error(s)' % (path, len(errs)))
        else:
            print('prom_lint: %s: ok (%d families, %d samples)' % (path, lint.families,
                                                                   lint.samples))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
