/* SPDX-License-Identifier: GPL-2.0 */
/* luosnoop's table of the strings its events name by kernel address. */
#ifndef LUOSNOOP_NAMES_H
#define LUOSNOOP_NAMES_H

#include <stdbool.h>
#include <linux/types.h>
#include "luo_ops.h"

bool luosnoop_names_resolve(struct luo_event *e, bool last);
void luosnoop_names_free(void);

#endif /* LUOSNOOP_NAMES_H */
