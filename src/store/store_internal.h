/* store_internal.h — shared by the files of src/store only. */
#ifndef SFTPGW_STORE_INTERNAL_H
#define SFTPGW_STORE_INTERNAL_H

/* SQL that takes the schema from user_version `from` to from + 1, or NULL. */
const char *store__migration(int from);

#endif
