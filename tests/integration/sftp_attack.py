"""sftp_attack.py MEDIA OUTSIDE -- SSH-ARGV...

Path attacks against the gateway's SFTP server; MEDIA is the backing directory
of /pub/media, OUTSIDE a directory outside every mount holding "secret".
Each case must be refused with the expected status (and message where it
matters). Prints one line per failure; exit status 1 if any.
"""
import os
import sys

from sftp_client import (FXP, OK, NO_SUCH_FILE, PERMISSION_DENIED, FAILURE, BAD_MESSAGE,
                         READ, WRITE, CREAT, TRUNC, NOATTRS, Sftp, s, u32, u64)

media, outside = sys.argv[1], sys.argv[2]
argv = sys.argv[sys.argv.index('--') + 1:]
c = Sftp(argv)
failures = []
SECRET = open(os.path.join(outside, 'secret'), 'rb').read()


def expect(what, reply, code, msg=None):
    got, text = reply.status()
    if got != code or (msg is not None and text != msg):
        failures.append('%s: expected status %s %r, got %s %r' % (what, code, msg, got, text))
    if SECRET in reply.body:
        failures.append('%s: the reply carries the secret' % what)


def path_ops(path):
    """Every request that reads a path, each expected to fail."""
    return [('stat', FXP['STAT'], s(path)), ('lstat-under', FXP['LSTAT'], s(path + '/x')),
            ('open', FXP['OPEN'], s(path) + u32(READ) + NOATTRS),
            ('opendir', FXP['OPENDIR'], s(path))]


# `..` climbs and absolute paths land in the synthesized tree: nothing there.
for p in ['/pub/media/../../../etc/passwd', '../../etc/passwd', '/etc/passwd',
          '/pub/media/../../' + outside.lstrip('/') + '/secret', outside + '/secret']:
    expect('read ' + p, c.open(p, READ), NO_SUCH_FILE)
    expect('stat ' + p, c.call(FXP['STAT'], s(p)), NO_SUCH_FILE)

# Symlinks on disk that lead outside: refused with permission denied.
for name in ['esc_abs', 'esc_rel', 'magic', 'magic_rel']:
    p = '/pub/media/' + name
    expect('open ' + name, c.open(p, READ), PERMISSION_DENIED)
    expect('stat ' + name, c.call(FXP['STAT'], s(p)), PERMISSION_DENIED)
for name in ['escd_abs', 'escd_rel']:
    p = '/pub/media/' + name
    expect('opendir ' + name, c.call(FXP['OPENDIR'], s(p)), PERMISSION_DENIED)
    expect('open via ' + name, c.open(p + '/secret', READ), PERMISSION_DENIED)
    expect('create via ' + name, c.open(p + '/new', WRITE | CREAT), PERMISSION_DENIED)
    expect('mkdir via ' + name, c.call(FXP['MKDIR'], s(p + '/d') + NOATTRS), PERMISSION_DENIED)
    expect('symlink via ' + name, c.call(FXP['SYMLINK'], s('x') + s(p + '/l')), PERMISSION_DENIED)
# lstat of the link itself is fine (it is inside); following it is not.
r = c.call(FXP['LSTAT'], s('/pub/media/esc_abs'))
if r.type != FXP['ATTRS']:
    failures.append('lstat esc_abs: expected ATTRS, got %s' % (r.status(),))

# NUL inside a name: a malformed request.
expect('NUL in name', c.open('/pub/media/a\0b', READ), BAD_MESSAGE)

# Writes into synthesized directories.
for p in ['/x', '/pub/x']:
    expect('create ' + p, c.open(p, WRITE | CREAT | TRUNC), PERMISSION_DENIED)
    expect('mkdir ' + p, c.call(FXP['MKDIR'], s(p) + NOATTRS), PERMISSION_DENIED)
    expect('symlink ' + p, c.call(FXP['SYMLINK'], s('/pub/media/a') + s(p)), PERMISSION_DENIED)
    expect('rename into ' + p, c.call(FXP['RENAME'], s('/pub/media/a') + s(p)), PERMISSION_DENIED)
    expect('hardlink ' + p, c.ext('hardlink@openssh.com', s('/pub/media/a') + s(p)),
           PERMISSION_DENIED)
expect('rmdir /pub', c.call(FXP['RMDIR'], s('/pub')), PERMISSION_DENIED)
BUSY = 'Device or resource busy'   # the VFS's answer for mount points themselves
expect('remove mount point', c.call(FXP['RMDIR'], s('/pub/media')), FAILURE, BUSY)
expect('rename mount point', c.call(FXP['RENAME'], s('/pub/media') + s('/pub/media/m2')), FAILURE, BUSY)
expect('chmod /pub', c.call(FXP['SETSTAT'], s('/pub') + u32(4) + u32(0o777)), PERMISSION_DENIED)

# Across two mounts.
XMOUNT = 'Cross-mount operation not supported'
expect('rename across', c.call(FXP['RENAME'], s('/pub/media/a') + s('/pub/other/a')), FAILURE, XMOUNT)
expect('posix-rename across', c.ext('posix-rename@openssh.com', s('/pub/media/a') + s('/pub/other/a')),
       FAILURE, XMOUNT)
expect('hardlink across', c.ext('hardlink@openssh.com', s('/pub/media/a') + s('/pub/other/a')),
       FAILURE, XMOUNT)
src = c.open('/pub/media/a', READ)
dst = c.open('/pub/other/c', WRITE)
if src.type == FXP['HANDLE'] and dst.type == FXP['HANDLE']:
    hs, hd = src.string()[0], dst.string()[0]
    expect('copy-data across', c.ext('copy-data', s(hs) + u64(0) + u64(0) + s(hd) + u64(0)),
           FAILURE, XMOUNT)
    same = c.open('/pub/media/a', READ | WRITE)
    expect('copy-data onto itself', c.ext('copy-data', s(hs) + u64(0) + u64(0) + s(same.string()[0]) + u64(0)),
           FAILURE)
else:
    failures.append('open for copy-data failed: %s %s' % (src.status(), dst.status()))

# Every write request on the read-only mount.
RO = 'Read-only file system'
expect('ro create', c.open('/ro/new', WRITE | CREAT), PERMISSION_DENIED, RO)
expect('ro open for write', c.open('/ro/file', WRITE), PERMISSION_DENIED, RO)
expect('ro truncate', c.open('/ro/file', READ | WRITE | TRUNC), PERMISSION_DENIED, RO)
expect('ro mkdir', c.call(FXP['MKDIR'], s('/ro/d') + NOATTRS), PERMISSION_DENIED, RO)
expect('ro rmdir', c.call(FXP['RMDIR'], s('/ro/dir')), PERMISSION_DENIED, RO)
expect('ro remove', c.call(FXP['REMOVE'], s('/ro/file')), PERMISSION_DENIED, RO)
expect('ro rename', c.call(FXP['RENAME'], s('/ro/file') + s('/ro/file2')), PERMISSION_DENIED, RO)
expect('ro posix-rename', c.ext('posix-rename@openssh.com', s('/ro/file') + s('/ro/dir/f')),
       PERMISSION_DENIED, RO)
expect('ro symlink', c.call(FXP['SYMLINK'], s('file') + s('/ro/l')), PERMISSION_DENIED, RO)
expect('ro hardlink', c.ext('hardlink@openssh.com', s('/ro/file') + s('/ro/h')), PERMISSION_DENIED, RO)
expect('ro setstat', c.call(FXP['SETSTAT'], s('/ro/file') + u32(4) + u32(0o777)), PERMISSION_DENIED, RO)
expect('ro lsetstat', c.ext('lsetstat@openssh.com', s('/ro/file') + u32(4) + u32(0o777)),
       PERMISSION_DENIED, RO)
expect('ro truncate setstat', c.call(FXP['SETSTAT'], s('/ro/file') + u32(1) + u64(0)), PERMISSION_DENIED, RO)
rh = c.open('/ro/file', READ)
if rh.type == FXP['HANDLE']:
    h = rh.string()[0]
    expect('ro write on read handle', c.call(FXP['WRITE'], s(h) + u64(0) + s(b'x')), FAILURE)
    expect('ro fsetstat', c.call(FXP['FSETSTAT'], s(h) + u32(4) + u32(0o777)), FAILURE)
else:
    failures.append('ro open for reading failed: %s' % (rh.status(),))

# A symlink swapped in while a file is open: the open handle keeps reading the
# original file; opening the name again is refused.
r = c.open('/pub/media/swap', READ)
if r.type == FXP['HANDLE']:
    h = r.string()[0]
    os.rename(os.path.join(media, 'swap'), os.path.join(media, 'swap.orig'))
    os.symlink(os.path.join(outside, 'secret'), os.path.join(media, 'swap'))
    d = c.call(FXP['READ'], s(h) + u64(0) + u32(4096))
    if d.type != FXP['DATA'] or SECRET in d.body:
        failures.append('read after swap: %s' % (d.status(),))
    expect('open after swap', c.open('/pub/media/swap', READ), PERMISSION_DENIED)
else:
    failures.append('open swap failed: %s' % (r.status(),))

rc = c.close()
for f in failures:
    print('FAIL:', f)
sys.exit(1 if failures else 0)
