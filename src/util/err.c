/* err.c — one table of error texts (see err.h). */
#include <string.h>

#include "sftpgw/err.h"

static const char *const sgw_errtext[] = {
#define SGW_ERR_TEXT(name, msg) msg,
	SGW_ERR_MAP(SGW_ERR_TEXT)
#undef SGW_ERR_TEXT
};

const char *sgw_strerror(int err)
{
	if (err > SGW_E_BASE_ && err < SGW_E_END_)
		return sgw_errtext[err - SGW_E_BASE_ - 1];
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown error";
}
