/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check(): one TAP line for the result of a luo_util.h helper, for the
 * kselftest programs of this directory that print their own TAP plan.
 * Include after kselftest.h and luo_util.h.
 */
#ifndef LUO_CHECK_H
#define LUO_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * One TAP line: ok when @ret, a helper's result, is -@err, or success
 * (>= 0) for @err 0.
 */
static inline __printf(3, 4) void check(int ret, int err, const char *fmt, ...)
{
	bool pass = err ? ret == -err : ret >= 0;
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (pass)
		ksft_test_result_pass("%s\n", what);
	else
		ksft_test_result_fail("%s: got %s (%d), expected %s\n", what,
				      errname(ret < 0 ? -ret : 0), ret, errname(err));
}

#endif /* LUO_CHECK_H */
