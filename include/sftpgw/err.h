/* err.h — error codes of sftpgw.
 *
 * Functions return 0 (or a count) on success and a negative code on failure.
 * Codes are either -errno (from the OS, mostly the VFS) or one of the SGW_E*
 * codes below, which start far below any errno value. sgw_strerror() names both.
 */
#ifndef SFTPGW_ERR_H
#define SFTPGW_ERR_H

#define SGW_ERR_MAP(X)                                                   \
	X(TRUNCATED, "message truncated")                                \
	X(TOOBIG, "value exceeds its limit")                             \
	X(BADFORMAT, "malformed data")                                   \
	X(TRAILING, "trailing bytes after message")                      \
	X(NOSPACE, "buffer full")                                        \
	X(NOTFOUND, "not found")                                         \
	X(EXISTS, "already exists")                                      \
	X(DENIED, "permission denied")                                   \
	X(BADNAME, "invalid name")                                       \
	X(STORE, "store error")                                          \
	X(CRYPTO, "cryptographic error")                                 \
	X(UNSUPPORTED, "not supported")                                  \
	X(PROTOCOL, "protocol error")                                    \
	X(LIMIT, "resource limit reached")                               \
	X(USAGE, "usage error")

enum sgw_err {
	SGW_E_BASE_ = -10000,
#define SGW_ERR_ENUM(name, msg) SGW_E##name,
	SGW_ERR_MAP(SGW_ERR_ENUM)
#undef SGW_ERR_ENUM
	SGW_E_END_
};

/* Human text for any negative code (SGW_E* or -errno); never NULL. */
const char *sgw_strerror(int err);

#endif
