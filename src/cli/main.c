/* SPDX-License-Identifier: MIT */
/* main.c — placeholder until the command table lands. */
#include <stdio.h>

#include "s3inv.h"

int main(void)
{
	printf("s3inv %s\n", S3INV_VERSION);
	return 0;
}
