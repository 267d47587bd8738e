"""sftp_client.py — a tiny SFTP v3 client over `ssh ... -s sftp` for the tests.

Raw on purpose: the tests need exact status codes and messages, pipelining
without reading replies, and malformed requests that real clients never send.
"""
import struct
import subprocess

FXP = dict(INIT=1, VERSION=2, OPEN=3, CLOSE=4, READ=5, WRITE=6, LSTAT=7, FSTAT=8,
           SETSTAT=9, FSETSTAT=10, OPENDIR=11, READDIR=12, REMOVE=13, MKDIR=14,
           RMDIR=15, REALPATH=16, STAT=17, RENAME=18, READLINK=19, SYMLINK=20,
           STATUS=101, HANDLE=102, DATA=103, NAME=104, ATTRS=105, EXTENDED=200,
           EXTENDED_REPLY=201)
OK, EOF, NO_SUCH_FILE, PERMISSION_DENIED, FAILURE, BAD_MESSAGE = 0, 1, 2, 3, 4, 5
READ, WRITE, APPEND, CREAT, TRUNC, EXCL = 1, 2, 4, 8, 0x10, 0x20


def s(v):
    """SSH string."""
    if isinstance(v, str):
        v = v.encode()
    return struct.pack('>I', len(v)) + v


def u32(v):
    return struct.pack('>I', v)


def u64(v):
    return struct.pack('>Q', v)


NOATTRS = u32(0)


class Reply:
    def __init__(self, typ, rid, body):
        self.type, self.id, self.body = typ, rid, body

    def status(self):
        """(code, message) of a STATUS reply, or (None, type) for another type."""
        if self.type != FXP['STATUS']:
            return None, self.type
        code = struct.unpack('>I', self.body[:4])[0]
        n = struct.unpack('>I', self.body[4:8])[0]
        return code, self.body[8:8 + n].decode('utf-8', 'replace')

    def string(self, off=0):
        n = struct.unpack('>I', self.body[off:off + 4])[0]
        return self.body[off + 4:off + 4 + n], off + 4 + n


class Sftp:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.next_id = 1
        self.send_raw(u32(5) + bytes([FXP['INIT']]) + u32(3))
        typ, body = self.read_msg()
        assert typ == FXP['VERSION'], typ
        self.version = struct.unpack('>I', body[:4])[0]
        self.exts = {}
        off = 4
        while off < len(body):
            n = struct.unpack('>I', body[off:off + 4])[0]
            name = body[off + 4:off + 4 + n].decode()
            off += 4 + n
            n = struct.unpack('>I', body[off:off + 4])[0]
            self.exts[name] = body[off + 4:off + 4 + n].decode()
            off += 4 + n

    def send_raw(self, data):
        self.p.stdin.write(data)

    def _read(self, n):
        out = b''
        while len(out) < n:
            chunk = self.p.stdout.read(n - len(out))
            if not chunk:
                raise EOFError('connection closed after %d of %d bytes' % (len(out), n))
            out += chunk
        return out

    def read_msg(self):
        n = struct.unpack('>I', self._read(4))[0]
        body = self._read(n)
        return body[0], body[1:]

    def msg(self, typ, payload, rid=None):
        """Encodes one request; returns (id, bytes)."""
        if rid is None:
            rid = self.next_id
            self.next_id += 1
        body = bytes([typ]) + u32(rid) + payload
        return rid, u32(len(body)) + body

    def send(self, typ, payload):
        rid, data = self.msg(typ, payload)
        self.send_raw(data)
        return rid

    def recv(self):
        typ, body = self.read_msg()
        return Reply(typ, struct.unpack('>I', body[:4])[0], body[4:])

    def call(self, typ, payload):
        rid = self.send(typ, payload)
        r = self.recv()
        assert r.id == rid, (r.id, rid)
        return r

    def ext(self, name, payload=b''):
        return self.call(FXP['EXTENDED'], s(name) + payload)

    def open(self, path, flags, attrs=NOATTRS):
        return self.call(FXP['OPEN'], s(path) + u32(flags) + attrs)

    def close(self):
        self.p.stdin.close()
        self.p.stdout.read()
        return self.p.wait()
