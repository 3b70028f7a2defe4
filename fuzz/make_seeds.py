#!/usr/bin/env python3
"""make_seeds.py - writes the binary seed inputs of fuzz/corpus/ (IDX, CSV,
checkpoint and stream files, each in its harness's input layout; see the comment at the
top of each fuzz_<target>.c). The text seeds (specs) are plain files edited
by hand. Rerun after changing a harness's input layout:
    python3 fuzz/make_seeds.py
"""
import gzip
import os
import struct
import zlib

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(HERE, target), exist_ok=True)
    with open(os.path.join(HERE, target, name), "wb") as f:
        f.write(data)


def gz(data):
    # mtime=0: the same bytes on every run, so the seeds do not churn in git.
    return gzip.compress(data, mtime=0)


def idx(type_code, dims, body):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + body


def idx_input(classes, images, labels):
    # fuzz_idx.c: classes (signed byte), images length (u16 BE), images, labels.
    return struct.pack(">bH", classes, len(images)) + images + labels


def seeds_idx():
    images = idx(0x08, [3, 2, 2], bytes([0, 255, 128, 7, 1, 2, 3, 4, 250, 251, 252, 253]))
    labels = idx(0x08, [3], bytes([0, 9, 4]))
    write("fuzz_idx", "valid_raw", idx_input(10, images, labels))
    write("fuzz_idx", "valid_gz", idx_input(10, gz(images), gz(labels)))
    write("fuzz_idx", "valid_classes_auto", idx_input(0, images, labels))
    write("fuzz_idx", "one_dim_images", idx_input(0, idx(0x08, [2], b"\x10\x20"), idx(0x08, [2], b"\x00\x01")))
    write("fuzz_idx", "label_too_big", idx_input(5, images, labels))
    write("fuzz_idx", "count_mismatch", idx_input(10, images, idx(0x08, [2], b"\x01\x02")))
    write("fuzz_idx", "truncated", idx_input(10, images[:-3], labels))
    write("fuzz_idx", "trailing", idx_input(10, images + b"\x00", labels))
    write("fuzz_idx", "bad_magic", idx_input(10, b"\x01" + images[1:], labels))
    write("fuzz_idx", "ndims_zero", idx_input(10, idx(0x08, [], b""), labels))
    write("fuzz_idx", "ndims_five", idx_input(10, idx(0x08, [1, 1, 1, 1, 1], b"\x00"), labels))
    write("fuzz_idx", "type_double", idx_input(10, idx(0x0E, [1, 1], bytes(8)), idx(0x08, [1], b"\x00")))
    write("fuzz_idx", "size_overflow", idx_input(10, idx(0x08, [0xFFFFFFFF] * 4, b""), labels))
    write("fuzz_idx", "huge_gz_header", idx_input(10, gz(idx(0x08, [65536, 256, 256], b"\x00" * 64)), labels))
    write("fuzz_idx", "corrupt_gz", idx_input(10, gz(images)[:20] + b"\xff" * 8, labels))
    write("fuzz_idx", "negative_classes", idx_input(-1, images, labels))


def seeds_csv():
    # fuzz_csv.c: two options bytes (byte 0: bit 0 regress, bits 1-2 label
    # column, bit 3 classes = 3, bits 4-5 header, bits 6-7 delimiter; byte 1:
    # bits 0-1 missing, bit 2 the names a, b, 0), then the file.
    table = b"x1,x2,label\n0.5,1,0\n-2e3,  3.25 ,2\n1,0,1\n"
    write("fuzz_csv", "classify", b"\x00\x00" + table)
    write("fuzz_csv", "classify_gz", b"\x00\x00" + gz(table))
    write("fuzz_csv", "classify_3", b"\x08\x00" + table)
    write("fuzz_csv", "crlf", b"\x00\x00" + table.replace(b"\n", b"\r\n"))
    write("fuzz_csv", "regress_y", b"\x03\x00" + b"a,y\n1,0.25\n2,-1.5e-3\n\n\n")
    write("fuzz_csv", "label_index0", b"\x04\x00" + b"c,a,b\n1,2,3\n0,5,6\n")
    write("fuzz_csv", "label_index1", b"\x06\x00" + b"a,c,b\n1,2,3\n4,0,6\n")
    write("fuzz_csv", "ragged", b"\x00\x00" + b"a,label\n1,2\n3\n")
    write("fuzz_csv", "not_a_number", b"\x00\x00" + b"a,label\n1x,2\n")
    write("fuzz_csv", "header_only", b"\x00\x00" + b"a,label\n")
    write("fuzz_csv", "empty", b"\x00\x00")
    write("fuzz_csv", "no_label_column", b"\x00\x00" + b"a,b\n1,2\n")
    write("fuzz_csv", "negative_label", b"\x00\x00" + b"a,label\n1,-1\n")
    write("fuzz_csv", "fractional_label", b"\x00\x00" + b"a,label\n1,1.5\n")
    write("fuzz_csv", "huge_field", b"\x00\x00" + b"a,label\n" + b"1" * 5000 + b",0\n")
    write("fuzz_csv", "nan_inf", b"\x01\x00" + b"a,label\nnan,inf\n")
    # the options of CSV as users have it
    named = b"\xef\xbb\xbfx;y;kind\n1;2;cat\n3;NA;dog\n;4;\"cat\"\n"
    write("fuzz_csv", "named_semicolon_mean", b"\x00\x01" + named)
    write("fuzz_csv", "named_drop", b"\x80\x02" + named)
    write("fuzz_csv", "named_given", b"\x00\x05" + b"x,label\n1,a\n2,0\n3,b\n")
    write("fuzz_csv", "unknown_given", b"\x00\x04" + b"x,label\n1,a\n2,c\n")
    write("fuzz_csv", "headerless_tab", b"\xe0\x00" + b"1\t2\t0\n3\t4\t1\n")
    write("fuzz_csv", "header_yes_numbers", b"\x10\x00" + b"1,2,0\n3,4,1\n5,6,2\n")
    write("fuzz_csv", "missing_label", b"\x00\x01" + b"x,label\n1,\n2,?\n")


def ckpt(records, version=1):
    payload = b""
    for name, type_code, count, data in records:
        payload += struct.pack("<I", len(name)) + name + struct.pack("<IQ", type_code, count) + data
    head = b"DESCENT\x1a" + struct.pack("<IIQI", version, len(records), len(payload), zlib.crc32(payload))
    return head + struct.pack("<I", zlib.crc32(head)) + payload


def seeds_checkpoint():
    f32 = (b"model.params", 0, 3, struct.pack("<3f", 0.5, -1.0, 2.0))
    f64 = (b"opt.lr", 1, 1, struct.pack("<d", 0.01))
    i64 = (b"g0.step", 2, 2, struct.pack("<2q", 7, -1))
    text = (b"model.desc", 3, 14, b"mlp:2-3-1 loss")
    write("fuzz_checkpoint", "empty", ckpt([]))
    write("fuzz_checkpoint", "one_f32", ckpt([f32]))
    write("fuzz_checkpoint", "mixed", ckpt([text, f32, f64, i64]))
    write("fuzz_checkpoint", "truncated", ckpt([f32, i64])[:-5])
    write("fuzz_checkpoint", "version2", ckpt([f32], version=2))
    write("fuzz_checkpoint", "bad_type", ckpt([(b"x", 9, 1, b"\x00" * 8)]))
    write("fuzz_checkpoint", "count_overflow", ckpt([(b"x", 0, 1 << 62, b"")]))
    write("fuzz_checkpoint", "duplicate_name", ckpt([f64, f64]))


def stream(rows, features, classes, outputs, block_rows, body):
    head = b"DSSTREAM" + struct.pack("<IIQIiII", 1, 64, rows, features, classes, outputs, block_rows)
    head += bytes(60 - len(head))
    return head + struct.pack("<I", zlib.crc32(head)) + body


def seeds_stream():
    # Rows: `features` float32, then an int32 label or `outputs` float32.
    rows = [(0.5, -1.0, 2), (1.5, 0.0, 0), (-3.0, 4.0, 1), (0.0, 0.25, 2), (9.0, 8.0, 1)]
    labelled = b"".join(struct.pack("<ffi", *r) for r in rows)
    write("fuzz_stream", "classify", stream(5, 2, 3, 0, 2, labelled))
    write("fuzz_stream", "one_block", stream(5, 2, 3, 0, 8, labelled))
    regress = b"".join(struct.pack("<fff", a, b, float(c)) for a, b, c in rows)
    write("fuzz_stream", "regress", stream(5, 2, 0, 1, 2, regress))
    write("fuzz_stream", "label_out_of_range", stream(1, 2, 3, 0, 1, struct.pack("<ffi", 1, 2, 7)))
    write("fuzz_stream", "truncated", stream(5, 2, 3, 0, 2, labelled[:-4]))
    write("fuzz_stream", "rows_overflow", stream(1 << 62, 1 << 30, 3, 0, 2, labelled))
    write("fuzz_stream", "zero_block_rows", stream(5, 2, 3, 0, 0, labelled))


def seeds_csv_rows():
    # fuzz_csv_rows.c: features byte (1 + b % 8), block byte (1 + b % 16), the file.
    def rows(features, block, text):
        return bytes([features - 1, block - 1]) + text
    write("fuzz_csv_rows", "header_label", rows(2, 3, b"x,label,y\n1,0,2\n-3.5e2,1,.25\n7,2,8\n"))
    write("fuzz_csv_rows", "no_header", rows(3, 2, b"1,2,3\r\n4,5,6\r\n0x1p3,1e-3,-0\r\n\n\n"))
    write("fuzz_csv_rows", "gzip", rows(2, 1, gz(b"a,b\n1,2\n3,4\n")))
    write("fuzz_csv_rows", "bad_width", rows(2, 4, b"1,2\n3\n"))
    write("fuzz_csv_rows", "blank_between", rows(1, 4, b"1\n\n2\n"))
    write("fuzz_csv_rows", "long_digits", rows(1, 1, b"12345678901234567890123,0\n0.0000000000000000000000001\n"))


if __name__ == "__main__":
    seeds_idx()
    seeds_csv()
    seeds_checkpoint()
    seeds_stream()
    seeds_csv_rows()
