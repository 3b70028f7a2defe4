/* fuzz_checkpoint.c - libFuzzer target for the checkpoint reader
 * (ds_ckpt_load_mem, which ds_ckpt_load calls on a file's bytes). Almost
 * every mutation breaks a CRC, and the reader rightly stops there; so each
 * input is read twice: as it is, and with both CRCs (checkpoint.h's header
 * bytes 24 and 28) recomputed, so mutations also reach the record parser
 * behind them. A rejected file must leave *out NULL and a message. */
#include "fuzz.h"

#include "descent/checkpoint.h"

#include <string.h>
#include <zlib.h>

#define HEADER_SIZE 32

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void load(const uint8_t *data, size_t size)
{
    ds_ckpt *c = NULL;
    ds_clear_error();
    if (ds_ckpt_load_mem(data, size, "fuzz input", &c) == DS_OK) {
        DS_FUZZ_CHECK(c != NULL);
        ds_ckpt_free(c);
    } else {
        DS_FUZZ_CHECK(c == NULL && ds_last_error()[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size);
    uint8_t *fixed = size >= HEADER_SIZE ? malloc(size) : NULL;
    if (!fixed) return 0;
    memcpy(fixed, data, size);
    size_t payload = size - HEADER_SIZE;
    put_le32(fixed + 24, (uint32_t)crc32(0L, fixed + HEADER_SIZE, (uInt)payload));
    put_le32(fixed + 28, (uint32_t)crc32(0L, fixed, 28));
    load(fixed, size);
    free(fixed);
    return 0;
}
