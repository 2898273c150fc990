#!/usr/bin/env python3
"""A small Python writer of the mmappickle layout, for interop tests (docs/format.md).

mmappickle 1.0.1 itself does not install on these machines (no PyPI), so this script does what it
does to a file, the same way: every operation under fcntl.flock(LOCK_EX), generic values pickled
with protocol 4 and their memo renumbered from the largest memo-max, appends over the terminator,
deletes by rewriting the valid byte, the commit number incremented after each change.

usage: mmapdict_py.py FILE OP [ARGS...]
  put KEY PYTHON_EXPR         append a generic value (eval'd with numpy as np)
  putarray KEY PYTHON_EXPR    append an array in the original layout (fromstring/reshape)
  del KEY                     delete a key
  get KEY                     print repr of a generic value read alone (PROTO + value + STOP)
  keys                        print the valid keys, one per line
  commit                      print the commit number
  stress N PREFIX             append N generic entries PREFIX0..PREFIX{N-1} with value [i, 'PREFIX', i*i], one lock each
  churn N PREFIX SEED         N random changes, one lock each: put PREFIX{0..39} = [i, 'PREFIX'] (replacing) or
                              delete a valid key (any writer's); prints the number of puts and deletes
"""
import fcntl, io, os, pickle, pickletools, struct, sys

TERMINATOR = b'\x95' + struct.pack('<Q', 2) + b'd.'


def entries(f):
    f.seek(0, io.SEEK_END)
    size = f.tell()
    f.seek(0)
    data = f.read(size)
    assert data[:2] == b'\x80\x04' and len(data) >= 35, 'not an mmappickle file'
    o = 24
    out = []
    while o < size - 11:
        assert data[o] == 0x95 and data[o + 9] == 0x8c, 'bad entry at %d' % o
        frame = struct.unpack('<Q', data[o + 1:o + 9])[0]
        k = data[o + 10]
        key = data[o + 11:o + 11 + k].decode('utf8')
        d = frame - 2 - k - 8
        vo = o + 11 + k
        memo = struct.unpack('<i', data[vo + d + 1:vo + d + 5])[0]
        valid = data[vo + d + 6] == 0x88
        out.append(dict(offset=o, key=key, value=data[vo:vo + d], value_offset=vo, length=d, memo=memo,
                        valid=valid, valid_offset=vo + d + 6))
        o += 9 + frame
    assert data[o:] == TERMINATOR, 'no terminator at %d' % o
    return out, o


def scan_from(mm, o, size, memo):
    """Scans entries from offset o (headers only); returns the end offset and the largest memo-max."""
    while o < size - 11:
        assert mm[o] == 0x95 and mm[o + 9] == 0x8c, 'bad entry at %d' % o
        frame = struct.unpack('<Q', mm[o + 1:o + 9])[0]
        after = o + 9 + frame - 8
        memo = max(memo, struct.unpack('<i', mm[after + 1:after + 5])[0])
        o += 9 + frame
    return o, memo


def bump_commit(f):
    f.seek(18)
    c = struct.unpack('<i', f.read(4))[0]
    f.seek(18)
    f.write(struct.pack('<i', c + 1))


def dump_fixed(obj, start):
    """pickle.dumps(obj, 4) without PROTO/FRAME/STOP, memo kept only where fetched, numbered from start."""
    p = pickle.dumps(obj, 4)
    ops = list(pickletools.genops(p))
    spans = []
    for i, (op, arg, pos) in enumerate(ops):
        end = ops[i + 1][2] if i + 1 < len(ops) else len(p)
        spans.append((op, arg, pos, end))
    memo_count = 0
    items = []
    fetched = set()
    for op, arg, pos, end in spans:
        if op.name in ('FRAME', 'STOP', 'PROTO'):
            continue
        if op.name == 'MEMOIZE':
            items.append(('put', memo_count)); memo_count += 1
        elif 'PUT' in op.name:
            items.append(('put', arg)); memo_count = max(memo_count, arg + 1)
        elif 'GET' in op.name:
            items.append(('get', arg)); fetched.add(arg)
        else:
            items.append(('raw', p[pos:end]))
    renum = {}
    nxt = start
    out = []
    for kind, x in items:
        if kind == 'put':
            if x not in fetched:
                continue
            renum[x] = nxt
            out.append(b'q' + struct.pack('<B', nxt) if nxt < 256 else b'r' + struct.pack('<I', nxt))
            nxt += 1
        elif kind == 'get':
            n = renum[x]
            out.append(b'h' + struct.pack('<B', n) if n < 256 else b'j' + struct.pack('<I', n))
        else:
            out.append(x)
    return b''.join(out), nxt


def append(f, key, value_bytes, memo):
    es, end = entries(f)
    kb = key.encode('utf8')
    frame = 2 + len(kb) + len(value_bytes) + 8
    blob = (b'\x95' + struct.pack('<Q', frame) + b'\x8c' + bytes([len(kb)]) + kb + value_bytes
            + b'J' + struct.pack('<i', memo) + b'0' + b'\x880')
    f.seek(end)
    f.write(blob + TERMINATOR)
    for e in es:
        if e['valid'] and e['key'] == key:
            f.seek(e['valid_offset'])
            f.write(b'0')
    bump_commit(f)


def memo_start(f):
    es, _ = entries(f)
    return max([e['memo'] for e in es] + [1])


def array_value(a):
    import numpy as np
    a = np.ascontiguousarray(a)
    data = a.tobytes()
    shape = pickle.dumps(tuple(int(x) for x in a.shape), 4)
    shape_ops = shape[2:-1]
    if shape_ops[:1] == b'\x95':
        shape_ops = shape_ops[9:]
    shape_ops = shape_ops.replace(b'\x94', b'')   # MEMOIZE of the tuple
    dt = str(a.dtype).encode()
    return (b'\x8c\x16numpy.core.fromnumeric\x8c\x07reshape\x93'
            b'\x8c\x15numpy.core.multiarray\x8c\x0afromstring\x93'
            + b'\x8e' + struct.pack('<Q', len(data)) + data
            + b'\x8c' + bytes([len(dt)]) + dt + b'\x86R' + shape_ops + b'\x86R')


def main(argv):
    path, op, args = argv[1], argv[2], argv[3:]
    import numpy as np
    with open(path, 'r+b' if op in ('put', 'putarray', 'del', 'stress', 'churn') else 'rb') as f:
        if op == 'churn':
            import random
            n, prefix, rnd = int(args[0]), args[1], random.Random(int(args[2]))
            puts = dels = 0
            for i in range(n):
                fcntl.flock(f, fcntl.LOCK_EX)
                try:
                    es, _ = entries(f)
                    valid = [e for e in es if e['valid']]
                    if valid and rnd.random() < 0.4:
                        e = rnd.choice(valid)
                        f.seek(e['valid_offset'])
                        f.write(b'0')
                        bump_commit(f)
                        dels += 1
                    else:
                        memo = max([e['memo'] for e in es] + [1])
                        v, m = dump_fixed([i, prefix], memo)
                        append(f, prefix + str(rnd.randrange(40)), v, m)
                        puts += 1
                    f.flush()
                finally:
                    fcntl.flock(f, fcntl.LOCK_UN)
            print(puts, dels)
            return 0
        if op == 'stress':
            # appends only, so a scan of what others appended since our last look keeps end and memo-max right
            import mmap
            n, prefix = int(args[0]), args[1]
            end, memo = 24, 1
            for i in range(n):
                fcntl.flock(f, fcntl.LOCK_EX)
                try:
                    size = os.fstat(f.fileno()).st_size
                    if size != end + 11:
                        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                            end, memo = scan_from(mm, end, size, memo)
                    v, m = dump_fixed([i, prefix, i * i], max(memo, 1))
                    kb = (prefix + str(i)).encode('utf8')
                    frame = 2 + len(kb) + len(v) + 8
                    f.seek(end)
                    f.write(b'\x95' + struct.pack('<Q', frame) + b'\x8c' + bytes([len(kb)]) + kb + v
                            + b'J' + struct.pack('<i', m) + b'0' + b'\x880' + TERMINATOR)
                    f.flush()
                    end += 9 + frame
                    memo = max(memo, m)
                    bump_commit(f)
                    f.flush()
                finally:
                    fcntl.flock(f, fcntl.LOCK_UN)
            return 0
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            if op == 'put':
                v, m = dump_fixed(eval(args[1], {'np': np}), memo_start(f))
                append(f, args[0], v, m)
            elif op == 'putarray':
                append(f, args[0], array_value(eval(args[1], {'np': np})), 0)
            elif op == 'del':
                es, _ = entries(f)
                hit = [e for e in es if e['valid'] and e['key'] == args[0]]
                assert hit, 'no key %r' % args[0]
                f.seek(hit[-1]['valid_offset'])
                f.write(b'0')
                bump_commit(f)
            elif op == 'get':
                es, _ = entries(f)
                e = [e for e in es if e['valid'] and e['key'] == args[0]][-1]
                print(repr(pickle.loads(b'\x80\x04' + e['value'] + b'.')))
            elif op == 'keys':
                es, _ = entries(f)
                for e in es:
                    if e['valid']:
                        print(e['key'])
            elif op == 'commit':
                f.seek(18)
                print(struct.unpack('<i', f.read(4))[0])
            else:
                print(__doc__, file=sys.stderr)
                return 2
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
