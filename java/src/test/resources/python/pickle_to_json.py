#!/usr/bin/env python3
"""Loads a file with Python's plain pickle module (no mmappickle) and prints its dict as tagged JSON.

usage: pickle_to_json.py FILE [KEY ...]

Prints {"keys": {key: tagged value, ...}} on one line: every key of the dict in its order, or the keys
named. Arrays of more than 64 KiB give their "sha256" instead of their "data" (docs/tagged-json.md).
Exit status 0 when the file loads as a pickle of a dict; 1 otherwise, with the reason on stderr.
numpy's DeprecationWarnings are errors: a file must load without leaning on deprecated paths.
"""
import json
import os
import pickle
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tagged_json  # noqa: E402  (beside this file)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    path, keys = argv[1], argv[2:]
    with warnings.catch_warnings():
        warnings.simplefilter('error', DeprecationWarning)
        try:
            with open(path, 'rb') as f:
                loaded = pickle.load(f)
        except Exception as e:  # any failure to load is the answer, not a crash of the tool
            print('not loadable with plain pickle: %r' % (e,), file=sys.stderr)
            return 1
    if not isinstance(loaded, dict):
        print('the pickle holds a %s, not a dict' % type(loaded).__name__, file=sys.stderr)
        return 1
    out = {k: tagged_json.to_tagged(loaded[k]) for k in (keys or list(loaded))}
    sys.stdout.write(json.dumps({'keys': out}, ensure_ascii=False) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
