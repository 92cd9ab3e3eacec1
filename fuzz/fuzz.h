/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h — the libFuzzer entry point every fuzz/fuzz_<name>.c defines.
 */
#ifndef S3I_FUZZ_H
#define S3I_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
