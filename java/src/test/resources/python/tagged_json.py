"""Tagged JSON for the tests: Python values as JSON text, with one-key objects ("$tuple", "$ndarray", ...)
for what JSON cannot say. docs/tagged-json.md is the specification; the CLI's --json follows it.

    to_tagged(value, big=65536)  the tagged form of a value (arrays of more than `big` bytes give their
                                 "sha256" instead of their "data")
    canon(tagged)                a form of a tagged value that compares equal when the values are equal
                                 (set elements sorted, floats as their repr)
"""
import base64
import datetime
import hashlib
import json
import math

try:
    import numpy as np
except ImportError:  # the tests that need numpy check for it themselves
    np = None

__all__ = ['to_tagged', 'canon']


def _number(x):
    """A float as JSON can hold it: finite ones as themselves, the others tagged."""
    if math.isfinite(x):
        return float(x)
    return {'$float': 'nan' if math.isnan(x) else ('inf' if x > 0 else '-inf')}


def _b64(data):
    return base64.b64encode(bytes(data)).decode('ascii')


def _element(dtype, x):
    """One element of an array or a numpy scalar, by the dtype's kind."""
    k = dtype.kind
    if k == 'b':
        return bool(x)
    if k in ('i', 'u'):
        return int(x)
    if k == 'f':
        return _number(float(x))
    if k == 'c':
        return [_number(float(x.real)), _number(float(x.imag))]
    if k == 'S':
        return {'$bytes': _b64(x)}
    if k == 'U':
        return str(x)
    if k in ('M', 'm'):
        return int(x.astype(np.int64))   # the raw count of the dtype's unit
    raise TypeError('no tagged form for dtype %s' % dtype)


def _array(a, big):
    if a.ndim == 0:
        flat = np.array(a).reshape(1)
    else:
        a = np.ascontiguousarray(a)
        flat = a.reshape(-1)
    body = {'dtype': a.dtype.str, 'shape': list(a.shape)}
    if a.nbytes > big:
        body['sha256'] = hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
    else:
        body['data'] = [_element(a.dtype, x) for x in flat]
    return {'$ndarray': body}


def _numpy(v, big):
    """The tagged form of a numpy value, or None when v is not one."""
    if np is None:
        return None
    if isinstance(v, np.ma.MaskedArray):
        return {'$masked': {'data': _array(np.asarray(v.data), big),
                            'mask': _array(np.ma.getmaskarray(v), big)}}
    if isinstance(v, np.ndarray):
        return _array(v, big)
    if isinstance(v, np.generic):
        return {'$npscalar': {'dtype': v.dtype.str, 'value': _element(v.dtype, v)}}
    return None


def to_tagged(v, big=1 << 16):
    """The tagged JSON form (json.dumps-able) of a Python value."""
    if v is None or isinstance(v, (bool, str)):
        return v
    t = _numpy(v, big)
    if t is not None:
        return t
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return _number(v)
    if isinstance(v, complex):
        return {'$complex': [_number(v.real), _number(v.imag)]}
    if isinstance(v, bytearray):
        return {'$bytearray': _b64(v)}
    if isinstance(v, bytes):
        return {'$bytes': _b64(v)}
    if isinstance(v, list):
        return [to_tagged(x, big) for x in v]
    if isinstance(v, tuple):
        return {'$tuple': [to_tagged(x, big) for x in v]}
    if isinstance(v, (set, frozenset)):
        tag = '$frozenset' if isinstance(v, frozenset) else '$set'
        return {tag: [to_tagged(x, big) for x in v]}
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {k: to_tagged(x, big) for k, x in v.items()}
        return {'$dict': [[to_tagged(k, big), to_tagged(x, big)] for k, x in v.items()]}
    if isinstance(v, datetime.datetime):   # before date: a datetime is a date too
        return {'$datetime': v.isoformat()}
    if isinstance(v, datetime.date):
        return {'$date': v.isoformat()}
    raise TypeError('no tagged form for %s' % type(v).__name__)


def canon(t):
    """A canonical form of a tagged value: sets' elements in a fixed order, floats as repr strings."""
    if isinstance(t, float):
        return repr(t)
    if isinstance(t, list):
        return [canon(x) for x in t]
    if isinstance(t, dict):
        if len(t) == 1 and next(iter(t)) in ('$set', '$frozenset'):
            tag = next(iter(t))
            elements = [canon(x) for x in t[tag]]
            return {tag: sorted(elements, key=lambda e: json.dumps(e, sort_keys=True))}
        return {k: canon(x) for k, x in t.items()}
    return t
