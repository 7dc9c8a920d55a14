/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kselftest-harness programs of selftests/liveupdate share: the
 * helpers of luo_util.h, an assertion for helper results that must be file
 * descriptors, and a fixture that holds /dev/liveupdate for one test.
 */
#ifndef LUO_HARNESS_H
#define LUO_HARNESS_H

#include <unistd.h>

#include "luo_util.h"
#include "kselftest_harness.h"

/* Stop the test unless @ret, a helper's result, is a file descriptor. */
#define ASSERT_FD(ret) do {							\
	ASSERT_GE(ret, 0)							\
		TH_LOG("%s: %s", #ret, errname(-(ret)));			\
} while (0)

/* The device, opened for one test and closed at its end. */
FIXTURE(luo) {
	int luo;
};

FIXTURE_SETUP(luo)
{
	self->luo = luo_open();
	ASSERT_FD(self->luo);
}

FIXTURE_TEARDOWN(luo)
{
	if (self->luo >= 0)
		close(self->luo);
}

#endif /* LUO_HARNESS_H */
