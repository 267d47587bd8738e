"""sftp_hostile.py GW_PID RSS_LIMIT_KB -- SSH-ARGV...

A client that pipelines thousands of requests and does not read the replies
for a while, then reads them all. The daemon's resident memory must stay
under RSS_LIMIT_KB throughout, and every request must get exactly one reply.
"""
import struct
import sys
import threading
import time

from sftp_client import FXP, READ, NOATTRS, Sftp, s, u32, u64

pid, limit = int(sys.argv[1]), int(sys.argv[2])
argv = sys.argv[sys.argv.index('--') + 1:]
N_READS, N_STATS, READ_LEN = 2000, 8000, 128 * 1024


def rss_kb():
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


c = Sftp(argv)
if pid == 0:   # no daemon: measure the server process itself (development)
    pid = c.p.pid
r = c.open('/pub/media/blob', READ)
assert r.type == FXP['HANDLE'], r.status()
h = r.string()[0]
ids, chunks = set(), []
for i in range(N_READS + N_STATS):
    if i % 5 == 0:
        rid, data = c.msg(FXP['READ'], s(h) + u64((i % 8) * READ_LEN) + u32(READ_LEN))
    else:
        rid, data = c.msg(FXP['LSTAT'], s('/pub/media/blob'))
    ids.add(rid)
    chunks.append(data)
blob = b''.join(chunks)
writer = threading.Thread(target=c.send_raw, args=(blob,))
writer.start()

peak = 0
for _ in range(30):          # 3 s without reading a single reply
    time.sleep(0.1)
    peak = max(peak, rss_kb())
print('RSS while the client does not read: %d KiB' % peak)

seen, data_bytes, n = set(), 0, 0
while len(seen) < len(ids):
    rep = c.recv()
    if rep.id in seen or rep.id not in ids:
        print('FAIL: unexpected or repeated reply id %d' % rep.id)
        sys.exit(1)
    seen.add(rep.id)
    if rep.type == FXP['DATA']:
        data_bytes += struct.unpack('>I', rep.body[:4])[0]
    elif rep.type != FXP['ATTRS']:
        print('FAIL: reply %d: %s' % (rep.id, rep.status()))
        sys.exit(1)
    n += 1
    if n % 500 == 0:
        peak = max(peak, rss_kb())
writer.join()
peak = max(peak, rss_kb())
print('replies: %d, data: %d bytes, peak RSS: %d KiB (limit %d)' % (len(seen), data_bytes, peak, limit))
if data_bytes != N_READS * READ_LEN:
    print('FAIL: expected %d data bytes' % (N_READS * READ_LEN))
    sys.exit(1)
# The session still works afterwards.
r = c.call(FXP['STAT'], s('/pub/media/blob'))
if r.type != FXP['ATTRS']:
    print('FAIL: STAT after the flood: %s' % (r.status(),))
    sys.exit(1)
if c.close() != 0:
    print('FAIL: ssh exited with an error')
    sys.exit(1)
sys.exit(1 if peak > limit else 0)
